"""Availability derived from the bookings themselves: grids over a window, and the free or
busy cars and drivers for a wizard's dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from nextcars_tui.domain.dates import DateRange, describe_days
from nextcars_tui.domain.errors import InvalidInput, ResourceKind
from nextcars_tui.domain.holds import Hold, busy
from nextcars_tui.domain.parsing import parse_days
from nextcars_tui.domain.refs import normalise_booking_ref
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.domain.statuses import BookingStatus
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import BookingRecord

GRID_WINDOWS = (14, 31)
MAX_GRID_ROWS = 1000


@dataclass(frozen=True)
class GridCell:
    """A day of a car or driver: free, a booking's (status and ref), or a block's (its ref
    and reason, status None)."""

    status: BookingStatus | None
    ref: str | None = None
    block_reason: str | None = None

    @property
    def blocked(self) -> bool:
        return self.block_reason is not None


@dataclass(frozen=True)
class GridRow:
    key: str
    label: str
    cells: tuple[GridCell, ...]
    # A retired car or driver stays in the grid for its history, but is never free.
    retired: bool = False


@dataclass(frozen=True)
class Grid:
    kind: ResourceKind
    start: date
    days: int
    rows: list[GridRow]

    @property
    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


@dataclass(frozen=True)
class ResourceOption:
    """A car or driver for chosen dates: free, or busy with the clashing booking or block
    (then `block_reason` says why it is off the road or off duty)."""

    key: str
    label: str
    daily_cents: int
    clash_ref: str | None = None
    clash_days: str | None = None
    block_reason: str | None = None

    @property
    def free(self) -> bool:
        return self.clash_ref is None


def availability_grid(
    desk: Desk, actor: Actor, kind: ResourceKind, start: date, days: int, text: str = ""
) -> Grid:
    """Cars or drivers × days: what holds each on each day (an active booking or a block),
    else a rental completed there; cancelled bookings leave a cell free."""
    actor.require(Permission.VIEW_DESK)
    if days not in GRID_WINDOWS:
        raise InvalidInput(f"The grid shows {' or '.join(map(str, GRID_WINDOWS))} days.")
    end = start + timedelta(days=days)
    with desk.db.read() as uow:
        holds = uow.occupancy.in_window(start, end, kind)
        completed = uow.bookings.in_window(start, end, statuses=[BookingStatus.COMPLETED.value])
        if kind == ResourceKind.CAR:
            cars = uow.cars.search(text, limit=MAX_GRID_ROWS)
            resources = [
                (c.id or 0, c.plate, f"{c.make} {c.model}", c.retired_at is not None) for c in cars
            ]
        else:
            drivers = uow.drivers.search(text, limit=MAX_GRID_ROWS)
            resources = [(d.id or 0, d.code, d.name, d.retired_at is not None) for d in drivers]
    done: dict[int, list[BookingRecord]] = {}
    for booking in completed:
        owner = booking.car_id if kind == ResourceKind.CAR else booking.driver_id
        done.setdefault(owner, []).append(booking)
    held: dict[int, list[Hold]] = {}
    for hold in holds:
        held.setdefault(hold.resource_id, []).append(hold)
    rows = [
        GridRow(key, label, _cells(done.get(rid, []), held.get(rid, []), start, days), retired)
        for rid, key, label, retired in resources
    ]
    return Grid(kind, start, days, rows)


def _cells(
    completed: list[BookingRecord], holds: list[Hold], start: date, days: int
) -> tuple[GridCell, ...]:
    """A row's days: completed rentals first, then what holds the resource painted over
    them (a completed rental may share a day with a later hold; holds never overlap each
    other). One cell per booking or block, shared by its days: a 500-car window holds
    thousands of days."""
    cells = [GridCell(None)] * days

    def paint(first_day: date, end_day: date, cell: GridCell) -> None:
        first = max(0, (first_day - start).days)
        last = min(days, (end_day - start).days)
        if last > first:
            cells[first:last] = [cell] * (last - first)

    for booking in completed:
        paint(booking.start_date, booking.end_date, GridCell(BookingStatus.COMPLETED, booking.ref))
    for hold in holds:
        paint(hold.start, hold.end, GridCell(hold.booking_status, hold.ref, hold.block_reason))
    return tuple(cells)


def resource_options(
    desk: Desk, actor: Actor, kind: ResourceKind, dates: DateRange, text: str = ""
) -> list[ResourceOption]:
    """Every car (or driver) in service for the wizard, each free or with the booking or
    block that holds it on some of the days (the earliest, if several)."""
    actor.require(Permission.BOOK)
    with desk.db.read() as uow:
        holds = uow.occupancy.in_window(dates.start, dates.end, kind)
        first_hold: dict[int, Hold] = {}
        for hold in sorted(holds, key=lambda h: h.start, reverse=True):
            first_hold[hold.resource_id] = hold
        if kind == ResourceKind.CAR:
            return [
                _option(
                    c.plate,
                    f"{c.make} {c.model} · {c.seats} seats",
                    c.daily_rate_cents,
                    first_hold.get(c.id or 0),
                )
                for c in uow.cars.search(text, limit=MAX_GRID_ROWS)
                if c.retired_at is None
            ]
        return [
            _option(d.code, d.name, d.daily_fee_cents, first_hold.get(d.id or 0))
            for d in uow.drivers.search(text, limit=MAX_GRID_ROWS)
            if d.retired_at is None
        ]


def _option(key: str, label: str, cents: int, hold: Hold | None) -> ResourceOption:
    if hold is None:
        return ResourceOption(key, label, cents)
    span = describe_days(hold.start, hold.end)
    return ResourceOption(key, label, cents, hold.ref, span, hold.block_reason)


@dataclass(frozen=True)
class FreeForChange:
    """The cars and drivers a booking could move to for its new dates, cheapest first."""

    dates: DateRange
    cars: list[ResourceOption]
    drivers: list[ResourceOption]


def free_for_change(
    desk: Desk, actor: Actor, ref: str, start: date | str, days: int | str
) -> FreeForChange:
    """Cars and drivers in service that nothing holds on any day of a booking's new dates,
    read from occupancy as every clash check is; the booking's own hold does not count, since
    it moves with the change. The change dialog's pick lists; the change itself checks again
    under its lock."""
    actor.require(Permission.CHANGE)
    ref = normalise_booking_ref(ref)
    first = start if isinstance(start, date) else desk.parse_date(start, "start date")
    dates = DateRange(first, parse_days(days, desk.settings.business.max_rental_days))
    with desk.db.read() as uow:
        holds = [h for h in uow.occupancy.in_window(dates.start, dates.end) if h.ref != ref]
        busy_cars = busy(holds, ResourceKind.CAR, dates.start, dates.end)
        busy_drivers = busy(holds, ResourceKind.DRIVER, dates.start, dates.end)
        cars = [
            ResourceOption(c.plate, f"{c.make} {c.model} · {c.seats} seats", c.daily_rate_cents)
            for c in uow.cars.search("", limit=MAX_GRID_ROWS)
            if c.retired_at is None and c.id not in busy_cars
        ]
        drivers = [
            ResourceOption(d.code, d.name, d.daily_fee_cents)
            for d in uow.drivers.search("", limit=MAX_GRID_ROWS)
            if d.retired_at is None and d.id not in busy_drivers
        ]
    return FreeForChange(dates, sorted(cars, key=_by_price), sorted(drivers, key=_by_price))


def _by_price(option: ResourceOption) -> tuple[int, str]:
    return option.daily_cents, option.key


@dataclass(frozen=True)
class FreeCar:
    """A car free for the whole interval, with what a clerk chooses it by."""

    plate: str
    make: str
    model: str
    seats: int
    daily_rate_cents: int


@dataclass(frozen=True)
class FreeDriver:
    code: str
    name: str
    daily_fee_cents: int


@dataclass(frozen=True)
class Available:
    """What is free for every day of an interval, cars by plate and drivers by code."""

    cars: list[FreeCar]
    drivers: list[FreeDriver]

    @property
    def plates(self) -> list[str]:
        return [car.plate for car in self.cars]

    @property
    def codes(self) -> list[str]:
        return [driver.code for driver in self.drivers]


def available(desk: Desk, actor: Actor, start: date | str, days: int | str) -> Available:
    """Cars and drivers in service that nothing holds on any day of the interval."""
    actor.require(Permission.VIEW_DESK)
    first = start if isinstance(start, date) else desk.parse_date(start, "start date")
    dates = DateRange(first, parse_days(days, desk.settings.business.max_rental_days))
    with desk.db.read() as uow:
        holds = uow.occupancy.in_window(dates.start, dates.end)
        busy_cars = busy(holds, ResourceKind.CAR, dates.start, dates.end)
        busy_drivers = busy(holds, ResourceKind.DRIVER, dates.start, dates.end)
        cars = [
            FreeCar(c.plate, c.make, c.model, c.seats, c.daily_rate_cents)
            for c in uow.cars.search("", limit=100_000)
            if c.retired_at is None and c.id not in busy_cars
        ]
        drivers = [
            FreeDriver(d.code, d.name, d.daily_fee_cents)
            for d in uow.drivers.search("", limit=100_000)
            if d.retired_at is None and d.id not in busy_drivers
        ]
    return Available(cars, drivers)
