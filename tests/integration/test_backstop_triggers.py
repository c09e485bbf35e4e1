"""Rule 4's backstop: the database itself refuses what no code path may do, even raw SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from deskkit import TODAY, raw, request, row_counts, snapshot, statuses
from rawdb import APPEND_ONLY_REFUSED, OVERLAP_REFUSED
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from nextcars_tui.domain.errors import Conflict, NotAllowed
from nextcars_tui.services.billing import checkout
from nextcars_tui.services.booking import book, cancel

INSERT = (
    "INSERT INTO booking (id, ref, customer_id, car_id, driver_id, start_date, days, end_date, "
    "car_daily_rate_cents, driver_daily_fee_cents, total_cents, status, created_at, created_by) "
    "VALUES (:id, :ref, 1, :car, :driver, :start, :days, :end, 100, 100, 200, :status, "
    "'2026-03-10 09:00:00.000000', 'raw sql')"
)


def raw_insert(path, *, car, driver, start, end, status="pending", number=50):
    days = int(end[-2:]) - int(start[-2:])
    with raw(path) as db:
        db.execute(
            INSERT,
            {
                "id": number,
                "ref": f"BK-{number:06d}",
                "car": car,
                "driver": driver,
                "start": start,
                "days": days,
                "end": end,
                "status": status,
            },
        )


@pytest.fixture
def booked(desk, staff):
    """BK-000001: car 1 with driver 1, 10–12 March (end 13 March), pending."""
    return book(desk, staff, request(car=1, driver=1, days=3))


@pytest.fixture
def cancelled(desk, staff):
    """BK-000001 as `booked`, but 12–14 March (end 15 March), and cancelled before it starts."""
    view = book(desk, staff, request(car=1, driver=1, start=TODAY + timedelta(days=2), days=3))
    cancel(desk, staff, view.ref)
    return view


@pytest.mark.parametrize(
    ("car", "driver", "start", "end"),
    [
        (1, 2, "2026-03-12", "2026-03-14"),  # same car, overlapping tail
        (2, 1, "2026-03-09", "2026-03-11"),  # same driver, overlapping head
        (1, 1, "2026-03-10", "2026-03-13"),  # identical
        (1, 2, "2026-03-01", "2026-03-20"),  # covering
    ],
)
@pytest.mark.parametrize("status", ["pending", "confirmed"])
def test_raw_insert_of_an_overlapping_active_booking_is_refused(
    desk, booked, car, driver, start, end, status
):
    before = snapshot(desk)
    with pytest.raises(DBAPIError, match=OVERLAP_REFUSED):
        raw_insert(desk, car=car, driver=driver, start=start, end=end, status=status)
    assert snapshot(desk) == before


@pytest.mark.parametrize("status", ["cancelled", "completed"])
def test_raw_insert_of_an_inactive_overlapping_booking_is_allowed(desk, booked, status):
    raw_insert(desk, car=1, driver=1, start="2026-03-10", end="2026-03-13", status=status)
    assert row_counts(desk)["booking"] == 2


def test_raw_insert_of_an_adjacent_booking_is_allowed(desk, booked):
    raw_insert(desk, car=1, driver=1, start="2026-03-13", end="2026-03-15")
    raw_insert(desk, car=1, driver=1, start="2026-03-08", end="2026-03-10", number=51)
    assert row_counts(desk)["booking"] == 3


def test_cancelled_and_completed_rows_do_not_trip_the_trigger(desk, cancelled):
    raw_insert(desk, car=1, driver=1, start="2026-03-12", end="2026-03-15")
    assert row_counts(desk)["booking"] == 2


def test_raw_update_reviving_a_cancelled_booking_over_another_is_refused(desk, cancelled, staff):
    again = book(
        desk, staff, request(car=1, driver=2, customer=2, start=TODAY + timedelta(days=2), days=3)
    )
    before = snapshot(desk)
    with pytest.raises(DBAPIError, match=OVERLAP_REFUSED), raw(desk) as db:
        db.execute("UPDATE booking SET status = 'pending' WHERE ref = ?", (cancelled.ref,))
    assert snapshot(desk) == before
    assert statuses(desk, again.ref) == ("pending", "unpaid")


@pytest.mark.parametrize(
    ("other", "change"),
    [
        # Adjacent on the same car (13–14 March), then moved a day earlier.
        ({"car": 1, "driver": 2, "start": "2026-03-13"}, "start_date = '2026-03-12'"),
        # Adjacent with the same driver, then stretched back over BK-000001.
        ({"car": 2, "driver": 1, "start": "2026-03-13"}, "start_date = '2026-03-09'"),
        # Same days with another car and driver, then switched to BK-000001's car or driver.
        ({"car": 2, "driver": 2, "start": "2026-03-10"}, "car_id = 1"),
        ({"car": 2, "driver": 2, "start": "2026-03-10"}, "driver_id = 1"),
    ],
)
def test_raw_update_moving_a_booking_into_another_is_refused(desk, booked, staff, other, change):
    moved = book(desk, staff, request(customer=2, days=2, **other))
    before = snapshot(desk)
    with pytest.raises(DBAPIError, match=OVERLAP_REFUSED), raw(desk) as db:
        db.execute(f"UPDATE booking SET {change} WHERE ref = ?", (moved.ref,))
    assert snapshot(desk) == before


def test_raw_update_of_a_booking_onto_itself_is_allowed(desk, booked):
    with raw(desk) as db:
        db.execute("UPDATE booking SET status = 'confirmed' WHERE ref = ?", (booked.ref,))
        db.execute(
            "UPDATE booking SET end_date = '2026-03-14', days = 4 WHERE ref = ?", (booked.ref,)
        )
    assert statuses(desk, booked.ref)[0] == "confirmed"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entry SET amount_cents = 1",
        "UPDATE ledger_entry SET method = 'cash' WHERE kind = 'payment'",
        "UPDATE ledger_entry SET actor = 'someone else'",
        "DELETE FROM ledger_entry",
        "DELETE FROM ledger_entry WHERE kind = 'payment'",
        "UPDATE audit_entry SET actor = 'someone else'",
        "DELETE FROM audit_entry",
        "DELETE FROM audit_entry WHERE action = 'paid'",
    ],
)
def test_ledger_and_audit_entries_cannot_be_changed_or_removed(desk, booked, staff, sql):
    checkout(desk, staff, booked.invoice.ref, "card")
    before = snapshot(desk)
    assert [kind for (_id, _invoice, kind, *_rest) in before["ledger_entry"]] == [
        "charge",
        "charge",
        "payment",
    ]
    assert before["audit_entry"]
    with (
        pytest.raises(DBAPIError, match=APPEND_ONLY_REFUSED),
        raw(desk) as db,
    ):
        db.execute(sql)
    assert snapshot(desk) == before


@pytest.mark.postgres_only
@pytest.mark.parametrize("table", ["ledger_entry", "audit_entry"])
def test_ledger_and_audit_entries_cannot_be_truncated(desk, booked, staff, table):
    checkout(desk, staff, booked.invoice.ref, "card")
    before = snapshot(desk)
    with pytest.raises(DBAPIError, match=APPEND_ONLY_REFUSED), raw(desk) as db:
        db.execute(f"TRUNCATE {table} CASCADE")
    assert snapshot(desk) == before


# A CHECK constraint's refusal: SQLite's "CHECK constraint failed", PostgreSQL's "violates
# check constraint".
CHECK_REFUSED = r"(?i)check constraint"
LEDGER_INSERT = (
    "INSERT INTO ledger_entry (invoice_id, kind, amount_cents, method, description, reason, "
    "at, actor) VALUES (1, :kind, :amount, :method, 'raw sql', :reason, "
    "'2026-03-10 09:00:00.000000', 'raw sql')"
)


@pytest.mark.parametrize(
    ("kind", "amount", "method", "reason"),
    [
        ("payment", 100, None, None),  # money taken without a method
        ("refund", 100, None, None),  # money paid back without a method
        ("payment", 0, "card", None),  # nothing taken
        ("refund", -100, "card", None),  # a refund is a positive sum paid back
        ("charge", 100, "card", None),  # a billed line moves no money
        ("payment", 100, "cheque", None),  # an unknown method
        ("adjustment", -500, None, None),  # a correction without a reason
        ("adjustment", 0, None, "nothing"),  # a correction of nothing
        ("discount", 100, None, None),  # an unknown kind
    ],
)
def test_a_ledger_entry_that_breaks_its_rules_is_refused(
    desk, booked, kind, amount, method, reason
):
    before = snapshot(desk)
    with (
        pytest.raises(DBAPIError, match=r"(?i)check constraint|constraint failed"),
        raw(desk) as db,
    ):
        db.execute(
            LEDGER_INSERT, {"kind": kind, "amount": amount, "method": method, "reason": reason}
        )
    assert snapshot(desk) == before


def test_a_well_formed_ledger_entry_passes_the_checks(desk, booked):
    """The refusals above are the rules, not any insert: a proper adjustment goes in."""
    with raw(desk) as db:
        db.execute(
            LEDGER_INSERT,
            {"kind": "adjustment", "amount": -500, "method": None, "reason": "goodwill"},
        )
    assert row_counts(desk)["ledger_entry"] == 3


@pytest.mark.parametrize(
    "change",
    [
        "status = 'settled'",  # not a status the desk knows
        "status = 'PAID'",
        "paid_cents = -1",
        "amount_cents = -1",
    ],
)
def test_an_invoice_outside_the_known_states_is_refused(desk, booked, change):
    before = snapshot(desk)
    with (
        pytest.raises(DBAPIError, match=r"(?i)check constraint|constraint failed"),
        raw(desk) as db,
    ):
        db.execute(f"UPDATE invoice SET {change} WHERE ref = ?", (booked.invoice.ref,))
    assert snapshot(desk) == before


def test_the_store_translates_trigger_refusals_into_desk_errors(desk, booked):
    # Hand-written SQL through the store's own unit of work gets a Conflict, not a driver error.
    with pytest.raises(Conflict, match="already booked"), desk.db.write() as uow:
        uow._connection.execute(
            text(INSERT),
            {
                "id": 60,
                "ref": "BK-000060",
                "car": 1,
                "driver": 3,
                "start": "2026-03-11",
                "days": 1,
                "end": "2026-03-12",
                "status": "confirmed",
            },
        )
    with pytest.raises(NotAllowed, match="never changed or removed"), desk.db.write() as uow:
        uow._connection.execute(text("DELETE FROM audit_entry"))
    assert row_counts(desk)["audit_entry"] == 1


@pytest.mark.sqlite_only
def test_the_triggers_exist_in_a_fresh_schema(desk):
    with raw(desk) as db:
        names = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
    assert names >= {
        "occupancy_no_overlap_insert",
        "occupancy_no_overlap_update",
        "booking_holds_insert",
        "booking_holds_update",
        "block_holds_insert",
        "block_holds_update",
        "booking_dates_canonical_insert",
        "booking_dates_canonical_update",
        "block_dates_canonical_insert",
        "block_dates_canonical_update",
        "ledger_entry_append_only_update",
        "ledger_entry_append_only_delete",
        "audit_entry_append_only_update",
        "audit_entry_append_only_delete",
    }


@pytest.mark.postgres_only
def test_postgresql_holds_the_exclusion_constraint_and_append_only_triggers(desk):
    with raw(desk) as db:
        constraints = {
            name
            for (name,) in db.execute(
                "SELECT conrelid::regclass::text || '.' || conname FROM pg_constraint "
                "WHERE contype = 'x'"
            )
        }
        triggers = {
            name for (name,) in db.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        }
    # One guarantee, on occupancy: bookings and blocks hold through it.
    assert constraints == {"occupancy.occupancy_no_overlap"}
    assert triggers >= {
        "booking_holds_insert",
        "booking_holds_update",
        "block_holds_insert",
        "block_holds_update",
        "ledger_entry_append_only",
        "ledger_entry_append_only_truncate",
        "audit_entry_append_only",
        "audit_entry_append_only_truncate",
    }


def test_foreign_keys_are_enforced(desk):
    from nextcars_tui.store import BookingRecord

    today, now = desk.today(), desk.now()
    missing = BookingRecord(
        9, "BK-000009", 1, 1, 1, today, 1, today + timedelta(days=1), 1, 0, 1, "pending", now, "t"
    )
    with pytest.raises(Exception, match=r"(?i)foreign key"), desk.db.write() as uow:
        uow.invoices.issue(
            missing, "INV-000009", issued_at=now, due_date=today, entries=[], today=today
        )
    assert row_counts(desk)["invoice"] == 0
