"""Changing a booking, rule by rule, on each engine: what may change and when, the interval
checked against every other booking and block but never itself, re-pricing through the
ledger, one history entry, and the job sheet. A refused change writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from changekit import (
    MANAGER,
    add_car,
    booking_row,
    car_block,
    driver_block,
    history,
    invoice_figures,
    ledger,
    set_car_rate,
)
from deskkit import (
    CAR_RATE_CENTS,
    DRIVER_FEE_CENTS,
    TODAY,
    code,
    plate,
    request,
    snapshot,
)
from invariants import violations
from rawdb import raw

from nextcars_tui.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound, ResourceKind
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.billing import checkout
from nextcars_tui.services.blocks import block, unblock
from nextcars_tui.services.booking import BookingRequest, book, cancel, confirm
from nextcars_tui.services.changes import ChangeRequest, change_booking
from nextcars_tui.services.lifecycle import run_lifecycle
from nextcars_tui.services.retire import retire

D = timedelta(days=1)


def car_rate(i: int) -> int:
    return CAR_RATE_CENTS + 100 * i


def driver_fee(i: int) -> int:
    return DRIVER_FEE_CENTS + 10 * i


def day(n: int) -> date:
    return TODAY + n * D


@pytest.fixture
def later(desk, staff):
    """BK-000001: car 1, driver 1, from the day after tomorrow for 3 days (not started)."""
    return book(desk, staff, request(car=1, driver=1, start=day(2), days=3))


def refused_unchanged(desk, error, call):
    """`call` raises `error` and the database is exactly as before; returns the error."""
    before = snapshot(desk)
    with pytest.raises(error) as raised:
        call()
    assert snapshot(desk) == before
    return raised.value


# --- what can change, in one transaction ----------------------------------------------------------


def test_start_days_car_and_driver_change_together(desk, staff, later):
    view = change_booking(
        desk,
        staff,
        later.ref,
        ChangeRequest(start=day(4), days=5, car_plate=plate(2), driver_code=code(3)),
    )

    assert (view.start, view.days, view.end) == (day(4), 5, day(9))
    assert (view.car_plate, view.driver_code) == (plate(2), code(3))
    row = booking_row(desk, later.ref)
    assert (row["start_date"], row["days"], row["end_date"]) == (
        day(4).isoformat(),
        5,
        day(9).isoformat(),
    )
    assert (row["car"], row["driver"], row["status"]) == (plate(2), code(3), "pending")
    assert violations(desk, desk.today()) == []


@pytest.mark.parametrize(
    "change",
    [
        ChangeRequest(start=day(3)),
        ChangeRequest(days=2),
        ChangeRequest(car_plate=plate(4)),
        ChangeRequest(driver_code=code(4)),
        ChangeRequest(start=day(6), days=1),
        ChangeRequest(car_plate=plate(4), driver_code=code(4)),
    ],
)
def test_each_part_changes_alone_and_the_rest_stays(desk, staff, later, change):
    view = change_booking(desk, staff, later.ref, change)

    assert view.start == (change.start or later.start)
    assert view.days == (change.days or later.days)
    assert view.car_plate == (change.car_plate or later.car_plate)
    assert view.driver_code == (change.driver_code or later.driver_code)
    assert view.end == view.start + view.days * D


def test_extending_and_moving_into_its_own_days_is_no_clash(desk, staff, later):
    # 12–14 March to 12–18, then 13–19: every new interval overlaps the booking's own old one.
    assert change_booking(desk, staff, later.ref, ChangeRequest(days=7)).end == day(9)
    assert change_booking(desk, staff, later.ref, ChangeRequest(start=day(3))).end == day(10)
    assert change_booking(desk, staff, later.ref, ChangeRequest(start=day(2), days=2)).end == day(4)


def test_a_move_onto_days_another_booking_of_the_car_holds_is_a_conflict(desk, staff, later):
    other = book(desk, staff, request(car=2, driver=2, customer=2, start=day(6), days=2))

    clash = refused_unchanged(
        desk,
        Conflict,
        lambda: change_booking(
            desk, staff, other.ref, ChangeRequest(start=day(3), car_plate=plate(1))
        ),
    )

    assert clash.resource_kind == ResourceKind.CAR
    assert (clash.resource, clash.clashing_ref) == (plate(1), later.ref)
    assert (clash.start, clash.end) == (later.start, later.end)
    assert str(clash).startswith(f"Car {plate(1)} is already booked") and later.ref in str(clash)


def test_an_extension_over_the_drivers_next_job_is_a_conflict(desk, staff, later):
    # Driver 1 has another job with another car from the day BK-000001 ends.
    nxt = book(desk, staff, request(car=3, driver=1, customer=2, start=day(5), days=2))

    clash = refused_unchanged(
        desk, Conflict, lambda: change_booking(desk, staff, later.ref, ChangeRequest(days=4))
    )

    assert clash.resource_kind == ResourceKind.DRIVER
    assert (clash.resource, clash.clashing_ref, clash.start) == (code(1), nxt.ref, nxt.start)


def test_a_move_onto_a_blocked_car_names_the_block_and_its_reason(desk, staff, later):
    made = block(desk, MANAGER, car_block(plate(2), day(3), 2, "brake repair")).block

    clash = refused_unchanged(
        desk,
        Conflict,
        lambda: change_booking(desk, staff, later.ref, ChangeRequest(car_plate=plate(2))),
    )

    assert made.ref == "BL-000001"
    assert (clash.resource_kind, clash.resource, clash.clashing_ref) == (
        ResourceKind.CAR,
        plate(2),
        "BL-000001",
    )
    assert (clash.start, clash.end) == (day(3), day(5))
    assert "BL-000001: brake repair" in str(clash)


def test_an_extension_into_the_drivers_block_names_the_block(desk, staff, later):
    block(desk, MANAGER, driver_block(code(1), day(5), 3, "sick"))

    clash = refused_unchanged(
        desk, Conflict, lambda: change_booking(desk, staff, later.ref, ChangeRequest(days=4))
    )

    assert (clash.resource_kind, clash.resource, clash.clashing_ref) == (
        ResourceKind.DRIVER,
        code(1),
        "BL-000001",
    )
    assert "(BL-000001: sick)" in str(clash)


def test_cancelled_bookings_and_removed_blocks_do_not_hold_anything(desk, staff, later):
    other = book(desk, staff, request(car=2, driver=2, customer=2, start=day(2), days=3))
    cancel(desk, staff, other.ref, "plans changed")
    made = block(desk, MANAGER, car_block(plate(2), day(5), 2)).block
    unblock(desk, MANAGER, made.ref)

    view = change_booking(desk, staff, later.ref, ChangeRequest(car_plate=plate(2), days=5))

    assert (view.car_plate, view.end) == (plate(2), day(7))


# --- started, completed, cancelled ----------------------------------------------------------------


@pytest.fixture
def under_way(desk, staff, clock):
    """BK-000001: car 1, driver 1, started yesterday, 5 days (ends on day 4), confirmed."""
    clock.advance(days=-1)
    made = book(desk, staff, request(car=1, driver=1, start=day(-1), days=5))
    confirm(desk, staff, made.ref)
    clock.advance(days=1)
    return made


def test_a_started_rental_cannot_move_its_start(desk, staff, under_way):
    for start in (day(0), day(1), day(-2)):
        error = refused_unchanged(
            desk,
            NotAllowed,
            lambda start=start: change_booking(
                desk, staff, under_way.ref, ChangeRequest(start=start)
            ),
        )
        assert "its start cannot move" in str(error)


def test_a_started_rental_extends_and_ends_early_but_not_before_today(desk, staff, under_way):
    assert change_booking(desk, staff, under_way.ref, ChangeRequest(days=8)).end == day(7)
    # One day: it would have ended today's morning, before today.
    error = refused_unchanged(
        desk, NotAllowed, lambda: change_booking(desk, staff, under_way.ref, ChangeRequest(days=1))
    )
    assert "not before" in str(error)
    # Two days: its last day is today.
    ended = change_booking(desk, staff, under_way.ref, ChangeRequest(days=2))
    assert (ended.end, ended.last_day) == (day(1), TODAY)


def test_a_started_rental_can_swap_its_car_and_driver(desk, staff, under_way):
    view = change_booking(
        desk, staff, under_way.ref, ChangeRequest(car_plate=plate(5), driver_code=code(5))
    )

    assert (view.car_plate, view.driver_code, view.start) == (plate(5), code(5), day(-1))


def test_a_booking_not_started_cannot_move_into_the_past(desk, staff, later):
    # The rule of every booking's start (as for `book`): invalid input, not a state refusal.
    error = refused_unchanged(
        desk,
        InvalidInput,
        lambda: change_booking(desk, staff, later.ref, ChangeRequest(start=day(-1))),
    )
    assert "in the past" in str(error)


def test_a_booking_not_started_cannot_move_beyond_the_booking_horizon(desk, staff, later):
    horizon = desk.settings.business.booking_horizon_days
    error = refused_unchanged(
        desk,
        InvalidInput,
        lambda: change_booking(desk, staff, later.ref, ChangeRequest(start=day(horizon + 1))),
    )
    assert "too far ahead" in str(error)


def test_cancelled_and_completed_bookings_cannot_change(desk, staff, later, clock):
    cancel(desk, staff, later.ref, "no longer needed")
    error = refused_unchanged(
        desk, NotAllowed, lambda: change_booking(desk, staff, later.ref, ChangeRequest(days=4))
    )
    assert "is cancelled" in str(error)

    done = book(desk, staff, request(car=3, driver=3, start=day(0), days=1))
    confirm(desk, staff, done.ref)
    clock.advance(days=2)
    assert done.ref in run_lifecycle(desk, system_actor("worker")).completed
    error = refused_unchanged(
        desk,
        NotAllowed,
        lambda: change_booking(desk, staff, done.ref, ChangeRequest(driver_code=code(4))),
    )
    assert "is completed" in str(error)


@pytest.mark.parametrize(
    "change",
    [
        ChangeRequest(),
        ChangeRequest(days=3),
        ChangeRequest(start=day(2), days=3, car_plate=plate(1), driver_code=code(1)),
        ChangeRequest(notes=""),
    ],
)
def test_a_change_that_changes_nothing_is_invalid_input(desk, staff, later, change):
    error = refused_unchanged(
        desk, InvalidInput, lambda: change_booking(desk, staff, later.ref, change)
    )
    assert "changes nothing" in str(error)


def test_unknown_bookings_cars_and_drivers_are_not_found(desk, staff, later):
    for ref, change in (
        ("BK-000099", ChangeRequest(days=2)),
        (later.ref, ChangeRequest(car_plate="ZZ99 ZZZ")),
        (later.ref, ChangeRequest(driver_code="DRV-99")),
    ):
        refused_unchanged(
            desk, NotFound, lambda ref=ref, change=change: change_booking(desk, staff, ref, change)
        )


def test_drivers_and_customers_may_not_change_bookings(desk, actors, later):
    for who in ("driver", "customer"):
        refused_unchanged(
            desk,
            NotAllowed,
            lambda who=who: change_booking(desk, actors[who], later.ref, ChangeRequest(days=4)),
        )


def test_a_retired_car_cannot_be_chosen_but_a_booking_keeps_its_own(desk, staff, later):
    retire(desk, MANAGER, "car", plate(6))
    refused_unchanged(
        desk,
        NotAllowed,
        lambda: change_booking(desk, staff, later.ref, ChangeRequest(car_plate=plate(6))),
    )


# --- re-pricing through the ledger ----------------------------------------------------------------


def test_more_days_are_charged_at_the_snapshotted_rates(desk, staff, later):
    # The price list goes up after booking; the booking's days keep the old rates.
    set_car_rate(desk, plate(1), 20_000)
    booked_total = 3 * (car_rate(1) + driver_fee(1))

    view = change_booking(desk, staff, later.ref, ChangeRequest(days=5))

    assert view.total_cents == 5 * (car_rate(1) + driver_fee(1))
    entries = ledger(desk, later.ref)
    assert [(k, a) for k, a, _ in entries] == [
        ("charge", 3 * car_rate(1)),
        ("charge", 3 * driver_fee(1)),
        ("charge", 2 * car_rate(1)),
        ("charge", 2 * driver_fee(1)),
    ]
    assert entries[2][2].startswith(f"Car {plate(1)}: 5 day(s)")
    amount, paid, status = invoice_figures(desk, later.ref)
    assert amount == sum(a for _, a, _ in entries) == view.total_cents
    assert amount - booked_total == 2 * (car_rate(1) + driver_fee(1))
    assert (paid, status) == (0, "unpaid")
    assert view.invoice.amount_cents == amount


def test_a_new_car_takes_its_current_rate_and_the_driver_part_does_not_move(desk, staff, later):
    set_car_rate(desk, plate(3), 12_345)

    view = change_booking(desk, staff, later.ref, ChangeRequest(car_plate=plate(3)))

    assert (view.car_daily_rate_cents, view.driver_daily_fee_cents) == (12_345, driver_fee(1))
    added = ledger(desk, later.ref)[2:]
    assert [(k, a) for k, a, _ in added] == [("charge", 3 * (12_345 - car_rate(1)))]
    assert invoice_figures(desk, later.ref)[0] == 3 * (12_345 + driver_fee(1)) == view.total_cents


def test_a_cheaper_driver_for_fewer_days_is_a_negative_charge(desk, staff, later):
    view = change_booking(desk, staff, later.ref, ChangeRequest(days=2, driver_code=code(2)))

    added = [(k, a) for k, a, _ in ledger(desk, later.ref)[2:]]
    assert added == [
        ("charge", -car_rate(1)),
        ("charge", 2 * driver_fee(2) - 3 * driver_fee(1)),
    ]
    assert (
        invoice_figures(desk, later.ref)[0] == view.total_cents == 2 * (car_rate(1) + driver_fee(2))
    )


def test_shortening_a_paid_booking_leaves_a_refund_due(desk, staff, later):
    checkout(desk, staff, later.invoice.ref, "card")
    paid_total = 3 * (car_rate(1) + driver_fee(1))

    view = change_booking(desk, staff, later.ref, ChangeRequest(days=1))

    amount, paid, status = invoice_figures(desk, later.ref)
    assert (amount, paid, status) == (car_rate(1) + driver_fee(1), paid_total, "refund_due")
    assert view.invoice.balance_cents == -2 * (car_rate(1) + driver_fee(1))
    assert view.status == "confirmed"


def test_extending_a_paid_booking_leaves_the_difference_owed(desk, staff, later):
    checkout(desk, staff, later.invoice.ref, "card")

    view = change_booking(desk, staff, later.ref, ChangeRequest(days=4))

    assert view.invoice.balance_cents == car_rate(1) + driver_fee(1)
    assert invoice_figures(desk, later.ref)[2] == "partly_paid"


def test_the_invoice_due_date_follows_the_new_end(desk, staff, later):
    view = change_booking(desk, staff, later.ref, ChangeRequest(days=6))
    assert view.invoice.due - view.end == later.invoice.due - later.end
    # Stored so: written in the UPDATE that posts the invoice's figures.
    with raw(desk) as db:
        stored = db.execute(
            "SELECT i.due_date FROM invoice i JOIN booking b ON b.id = i.booking_id "
            "WHERE b.ref = ?",
            (later.ref,),
        ).fetchone()[0]
    assert str(stored) == view.invoice.due.isoformat()


# --- history --------------------------------------------------------------------------------------


def test_one_history_entry_says_what_changed_from_what(desk, staff, later):
    before = history(desk, later.ref)

    change_booking(desk, staff, later.ref, ChangeRequest(days=5, car_plate=plate(3)))

    added = history(desk, later.ref)[len(before) :]
    assert added == [("changed", staff.username, f"days 3 → 5; car {plate(1)} → {plate(3)}")]


def test_a_refused_change_leaves_no_history(desk, staff, later):
    book(desk, staff, request(car=2, driver=2, customer=2, start=day(2), days=3))
    before = history(desk, later.ref)
    with pytest.raises(Conflict):
        change_booking(desk, staff, later.ref, ChangeRequest(car_plate=plate(2)))
    assert history(desk, later.ref) == before


# --- the job sheet --------------------------------------------------------------------------------


def test_the_job_sheet_is_set_changed_and_cleared(desk, staff, later):
    view = change_booking(
        desk,
        staff,
        later.ref,
        ChangeRequest(
            pickup_time="7:05", pickup="LHR T5", dropoff="Hotel", passengers=4, notes="BA 117"
        ),
    )
    assert (view.pickup_time, view.pickup, view.dropoff, view.passengers, view.notes) == (
        "07:05",
        "LHR T5",
        "Hotel",
        4,
        "BA 117",
    )

    cleared = change_booking(desk, staff, later.ref, ChangeRequest(notes="", passengers=""))

    assert (cleared.notes, cleared.passengers, cleared.pickup) == (None, None, "LHR T5")
    row = booking_row(desk, later.ref)
    assert (row["notes"], row["passengers"], row["pickup_time"]) == (None, None, "07:05")
    assert history(desk, later.ref)[-1][2] == "passengers 4 → —; notes BA 117 → —"
    # The job sheet is no price: nothing was charged.
    assert len(ledger(desk, later.ref)) == 2


@pytest.mark.parametrize("time", ["25:00", "12:60", "9.05", "noon"])
def test_a_pickup_time_that_is_no_time_of_day_is_refused(desk, staff, later, time):
    refused_unchanged(
        desk,
        InvalidInput,
        lambda: change_booking(desk, staff, later.ref, ChangeRequest(pickup_time=time)),
    )


def test_more_passengers_than_seats_are_refused(desk, staff, later):
    error = refused_unchanged(
        desk,
        InvalidInput,
        lambda: change_booking(desk, staff, later.ref, ChangeRequest(passengers=6)),
    )
    assert "5 seats" in str(error)


def test_swapping_to_a_smaller_car_than_the_party_is_refused(desk, staff, later):
    add_car(desk, "SM01 ALL", "Fiat", "500", 4, 5_000)
    add_car(desk, "BG01 VAN", "Mercedes", "V-Class", 7, 15_000)
    change_booking(desk, staff, later.ref, ChangeRequest(passengers=5))

    error = refused_unchanged(
        desk,
        InvalidInput,
        lambda: change_booking(desk, staff, later.ref, ChangeRequest(car_plate="SM01 ALL")),
    )
    assert "4 seats" in str(error)
    # A bigger car takes a bigger party.
    view = change_booking(desk, staff, later.ref, ChangeRequest(car_plate="BG01 VAN", passengers=7))
    assert (view.car_plate, view.passengers) == ("BG01 VAN", 7)


def sheet_request(car: int, **sheet: object) -> BookingRequest:
    return BookingRequest("cust01@example.com", plate(car), code(car), day(1), 2, **sheet)


def test_book_takes_the_job_sheet_and_checks_it(desk, staff):
    view = book(desk, staff, sheet_request(2, pickup_time="18:30", pickup="Station", passengers=2))

    assert (view.pickup_time, view.pickup, view.dropoff, view.passengers, view.notes) == (
        "18:30",
        "Station",
        None,
        2,
        None,
    )
    assert booking_row(desk, view.ref)["pickup_time"] == "18:30"
    for bad in ({"pickup_time": "25:00"}, {"passengers": 9}):
        refused_unchanged(
            desk, InvalidInput, lambda bad=bad: book(desk, staff, sheet_request(3, **bad))
        )
