"""The states a booking and its invoice move through, and which of them hold a car or driver."""

from __future__ import annotations

from enum import StrEnum


class BookingStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class InvoiceStatus(StrEnum):
    UNPAID = "unpaid"
    OVERDUE = "overdue"
    PAID = "paid"
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

# Payment can be taken only while money is owed.
PAYABLE_INVOICE_STATUSES: tuple[InvoiceStatus, ...] = (
    InvoiceStatus.UNPAID,
    InvoiceStatus.OVERDUE,
)

EXPIRED_REASON = "expired"


def invoice_status_after_cancel(status: InvoiceStatus) -> InvoiceStatus:
    """Cancelling voids what was owed and refunds what was paid."""
    if status == InvoiceStatus.PAID:
        return InvoiceStatus.REFUNDED
    if status in PAYABLE_INVOICE_STATUSES:
        return InvoiceStatus.VOID
    return status
