"""The arithmetic of the manager's reports: days held inside a period, utilisation percentages,
revenue and takings sums, period keys, and which business day a UTC moment belongs to."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.ledger import EntryKind, round_half_up


class Grouping(StrEnum):
    """How revenue is split into periods."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Period:
    """Business days [first, last], both inclusive, as a manager names a period."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise InvalidInput(
                f"The period's first day ({self.first.isoformat()}) is after its last day "
                f"({self.last.isoformat()}).",
                field="from",
            )

    @property
    def end(self) -> date:
        """The day after the last: the exclusive end, as bookings and blocks store theirs."""
        return self.last + timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def days_inside(self, start: date, end: date) -> int:
        """How many of the days [start, end) fall inside this period."""
        return max(0, (min(end, self.end) - max(start, self.first)).days)


def month_of(day: date) -> Period:
    """The calendar month holding `day`."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def last_month(today: date) -> Period:
    return month_of(today.replace(day=1) - timedelta(days=1))


def year_of(day: date) -> Period:
    return Period(date(day.year, 1, 1), date(day.year, 12, 31))


def percent_tenths(part: int, whole: int) -> int:
    """100 × part ÷ whole in tenths of a percent, rounded half up; 0 when whole is nothing."""
    return round_half_up(1000 * part, whole) if whole > 0 else 0


def percent_text(tenths: int) -> str:
    """'45.2' for 452 tenths: the exact decimal, never a float's approximation."""
    sign = "-" if tenths < 0 else ""
    whole, tenth = divmod(abs(tenths), 10)
    return f"{sign}{whole}.{tenth}"


@dataclass(frozen=True)
class Utilisation:
    """Days held by bookings and by blocks out of `capacity_days` (the period's days, times
    the cars for the fleet); the percentage is of the days not blocked."""

    booked_days: int
    blocked_days: int
    capacity_days: int

    @property
    def available_days(self) -> int:
        return self.capacity_days - self.blocked_days

    @property
    def percent_tenths(self) -> int:
        return percent_tenths(self.booked_days, self.available_days)

    @property
    def percent(self) -> float:
        """For JSON: 45.2 for 452 tenths (the nearest float, as JSON numbers are)."""
        return self.percent_tenths / 10


def fleet_of(lines: list[Utilisation], days: int) -> Utilisation:
    """The sums over the cars' lines, out of every car's days."""
    return Utilisation(
        sum(line.booked_days for line in lines),
        sum(line.blocked_days for line in lines),
        days * len(lines),
    )


# -- Revenue -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revenue:
    """Ledger sums by kind, signed as the ledger stores them (domain.ledger)."""

    charges_cents: int = 0
    fees_cents: int = 0
    adjustments_cents: int = 0
    payments_cents: int = 0
    refunds_cents: int = 0

    @property
    def billed_cents(self) -> int:
        return self.charges_cents + self.fees_cents + self.adjustments_cents

    @property
    def collected_cents(self) -> int:
        return self.payments_cents - self.refunds_cents

    def plus(self, kind: str, cents: int) -> Revenue:
        """These sums with `cents` more of one kind of entry."""
        field = _REVENUE_FIELDS[EntryKind(kind)]
        return replace(self, **{field: getattr(self, field) + cents})

    def __add__(self, other: Revenue) -> Revenue:
        return Revenue(
            self.charges_cents + other.charges_cents,
            self.fees_cents + other.fees_cents,
            self.adjustments_cents + other.adjustments_cents,
            self.payments_cents + other.payments_cents,
            self.refunds_cents + other.refunds_cents,
        )


_REVENUE_FIELDS = {
    EntryKind.CHARGE: "charges_cents",
    EntryKind.FEE: "fees_cents",
    EntryKind.ADJUSTMENT: "adjustments_cents",
    EntryKind.PAYMENT: "payments_cents",
    EntryKind.REFUND: "refunds_cents",
}


def period_key(day: date, grouping: Grouping) -> str:
    """'2027-01-31' by day, the ISO week '2027-W05' by week, '2027-01' by month."""
    if grouping == Grouping.DAY:
        return day.isoformat()
    if grouping == Grouping.WEEK:
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return f"{day.year}-{day.month:02d}"


def period_keys(period: Period, grouping: Grouping) -> list[str]:
    """Every period key the days of `period` fall in, in order, each once."""
    keys: dict[str, None] = {}
    day = period.first
    while day <= period.last:
        keys[period_key(day, grouping)] = None
        day += timedelta(days=1)
    return list(keys)


# -- Takings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Takings:
    """Money moved over the counter: payments in, refunds out, and how many entries."""

    payments_cents: int = 0
    refunds_cents: int = 0
    count: int = 0

    @property
    def net_cents(self) -> int:
        return self.payments_cents - self.refunds_cents

    def plus(self, kind: str, cents: int, count: int) -> Takings:
        if EntryKind(kind) == EntryKind.PAYMENT:
            return Takings(self.payments_cents + cents, self.refunds_cents, self.count + count)
        return Takings(self.payments_cents, self.refunds_cents + cents, self.count + count)

    def __add__(self, other: Takings) -> Takings:
        return Takings(
            self.payments_cents + other.payments_cents,
            self.refunds_cents + other.refunds_cents,
            self.count + other.count,
        )


# -- Business days of UTC moments --------------------------------------------------------------


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first moment of a business day, in UTC (a midnight skipped by a clock change
    starts the day when the clocks jump)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class OffsetSpan:
    """UTC moments [since, until) on which the business time zone is `offset_seconds` ahead of
    UTC: there, a moment's business date is the UTC date of the moment plus the offset."""

    since: datetime
    until: datetime
    offset_seconds: int


def _offset(moment: datetime, zone: ZoneInfo) -> int:
    offset = moment.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _next_change(after: datetime, by: datetime, zone: ZoneInfo) -> datetime:
    """The first whole second in (after, by] at which the zone's offset differs from its
    offset at `after` (there is one: the offset at `by` differs)."""
    offset = _offset(after, zone)
    low, high = 0, int((by - after).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(after + timedelta(seconds=middle), zone) == offset:
            low = middle
        else:
            high = middle
    return after + timedelta(seconds=high)


def offset_spans(period: Period, zone: ZoneInfo) -> list[OffsetSpan]:
    """The UTC moments of the period's business days, cut where the clocks change, so each
    span can be bucketed by business date with one fixed offset (in SQL, on any engine).

    The offset is compared at each midnight: time zones change it at most once a day."""
    since = day_start(period.first, zone)
    offset = _offset(since, zone)
    spans: list[OffsetSpan] = []
    day, midnight = period.first, since
    while day < period.end:
        day += timedelta(days=1)
        following = day_start(day, zone)
        if _offset(following, zone) != offset:
            change = _next_change(midnight, following, zone)
            if change > since:
                spans.append(OffsetSpan(since, change, offset))
            since, offset = change, _offset(change, zone)
        midnight = following
    if midnight > since:
        spans.append(OffsetSpan(since, midnight, offset))
    return spans
