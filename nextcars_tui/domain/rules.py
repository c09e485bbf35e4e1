"""What may be done to a booking or an invoice in its current state, each rule once.

Each `*_refusal` function returns why the action is not possible, or None when it is. The
services enforce them (raising NotAllowed with that reason); screens ask the same functions
to decide what to offer and what to say, instead of writing the rule again.
"""

from __future__ import annotations

from datetime import date

from nextcars_tui.domain.statuses import (
    ACTIVE_BOOKING_STATUSES,
    PAYABLE_INVOICE_STATUSES,
    BookingStatus,
    InvoiceStatus,
)


def cancel_refusal(ref: str, status: str, end: date, today: date) -> str | None:
    """A pending or confirmed booking may be cancelled until its end date (exclusive)."""
    if status not in ACTIVE_BOOKING_STATUSES:
        return f"Booking {ref} is {status} and cannot be cancelled."
    if end <= today:
        return f"Booking {ref} ended on {end.isoformat()}; it cannot be cancelled."
    return None


def may_cancel(status: str, end: date, today: date) -> bool:
    return cancel_refusal("", status, end, today) is None


def confirm_refusal(ref: str, status: str) -> str | None:
    """Only a pending booking may be confirmed (without payment: pay on account)."""
    if status != BookingStatus.PENDING:
        return f"Booking {ref} is {status}; only a pending booking can be confirmed."
    return None


def may_confirm(status: str) -> bool:
    return confirm_refusal("", status) is None


_NOTHING_OWED = {
    InvoiceStatus.PAID: "is paid; nothing to take",
    InvoiceStatus.VOID: "is void (its booking was cancelled); nothing to take",
    InvoiceStatus.REFUNDED: "was refunded (its booking was cancelled); nothing to take",
}


def payment_refusal(ref: str, status: str, amount_cents: int) -> str | None:
    """Payment is taken only while money is owed: an unpaid or overdue invoice for more than
    nothing (a zero invoice is settled by confirming the booking)."""
    if status not in PAYABLE_INVOICE_STATUSES:
        reason = _NOTHING_OWED.get(InvoiceStatus(status), f"is {status}")
        return f"Invoice {ref} {reason}."
    if amount_cents == 0:
        return f"Invoice {ref} is for nothing; confirm the booking instead."
    return None


def may_take_payment(status: str, amount_cents: int) -> bool:
    return payment_refusal("", status, amount_cents) is None
