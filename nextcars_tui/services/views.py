"""Plain, immutable results the services hand to the CLI and the TUI (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from nextcars_tui.domain import rules
from nextcars_tui.domain.pricing import Quote
from nextcars_tui.domain.statuses import BookingStatus, InvoiceStatus
from nextcars_tui.store.tables import Booking, Car, Customer, Driver, Invoice


@dataclass(frozen=True)
class InvoiceView:
    ref: str
    status: InvoiceStatus
    amount_cents: int
    due: date
    issued_at: datetime
    booking_ref: str
    customer_name: str
    customer_email: str

    @property
    def payable(self) -> bool:
        return self.payment_refusal is None

    @property
    def payment_refusal(self) -> str | None:
        """Why payment cannot be taken (domain.rules), or None while money is owed."""
        return rules.payment_refusal(self.ref, self.status, self.amount_cents)


@dataclass(frozen=True)
class BookingView:
    ref: str
    status: BookingStatus
    customer_email: str
    customer_name: str
    customer_phone: str
    car_plate: str
    car_name: str
    driver_code: str
    driver_name: str
    driver_phone: str
    start: date
    days: int
    end: date
    car_daily_rate_cents: int
    driver_daily_fee_cents: int
    total_cents: int
    created_at: datetime
    created_by: str
    cancel_reason: str | None
    invoice: InvoiceView

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def cancel_refusal(self, today: date) -> str | None:
        """Why this booking cannot be cancelled today (domain.rules), or None."""
        return rules.cancel_refusal(self.ref, self.status, self.end, today)

    @property
    def confirm_refusal(self) -> str | None:
        """Why this booking cannot be confirmed (domain.rules), or None."""
        return rules.confirm_refusal(self.ref, self.status)

    @property
    def quote(self) -> Quote:
        """The price as it was booked: days × (car rate + driver fee), from domain.pricing."""
        return Quote(self.days, self.car_daily_rate_cents, self.driver_daily_fee_cents)


@dataclass(frozen=True)
class PaymentView:
    amount_cents: int
    method: str
    taken_at: datetime
    taken_by: str


@dataclass(frozen=True)
class AuditView:
    at: datetime
    actor: str
    action: str
    ref: str
    detail: str


@dataclass(frozen=True)
class BookingDetail:
    booking: BookingView
    payments: list[PaymentView]
    history: list[AuditView]


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and the total the filters match, for 'rows 1–50 of 812'."""

    items: list[T]
    total: int
    offset: int = 0
    limit: int = 100
    extra: dict[str, int] = field(default_factory=dict)


def invoice_view(invoice: Invoice, booking: Booking, customer: Customer) -> InvoiceView:
    return InvoiceView(
        ref=invoice.ref,
        status=InvoiceStatus(invoice.status),
        amount_cents=invoice.amount_cents,
        due=invoice.due_date,
        issued_at=invoice.issued_at,
        booking_ref=booking.ref,
        customer_name=customer.name,
        customer_email=customer.email,
    )


def booking_view(
    booking: Booking, customer: Customer, car: Car, driver: Driver, invoice: Invoice
) -> BookingView:
    return BookingView(
        ref=booking.ref,
        status=BookingStatus(booking.status),
        customer_email=customer.email,
        customer_name=customer.name,
        customer_phone=customer.phone,
        car_plate=car.plate,
        car_name=f"{car.make} {car.model}",
        driver_code=driver.code,
        driver_name=driver.name,
        driver_phone=driver.phone,
        start=booking.start_date,
        days=booking.days,
        end=booking.end_date,
        car_daily_rate_cents=booking.car_daily_rate_cents,
        driver_daily_fee_cents=booking.driver_daily_fee_cents,
        total_cents=booking.total_cents,
        created_at=booking.created_at,
        created_by=booking.created_by,
        cancel_reason=booking.cancel_reason,
        invoice=invoice_view(invoice, booking, customer),
    )
