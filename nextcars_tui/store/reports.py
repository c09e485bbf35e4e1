"""The manager's reports read here: days held by bookings and blocks in a period, ledger sums by
business day, and the money over the counter. Sums are made by the database through the date
indexes; only bookings straddling the period's edges and the day's sums come back as rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Date, and_, func, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from nextcars_tui.domain.ledger import MONEY_KINDS, EntryKind
from nextcars_tui.domain.reporting import OffsetSpan, Period
from nextcars_tui.domain.statuses import BookingStatus
from nextcars_tui.store.tables import Block, Booking, Car, Driver, LedgerEntry

# What counts as a car or driver being used: rentals that went ahead or are going ahead.
# Pending holds may still expire; cancelled ones never ran.
COUNTED_STATUSES = (BookingStatus.CONFIRMED.value, BookingStatus.COMPLETED.value)
_ALL_KINDS = [kind.value for kind in EntryKind]
_MONEY_KINDS = [kind.value for kind in MONEY_KINDS]


@dataclass(frozen=True)
class Resource:
    """A car (by plate) or a driver (by code), and whether it is retired."""

    id: int
    key: str
    retired: bool


@dataclass
class HeldDays:
    """Days inside a period held per car id and per driver id."""

    cars: dict[int, int] = field(default_factory=dict)
    drivers: dict[int, int] = field(default_factory=dict)

    def add(self, car_id: int | None, driver_id: int | None, days: int) -> None:
        if car_id is not None:
            self.cars[car_id] = self.cars.get(car_id, 0) + days
        if driver_id is not None:
            self.drivers[driver_id] = self.drivers.get(driver_id, 0) + days


class BusinessDate(ColumnElement[date]):
    """The date of a stored UTC timestamp once `offset_seconds` are added: its business date
    wherever the time zone is that far ahead of UTC (domain.reporting.offset_spans)."""

    type = Date()
    # A literal offset in the SQL text: not cached, which costs nothing at a few per report.
    inherit_cache = False

    def __init__(self, column: Any, offset_seconds: int) -> None:
        self.column = column
        self.offset_seconds = int(offset_seconds)

    @property
    def _from_objects(self) -> list[Any]:
        return list(self.column._from_objects)


@compiles(BusinessDate, "sqlite")
def _sqlite_business_date(element: BusinessDate, compiler: SQLCompiler, **kw: Any) -> str:
    # Whole seconds only: SQLite rounds a fraction to milliseconds, so 23:59:59.9999 would
    # otherwise fall on the next day.
    column = compiler.process(element.column, **kw)
    return f"date(substr({column}, 1, 19), '{element.offset_seconds:+d} seconds')"


@compiles(BusinessDate, "postgresql")
def _postgres_business_date(element: BusinessDate, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"CAST({column} + INTERVAL '{element.offset_seconds} seconds' AS DATE)"


class ReportQueries:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def cars(self) -> list[Resource]:
        """Every car, retired ones too, by plate."""
        query = select(col(Car.id), col(Car.plate), col(Car.retired_at)).order_by(col(Car.plate))
        return [Resource(i, plate, retired is not None) for i, plate, retired in self._rows(query)]

    def drivers(self) -> list[Resource]:
        """Every driver, retired ones too, by code."""
        query = select(col(Driver.id), col(Driver.code), col(Driver.retired_at)).order_by(
            col(Driver.code)
        )
        return [Resource(i, code, retired is not None) for i, code, retired in self._rows(query)]

    def booked_days(self, period: Period) -> HeldDays:
        """Days of the period held by confirmed or completed bookings, per car and driver.

        Bookings wholly inside are summed by the database through the start-date index;
        the few crossing an edge of the period come back as rows and are cut to it here."""
        held = HeldDays()
        counted = col(Booking.status).in_(COUNTED_STATUSES)
        inside = and_(
            counted,
            col(Booking.start_date) >= period.first,
            col(Booking.start_date) < period.end,
            col(Booking.end_date) <= period.end,
        )
        for column, sums in (
            (col(Booking.car_id), held.cars),
            (col(Booking.driver_id), held.drivers),
        ):
            grouped = select(column, func.sum(col(Booking.days))).where(inside).group_by(column)
            sums.update((resource, int(days)) for resource, days in self._rows(grouped))
        # Bounded by the longest rental, so the start index is read as a range (as in_window).
        longest = self._connection.execute(select(func.max(col(Booking.days)))).scalar() or 0
        columns = (
            col(Booking.car_id),
            col(Booking.driver_id),
            col(Booking.start_date),
            col(Booking.end_date),
        )
        started_before = select(*columns).where(
            counted,
            col(Booking.start_date) > period.first - timedelta(days=longest),
            col(Booking.start_date) < period.first,
            col(Booking.end_date) > period.first,
        )
        ends_after = select(*columns).where(
            counted,
            col(Booking.start_date) >= period.first,
            col(Booking.start_date) < period.end,
            col(Booking.end_date) > period.end,
        )
        for car_id, driver_id, start, end in self._connection.execute(
            union_all(started_before, ends_after)
        ):
            held.add(car_id, driver_id, period.days_inside(start, end))
        return held

    def blocked_days(self, period: Period) -> HeldDays:
        """Days of the period held by blocks in force, per car and driver."""
        held = HeldDays()
        query = select(
            col(Block.car_id), col(Block.driver_id), col(Block.start_date), col(Block.end_date)
        ).where(
            col(Block.removed_at).is_(None),
            col(Block.start_date) < period.end,
            col(Block.end_date) > period.first,
        )
        for car_id, driver_id, start, end in self._rows(query):
            held.add(car_id, driver_id, period.days_inside(start, end))
        return held

    def ledger_by_day(self, spans: Sequence[OffsetSpan]) -> list[tuple[date, str, int]]:
        """(business date, kind, sum of amount_cents) of the entries written in the spans,
        bucketed by the database with each span's fixed offset, through ix_ledger_kind_at."""
        sums: list[tuple[date, str, int]] = []
        for span in spans:
            day = BusinessDate(LedgerEntry.__table__.c.at, span.offset_seconds)  # type: ignore[attr-defined]
            query = (
                select(day, col(LedgerEntry.kind), func.sum(col(LedgerEntry.amount_cents)))
                .where(
                    col(LedgerEntry.kind).in_(_ALL_KINDS),
                    col(LedgerEntry.at) >= span.since,
                    col(LedgerEntry.at) < span.until,
                )
                .group_by(day, col(LedgerEntry.kind))
            )
            sums.extend((found, kind, int(cents)) for found, kind, cents in self._rows(query))
        return sums

    def takings(
        self, since: datetime, until: datetime, *, actor: str | None = None
    ) -> list[tuple[str, str, str, int, int]]:
        """(method, clerk, kind, entries, sum of amount_cents) of the payments and refunds
        written in [since, until); of one clerk only when `actor` is given."""
        query = select(
            col(LedgerEntry.method),
            col(LedgerEntry.actor),
            col(LedgerEntry.kind),
            func.count(),
            func.sum(col(LedgerEntry.amount_cents)),
        ).where(
            col(LedgerEntry.kind).in_(_MONEY_KINDS),
            col(LedgerEntry.at) >= since,
            col(LedgerEntry.at) < until,
        )
        if actor is not None:
            query = query.where(col(LedgerEntry.actor) == actor)
        query = query.group_by(
            col(LedgerEntry.method), col(LedgerEntry.actor), col(LedgerEntry.kind)
        )
        return [
            (str(method), who, kind, int(count), int(cents))
            for method, who, kind, count, cents in self._rows(query)
        ]

    def _rows(self, query: Any) -> list[Any]:
        return list(self._connection.execute(query))
