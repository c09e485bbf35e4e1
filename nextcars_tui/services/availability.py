"""Availability derived from the bookings themselves: grids over a window, and the free or
busy cars and drivers for a wizard's dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from nextcars_tui.domain.dates import DateRange, describe_days
from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.parsing import parse_days
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.domain.statuses import ACTIVE_BOOKING_STATUSES, BookingStatus
from nextcars_tui.services.desk import Desk
from nextcars_tui.store.tables import Block, Booking

GRID_WINDOWS = (14, 31)
MAX_GRID_ROWS = 1000


class ResourceKind(StrEnum):
    CAR = "car"
    DRIVER = "driver"


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


_GRID_STATUSES = (
    BookingStatus.PENDING.value,
    BookingStatus.CONFIRMED.value,
    BookingStatus.COMPLETED.value,
)


def availability_grid(
    desk: Desk, actor: Actor, kind: ResourceKind, start: date, days: int, text: str = ""
) -> Grid:
    """Cars or drivers × days; cancelled bookings leave a cell free."""
    actor.require(Permission.VIEW_DESK)
    if days not in GRID_WINDOWS:
        raise InvalidInput(f"The grid shows {' or '.join(map(str, GRID_WINDOWS))} days.")
    end = start + timedelta(days=days)
    with desk.db.read() as uow:
        bookings = uow.bookings.in_window(start, end, statuses=_GRID_STATUSES)
        blocks = uow.blocks.in_window(start, end)
        if kind == ResourceKind.CAR:
            cars = uow.cars.search(text, limit=MAX_GRID_ROWS)
            resources = [(c.id or 0, c.plate, f"{c.make} {c.model}") for c in cars]
        else:
            drivers = uow.drivers.search(text, limit=MAX_GRID_ROWS)
            resources = [(d.id or 0, d.code, d.name) for d in drivers]
    by_resource: dict[int, list[Booking]] = {}
    for booking in bookings:
        owner = booking.car_id if kind == ResourceKind.CAR else booking.driver_id
        by_resource.setdefault(owner, []).append(booking)
    blocked: dict[int, list[Block]] = {}
    for block in blocks:
        holder = block.car_id if kind == ResourceKind.CAR else block.driver_id
        if holder is not None:
            blocked.setdefault(holder, []).append(block)
    rows = [
        GridRow(
            key,
            label,
            _with_blocks(
                _cells(by_resource.get(rid, []), start, days), blocked.get(rid, []), start
            ),
        )
        for rid, key, label in resources
    ]
    return Grid(kind, start, days, rows)


_ACTIVE_VALUES = frozenset(status.value for status in ACTIVE_BOOKING_STATUSES)


def _cells(bookings: list[Booking], start: date, days: int) -> tuple[GridCell, ...]:
    cells = [GridCell(None)] * days
    # Active bookings win over completed ones when both touch a day (they cannot overlap
    # each other, but a completed one may share a day with a later active one).
    # One cell per booking, shared by its days: a 500-car window holds thousands of days.
    for booking in sorted(bookings, key=lambda b: b.status in _ACTIVE_VALUES):
        first = max(0, (booking.start_date - start).days)
        last = min(days, (booking.end_date - start).days)
        if last > first:
            cells[first:last] = [GridCell(BookingStatus(booking.status), booking.ref)] * (
                last - first
            )
    return tuple(cells)


def _with_blocks(
    cells: tuple[GridCell, ...], blocks: list[Block], start: date
) -> tuple[GridCell, ...]:
    """Blocked days over the booking cells (a block and an active booking never share a
    day; a completed rental may)."""
    if not blocks:
        return cells
    days = list(cells)
    for block in blocks:
        first = max(0, (block.start_date - start).days)
        last = min(len(days), (block.end_date - start).days)
        if last > first:
            days[first:last] = [GridCell(None, block.ref, block.reason)] * (last - first)
    return tuple(days)


def resource_options(
    desk: Desk, actor: Actor, kind: ResourceKind, dates: DateRange, text: str = ""
) -> list[ResourceOption]:
    """Every car (or driver) for the wizard, each free or with the booking that blocks it."""
    actor.require(Permission.BOOK)
    active = [s.value for s in ACTIVE_BOOKING_STATUSES]
    with desk.db.read() as uow:
        blocking = uow.bookings.in_window(dates.start, dates.end, statuses=active)
        blocks = uow.blocks.in_window(dates.start, dates.end)
        if kind == ResourceKind.CAR:
            clash = {b.car_id: b for b in blocking}
            off = {b.car_id: b for b in blocks if b.car_id is not None}
            return [
                _option(
                    c.id,
                    c.plate,
                    f"{c.make} {c.model} · {c.seats} seats",
                    c.daily_rate_cents,
                    clash,
                    off,
                )
                for c in uow.cars.search(text, limit=MAX_GRID_ROWS)
                if c.retired_at is None
            ]
        clash = {b.driver_id: b for b in blocking}
        off = {b.driver_id: b for b in blocks if b.driver_id is not None}
        return [
            _option(d.id, d.code, d.name, d.daily_fee_cents, clash, off)
            for d in uow.drivers.search(text, limit=MAX_GRID_ROWS)
            if d.retired_at is None
        ]


def _option(
    resource_id: int | None,
    key: str,
    label: str,
    cents: int,
    clash: dict[int, Booking],
    off: dict[int, Block],
) -> ResourceOption:
    booking = clash.get(resource_id or 0)
    if booking is not None:
        return ResourceOption(
            key, label, cents, booking.ref, describe_days(booking.start_date, booking.end_date)
        )
    block = off.get(resource_id or 0)
    if block is not None:
        span = describe_days(block.start_date, block.end_date)
        return ResourceOption(key, label, cents, block.ref, span, block.reason)
    return ResourceOption(key, label, cents)


@dataclass(frozen=True)
class Available:
    """What is free for every day of an interval: plates and driver codes."""

    cars: list[str]
    drivers: list[str]


def available(desk: Desk, actor: Actor, start: date | str, days: int | str) -> Available:
    """Cars and drivers neither booked (pending or confirmed) nor blocked on any day of the
    interval, and not retired."""
    actor.require(Permission.VIEW_DESK)
    first = start if isinstance(start, date) else desk.parse_date(start, "start date")
    dates = DateRange(first, parse_days(days, desk.settings.business.max_rental_days))
    active = [s.value for s in ACTIVE_BOOKING_STATUSES]
    with desk.db.read() as uow:
        booked = uow.bookings.in_window(dates.start, dates.end, statuses=active)
        blocks = uow.blocks.in_window(dates.start, dates.end)
        busy_cars = {b.car_id for b in booked} | {b.car_id for b in blocks if b.car_id}
        busy_drivers = {b.driver_id for b in booked} | {b.driver_id for b in blocks if b.driver_id}
        cars = [
            c.plate
            for c in uow.cars.search("", limit=100_000)
            if c.retired_at is None and c.id not in busy_cars
        ]
        drivers = [
            d.code
            for d in uow.drivers.search("", limit=100_000)
            if d.retired_at is None and d.id not in busy_drivers
        ]
    return Available(cars, drivers)
