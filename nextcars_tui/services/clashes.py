"""Is a car and driver free for some days? Whatever holds them (an active booking or a block)
is read from occupancy, and the first hold in the way becomes the Conflict naming it."""

from __future__ import annotations

from datetime import date

from nextcars_tui.domain.errors import ResourceKind
from nextcars_tui.domain.holds import Resource, first_clash
from nextcars_tui.store import CarRecord, DriverRecord, UnitOfWork


def require_free(
    uow: UnitOfWork,
    car: CarRecord,
    driver: DriverRecord,
    start: date,
    end: date,
    *,
    excluding: int | None = None,
) -> None:
    """Raise the Conflict for the first hold of the car or the driver on any day of
    [start, end), the car's before the driver's; `excluding` is a booking whose holds do not
    count (itself, when it changes). The unit of work holds both already (bookings.hold or
    for_change), so nothing takes them between this check and the write."""
    wanted = (
        Resource(ResourceKind.CAR, car.id or 0, car.plate),
        Resource(ResourceKind.DRIVER, driver.id or 0, driver.code, driver.name),
    )
    holds = uow.occupancy.holding([(r.kind, r.resource_id) for r in wanted], start, end)
    others = [h for h in holds if excluding is None or h.booking_id != excluding]
    conflict = first_clash(others, wanted, start, end)
    if conflict is not None:
        raise conflict
