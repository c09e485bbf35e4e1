"""Availability derived from the bookings themselves: grids over a window, and the free or
busy cars and drivers for a wizard's dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from nextcars_tui.domain.dates import DateRange, describe_days
from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.domain.statuses import ACTIVE_BOOKING_STATUSES, BookingStatus
from nextcars_tui.services.desk import Desk
from nextcars_tui.store.tables import Booking

GRID_WINDOWS = (14, 31)
MAX_GRID_ROWS = 1000


class ResourceKind(StrEnum):
    CAR = "car"
    DRIVER = "driver"


@dataclass(frozen=True)
class GridCell:
    status: BookingStatus | None
    ref: str | None = None


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
    """A car or driver for chosen dates: free, or busy with the clashing booking."""

    key: str
    label: str
    daily_cents: int
    clash_ref: str | None = None
    clash_days: str | None = None

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
    rows = [
        GridRow(key, label, _cells(by_resource.get(rid, []), start, days))
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


def resource_options(
    desk: Desk, actor: Actor, kind: ResourceKind, dates: DateRange, text: str = ""
) -> list[ResourceOption]:
    """Every car (or driver) for the wizard, each free or with the booking that blocks it."""
    actor.require(Permission.BOOK)
    active = [s.value for s in ACTIVE_BOOKING_STATUSES]
    with desk.db.read() as uow:
        blocking = uow.bookings.in_window(dates.start, dates.end, statuses=active)
        if kind == ResourceKind.CAR:
            clash = {b.car_id: b for b in blocking}
            return [
                _option(
                    c.id,
                    c.plate,
                    f"{c.make} {c.model} · {c.seats} seats",
                    c.daily_rate_cents,
                    clash,
                )
                for c in uow.cars.search(text, limit=MAX_GRID_ROWS)
            ]
        clash = {b.driver_id: b for b in blocking}
        return [
            _option(d.id, d.code, d.name, d.daily_fee_cents, clash)
            for d in uow.drivers.search(text, limit=MAX_GRID_ROWS)
        ]


def _option(
    resource_id: int | None, key: str, label: str, cents: int, clash: dict[int, Booking]
) -> ResourceOption:
    booking = clash.get(resource_id or 0)
    if booking is None:
        return ResourceOption(key, label, cents)
    return ResourceOption(
        key, label, cents, booking.ref, describe_days(booking.start_date, booking.end_date)
    )
