"""`nextcars db check [--json]`: every invariant checked, read-only, on either engine.

Each broken invariant is planted with hand-written SQL (where the database itself would refuse
it, its guarantee is taken away first, as a damaged or hand-edited database might have it) and
named by the check, ref by ref; exit 6, and the database is left exactly as it was. A database
that is not a NextCars one is one error line, exit 1.
"""

from __future__ import annotations

import json

import pytest

from nextcars_tui.store import schema
from tests import schemakit
from tests.cli.clikit import invoke
from tests.cli.test_cli_db import execute, foreign, newer, older
from tests.integration.rawdb import raw

CHECKS = [
    "schema_current",
    "holds_do_not_overlap",
    "occupancy_matches_bookings_and_blocks",
    "one_invoice_per_booking",
    "invoices_match_their_ledger",
    "bookings_match_their_charges",
    "completed_only_after_their_end",
    "end_is_start_plus_days",
    "refs_unique",
]


def check_json(url: str) -> tuple[int, dict]:
    before = schemakit.everything(url)
    result = invoke("db", "check", "--json")
    assert result.err == ""
    assert schemakit.everything(url) == before, "db check changed the database"
    return result.code, json.loads(result.out)


def broken(report: dict) -> dict[str, list[str]]:
    assert set(report) == {"ok", "checks"}
    for check in report["checks"]:
        assert set(check) == {"name", "ok", "violations"}
        assert check["ok"] == (check["violations"] == [])
    assert [check["name"] for check in report["checks"]] == CHECKS
    found = {c["name"]: c["violations"] for c in report["checks"] if not c["ok"]}
    assert report["ok"] == (found == {})
    return found


def active_ref(url: str, status: str = "confirmed") -> str:
    """A booking of the demo that starts after today and is still active."""
    with raw(url) as db:
        (found,) = db.execute(
            "SELECT ref FROM booking WHERE status = ? AND start_date > ? ORDER BY id LIMIT 1",
            (status, schemakit.date.today().isoformat()),
        ).fetchall()
    return str(found[0])


def test_a_healthy_desk_passes_every_check(desk_files):
    code, report = check_json(desk_files.url)
    assert code == 0 and broken(report) == {}
    text = invoke("db", "check")
    assert text.code == 0 and text.out.startswith(f"All {len(CHECKS)} checks hold")


def test_an_invoice_desynced_from_its_ledger_is_named(desk_files):
    with raw(desk_files.url) as db:
        (row,) = db.execute("SELECT ref FROM invoice ORDER BY id LIMIT 1").fetchall()
        db.execute("UPDATE invoice SET paid_cents = paid_cents + 1 WHERE ref = ?", (row[0],))
    code, report = check_json(desk_files.url)
    assert code == 6
    (found,) = broken(report)["invoices_match_their_ledger"]
    assert found.startswith(f"{row[0]} (") and "its ledger gives" in found
    text = invoke("db", "check")
    assert text.code == 6
    assert text.out.splitlines() == [f"invoices_match_their_ledger: {found}"]


def test_overlapping_holds_written_past_the_guarantee_are_named(desk_files):
    ref = active_ref(desk_files.url)
    guarantee = (
        "ALTER TABLE occupancy DROP CONSTRAINT occupancy_no_overlap"
        if desk_files.engine == "postgresql"
        else "DROP TRIGGER occupancy_no_overlap_insert"
    )
    execute(
        desk_files.url,
        guarantee,
        "INSERT INTO booking (id, ref, customer_id, car_id, driver_id, start_date, days, "
        "end_date, car_daily_rate_cents, driver_daily_fee_cents, total_cents, status, "
        "created_at, created_by) SELECT 900000, 'BK-900000', customer_id, car_id, driver_id, "
        "start_date, days, end_date, car_daily_rate_cents, driver_daily_fee_cents, "
        f"total_cents, 'pending', created_at, 'raw sql' FROM booking WHERE ref = '{ref}'",
    )
    code, report = check_json(desk_files.url)
    assert code == 6
    found = broken(report)
    assert set(found) == {"holds_do_not_overlap", "one_invoice_per_booking"}
    overlaps = found["holds_do_not_overlap"]
    assert len(overlaps) == 2  # its car and its driver
    assert all(line.startswith(f"{ref} and BK-900000 both hold ") for line in overlaps)
    assert [line.split()[5] for line in overlaps] == ["car", "driver"]
    assert found["one_invoice_per_booking"] == ["BK-900000 has no invoice"]


def test_occupancy_that_does_not_match_the_bookings_is_named(desk_files):
    ref = active_ref(desk_files.url)
    with raw(desk_files.url) as db:
        db.execute(
            "DELETE FROM occupancy WHERE kind = 'driver' AND booking_id = "
            "(SELECT id FROM booking WHERE ref = ?)",
            (ref,),
        )
    code, report = check_json(desk_files.url)
    assert code == 6
    (line,) = broken(report)["occupancy_matches_bookings_and_blocks"]
    assert line.startswith(f"{ref} holds driver ") and line.endswith("occupancy does not say so")


def test_a_booking_whose_days_were_changed_by_hand_is_named(desk_files):
    ref = active_ref(desk_files.url, "pending")
    with raw(desk_files.url) as db:
        db.execute("UPDATE booking SET days = days + 1 WHERE ref = ?", (ref,))
    code, report = check_json(desk_files.url)
    assert code == 6
    found = broken(report)
    assert found["end_is_start_plus_days"] == [
        f"{ref} ends on a day other than its start plus its days"
    ]
    (priced,) = found["bookings_match_their_charges"]
    assert priced.startswith(f"{ref} totals ") and "its days and rates make" in priced


def test_a_rental_completed_before_its_end_is_named(desk_files):
    ref = active_ref(desk_files.url)
    with raw(desk_files.url) as db:
        db.execute("UPDATE booking SET status = 'completed' WHERE ref = ?", (ref,))
    code, report = check_json(desk_files.url)
    assert code == 6
    assert broken(report) == {
        "completed_only_after_their_end": [f"{ref} is completed but its rental has not ended"]
    }


def test_an_older_database_fails_the_schema_check_alone_untouched(place, engine):
    url = place()
    older(url)
    code, report = check_json(url)
    assert code == 6
    assert report == {
        "ok": False,
        "checks": [
            {
                "name": "schema_current",
                "ok": False,
                "violations": [report["checks"][0]["violations"][0]],
            }
        ],
    }
    assert f"revision {schema.FIRST_REVISION}" in report["checks"][0]["violations"][0]
    assert "nextcars db upgrade" in report["checks"][0]["violations"][0]


@pytest.mark.parametrize(
    ("build", "says"),
    [(newer, "newer NextCars"), (foreign, "another application")],
    ids=["newer", "foreign"],
)
def test_a_database_that_is_not_this_programs_is_one_error_line_untouched(
    place, engine, build, says
):
    url = place()
    build(url)
    before = schemakit.everything(url)
    for args in (("db", "check"), ("db", "check", "--json")):
        result = invoke(*args)
        assert result.code == 1 and result.out == ""
        assert says in result.error_line
    assert schemakit.everything(url) == before


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("content", "says"),
    [(b"", "holds no NextCars tables"), (b"not a database at all" * 300, "not an SQLite")],
    ids=["empty-file", "corrupt-file"],
)
def test_an_empty_or_corrupt_file_is_one_error_line_and_stays_as_it_was(
    place, engine, content, says
):
    url = place()
    path = schemakit.sqlite_file(url)
    assert path is not None
    path.write_bytes(content)
    result = invoke("db", "check")
    assert result.code == 1 and says in result.error_line
    assert path.read_bytes() == content
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name)) == [
        path.name
    ]
