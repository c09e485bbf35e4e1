"""Booking rules 1–3 through the service, against a real SQLite file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from deskkit import (
    CAR_RATE_CENTS,
    DRIVER_FEE_CENTS,
    TODAY,
    email,
    plate,
    raw,
    request,
    row_counts,
    snapshot,
    statuses,
)

from nextcars_tui.domain.errors import Conflict, InvalidInput, NotFound
from nextcars_tui.domain.statuses import BookingStatus, InvoiceStatus
from nextcars_tui.services.booking import BookingRequest, book, cancel, confirm
from nextcars_tui.services.lifecycle import run_lifecycle

# --- Rule 1: what a valid request is -------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "fragment"),
    [
        (0, "at least one day"),
        ("0", "at least one day"),
        (-2, "at least one day"),
        ("-2", "at least one day"),
        ("1.5", "whole number"),
        ("2.0", "whole number"),
        ("three", "whole number"),
        ("", "whole number"),
        ("31", "at most 30 days"),
        (31, "at most 30 days"),
    ],
)
def test_bad_day_counts_are_refused_and_nothing_is_written(desk, staff, days, fragment):
    before = snapshot(desk)
    with pytest.raises(InvalidInput, match=fragment):
        book(desk, staff, request(days=days))
    assert snapshot(desk) == before


def test_the_maximum_day_count_is_allowed_and_comes_from_settings(make_desk, staff):
    desk = make_desk(max_rental_days=5)
    with pytest.raises(InvalidInput, match="at most 5 days"):
        book(desk, staff, request(days=6))
    assert book(desk, staff, request(days=5)).days == 5


@pytest.mark.parametrize("start", ["2026-02-30", "2027-02-29", "2026-04-31", "2026-13-01"])
def test_impossible_calendar_dates_are_refused(desk, staff, start):
    before = row_counts(desk)
    with pytest.raises(InvalidInput, match="not a real calendar date"):
        book(desk, staff, request(start=start))
    assert row_counts(desk) == before


@pytest.mark.parametrize("start", ["10-03-26", "soon", "2026-3-x", ""])
def test_malformed_dates_are_refused(desk, staff, start):
    with pytest.raises(InvalidInput, match="YYYY-MM-DD") as error:
        book(desk, staff, request(start=start))
    assert error.value.field == "start date"
    assert row_counts(desk)["booking"] == 0


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("today", TODAY),
        ("tomorrow", TODAY + timedelta(days=1)),
        ("+7", TODAY + timedelta(days=7)),
        ("12/03/2026", date(2026, 3, 12)),
    ],
)
def test_a_start_may_be_typed_the_way_the_desk_talks(desk, staff, start, expected):
    assert book(desk, staff, request(start=start)).start == expected


@pytest.mark.parametrize("start", ["9999-12-31", "2062-03-10", TODAY + timedelta(days=731)])
def test_a_start_too_far_ahead_is_refused_before_any_date_arithmetic(desk, staff, start):
    with pytest.raises(InvalidInput, match=r"too far ahead|outside the calendar"):
        book(desk, staff, request(start=start))
    assert row_counts(desk)["booking"] == 0


def test_a_start_date_in_the_past_is_refused_but_today_is_fine(desk, staff):
    with pytest.raises(InvalidInput, match="in the past"):
        book(desk, staff, request(start=TODAY - timedelta(days=1)))
    assert row_counts(desk)["booking"] == 0
    assert book(desk, staff, request(start=TODAY.isoformat())).start == TODAY


def test_today_is_the_business_date_when_the_zone_is_ahead_of_utc(make_desk, clock, staff):
    # 23:30 UTC on 10 March is already 12:30 on 11 March in Auckland (UTC+13).
    clock.moment = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    desk = make_desk(time_zone="Pacific/Auckland")
    with pytest.raises(InvalidInput, match="in the past"):
        book(desk, staff, request(start=date(2026, 3, 10)))
    assert book(desk, staff, request(start=date(2026, 3, 11))).start == date(2026, 3, 11)


def test_today_is_the_business_date_when_the_zone_is_behind_utc(make_desk, clock, staff):
    # 02:00 UTC on 11 March is still 10 March in New York (UTC-4 after the DST change).
    clock.moment = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)
    desk = make_desk(time_zone="America/New_York")
    assert book(desk, staff, request(start=date(2026, 3, 10))).start == date(2026, 3, 10)
    with pytest.raises(InvalidInput, match="in the past"):
        book(desk, staff, request(start=date(2026, 3, 9), car=2, driver=2))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("customer_email", "nobody@example.com", "No customer with e-mail nobody@example.com"),
        ("car_plate", "ZZ99 ZZZ", "No car with plate ZZ99 ZZZ"),
        ("driver_code", "DRV-99", "No driver with code DRV-99"),
    ],
)
def test_unknown_customer_car_or_driver_is_not_found_and_nothing_written(
    desk, staff, field, value, message
):
    fields = {
        "customer_email": email(1),
        "car_plate": plate(1),
        "driver_code": "DRV-01",
        "start": TODAY,
        "days": 2,
    }
    fields[field] = value
    before = snapshot(desk)
    with pytest.raises(NotFound, match=message):
        book(desk, staff, BookingRequest(**fields))
    assert snapshot(desk) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("customer_email", "not-an-email"), ("car_plate", "!!"), ("driver_code", "a b")],
)
def test_malformed_keys_are_invalid_input(desk, staff, field, value):
    fields = {"customer_email": email(1), "car_plate": plate(1), "driver_code": "DRV-01"}
    fields[field] = value
    with pytest.raises(InvalidInput):
        book(desk, staff, BookingRequest(**fields, start=TODAY, days=2))
    assert row_counts(desk)["booking"] == 0


def test_keys_are_accepted_as_people_type_them(desk, staff):
    view = book(
        desk,
        staff,
        BookingRequest(
            customer_email="  CUST02@Example.COM ",
            car_plate="nc03  car",
            driver_code=" drv-04 ",
            start=" 2026-03-12 ",
            days=" 2 ",
        ),
    )
    assert (view.customer_email, view.car_plate, view.driver_code) == (
        email(2),
        plate(3),
        "DRV-04",
    )
    assert (view.start, view.days, view.end) == (date(2026, 3, 12), 2, date(2026, 3, 14))


# --- Rule 3: what one booking writes --------------------------------------------------------


def test_a_booking_writes_booking_invoice_and_audit_entry_with_snapshotted_rates(desk, staff):
    view = book(desk, staff, request(car=2, driver=3, customer=2, start=TODAY, days=4))
    car_rate, driver_fee = CAR_RATE_CENTS + 200, DRIVER_FEE_CENTS + 30
    assert view.ref == "BK-000001"
    assert view.status == BookingStatus.PENDING
    assert view.total_cents == 4 * (car_rate + driver_fee)
    assert view.invoice.ref == "INV-000001"
    assert view.invoice.status == InvoiceStatus.UNPAID
    assert view.invoice.amount_cents == view.total_cents
    # Due date = exclusive end date + invoice due days (14).
    assert view.end == date(2026, 3, 14)
    assert view.invoice.due == date(2026, 3, 28)
    with raw(desk) as db:
        booking = db.execute(
            "SELECT start_date, days, end_date, car_daily_rate_cents, driver_daily_fee_cents, "
            "total_cents, status, created_by FROM booking"
        ).fetchall()
        invoice = db.execute("SELECT ref, amount_cents, status, due_date FROM invoice").fetchall()
        audit = db.execute("SELECT actor, action, ref FROM audit_entry").fetchall()
    assert booking == [
        ("2026-03-10", 4, "2026-03-14", car_rate, driver_fee, view.total_cents, "pending", "sam")
    ]
    assert invoice == [("INV-000001", view.total_cents, "unpaid", "2026-03-28")]
    assert audit == [("sam", "booked", "BK-000001")]

    # Changing the car's rate later does not change the booking's price.
    with raw(desk) as db:
        db.execute("UPDATE car SET daily_rate_cents = 1 WHERE plate = ?", (plate(2),))
    assert book(desk, staff, request(car=2, driver=3, start=TODAY + timedelta(days=4))).total_cents
    with raw(desk) as db:
        total = db.execute("SELECT total_cents FROM booking WHERE ref = 'BK-000001'").fetchone()[0]
    assert total == view.total_cents


def test_refs_are_numbered_in_sequence(desk, staff):
    refs = [book(desk, staff, request(car=i, driver=i)).ref for i in (1, 2, 3)]
    assert refs == ["BK-000001", "BK-000002", "BK-000003"]


def test_invoice_due_days_come_from_settings(make_desk, staff):
    desk = make_desk(invoice_due_days=0)
    view = book(desk, staff, request(days=2))
    assert view.invoice.due == view.end == date(2026, 3, 12)


# --- Rule 1 and 2: intervals and clashes ----------------------------------------------------


def test_a_booking_starting_on_the_day_another_ends_is_allowed(desk, staff):
    first = book(desk, staff, request(start=TODAY, days=3))
    second = book(desk, staff, request(start=first.end, days=2))
    assert second.start == first.end == date(2026, 3, 13)
    # And ending on the day another starts.
    third = book(desk, staff, request(start=TODAY + timedelta(days=7), days=2))
    fourth = book(desk, staff, request(start=TODAY + timedelta(days=5), days=2))
    assert fourth.end == third.start
    assert row_counts(desk)["booking"] == 4


@pytest.mark.parametrize(
    ("start_offset", "days"),
    [(0, 3), (2, 1), (2, 5), (-1, 2), (-1, 10), (1, 1)],
    ids=["same", "last-day", "tail", "head", "covers", "inside"],
)
def test_overlapping_the_same_car_is_a_conflict_naming_car_dates_and_ref(
    desk, staff, start_offset, days
):
    first = book(desk, staff, request(car=1, driver=1, start=TODAY + timedelta(days=1), days=3))
    before = snapshot(desk)
    with pytest.raises(Conflict) as caught:
        book(
            desk,
            staff,
            request(
                car=1, driver=2, customer=2, start=TODAY + timedelta(1 + start_offset), days=days
            ),
        )
    assert str(caught.value) == f"Car {plate(1)} is already booked 11–13 Mar ({first.ref})."
    assert snapshot(desk) == before


def test_overlapping_the_same_driver_is_a_conflict_naming_driver_dates_and_ref(desk, staff):
    first = book(desk, staff, request(car=1, driver=5, start=date(2026, 3, 30), days=4))
    before = snapshot(desk)
    with pytest.raises(Conflict) as caught:
        book(desk, staff, request(car=2, driver=5, start=date(2026, 4, 2), days=1))
    assert str(caught.value) == (
        f"Driver DRV-05 (Driver 5) is already booked 30 Mar–2 Apr ({first.ref})."
    )
    assert snapshot(desk) == before


def test_a_clash_on_both_names_the_car(desk, staff):
    first = book(desk, staff, request(car=4, driver=4, days=2))
    with pytest.raises(Conflict, match=rf"Car {plate(4)} .*\({first.ref}\)"):
        book(desk, staff, request(car=4, driver=4, days=2))


def test_the_clash_named_is_the_one_that_overlaps(desk, staff):
    book(desk, staff, request(car=1, driver=1, start=TODAY, days=2))
    second = book(desk, staff, request(car=1, driver=1, start=TODAY + timedelta(days=5), days=2))
    with pytest.raises(Conflict, match=rf"15–16 Mar \({second.ref}\)"):
        book(desk, staff, request(car=1, driver=2, start=TODAY + timedelta(days=6), days=3))


def test_other_cars_and_drivers_are_not_blocked(desk, staff):
    book(desk, staff, request(car=1, driver=1, days=5))
    assert book(desk, staff, request(car=2, driver=2, days=5)).status == BookingStatus.PENDING


def test_a_confirmed_booking_blocks(desk, staff):
    first = book(desk, staff, request(car=1, driver=1, days=3))
    confirm(desk, staff, first.ref)
    with pytest.raises(Conflict, match=first.ref):
        book(desk, staff, request(car=1, driver=2, days=1))
    with pytest.raises(Conflict, match=first.ref):
        book(desk, staff, request(car=2, driver=1, days=1))


def test_a_cancelled_booking_never_blocks(desk, staff):
    later = TODAY + timedelta(days=4)
    first = book(desk, staff, request(car=1, driver=1, start=later, days=3))
    cancel(desk, staff, first.ref, "customer changed plans")
    again = book(desk, staff, request(car=1, driver=1, start=later, days=3))
    assert again.status == BookingStatus.PENDING
    assert statuses(desk, first.ref) == ("cancelled", "void")


def test_an_expired_booking_never_blocks(desk, staff, system, clock):
    first = book(desk, staff, request(car=1, driver=1, start=TODAY + timedelta(days=3), days=3))
    clock.advance(hours=25)
    run_lifecycle(desk, system)
    assert statuses(desk, first.ref) == ("cancelled", "void")
    assert book(desk, staff, request(car=1, driver=1, start=TODAY + timedelta(days=3))).ref


def test_a_completed_booking_never_blocks(desk, staff, system):
    first = book(desk, staff, request(car=1, driver=1, days=3))
    confirm(desk, staff, first.ref)
    # The lifecycle completes it as of its end date; the desk clock still says 10 March, so
    # the same days can be asked for again.
    run_lifecycle(desk, system, now=datetime(2026, 3, 13, 9, 0, tzinfo=UTC))
    assert statuses(desk, first.ref) == ("completed", "unpaid")
    assert book(desk, staff, request(car=1, driver=1, days=3)).status == BookingStatus.PENDING


def test_a_clash_leaves_the_first_booking_untouched(desk, staff):
    first = book(desk, staff, request(car=1, driver=1, days=3))
    with pytest.raises(Conflict):
        book(desk, staff, request(car=1, driver=1, days=3))
    assert statuses(desk, first.ref) == ("pending", "unpaid")


def test_a_request_with_only_whitespace_changes_is_the_same_booking(desk, staff):
    book(desk, staff, request(car=1, driver=1))
    with pytest.raises(Conflict):
        book(
            desk,
            staff,
            BookingRequest(
                customer_email=email(2),
                car_plate=" nc01 car ",
                driver_code="drv-02",
                start=TODAY,
                days="1",
            ),
        )
