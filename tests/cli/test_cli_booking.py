"""book, confirm, cancel, checkout, bookings, invoices and lifecycle: JSON shapes, exit codes,
and bad input that writes nothing."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nextcars_tui.domain.lifecycle import business_date
from nextcars_tui.domain.parsing import parse_moment
from tests.cli.clikit import DeskFiles, invoke

LONDON = ZoneInfo("Europe/London")
BOOKING_KEYS = {
    "ref",
    "status",
    "customer",
    "car",
    "driver",
    "start",
    "end",
    "last_day",
    "days",
    "total_cents",
    "invoice",
    # The job sheet, null when unset.
    "pickup_time",
    "pickup",
    "dropoff",
    "passengers",
    "notes",
}
# One invoice object everywhere: in `invoices`, and nested under "invoice" in bookings.
INVOICE_KEYS = {"ref", "status", "amount_cents", "paid_cents", "balance_cents", "due", "booking"}
BOOKING_INVOICE_KEYS = INVOICE_KEYS
# The demo leaves this car (89.00 a day) and drivers DRV-09..12 (DRV-09: 90.00) unbooked.
FREE_CAR, FREE_DRIVER, CUSTOMER = "MA71 DPE", "DRV-09", "ben.carter@example.com"


def today() -> date:
    return business_date(datetime.now(UTC), LONDON)


def book_args(start: date | str, days: str = "3", **override: str) -> list[str]:
    options = {"customer": CUSTOMER, "car": FREE_CAR, "driver": FREE_DRIVER} | override
    args = ["book", "--start", str(start), "--days", days]
    for name, value in options.items():
        args += [f"--{name}", value]
    return args


def assert_booking_shape(data: dict[str, object]) -> None:
    assert set(data) == BOOKING_KEYS
    assert set(data["invoice"]) == BOOKING_INVOICE_KEYS  # type: ignore[arg-type]
    assert re.fullmatch(r"BK-\d{6}", str(data["ref"]))


def test_book_prints_one_booking_object(desk_files: DeskFiles):
    start = today() + timedelta(days=2)
    before = desk_files.counts()
    result = invoke(*book_args(start), "--json")
    assert result.code == 0, result.err
    assert result.err == ""
    data = json.loads(result.out)
    assert_booking_shape(data)
    assert data["status"] == "pending"
    assert (data["customer"], data["car"], data["driver"]) == (CUSTOMER, FREE_CAR, FREE_DRIVER)
    assert data["start"] == start.isoformat()
    assert data["end"] == (start + timedelta(days=3)).isoformat()  # exclusive, as stored
    assert data["last_day"] == (start + timedelta(days=2)).isoformat()  # as every text says
    assert data["days"] == 3
    assert data["total_cents"] == 3 * (8_900 + 9_000)
    invoice = data["invoice"]
    assert invoice["ref"] == data["ref"].replace("BK", "INV")
    assert invoice["status"] == "unpaid"
    assert invoice["amount_cents"] == data["total_cents"]
    assert (invoice["paid_cents"], invoice["balance_cents"]) == (0, data["total_cents"])
    assert invoice["booking"] == data["ref"]
    assert invoice["due"] == (start + timedelta(days=3 + 14)).isoformat()
    after = desk_files.counts()
    assert after["booking"] == before["booking"] + 1
    assert after["invoice"] == before["invoice"] + 1
    # The CLI acts as a system user, and the audit log says so.
    actors = desk_files.rows("SELECT actor FROM audit_entry WHERE ref = ?", data["ref"])
    assert actors == [("system:cli",)]


def test_book_for_people_prints_the_ref_and_the_amount(desk_files: DeskFiles):
    result = invoke(*book_args(today()))
    assert result.code == 0, result.err
    assert re.search(r"BK-\d{6} pending: MA71 DPE", result.out)
    assert "£537.00" in result.out


def _bad_inputs() -> list[tuple[list[str], str]]:
    start = today() + timedelta(days=5)
    feb_30 = f"{today().year + 1}-02-30"
    return [
        (book_args(start, "0"), "at least one day"),
        (book_args(start, "-2"), "at least one day"),
        (book_args(start, "1.5"), "whole number"),
        (book_args(start, "three"), "whole number"),
        (book_args(start, "31"), "at most 30 days"),
        (book_args(feb_30), "not a real calendar date"),
        (book_args("next week"), "YYYY-MM-DD"),
        (book_args(today() - timedelta(days=1)), "in the past"),
        (book_args(start, customer="not-an-email"), "not an e-mail address"),
    ]


@pytest.mark.parametrize(("args", "message"), _bad_inputs())
def test_bad_booking_input_is_refused_with_exit_2_and_nothing_written(
    desk_files: DeskFiles, args: list[str], message: str
):
    before = desk_files.counts()
    result = invoke(*args, "--json")
    assert result.code == 2
    assert message in result.error_line
    assert result.out == ""
    assert desk_files.counts() == before


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"customer": "nobody@example.com"}, "No customer with e-mail nobody@example.com"),
        ({"car": "ZZ99 ZZZ"}, "No car with plate ZZ99 ZZZ"),
        ({"driver": "DRV-99"}, "No driver with code DRV-99"),
    ],
)
def test_unknown_customer_car_or_driver_is_exit_5(desk_files: DeskFiles, override, message):
    before = desk_files.counts()
    result = invoke(*book_args(today() + timedelta(days=1), **override))
    assert result.code == 5
    assert message in result.error_line
    assert desk_files.counts() == before


def test_a_clash_is_exit_3_naming_the_car_dates_and_booking(desk_files: DeskFiles):
    ref, plate, start = desk_files.rows(
        "SELECT b.ref, c.plate, b.start_date FROM booking b JOIN car c ON c.id = b.car_id "
        "WHERE b.status = 'confirmed' AND b.start_date > ? ORDER BY b.start_date LIMIT 1",
        today().isoformat(),
    )[0]
    before = desk_files.counts()
    result = invoke(*book_args(str(start), "1", car=str(plate)))
    assert result.code == 3
    line = result.error_line
    assert f"Car {plate} is already booked" in line
    assert f"({ref})" in line
    assert desk_files.counts() == before


def _ref(files: DeskFiles, booking_status: str, invoice_status: str, future: bool = True) -> str:
    """A demo booking in these states that has not started yet (future) or has ended."""
    condition = "b.start_date > ?" if future else "b.end_date < ?"
    rows = files.rows(
        "SELECT b.ref FROM booking b JOIN invoice i ON i.booking_id = b.id "
        f"WHERE b.status = ? AND i.status = ? AND {condition} ORDER BY b.id",
        booking_status,
        invoice_status,
        today().isoformat(),
    )
    assert rows, f"the demo has no {booking_status} booking with a {invoice_status} invoice"
    return str(rows[0][0])


def _status(files: DeskFiles, ref: str) -> tuple[object, ...]:
    return files.rows(
        "SELECT b.status, i.status FROM booking b JOIN invoice i ON i.booking_id = b.id "
        "WHERE b.ref = ?",
        ref,
    )[0]


def test_confirm_a_pending_booking_then_refuse_a_second_confirm(desk_files: DeskFiles):
    ref = _ref(desk_files, "pending", "unpaid")
    result = invoke("confirm", ref)
    assert result.code == 0, result.err
    assert f"{ref} confirmed" in result.out
    assert _status(desk_files, ref) == ("confirmed", "unpaid")
    audit = desk_files.count("audit_entry")
    again = invoke("confirm", ref)
    assert again.code == 4
    assert "only a pending booking can be confirmed" in again.error_line
    assert desk_files.count("audit_entry") == audit


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["confirm", "BK-999999"], 5),
        (["cancel", "999999"], 5),
        (["checkout", "INV-999999", "--method", "cash"], 5),
        (["confirm", "not-a-ref"], 2),
        (["checkout", "INV-000001", "--method", "bitcoin"], 2),
        (["cancel", "BK-000001", "--reason", "x" * 10_000], 2),
        (["cancel", "BK-000001", "--reason", "   "], 2),
    ],
)
def test_refused_state_changes_write_nothing(desk_files: DeskFiles, args, code):
    before = desk_files.counts()
    result = invoke(*args)
    assert result.code == code
    assert result.error_line
    assert desk_files.counts() == before


def test_completed_bookings_cannot_be_cancelled(desk_files: DeskFiles):
    ref = _ref(desk_files, "completed", "paid", future=False)
    before = desk_files.counts()
    result = invoke("cancel", ref, "--reason", "changed mind")
    assert result.code == 4
    assert "completed" in result.error_line
    assert _status(desk_files, ref) == ("completed", "paid")
    assert desk_files.counts() == before


def test_cancelling_a_paid_booking_owes_the_payment_back(desk_files: DeskFiles):
    ref = _ref(desk_files, "confirmed", "paid")
    invoice = ref.replace("BK", "INV")
    (paid,) = desk_files.rows("SELECT paid_cents FROM invoice WHERE ref = ?", invoice)[0]
    result = invoke("cancel", ref, "--reason", "flight moved")
    assert result.code == 0, result.err
    assert "no cancellation fee" in result.out
    assert f"invoice {invoice} is now refund due" in result.out
    assert f"£{paid // 100:,}.{paid % 100:02d} to refund" in result.out
    assert _status(desk_files, ref) == ("cancelled", "refund_due")
    # The charges are reversed by a new entry; the payment stays on the ledger.
    reversal = desk_files.rows(
        "SELECT e.amount_cents, e.reason FROM ledger_entry e JOIN invoice i "
        "ON i.id = e.invoice_id WHERE i.ref = ? ORDER BY e.id DESC LIMIT 1",
        invoice,
    )
    assert reversal == [(-paid, "flight moved")]


def test_a_rental_under_way_cannot_be_cancelled(desk_files: DeskFiles):
    (ref,) = desk_files.rows(
        "SELECT ref FROM booking WHERE status = 'confirmed' AND start_date <= ? AND end_date > ? "
        "ORDER BY id LIMIT 1",
        today().isoformat(),
        today().isoformat(),
    )[0]
    before = desk_files.counts()
    result = invoke("cancel", ref, "--reason", "changed mind")
    assert result.code == 4
    assert "cannot be cancelled (end it early instead)" in result.error_line
    assert desk_files.counts() == before


def test_checkout_pays_confirms_and_prints_the_booking(desk_files: DeskFiles):
    ref = _ref(desk_files, "pending", "unpaid")
    invoice = ref.replace("BK", "INV")
    result = invoke("checkout", invoice, "--method", "Card", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert_booking_shape(data)
    assert (data["ref"], data["status"]) == (ref, "confirmed")
    assert data["invoice"]["status"] == "paid"
    assert data["invoice"]["paid_cents"] == data["invoice"]["amount_cents"]
    assert data["invoice"]["balance_cents"] == 0
    payments = desk_files.rows(
        "SELECT e.amount_cents, e.method, e.actor FROM ledger_entry e "
        "JOIN invoice i ON i.id = e.invoice_id WHERE i.ref = ? AND e.kind = 'payment'",
        invoice,
    )
    assert payments == [(data["invoice"]["amount_cents"], "card", "system:cli")]
    again = invoke("checkout", invoice, "--method", "cash")
    assert again.code == 4
    assert "is paid; nothing to take. Nothing was taken." in again.error_line
    paid_once = (
        f"kind = 'payment' AND invoice_id = (SELECT id FROM invoice WHERE ref = '{invoice}')"
    )
    assert desk_files.count("ledger_entry", paid_once) == 1


def test_bookings_lists_every_booking_in_the_contract_shape(desk_files: DeskFiles):
    result = invoke("bookings", "--json")
    assert result.code == 0, result.err
    listed = json.loads(result.out)
    assert len(listed) == desk_files.count("booking")
    for item in listed:
        assert_booking_shape(item)
    starts = [item["start"] for item in listed]
    assert starts == sorted(starts)


def test_bookings_filters_by_status_car_and_driver(desk_files: DeskFiles):
    pending = json.loads(invoke("bookings", "--status", "pending", "--json").out)
    assert {b["status"] for b in pending} == {"pending"}
    assert len(pending) == desk_files.count("booking", "status = 'pending'")
    mine = json.loads(invoke("bookings", "--driver", "drv-01", "--car", "AB21 CDE", "--json").out)
    assert mine
    assert {(b["driver"], b["car"]) for b in mine} == {("DRV-01", "AB21 CDE")}
    table = invoke("bookings", "--status", "pending")
    assert table.code == 0
    assert f"{len(pending)} booking(s)" in table.out


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["bookings", "--car", "ZZ99 ZZZ"], 5),
        (["bookings", "--driver", "DRV-99"], 5),
        (["bookings", "--status", "lost"], 2),
        (["invoices", "--status", "lost"], 2),
    ],
)
def test_listing_filters_are_checked(desk_files: DeskFiles, args, code):
    result = invoke(*args)
    assert result.code == code
    assert result.error_line
    assert result.out == ""


def test_invoices_lists_in_the_contract_shape(desk_files: DeskFiles):
    listed = json.loads(invoke("invoices", "--json").out)
    assert len(listed) == desk_files.count("invoice")
    for item in listed:
        assert set(item) == INVOICE_KEYS
        assert item["booking"] == item["ref"].replace("INV", "BK")
    overdue = json.loads(invoke("invoices", "--status", "overdue", "--json").out)
    assert overdue
    assert {i["status"] for i in overdue} == {"overdue"}
    assert len(overdue) == desk_files.count("invoice", "status = 'overdue'")


def test_lifecycle_dry_run_then_run_then_nothing_left(desk_files: DeskFiles):
    later = (datetime.now(UTC) + timedelta(days=60)).isoformat()
    states = desk_files.rows("SELECT status FROM booking ORDER BY id")
    audit = desk_files.count("audit_entry")
    dry = invoke("lifecycle", "--now", later, "--dry-run", "--json")
    assert dry.code == 0, dry.err
    counts = json.loads(dry.out)
    assert set(counts) == {"expired", "completed", "overdue"}
    assert counts["expired"] == desk_files.count("booking", "status = 'pending'")
    assert counts["completed"] > 0 and counts["overdue"] > 0
    assert desk_files.rows("SELECT status FROM booking ORDER BY id") == states
    assert desk_files.count("audit_entry") == audit
    applied = invoke("lifecycle", "--json")
    assert applied.code == 0, applied.err
    again = invoke("lifecycle", "--json")
    assert json.loads(again.out) == {"expired": 0, "completed": 0, "overdue": 0}


def test_a_real_lifecycle_run_in_the_future_is_refused(desk_files: DeskFiles):
    # It would complete rentals still under way, freeing their car and driver for days
    # they are out; only a dry run may look ahead.
    later = (datetime.now(UTC) + timedelta(days=60)).isoformat()
    before = desk_files.rows("SELECT id, status FROM booking ORDER BY id")
    audit = desk_files.count("audit_entry")
    result = invoke("lifecycle", "--now", later)
    assert result.code == 2
    assert "--dry-run" in result.error_line
    assert desk_files.rows("SELECT id, status FROM booking ORDER BY id") == before
    assert desk_files.count("audit_entry") == audit
    past = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    assert invoke("lifecycle", "--now", past).code == 0


@pytest.mark.parametrize("moment", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_a_lifecycle_moment_off_the_calendar_is_invalid_input(desk_files: DeskFiles, moment):
    result = invoke("lifecycle", "--now", moment, "--dry-run")
    assert result.code == 2
    assert "outside the calendar" in result.error_line


def test_lifecycle_now_reports_for_people_and_rejects_non_dates(desk_files: DeskFiles):
    result = invoke("lifecycle", "--dry-run")
    assert result.code == 0, result.err
    assert "nothing was changed" in result.out
    bad = invoke("lifecycle", "--now", "tomorrow-ish")
    assert bad.code == 2
    assert "--now" in bad.error_line


def test_a_naive_now_is_business_time():
    summer = parse_moment("2026-07-01T09:00", LONDON)
    assert summer == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert parse_moment("2026-07-01T09:00+00:00", LONDON) == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
