"""Date intervals: a start date plus a day count, with an exclusive end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.parsing import parse_date, parse_days


@dataclass(frozen=True, order=True)
class DateRange:
    """Days [start, end): a booking starting on the day another ends does not overlap it."""

    start: date
    days: int

    def __post_init__(self) -> None:
        if self.days < 1:
            raise InvalidInput(f"A rental lasts at least one day, got {self.days}.")
        try:
            self.start + timedelta(days=self.days)
        except OverflowError:
            raise InvalidInput(
                f"A rental from {self.start} for {self.days} days ends beyond the calendar."
            ) from None

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def __str__(self) -> str:
        return describe_days(self.start, self.end)


def spans_overlap(start: date, end: date, other_start: date, other_end: date) -> bool:
    """Do the days [start, end) and [other_start, other_end) share one? Ends are exclusive:
    a rental starting on the day another ends shares no day with it."""
    return start < other_end and other_start < end


def on_day(start: date, end: date, day: date) -> bool:
    """Is `day` one of the days [start, end)?"""
    return start <= day < end


def describe_days(start: date, end: date, this_year: int | None = None) -> str:
    """Human span of the days [start, end): '3–5 Dec', '30 Nov–2 Dec', '30 Dec 2026–2 Jan 2027';
    given `this_year`, days in another year say which: '3–5 Dec 2027'."""
    last = end - timedelta(days=1)
    if start.year != last.year:
        return f"{start.day} {start:%b %Y}–{last.day} {last:%b %Y}"
    if start == last:
        shown = f"{start.day} {start:%b}"
    elif start.month == last.month:
        shown = f"{start.day}–{last.day} {last:%b}"
    else:
        shown = f"{start.day} {start:%b}–{last.day} {last:%b}"
    return shown if this_year in (None, start.year) else f"{shown} {start.year}"


# The TUI still imports these two from here; the parsers themselves live in domain.parsing.
__all__ = ["DateRange", "describe_days", "on_day", "parse_date", "parse_days", "spans_overlap"]
