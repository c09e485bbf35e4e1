"""How the desk writes dates, spans, money and statuses on screen."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from rich.text import Text

from nextcars_tui.domain.dates import describe_days
from nextcars_tui.domain.statuses import status_label

# Colour *and* a distinct word style, so statuses read without colour too.
STATUS_STYLES: dict[str, str] = {
    "pending": "bold yellow",
    "confirmed": "bold green",
    "completed": "dim",
    "cancelled": "dim strike",
    "unpaid": "yellow",
    "overdue": "bold red",
    "paid": "green",
    "void": "dim strike",
    "refunded": "dim italic",
    "partly_paid": "italic yellow",
    "refund_due": "bold magenta",
}


def status_text(status: str) -> Text:
    """A status as its words ('Partly paid'), styled by its code."""
    return Text(status_label(status), style=STATUS_STYLES.get(status, ""))


def span(start: date, end: date, this_year: int | None = None) -> str:
    """The days [start, end) for a list: '3–5 Dec', '30 Nov–2 Dec', and across New Year
    '30 Dec–2 Jan 2027' (the year once: a rental is far shorter than a year); given
    `this_year`, days in another year say which: '3–5 Dec 2027'."""
    last = end - timedelta(days=1)
    if start.year != last.year:
        return f"{start.day} {start:%b}–{last.day} {last:%b %Y}"
    return describe_days(start, end, this_year)


def short_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def days_away(today: date, day: date) -> str:
    """How far a day other than today lies from it: 'tomorrow', 'in 3 days', 'yesterday',
    '3 days ago'."""
    ahead = (day - today).days
    if ahead in (1, -1):
        return "tomorrow" if ahead == 1 else "yesterday"
    return f"in {ahead} days" if ahead > 0 else f"{-ahead} days ago"


def time_left(until: datetime, now: datetime) -> str:
    left = until - now
    if left <= timedelta(0):
        return "expiring"
    hours, rest = divmod(int(left.total_seconds()), 3600)
    minutes = rest // 60
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def count(number: int, noun: str) -> str:
    """'1 pickup', '2 pickups'."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def money_cell(amount: str) -> Text:
    """An amount in a list: the desk's money format, right-aligned so the digits line up."""
    return Text(amount, justify="right")
