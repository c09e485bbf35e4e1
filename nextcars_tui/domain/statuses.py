"""The states a booking and its invoice move through, and which of them hold a car or driver."""

from __future__ import annotations

from enum import StrEnum


class BookingStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class InvoiceStatus(StrEnum):
    """Derived from the invoice's ledger (domain.ledger.invoice_status), never set by hand."""

    UNPAID = "unpaid"
    PARTLY_PAID = "partly_paid"
    OVERDUE = "overdue"
    PAID = "paid"
    REFUND_DUE = "refund_due"
    VOID = "void"
    REFUNDED = "refunded"


class PaymentMethod(StrEnum):
    CARD = "card"
    CASH = "cash"
    TRANSFER = "transfer"


# What a person reads for each status: on cards, lists, toasts, dialogs and the CLI's text.
# Scripts (JSON, CSV) and the database keep the codes.
STATUS_LABELS: dict[str, str] = {
    BookingStatus.PENDING: "Pending",
    BookingStatus.CONFIRMED: "Confirmed",
    BookingStatus.COMPLETED: "Completed",
    BookingStatus.CANCELLED: "Cancelled",
    InvoiceStatus.UNPAID: "Unpaid",
    InvoiceStatus.PARTLY_PAID: "Partly paid",
    InvoiceStatus.OVERDUE: "Overdue",
    InvoiceStatus.PAID: "Paid",
    InvoiceStatus.REFUND_DUE: "Refund due",
    InvoiceStatus.VOID: "Void",
    InvoiceStatus.REFUNDED: "Refunded",
}


def status_label(status: str) -> str:
    """'Partly paid' for `partly_paid`: the words for a status standing alone (a card, a
    list's cell). An unknown code reads as itself, spaced, rather than failing a screen."""
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def status_words(status: str) -> str:
    """'partly paid': the status inside a sentence ("invoice INV-000003 is now refund due")."""
    return status_label(status).lower()


# Only these block the car and the driver; cancelled and completed bookings never do.
ACTIVE_BOOKING_STATUSES: tuple[BookingStatus, ...] = (
    BookingStatus.PENDING,
    BookingStatus.CONFIRMED,
)

# A balance is due: payment can be taken, and the lists age these by due date.
OWING_INVOICE_STATUSES: tuple[InvoiceStatus, ...] = (
    InvoiceStatus.UNPAID,
    InvoiceStatus.PARTLY_PAID,
    InvoiceStatus.OVERDUE,
)

# A day's run sheet: every rental that goes ahead, already finished ones included (a past
# day's sheet still lists its jobs); a cancelled booking (an expired hold too) has no job.
RUN_SHEET_BOOKING_STATUSES: tuple[BookingStatus, ...] = (
    BookingStatus.PENDING,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
)

EXPIRED_REASON = "expired"
