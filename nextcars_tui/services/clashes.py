"""Is a car and driver free for some days? Active bookings and blocks both hold them; the
first thing found in the way becomes a Conflict naming it, its days and its ref."""

from __future__ import annotations

from datetime import date

from nextcars_tui.domain.dates import describe_days
from nextcars_tui.domain.errors import Conflict, ResourceKind
from nextcars_tui.store import UnitOfWork
from nextcars_tui.store.tables import Block, Booking, Car, Driver


def booking_clash(booking: Booking, car: Car, driver: Driver) -> Conflict:
    """The Conflict for a requested car or driver held by `booking`: the car if it is the
    car's booking, else the driver, with the message and the fields screens decide from."""
    span = describe_days(booking.start_date, booking.end_date)
    if booking.car_id == car.id:
        kind, resource = ResourceKind.CAR, car.plate
        message = f"Car {car.plate} is already booked {span} ({booking.ref})."
    else:
        kind, resource = ResourceKind.DRIVER, driver.code
        message = f"Driver {driver.code} ({driver.name}) is already booked {span} ({booking.ref})."
    return Conflict(
        message,
        resource_kind=kind,
        resource=resource,
        clashing_ref=booking.ref,
        start=booking.start_date,
        end=booking.end_date,
    )


def block_clash(block: Block, car: Car, driver: Driver) -> Conflict:
    """The Conflict for a requested car or driver that a block holds: names the block's ref
    and reason, so the clerk knows why (MOT, holiday) and which block to look at."""
    span = describe_days(block.start_date, block.end_date)
    if block.car_id is not None and block.car_id == car.id:
        kind, resource = ResourceKind.CAR, car.plate
        message = f"Car {car.plate} is blocked {span} ({block.ref}: {block.reason})."
    else:
        kind, resource = ResourceKind.DRIVER, driver.code
        message = (
            f"Driver {driver.code} ({driver.name}) is blocked {span} ({block.ref}: {block.reason})."
        )
    return Conflict(
        message,
        resource_kind=kind,
        resource=resource,
        clashing_ref=block.ref,
        start=block.start_date,
        end=block.end_date,
    )


def require_free(
    uow: UnitOfWork,
    car: Car,
    driver: Driver,
    start: date,
    end: date,
    *,
    excluding: int | None = None,
) -> None:
    """Raise the Conflict for the first booking or block holding the car or the driver for
    any day of [start, end), the car's before the driver's; `excluding` is a booking that
    does not count (itself, when it changes). Hold both first (bookings.hold)."""
    car_id, driver_id = car.id or 0, driver.id or 0
    clashes = uow.bookings.clashes(
        car_id=car_id, driver_id=driver_id, start=start, end=end, excluding=excluding
    )
    blocks = uow.blocks.holding(car_id, driver_id, start, end)
    car_first = [b for b in clashes if b.car_id == car_id]
    if car_first:
        raise booking_clash(car_first[0], car, driver)
    car_blocks = [b for b in blocks if b.car_id == car_id]
    if car_blocks:
        raise block_clash(car_blocks[0], car, driver)
    if clashes:
        raise booking_clash(clashes[0], car, driver)
    if blocks:
        raise block_clash(blocks[0], car, driver)
