"""How the desk writes dates, spans, money and statuses on screen."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from rich.text import Text

from nextcars_tui.domain.dates import describe_days

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
}


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLES.get(status, ""))


def span(start: date, end: date) -> str:
    return describe_days(start, end)


def short_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


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
