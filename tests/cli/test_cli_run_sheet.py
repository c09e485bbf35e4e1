"""`nextcars today [--date DATE] [--json] [--pdf FILE]`: the day's pickups and returns, the
contract's JSON keys exactly, every value as the database holds it, in pickup-time order
(jobs without a time last, by ref), on each engine; the PDF through the one file writer."""

from __future__ import annotations

import json
import stat
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from nextcars_tui.domain.lifecycle import business_date
from tests.cli.clikit import DeskFiles, invoke
from tests.poison import NAME, STEERING, plant_customer_name

LONDON = ZoneInfo("Europe/London")
# A job's keys, in the order the raw query below selects their values.
JOB_FIELDS = (
    "booking",
    "pickup_time",
    "pickup",
    "dropoff",
    "passengers",
    "customer",
    "phone",
    "car",
    "driver",
    "balance_cents",
)
JOB_KEYS = set(JOB_FIELDS)


def today() -> date:
    return business_date(datetime.now(UTC), LONDON)


def _free(files: DeskFiles, kind: str, day: date) -> list[str]:
    """Cars (plates) or drivers (codes) in service that nothing holds on the day."""
    table, key = ("car", "plate") if kind == "car" else ("driver", "code")
    rows = files.rows(
        f"SELECT {key} FROM {table} WHERE retired_at IS NULL AND id NOT IN "
        "(SELECT resource_id FROM occupancy WHERE kind = ? AND start_date <= ? "
        f"AND end_date > ?) ORDER BY {key}",
        kind,
        day.isoformat(),
        day.isoformat(),
    )
    return [str(row[0]) for row in rows]


@pytest.fixture
def untimed(desk_files: DeskFiles) -> list[str]:
    """Two one-day rentals today without a job sheet: a pickup and a return each, with no
    time, so they go last, by ref."""
    day = today()
    cars, drivers = _free(desk_files, "car", day), _free(desk_files, "driver", day)
    email = str(desk_files.rows("SELECT email FROM customer WHERE retired_at IS NULL")[0][0])
    made = []
    for car, driver in zip(cars[:2], drivers[:2], strict=True):
        booked = invoke(
            "book", "--customer", email, "--car", car, "--driver", driver,
            "--start", "today", "--days", "1", "--json",
        )  # fmt: skip
        assert booked.code == 0, booked.err
        made.append(json.loads(booked.out)["ref"])
    return made


def expected(files: DeskFiles, day: date) -> dict[str, Any]:
    """The run sheet from the raw rows: every booking not cancelled that starts on the day
    or whose last day it is, ordered by the README's rule."""
    rows = files.rows(
        "SELECT b.ref, b.pickup_time, b.pickup, b.dropoff, b.passengers, cu.name, cu.phone, "
        "c.plate, d.code, i.amount_cents - i.paid_cents, b.start_date, b.end_date "
        "FROM booking b JOIN customer cu ON cu.id = b.customer_id JOIN car c ON c.id = b.car_id "
        "JOIN driver d ON d.id = b.driver_id JOIN invoice i ON i.booking_id = b.id "
        "WHERE b.status <> 'cancelled' AND (b.start_date = ? OR b.end_date = ?)",
        day.isoformat(),
        (day + timedelta(days=1)).isoformat(),
    )

    def job(row: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip(JOB_FIELDS, row[:10], strict=True))

    def order(found: dict[str, Any]) -> tuple[bool, str, int]:
        time = found["pickup_time"]
        return (time is None, time or "", int(found["booking"].removeprefix("BK-")))

    pickups = [job(row) for row in rows if str(row[10]) == day.isoformat()]
    returns = [job(row) for row in rows if str(row[11]) == (day + timedelta(days=1)).isoformat()]
    return {
        "date": day.isoformat(),
        "pickups": sorted(pickups, key=order),
        "returns": sorted(returns, key=order),
    }


def ok_json(*args: str) -> Any:
    result = invoke("today", *args, "--json")
    assert result.code == 0, result.err
    assert result.err == ""
    return json.loads(result.out)


def test_today_json_is_the_contract_with_the_days_jobs_in_order(
    desk_files: DeskFiles, untimed: list[str]
):
    data = ok_json()
    assert set(data) == {"date", "pickups", "returns"}
    assert all(set(job) == JOB_KEYS for job in data["pickups"] + data["returns"])
    assert data == expected(desk_files, today())
    # The demo's pickups today have times; the two without one come last, by ref.
    assert [job["booking"] for job in data["pickups"][-2:]] == untimed
    assert [job["booking"] for job in data["returns"][-2:]] == untimed
    assert all(job["pickup_time"] is None for job in data["pickups"][-2:])
    assert data["pickups"][0]["pickup_time"] is not None
    blank = data["pickups"][-1]
    assert (blank["pickup"], blank["dropoff"], blank["passengers"]) == (None, None, None)
    assert blank["balance_cents"] > 0


def test_another_date_in_the_businesss_own_form(desk_files: DeskFiles):
    day = today() + timedelta(days=2)
    data = ok_json("--date", f"{day.day:02d}/{day.month:02d}/{day.year}")
    assert data == expected(desk_files, day)
    assert ok_json("--date", "+2") == data


def test_a_bad_date_is_exit_2_on_one_line(desk_files: DeskFiles):
    result = invoke("today", "--date", "2026-02-30", "--json")
    assert result.code == 2
    assert result.out == ""
    assert "--date" in result.error_line


def test_the_table_lists_every_job_with_its_balance(desk_files: DeskFiles, untimed: list[str]):
    result = invoke("today")
    assert result.code == 0, result.err
    sheet = expected(desk_files, today())
    for job in sheet["pickups"] + sheet["returns"]:
        assert job["booking"] in result.out
    assert f"{len(sheet['pickups'])} pickups" in result.out
    assert f"{len(sheet['returns'])} returns" in result.out


def test_pdf_is_a_private_file_with_every_job_never_over_a_file(
    desk_files: DeskFiles, untimed: list[str]
):
    target = desk_files.folder / "run-sheet.pdf"
    result = invoke("today", "--pdf", str(target))
    assert result.code == 0, result.err
    day = today().isoformat()
    assert result.out == f"Wrote the run sheet of {day} to {target} (1 page).\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    sheet = expected(desk_files, today())
    for job in sheet["pickups"] + sheet["returns"]:
        assert job["booking"] in text
    assert f"Pickups ({len(sheet['pickups'])})" in text
    assert f"Returns ({len(sheet['returns'])})" in text

    target.write_bytes(b"keep me")
    refused = invoke("today", "--pdf", str(target))
    assert refused.code == 2
    assert refused.out == ""
    assert refused.error_line == (
        f"error: {target} already exists; give --force to replace it, or choose another name."
    )
    assert target.read_bytes() == b"keep me"
    replaced = invoke("today", "--pdf", str(target), "--force", "--json")
    assert replaced.code == 0, replaced.err
    assert json.loads(replaced.out) == sheet
    assert target.read_bytes().startswith(b"%PDF-")


def test_force_without_pdf_is_exit_2(desk_files: DeskFiles):
    result = invoke("today", "--force")
    assert result.code == 2
    assert "--pdf" in result.error_line


def test_stored_control_characters_are_inert_in_text_and_exact_in_json(
    desk_files: DeskFiles, untimed: list[str]
):
    address = str(
        desk_files.rows(
            "SELECT c.email FROM customer c JOIN booking b ON b.customer_id = c.id WHERE b.ref = ?",
            untimed[0],
        )[0][0]
    )
    plant_customer_name(desk_files.url, address)
    shown = invoke("today")
    assert shown.code == 0, shown.err
    assert not any(mark in shown.out for mark in STEERING)
    assert "␛" in shown.out
    data = ok_json()
    assert {job["customer"] for job in data["pickups"] if job["booking"] == untimed[0]} == {NAME}
