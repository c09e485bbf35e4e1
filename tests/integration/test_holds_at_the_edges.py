"""What holds a car or driver, at the edges where a rule is easy to get one day wrong.

A booking ends (exclusively) on the day the next one may start, in every place that offers or
checks a car: the wizard, the grid, the disruption assistant moving two bookings at once. A
completed rental never hides an active one on the grid. The driver's day holds no job that
ended yesterday. A replacement the clerk picks must seat the party, and a booking cancelled
while a block was being planned is left where it is.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from changekit import add_car
from deskkit import CODES, PLATES, TODAY, actors_for, ids, raw, request
from invariants import violations

from nextcars_tui.domain.dates import DateRange
from nextcars_tui.domain.errors import Conflict, InvalidInput, ResourceKind
from nextcars_tui.services.availability import availability_grid, resource_options
from nextcars_tui.services.blocks import BlockRequest, block, propose
from nextcars_tui.services.booking import BookingRequest, book, cancel, confirm
from nextcars_tui.services.listings import my_assignments


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


def test_a_car_is_offered_by_the_wizard_from_the_day_its_booking_ends(desk, staff):
    held = book(desk, staff, request(car=1, driver=1, start=day(2), days=3))
    options = {
        o.key: o for o in resource_options(desk, staff, ResourceKind.CAR, DateRange(day(5), 2))
    }
    assert options[PLATES[0]].free
    # One day earlier it shares the booking's last day.
    earlier = resource_options(desk, staff, ResourceKind.CAR, DateRange(day(4), 2))
    taken = {o.key: o for o in earlier}[PLATES[0]]
    assert (taken.free, taken.clash_ref) == (False, held.ref)


def test_the_grid_shows_a_car_free_from_the_day_its_booking_ends(desk, staff):
    held = book(desk, staff, request(car=1, driver=1, start=day(2), days=3))
    grid = availability_grid(desk, staff, ResourceKind.CAR, TODAY, 14)
    row = next(r for r in grid.rows if r.key == PLATES[0])
    assert [cell.ref for cell in row.cells[:7]] == [
        None,
        None,
        held.ref,
        held.ref,
        held.ref,
        None,
        None,
    ]


def test_two_back_to_back_bookings_move_to_a_car_free_from_the_day_another_ends(desk, staff):
    manager = actors_for(desk)["manager"]
    # NC02's booking ends on the day the first moved booking starts.
    before = book(desk, staff, request(car=2, driver=3, start=day(1), days=2))
    first = book(desk, staff, request(car=1, driver=1, start=day(3), days=2))
    second = book(desk, staff, request(car=1, driver=2, start=day(5), days=2))
    result = block(
        desk,
        manager,
        BlockRequest("car", PLATES[0], day(3), 4, "gearbox"),
        reassign=True,
        chosen={first.ref: PLATES[1], second.ref: PLATES[1]},
    )
    assert [(m.booking, m.to) for m in result.reassigned] == [
        (first.ref, PLATES[1]),
        (second.ref, PLATES[1]),
    ]
    with raw(desk) as db:
        cars = dict(db.execute("SELECT ref, car_id FROM booking").fetchall())
    assert cars[before.ref] == cars[first.ref] == cars[second.ref] == ids(desk)[PLATES[1]]
    assert violations(desk, TODAY) == []


def test_a_completed_rental_never_hides_an_active_one_on_the_grid(desk, staff):
    """A rental completed by hand before its end (not by the desk) still shows where nothing
    else is; where an active booking holds the car, the active one is shown."""
    active = book(desk, staff, request(car=1, driver=1, start=day(2), days=2))
    with raw(desk) as db:
        db.execute(
            "INSERT INTO booking (id, ref, customer_id, car_id, driver_id, start_date, days, "
            "end_date, car_daily_rate_cents, driver_daily_fee_cents, total_cents, status, "
            "created_at, created_by) VALUES (90, 'BK-000090', ?, ?, ?, ?, 6, ?, 1, 1, 12, "
            "'completed', '2026-03-01 09:00:00.000000', 'raw sql')",
            (
                ids(desk)["cust01@example.com"],
                ids(desk)[PLATES[0]],
                ids(desk)[CODES[1]],
                day(0).isoformat(),
                day(6).isoformat(),
            ),
        )
    grid = availability_grid(desk, staff, ResourceKind.CAR, TODAY, 14)
    row = next(r for r in grid.rows if r.key == PLATES[0])
    refs = [cell.ref for cell in row.cells[:7]]
    assert refs == ["BK-000090", "BK-000090", active.ref, active.ref] + ["BK-000090"] * 2 + [None]
    assert row.cells[2].status == "pending"


def test_the_drivers_day_holds_no_job_that_ended_yesterday(desk, staff, clock):
    driver = actors_for(desk)["driver"]
    yesterdays = book(desk, staff, request(car=1, driver=1, start=TODAY, days=1))
    todays = book(desk, staff, request(car=2, driver=1, start=day(1), days=2))
    for made in (yesterdays, todays):
        confirm(desk, staff, made.ref)
    clock.advance(days=1)
    work = my_assignments(desk, driver)
    assert [v.ref for v in work.today] == [todays.ref]
    assert [v.ref for v in work.recent] == [yesterdays.ref]
    assert work.upcoming == []


def test_a_replacement_the_clerk_picks_must_seat_the_party(desk, staff):
    manager = actors_for(desk)["manager"]
    add_car(desk, "SM4 LL", "Fiat", "500", 4, 9_000)
    party = book(
        desk,
        staff,
        BookingRequest("cust01@example.com", PLATES[0], CODES[0], day(3), 2, passengers=5),
    )
    request_block = BlockRequest("car", PLATES[0], day(2), 4, "MOT")
    # The desk's own pick seats them; the clerk's pick of a four-seater is refused.
    (proposed,) = propose(desk, manager, request_block)
    assert proposed.to not in (None, "SM4 LL")
    with pytest.raises(Conflict, match=f"No free car can take over booking {party.ref}"):
        block(desk, manager, request_block, reassign=True, chosen={party.ref: "SM4 LL"})
    with raw(desk) as db:
        assert db.execute("SELECT count(*) FROM block").fetchall() == [(0,)]
        car = db.execute("SELECT car_id FROM booking WHERE ref = ?", (party.ref,)).fetchall()
    assert car == [(ids(desk)[PLATES[0]],)]


def test_a_booking_cancelled_while_the_block_was_planned_is_not_moved(desk, staff):
    manager = actors_for(desk)["manager"]
    going = book(desk, staff, request(car=1, driver=1, start=day(3), days=2))
    staying = book(desk, staff, request(car=1, driver=2, start=day(6), days=1))
    request_block = BlockRequest("car", PLATES[0], day(2), 6, "accident")
    plan = {r.booking: r.to for r in propose(desk, manager, request_block)}
    assert set(plan) == {going.ref, staying.ref}
    cancel(desk, staff, going.ref)
    chosen = {ref: to for ref, to in plan.items() if to is not None}
    result = block(desk, manager, request_block, reassign=True, chosen=chosen)
    assert [m.booking for m in result.reassigned] == [staying.ref]
    with raw(desk) as db:
        cars = dict(db.execute("SELECT ref, car_id FROM booking").fetchall())
    assert cars[going.ref] == ids(desk)[PLATES[0]]
    assert violations(desk, TODAY) == []


def test_each_grid_shows_only_its_own_kind_and_window(desk, staff):
    """Car 2 and driver 2 share an id, not a row: the driver's booking is on the driver grid
    alone; a booking after the window is on neither."""
    on_driver = book(desk, staff, request(car=3, driver=2, start=day(1), days=2))
    later = book(desk, staff, request(car=2, driver=4, start=day(20), days=2))
    cars = availability_grid(desk, staff, ResourceKind.CAR, TODAY, 14)
    drivers = availability_grid(desk, staff, ResourceKind.DRIVER, TODAY, 14)
    car_two = next(r for r in cars.rows if r.key == PLATES[1])
    driver_two = next(r for r in drivers.rows if r.key == CODES[1])
    assert {cell.ref for cell in car_two.cells} == {None}
    assert [cell.ref for cell in driver_two.cells[:4]] == [None, on_driver.ref, on_driver.ref, None]
    everything = {cell.ref for grid in (cars, drivers) for row in grid.rows for cell in row.cells}
    assert later.ref not in everything
    with pytest.raises(InvalidInput, match="The grid shows 14 or 31 days"):
        availability_grid(desk, staff, ResourceKind.CAR, TODAY, 7)
