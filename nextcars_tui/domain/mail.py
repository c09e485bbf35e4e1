"""The rules of the outbox: what a message is, when it is retried, when reminders and run
sheets are due, and how a message is named. Plain Python: the clock is always passed in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from enum import StrEnum


class MessageKind(StrEnum):
    CONFIRMATION = "confirmation"
    CHANGE = "change"
    RECEIPT = "receipt"
    REFUND = "refund"
    CANCELLATION = "cancellation"
    INVOICE = "invoice"
    REMINDER = "reminder"
    RUN_SHEET = "run_sheet"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


# Messages that carry the rental as an .ics (one UID per booking, a growing SEQUENCE).
CALENDAR_KINDS = frozenset({MessageKind.CONFIRMATION, MessageKind.CHANGE, MessageKind.CANCELLATION})
# Messages that carry the invoice PDF, drawn when the message is sent.
INVOICE_KINDS = frozenset({MessageKind.INVOICE, MessageKind.REMINDER})

# Waits after the 1st, 2nd, … temporary failure; the last one repeats.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
)
# After this many temporary failures (about two days of trying) a message fails for good.
MAX_ATTEMPTS = 12
# A sender that claimed a message and went silent this long is taken to have died: another
# may claim it again (the only way to a duplicate, if the first had handed it over already).
CLAIM_TIMEOUT = timedelta(minutes=10)
DEFAULT_REMINDER_DAYS = (1, 7, 14)
DEFAULT_RUN_SHEET_TIME = "18:00"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th temporary failure (1 for the first)."""
    if attempts < 1:
        return timedelta(0)
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def gives_up(attempts: int) -> bool:
    """After this many temporary failures the message is marked failed."""
    return attempts >= MAX_ATTEMPTS


def is_permanent(code: int) -> bool:
    """An SMTP reply code that will not change by trying again (5xx); 4xx and anything
    else (a dropped connection) is temporary."""
    return 500 <= code <= 599


def reminder_step(due: date, today: date, reminder_days: Iterable[int]) -> int | None:
    """Which reminder falls today for a balance due on `due`: the number of days after the
    due date when today is one of the configured days, else None."""
    late = (today - due).days
    return late if late in set(reminder_days) else None


def reminder_due_dates(today: date, reminder_days: Iterable[int]) -> dict[date, int]:
    """The due dates whose reminder falls today, with the step each one is at."""
    return {today - timedelta(days=days): days for days in sorted(set(reminder_days))}


def parse_clock_time(text: str) -> time:
    """'18:00' as a time; ValueError when it is not HH:MM on a 24-hour clock."""
    hours, sep, minutes = text.partition(":")
    if not (sep and len(hours) == 2 and len(minutes) == 2 and (hours + minutes).isdigit()):
        raise ValueError(f"not HH:MM: {text!r}")
    return time(int(hours), int(minutes))


def run_sheet_day(local_now: datetime, sheet_time: time) -> date | None:
    """The day whose run sheets are due at this business-local moment: tomorrow, once the
    run-sheet time has come today; None before it."""
    if local_now.time() < sheet_time:
        return None
    return local_now.date() + timedelta(days=1)


def reminder_key(invoice_ref: str, step: int) -> str:
    """What makes a reminder unique: one per invoice and configured day, ever."""
    return f"reminder:{invoice_ref}:{step}"


def run_sheet_key(driver_code: str, day: date) -> str:
    return f"run_sheet:{driver_code}:{day.isoformat()}"


def message_id(token: str, domain: str) -> str:
    """The Message-ID a message keeps on every attempt, so a receiving system can tell a
    repeated delivery from a new message."""
    return f"<{token}@{domain}>"


def address_domain(address: str, fallback: str = "nextcars.localhost") -> str:
    """The domain of an address, for Message-IDs and calendar UIDs."""
    _, at, domain = address.rpartition("@")
    return domain if at and domain else fallback


def calendar_uid(booking_ref: str, domain: str) -> str:
    """One UID per booking, so a change replaces the event in the customer's calendar."""
    return f"{booking_ref.lower()}@{domain}"
