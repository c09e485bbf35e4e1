"""What may be done to a booking or an invoice in its current state, each rule once.

Each `*_refusal` function returns why the action is not possible, or None when it is. The
services enforce them (raising NotAllowed with that reason); screens ask the same functions
to decide what to offer and what to say, instead of writing the rule again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from nextcars_tui.domain.statuses import (
    ACTIVE_BOOKING_STATUSES,
    BookingStatus,
    InvoiceStatus,
)

Money = Callable[[int], str]


def cancel_refusal(ref: str, status: str, start: date, today: date) -> str | None:
    """A pending or confirmed booking may be cancelled until its rental starts; after that it
    can be ended early or changed, which re-prices it through the ledger."""
    if status not in ACTIVE_BOOKING_STATUSES:
        return f"Booking {ref} is {status} and cannot be cancelled."
    if start <= today:
        return (
            f"Booking {ref} started on {start.isoformat()}; a rental under way cannot be "
            "cancelled (end it early instead)."
        )
    return None


def confirm_refusal(ref: str, status: str) -> str | None:
    """Only a pending booking may be confirmed (without payment: pay on account)."""
    if status != BookingStatus.PENDING:
        return f"Booking {ref} is {status}; only a pending booking can be confirmed."
    return None


_NOTHING_OWED = {
    InvoiceStatus.PAID: "is paid; nothing to take",
    InvoiceStatus.REFUND_DUE: "owes money back to the customer; nothing to take",
    InvoiceStatus.VOID: "is void (its booking was cancelled); nothing to take",
    InvoiceStatus.REFUNDED: "was refunded (its booking was cancelled); nothing to take",
}


def payment_refusal(
    ref: str, status: str, balance_cents: int, amount_cents: int | None = None, *, money: Money
) -> str | None:
    """Money is taken only while a balance is due, and never more than the balance: an
    overpayment is refused, not silently kept. Without an amount: may any payment be taken."""
    if balance_cents <= 0:
        reason = _NOTHING_OWED.get(InvoiceStatus(status), "has nothing due")
        return f"Invoice {ref} {reason}."
    if amount_cents is not None and amount_cents > balance_cents:
        return (
            f"Invoice {ref} has {money(balance_cents)} due; a payment of {money(amount_cents)} "
            "is more than that."
        )
    return None


def refund_refusal(
    ref: str, paid_cents: int, amount_cents: int | None = None, *, money: Money
) -> str | None:
    """Only money that was paid can be paid back, and never more than was paid."""
    if paid_cents <= 0:
        return f"Nothing has been paid on invoice {ref}; there is nothing to refund."
    if amount_cents is not None and amount_cents > paid_cents:
        return (
            f"Only {money(paid_cents)} has been paid on invoice {ref}; a refund of "
            f"{money(amount_cents)} is more than that."
        )
    return None


def adjustment_refusal(
    ref: str, amount_cents: int, change_cents: int, *, money: Money
) -> str | None:
    """A correction may lower what an invoice is for, but never below nothing."""
    if amount_cents + change_cents < 0:
        return (
            f"Invoice {ref} is for {money(amount_cents)}; an adjustment of "
            f"{money(change_cents)} would take it below zero."
        )
    return None


def retire_refusal(name: str, customer: bool, to_run: Sequence[str]) -> str | None:
    """What must happen before retiring: a customer's bookings to come run or are cancelled
    first (retiring them is refused); a car's or driver's bookings still to run move to
    another car or driver first ("reassign and retire" does it in one go)."""
    if not to_run:
        return None
    refs = ", ".join(to_run)
    if customer:
        return (
            f"{name} has bookings to come ({refs}); they must run or be cancelled before "
            "the customer is retired."
        )
    return (
        f"{name} still has bookings to run ({refs}); reassign and retire moves them to free "
        "replacements first, or change each booking."
    )


def retired_refusal(what: str, retired: bool) -> str | None:
    """A retired car, driver or customer stays in history but takes no new bookings."""
    return f"{what} is retired and takes no new bookings." if retired else None
