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
