"""Date intervals: a start date plus a day count, with an exclusive end."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from nextcars_tui.domain.errors import InvalidInput

_WHOLE_NUMBER = re.compile(r"-?\d+")


@dataclass(frozen=True, order=True)
class DateRange:
    """Days [start, end): a booking starting on the day another ends does not overlap it."""

    start: date
    days: int

    def __post_init__(self) -> None:
        if self.days < 1:
            raise InvalidInput(f"A rental lasts at least one day, got {self.days}.")

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def overlaps(self, other: DateRange) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def __str__(self) -> str:
        return describe_days(self.start, self.end)


def describe_days(start: date, end: date) -> str:
    """Human span of the days [start, end): '3–5 Dec', '30 Nov–2 Dec', '30 Dec 2026–2 Jan 2027'."""
    last = end - timedelta(days=1)
    if start == last:
        return f"{start.day} {start:%b}"
    if start.year != last.year:
        return f"{start.day} {start:%b %Y}–{last.day} {last:%b %Y}"
    if start.month == last.month:
        return f"{start.day}–{last.day} {last:%b}"
    return f"{start.day} {start:%b}–{last.day} {last:%b}"


def parse_date(text: str) -> date:
    """Parse YYYY-MM-DD, rejecting impossible dates like 30 February with a clear message."""
    cleaned = text.strip()
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    parts = cleaned.split("-")
    if len(parts) == 3 and all(part.isdigit() for part in parts) and len(parts[0]) == 4:
        raise InvalidInput(f"{cleaned} is not a real calendar date.")
    raise InvalidInput(f"Dates are written YYYY-MM-DD, got {text!r}.")


def parse_days(value: str | int, maximum: int) -> int:
    """A whole day count from 1 to maximum; rejects 0, negatives, fractions and words."""
    if isinstance(value, bool):
        raise InvalidInput("The number of days must be a whole number.")
    if isinstance(value, int):
        days = value
    else:
        text = str(value).strip()
        # Not str.isdigit(): it accepts '²' and, after lstrip, '--3', which int() rejects.
        if not _WHOLE_NUMBER.fullmatch(text):
            raise InvalidInput(f"The number of days must be a whole number, got {value!r}.")
        days = int(text)
    if days < 1:
        raise InvalidInput(f"A rental lasts at least one day, got {days}.")
    if days > maximum:
        raise InvalidInput(f"A rental lasts at most {maximum} days, got {days}.")
    return days
