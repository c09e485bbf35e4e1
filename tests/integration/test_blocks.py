"""Blocks, the disruption assistant, retiring, what is available and the driver's day, on
each engine. A refused block writes nothing; a reassigning one writes the block and every
move together, keeping the customers' prices."""

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
)
from deskkit import TODAY, code, email, plate, raw, request, snapshot
from invariants import violations

from nextcars_tui.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound, ResourceKind
from nextcars_tui.services.availability import available
from nextcars_tui.services.blocks import (
    BlockRequest,
    block,
    list_blocks,
    propose,
    unblock,
)
from nextcars_tui.services.booking import BookingRequest, book, booking_detail, cancel
from nextcars_tui.services.changes import ChangeRequest, change_booking
from nextcars_tui.services.listings import my_assignments
from nextcars_tui.services.retire import reinstate, retire, retire_check

D = timedelta(days=1)


def day(n: int) -> date:
    return TODAY + n * D


def refused_unchanged(desk, error, call):
    before = snapshot(desk)
    with pytest.raises(error) as raised:
        call()
    assert snapshot(desk) == before
    return raised.value


def consistent(desk) -> None:
    assert violations(desk, desk.today()) == []


# --- blocks ---------------------------------------------------------------------------------------


def test_a_block_has_a_ref_a_reason_and_who_made_it(desk):
    first = block(desk, MANAGER, car_block(plate(1), day(1), 2, "MOT")).block
    second = block(desk, MANAGER, driver_block(code(2), day(0), 5, "holiday")).block

    assert (first.ref, first.kind, first.resource, first.start, first.end, first.days) == (
        "BL-000001",
        ResourceKind.CAR,
        plate(1),
        day(1),
        day(3),
        2,
    )
    assert (first.reason, first.created_by, first.removed_at) == ("MOT", MANAGER.username, None)
    assert (second.ref, second.kind, second.resource) == ("BL-000002", ResourceKind.DRIVER, code(2))
    ((action, actor, detail),) = history(desk, "BL-000001")
    assert (action, actor) == ("blocked", MANAGER.username)
    assert detail.startswith(f"car {plate(1)}, ") and detail.endswith(": MOT")
    assert [h[0] for h in history(desk, "BL-000002")] == ["blocked"]
    assert "holiday" in history(desk, "BL-000002")[0][2]


@pytest.mark.parametrize(
    ("kind", "resource", "days", "reason", "error"),
    [
        ("boat", plate(1), 1, "MOT", InvalidInput),
        ("car", plate(1), 0, "MOT", InvalidInput),
        ("car", plate(1), 1, "   ", InvalidInput),
        ("car", "ZZ99 ZZZ", 1, "MOT", NotFound),
        ("driver", "DRV-99", 1, "sick", NotFound),
    ],
)
def test_bad_blocks_are_refused_and_write_nothing(desk, kind, resource, days, reason, error):
    refused_unchanged(
        desk,
        error,
        lambda: block(desk, MANAGER, BlockRequest(kind, resource, day(1), days, reason)),
    )


def test_only_managers_block_and_unblock(desk, actors):
    made = block(desk, MANAGER, car_block(plate(1), day(1), 1)).block
    for who in ("staff", "driver", "customer"):
        refused_unchanged(
            desk,
            NotAllowed,
            lambda who=who: block(desk, actors[who], car_block(plate(2), day(1), 1)),
        )
        refused_unchanged(desk, NotAllowed, lambda who=who: unblock(desk, actors[who], made.ref))


def test_a_block_over_active_bookings_is_refused_naming_them(desk, staff):
    first = book(desk, staff, request(car=1, driver=1, start=day(1), days=2))
    second = book(desk, staff, request(car=1, driver=2, start=day(4), days=2))

    clash = refused_unchanged(
        desk, Conflict, lambda: block(desk, MANAGER, car_block(plate(1), day(0), 10))
    )

    assert (clash.resource_kind, clash.resource, clash.clashing_ref) == (
        ResourceKind.CAR,
        plate(1),
        first.ref,
    )
    assert f"{first.ref}, {second.ref}" in str(clash)


def test_cancelled_bookings_do_not_stop_a_block(desk, staff):
    gone = book(desk, staff, request(car=1, driver=1, start=day(1), days=2))
    cancel(desk, staff, gone.ref, "plans changed")

    assert block(desk, MANAGER, car_block(plate(1), day(0), 5)).reassigned == []


def test_a_booking_over_a_block_is_refused_naming_the_block_and_reason(desk, staff):
    block(desk, MANAGER, car_block(plate(3), day(2), 3, "gearbox repair"))
    block(desk, MANAGER, driver_block(code(4), day(2), 3, "training"))

    by_car = refused_unchanged(
        desk, Conflict, lambda: book(desk, staff, request(car=3, driver=1, start=day(4), days=2))
    )
    by_driver = refused_unchanged(
        desk, Conflict, lambda: book(desk, staff, request(car=1, driver=4, start=day(0), days=3))
    )

    assert (by_car.resource_kind, by_car.resource, by_car.clashing_ref) == (
        ResourceKind.CAR,
        plate(3),
        "BL-000001",
    )
    assert (by_car.start, by_car.end) == (day(2), day(5))
    assert "(BL-000001: gearbox repair)" in str(by_car)
    assert (by_driver.resource_kind, by_driver.clashing_ref) == (ResourceKind.DRIVER, "BL-000002")
    assert "(BL-000002: training)" in str(by_driver)
    # The days either side are free.
    book(desk, staff, request(car=3, driver=1, start=day(0), days=2))
    book(desk, staff, request(car=3, driver=4, start=day(5), days=1))
    consistent(desk)


def test_unblocking_frees_the_days_and_keeps_the_block_in_history(desk, staff):
    made = block(desk, MANAGER, car_block(plate(2), day(1), 3)).block
    with pytest.raises(Conflict):
        book(desk, staff, request(car=2, start=day(2), days=1))

    removed = unblock(desk, MANAGER, made.ref.lower())

    assert removed.removed_at is not None
    assert book(desk, staff, request(car=2, start=day(2), days=1)).car_plate == plate(2)
    assert list_blocks(desk, staff) == []
    assert [h[0] for h in history(desk, made.ref)] == ["blocked", "unblocked"]
    with raw(desk) as db:
        assert db.execute("SELECT removed_by FROM block").fetchall() == [(MANAGER.username,)]
    refused_unchanged(desk, NotAllowed, lambda: unblock(desk, MANAGER, made.ref))
    refused_unchanged(desk, NotFound, lambda: unblock(desk, MANAGER, "BL-000099"))


def test_blocks_of_one_resource_never_overlap(desk, staff):
    block(desk, MANAGER, car_block(plate(1), day(2), 3, "MOT"))

    clash = refused_unchanged(
        desk, Conflict, lambda: block(desk, MANAGER, car_block(plate(1), day(4), 2, "tyres"))
    )

    assert clash.clashing_ref == "BL-000001"
    assert "already blocked" in str(clash) and "MOT" in str(clash)
    # Adjacent is fine, and so is the same days for another car.
    block(desk, MANAGER, car_block(plate(1), day(5), 1, "tyres"))
    block(desk, MANAGER, car_block(plate(2), day(2), 3, "MOT"))
    assert [v.ref for v in list_blocks(desk, staff, car_plate=plate(1))] == [
        "BL-000001",
        "BL-000002",
    ]
    assert [v.ref for v in list_blocks(desk, staff, car_plate=plate(2))] == ["BL-000003"]
    consistent(desk)


# --- the disruption assistant ---------------------------------------------------------------------


@pytest.fixture
def fleet(desk):
    """A Skoda Octavia (5 seats, 100.00) to block, with candidates around it."""
    add_car(desk, "HELD 001", "Skoda", "Octavia", 5, 10_000)
    add_car(desk, "SAME 001", "Skoda", "Octavia", 5, 15_000)  # same model, far rate
    add_car(desk, "NEAR 001", "Ford", "Focus", 5, 10_050)  # closest rate
    add_car(desk, "SMALL01", "Fiat", "500", 4, 10_000)  # same rate, too small
    return desk


def held_booking(desk, staff, *, start=1, days=2, driver=1, passengers=None):
    return book(
        desk,
        staff,
        BookingRequest(email(1), "HELD 001", code(driver), day(start), days, passengers=passengers),
    )


def test_reassigning_prefers_the_same_make_and_model(fleet, staff):
    made = held_booking(fleet, staff)
    entries = ledger(fleet, made.ref)
    figures = invoice_figures(fleet, made.ref)

    result = block(fleet, MANAGER, car_block("HELD 001", day(0), 5), reassign=True)

    assert [(m.booking, m.from_key, m.to) for m in result.reassigned] == [
        (made.ref, "HELD 001", "SAME 001")
    ]
    row = booking_row(fleet, made.ref)
    assert row["car"] == "SAME 001"
    # The business caused the change: the customer's price and ledger stay as booked.
    assert (row["car_daily_rate_cents"], row["total_cents"]) == (10_000, made.total_cents)
    assert ledger(fleet, made.ref) == entries
    assert invoice_figures(fleet, made.ref) == figures
    assert history(fleet, made.ref)[-1][0] == "changed"
    assert "HELD 001 → SAME 001" in history(fleet, made.ref)[-1][2]
    assert made.ref in history(fleet, result.block.ref)[0][2]
    consistent(fleet)


def test_then_the_closest_rate_never_fewer_seats(fleet, staff):
    book(fleet, staff, BookingRequest(email(2), "SAME 001", code(2), day(0), 5))
    made = held_booking(fleet, staff)

    result = block(fleet, MANAGER, car_block("HELD 001", day(1), 1), reassign=True)

    # NEAR 001 is 0.50 from the rate; SMALL01 matches it exactly but seats only 4.
    assert [m.to for m in result.reassigned] == ["NEAR 001"]
    assert booking_row(fleet, made.ref)["car"] == "NEAR 001"


def test_a_booking_with_a_large_party_needs_a_car_that_seats_it(desk, staff):
    add_car(desk, "VAN 0001", "Mercedes", "V-Class", 7, 15_000)
    add_car(desk, "VAN 0002", "Ford", "Tourneo", 8, 30_000)
    add_car(desk, "BUS 0001", "Ford", "Transit", 9, 14_000)
    made = book(desk, staff, BookingRequest(email(1), "VAN 0001", code(1), day(1), 2, passengers=7))

    result = block(desk, MANAGER, car_block("VAN 0001", day(1), 2), reassign=True)

    # Of the 5-seat Toyotas none fits; of the bigger cars the closest rate wins.
    assert [m.to for m in result.reassigned] == ["BUS 0001"]
    assert booking_row(desk, made.ref)["car"] == "BUS 0001"


def test_a_driver_block_moves_the_job_to_the_least_busy_driver_that_week(desk, staff):
    # Thursday 12 March; its week runs Monday 9 to Sunday 15 March.
    made = book(desk, staff, request(car=1, driver=1, start=day(2), days=1))
    for car, driver in zip(range(2, 8), (2, 3, 4, 6, 7, 8), strict=True):
        book(desk, staff, request(car=car, driver=driver, customer=2, start=day(3), days=1))
    # Driver 5's only job is the week after: it does not count.
    book(desk, staff, request(car=8, driver=5, customer=3, start=day(7), days=1))

    proposed = propose(desk, MANAGER, driver_block(code(1), day(2), 1, "sick"))
    result = block(desk, MANAGER, driver_block(code(1), day(2), 1, "sick"), reassign=True)

    assert [(p.booking, p.to) for p in proposed] == [(made.ref, code(5))]
    assert [(m.booking, m.from_key, m.to) for m in result.reassigned] == [
        (made.ref, code(1), code(5))
    ]
    assert booking_row(desk, made.ref)["driver"] == code(5)
    consistent(desk)


def test_several_affected_bookings_move_in_one_go(desk, staff):
    refs = [
        book(desk, staff, request(car=1, driver=d, customer=d, start=day(s), days=2)).ref
        for d, s in ((1, 0), (2, 2), (3, 5))
    ]

    result = block(desk, MANAGER, car_block(plate(1), day(0), 7), reassign=True)

    assert [m.booking for m in result.reassigned] == refs
    assert all(booking_row(desk, ref)["car"] != plate(1) for ref in refs)
    consistent(desk)


def test_the_clerks_chosen_replacement_is_honoured(desk, staff):
    made = book(desk, staff, request(car=1, driver=1, start=day(1), days=2))
    assert [p.to for p in propose(desk, MANAGER, car_block(plate(1), day(1), 2))] == [plate(2)]

    result = block(
        desk, MANAGER, car_block(plate(1), day(1), 2), reassign=True, chosen={made.ref: plate(7)}
    )

    assert [m.to for m in result.reassigned] == [plate(7)]
    assert booking_row(desk, made.ref)["car"] == plate(7)


def test_a_chosen_replacement_that_is_busy_leaves_the_booking_stuck(desk, staff):
    made = book(desk, staff, request(car=1, driver=1, start=day(1), days=2))
    book(desk, staff, request(car=7, driver=2, customer=2, start=day(2), days=2))

    clash = refused_unchanged(
        desk,
        Conflict,
        lambda: block(
            desk,
            MANAGER,
            car_block(plate(1), day(1), 2),
            reassign=True,
            chosen={made.ref: plate(7)},
        ),
    )
    assert clash.clashing_ref == made.ref


def test_a_stuck_booking_writes_nothing_and_is_named(desk, staff):
    add_car(desk, "BIG 0001", "Ford", "Transit", 9, 14_000)
    add_car(desk, "BIG 0002", "Ford", "Transit", 9, 14_000)
    movable = book(
        desk, staff, BookingRequest(email(1), "BIG 0001", code(1), day(0), 2, passengers=3)
    )
    stuck = book(
        desk, staff, BookingRequest(email(2), "BIG 0001", code(2), day(3), 2, passengers=9)
    )
    # The only other nine-seater is busy for the second booking's days.
    book(desk, staff, BookingRequest(email(3), "BIG 0002", code(3), day(4), 1))

    proposed = propose(desk, MANAGER, car_block("BIG 0001", day(0), 6))
    clash = refused_unchanged(
        desk,
        Conflict,
        lambda: block(desk, MANAGER, car_block("BIG 0001", day(0), 6), reassign=True),
    )

    assert [(p.booking, p.to is not None) for p in proposed] == [
        (movable.ref, True),
        (stuck.ref, False),
    ]
    assert clash.clashing_ref == stuck.ref
    assert f"booking {stuck.ref}" in str(clash) and "nothing was changed" in str(clash)
    assert booking_row(desk, movable.ref)["car"] == "BIG 0001"


def test_proposing_reads_only(desk, staff):
    book(desk, staff, request(car=1, driver=1, start=day(1), days=2))
    before = snapshot(desk)
    assert len(propose(desk, MANAGER, car_block(plate(1), day(0), 4))) == 1
    assert snapshot(desk) == before


def test_a_reassigned_booking_is_not_moved_onto_a_blocked_car(desk, staff):
    made = book(desk, staff, request(car=1, driver=1, start=day(1), days=2))
    # Car 2 is the best by rate, but off the road.
    block(desk, MANAGER, car_block(plate(2), day(2), 1, "tyres"))

    result = block(desk, MANAGER, car_block(plate(1), day(1), 2), reassign=True)

    assert [m.to for m in result.reassigned] == [plate(3)]
    assert booking_row(desk, made.ref)["car"] == plate(3)
    consistent(desk)


# --- retiring -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "key", "field"), [("car", plate(2), "car_plate"), ("driver", code(2), "driver_code")]
)
def test_a_resource_with_future_bookings_retires_only_once_they_are_reassigned(
    desk, staff, kind, key, field
):
    made = book(desk, staff, request(car=2, driver=2, start=day(3), days=2))

    error = refused_unchanged(desk, NotAllowed, lambda: retire(desk, MANAGER, kind, key))
    assert made.ref in str(error)

    other = plate(5) if kind == "car" else code(5)
    change = ChangeRequest(car_plate=other) if kind == "car" else ChangeRequest(driver_code=other)
    change_booking(desk, staff, made.ref, change)
    assert "retired" in retire(desk, MANAGER, kind, key)

    # No new bookings; not offered as free; the history still names it.
    wanted = request(
        car=2 if kind == "car" else 1, driver=2 if kind == "driver" else 1, start=day(8)
    )
    refused_unchanged(desk, NotAllowed, lambda: book(desk, staff, wanted))
    free = available(desk, staff, day(8), 1)
    assert key not in (free.plates if kind == "car" else free.codes)
    refused_unchanged(desk, NotAllowed, lambda: retire(desk, MANAGER, kind, key))
    booked = history(desk, made.ref)[0][2]
    assert key in booked
    assert getattr(booking_detail(desk, staff, made.ref).booking, field) == other


def test_a_retired_customer_takes_no_new_bookings_but_keeps_the_old_ones(desk, staff, clock):
    clock.advance(days=-10)
    made = book(desk, staff, request(customer=2, start=day(-10)))
    clock.advance(days=10)
    retire(desk, MANAGER, "customer", email(2))

    refused_unchanged(
        desk, NotAllowed, lambda: book(desk, staff, request(car=3, customer=2, start=day(5)))
    )
    assert booking_detail(desk, staff, made.ref).booking.customer_email == email(2)


def test_a_customer_with_bookings_to_come_is_refused_before_anything_is_written(desk, staff):
    made = book(desk, staff, request(customer=2, start=day(3)))

    check = retire_check(desk, MANAGER, "customer", email(2))
    assert check.to_run == [made.ref] and check.refusal and made.ref in check.refusal
    refused_unchanged(desk, NotAllowed, lambda: retire(desk, MANAGER, "customer", email(2)))


def test_a_car_with_bookings_to_run_is_checked_then_reassigned_and_retired(desk, staff):
    made = book(desk, staff, request(car=1, driver=1, start=day(2)))

    check = retire_check(desk, MANAGER, "car", plate(1))
    assert check.to_run == [made.ref] and check.reassignable
    (move,) = check.moves
    assert (move.booking, move.from_key) == (made.ref, plate(1)) and move.to

    done = retire(desk, MANAGER, "car", plate(1), reassign=True)

    assert f"Moved {made.ref} to {move.to}" in done
    moved = booking_detail(desk, staff, made.ref).booking
    assert moved.car_plate == move.to and moved.total_cents == made.total_cents
    assert retire_check(desk, MANAGER, "car", plate(1)).retired


def test_reinstating_puts_it_back_and_only_managers_may(desk, staff):
    retire(desk, MANAGER, "driver", code(3))
    refused_unchanged(desk, NotAllowed, lambda: reinstate(desk, staff, "driver", code(3)))

    assert "back in service" in reinstate(desk, MANAGER, "driver", code(3))

    assert book(desk, staff, request(car=3, driver=3, start=day(4))).ref
    refused_unchanged(desk, NotAllowed, lambda: reinstate(desk, MANAGER, "driver", code(3)))
    refused_unchanged(desk, NotFound, lambda: reinstate(desk, MANAGER, "car", "ZZ-999"))


def test_past_bookings_do_not_stop_retiring(desk, staff, clock):
    clock.advance(days=-10)
    old = book(desk, staff, request(car=4, driver=4, start=day(-10), days=2))
    clock.advance(days=10)

    retire(desk, MANAGER, "car", plate(4))

    assert booking_row(desk, old.ref)["car"] == plate(4)


def test_only_managers_retire(desk, actors):
    for who in ("staff", "driver", "customer"):
        refused_unchanged(
            desk, NotAllowed, lambda who=who: retire(desk, actors[who], "car", plate(8))
        )


# --- what is available ----------------------------------------------------------------------------


def test_available_is_what_is_free_for_every_day_of_the_interval(desk, staff):
    book(desk, staff, request(car=1, driver=1, start=day(3), days=1))
    cancelled = book(desk, staff, request(car=3, driver=3, start=day(1), days=1))
    cancel(desk, staff, cancelled.ref, "plans changed")
    block(desk, MANAGER, car_block(plate(2), day(5), 2))
    block(desk, MANAGER, driver_block(code(2), day(0), 1))

    first = available(desk, staff, day(0), 4)
    later = available(desk, staff, day(4), 3)
    tail = available(desk, staff, day(7), 2)

    all_plates = [plate(i) for i in range(1, 9)]
    all_codes = [code(i) for i in range(1, 9)]
    assert first.plates == [p for p in all_plates if p != plate(1)]
    assert first.codes == [c for c in all_codes if c not in (code(1), code(2))]
    assert later.plates == [p for p in all_plates if p != plate(2)]
    assert later.codes == all_codes
    assert (tail.plates, tail.codes) == (all_plates, all_codes)


# --- the driver's day -----------------------------------------------------------------------------


INVOICE = (
    "INSERT INTO invoice (id, ref, booking_id, amount_cents, paid_cents, status, issued_at, "
    "due_date) VALUES (?, ?, ?, 100, 100, 'paid', '2026-03-10 09:00:00.000000', '2026-03-30')"
)
BOOKING = (
    "INSERT INTO booking (id, ref, customer_id, car_id, driver_id, start_date, days, end_date, "
    "car_daily_rate_cents, driver_daily_fee_cents, total_cents, status, created_at, created_by, "
    "pickup_time, pickup) VALUES (?, ?, 2, ?, 1, ?, 1, ?, 50, 50, 100, 'completed', "
    "'2026-03-10 09:00:00.000000', 'raw sql', ?, ?)"
)


def test_the_drivers_jobs_today_come_in_pickup_time_order(desk, staff, actors):
    # One active job today (a driver's active bookings never share a day); rows a past run
    # left completed on the same day join it, as they would after the day's first jobs.
    active = book(
        desk,
        staff,
        BookingRequest(email(1), plate(1), code(1), day(0), 1, pickup_time="15:00", pickup="Hotel"),
    )
    upcoming = book(desk, staff, request(car=2, driver=1, start=day(2), days=1))
    with raw(desk) as db:
        for number, car, time in ((70, 3, "07:30"), (71, 4, None), (72, 5, "11:45")):
            db.execute(
                BOOKING,
                (
                    number,
                    f"BK-{number:06d}",
                    car,
                    TODAY.isoformat(),
                    day(1).isoformat(),
                    time,
                    "Airport",
                ),
            )
            db.execute(INVOICE, (number, f"INV-{number:06d}", number))
    # Another driver's job today is not shown.
    book(desk, staff, request(car=6, driver=2, customer=3, start=day(0), days=1))

    jobs = my_assignments(desk, actors["driver"])

    assert [(v.ref, v.pickup_time) for v in jobs.today] == [
        ("BK-000070", "07:30"),
        ("BK-000072", "11:45"),
        (active.ref, "15:00"),
        ("BK-000071", None),
    ]
    assert [v.ref for v in jobs.upcoming] == [upcoming.ref]
    shown = jobs.today[2]
    assert (shown.pickup, shown.customer_name, shown.customer_phone) == (
        "Hotel",
        "Customer 1",
        "+44 20 7946 0001",
    )
