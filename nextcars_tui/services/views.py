"""Plain, immutable results the services hand to the CLI and the TUI (never store records)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from nextcars_tui.domain import rules
from nextcars_tui.domain.ledger import MONEY_KINDS, EntryKind, effect_on_balance
from nextcars_tui.domain.money import format_money
from nextcars_tui.domain.pricing import Quote
from nextcars_tui.domain.rules import Money
from nextcars_tui.domain.statuses import BookingStatus, InvoiceStatus, PaymentMethod
from nextcars_tui.store import (
    BookingRecord,
    CarRecord,
    CustomerRecord,
    DriverRecord,
    InvoiceRecord,
    LedgerEntryRecord,
)


@dataclass(frozen=True)
class InvoiceView:
    ref: str
    status: InvoiceStatus
    amount_cents: int
    paid_cents: int
    due: date
    issued_at: datetime
    booking_ref: str
    customer_name: str
    customer_email: str

    @property
    def balance_cents(self) -> int:
        """Still owed; negative when money is owed back."""
        return self.amount_cents - self.paid_cents

    def payment_refusal(self, money: Money, amount_cents: int | None = None) -> str | None:
        """Why this payment cannot be taken (domain.rules), or None while it fits the balance."""
        return rules.payment_refusal(
            self.ref, self.status, self.balance_cents, amount_cents, money=money
        )

    def refund_refusal(self, money: Money, amount_cents: int | None = None) -> str | None:
        """Why this refund cannot be paid out (domain.rules), or None."""
        return rules.refund_refusal(self.ref, self.paid_cents, amount_cents, money=money)

    @property
    def payable(self) -> bool:
        return self.balance_cents > 0 and self.payment_refusal(format_money) is None

    @property
    def refundable(self) -> bool:
        return self.refund_refusal(format_money) is None


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
    # The job sheet (None where not set).
    pickup_time: str | None = None
    pickup: str | None = None
    dropoff: str | None = None
    passengers: int | None = None
    notes: str | None = None

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def cancel_refusal(self, today: date) -> str | None:
        """Why this booking cannot be cancelled today (domain.rules), or None."""
        return rules.cancel_refusal(self.ref, self.status, self.start, today)

    @property
    def confirm_refusal(self) -> str | None:
        """Why this booking cannot be confirmed (domain.rules), or None."""
        return rules.confirm_refusal(self.ref, self.status)

    @property
    def quote(self) -> Quote:
        """The price as it was booked: days × (car rate + driver fee), from domain.pricing."""
        return Quote(self.days, self.car_daily_rate_cents, self.driver_daily_fee_cents)


@dataclass(frozen=True)
class DriverJobView:
    """A booking as its driver sees it: the car, whom to collect and how to reach them, the
    days and the job sheet. No money by construction: it has no amount, rate, invoice or
    payment field, so no screen can show a driver what the service never gave them."""

    ref: str
    status: BookingStatus
    customer_name: str
    customer_phone: str
    car_plate: str
    car_name: str
    driver_code: str
    driver_name: str
    start: date
    days: int
    end: date
    pickup_time: str | None = None
    pickup: str | None = None
    dropoff: str | None = None
    passengers: int | None = None
    notes: str | None = None

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


@dataclass(frozen=True)
class EntryView:
    """One line of an invoice's statement, with the balance after it."""

    kind: EntryKind
    amount_cents: int
    method: str | None
    description: str
    reason: str | None
    at: datetime
    by: str
    balance_after_cents: int

    @property
    def moves_money(self) -> bool:
        return self.kind in MONEY_KINDS


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
    # The invoice's statement (empty for a driver, who never sees money).
    entries: list[EntryView]
    history: list[AuditView]

    @property
    def last_payment_method(self) -> PaymentMethod | None:
        """How the customer last paid: where a refund most likely goes back to."""
        for line in reversed(self.entries):
            if line.kind == EntryKind.PAYMENT and line.method is not None:
                return PaymentMethod(line.method)
        return None


@dataclass(frozen=True)
class InvoiceStatement:
    """What the invoice document shows: the booking billed, every entry, and the tax part."""

    booking: BookingView
    entries: list[EntryView]
    tax_rate_basis_points: int
    tax_cents: int

    @property
    def invoice(self) -> InvoiceView:
        return self.booking.invoice


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and the total the filters match, for 'rows 1–50 of 812'."""

    items: list[T]
    total: int
    offset: int = 0
    limit: int = 100
    extra: dict[str, int] = field(default_factory=dict)


def invoice_view(
    invoice: InvoiceRecord, booking: BookingRecord, customer: CustomerRecord
) -> InvoiceView:
    return InvoiceView(
        ref=invoice.ref,
        status=InvoiceStatus(invoice.status),
        amount_cents=invoice.amount_cents,
        paid_cents=invoice.paid_cents,
        due=invoice.due_date,
        issued_at=invoice.issued_at,
        booking_ref=booking.ref,
        customer_name=customer.name,
        customer_email=customer.email,
    )


def booking_view(
    booking: BookingRecord,
    customer: CustomerRecord,
    car: CarRecord,
    driver: DriverRecord,
    invoice: InvoiceRecord,
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
        pickup_time=booking.pickup_time,
        pickup=booking.pickup,
        dropoff=booking.dropoff,
        passengers=booking.passengers,
        notes=booking.notes,
    )


def driver_job_view(
    booking: BookingRecord, customer: CustomerRecord, car: CarRecord, driver: DriverRecord
) -> DriverJobView:
    """A driver's job, built from the rows without the invoice: nothing to leak."""
    return DriverJobView(
        ref=booking.ref,
        status=BookingStatus(booking.status),
        customer_name=customer.name,
        customer_phone=customer.phone,
        car_plate=car.plate,
        car_name=f"{car.make} {car.model}",
        driver_code=driver.code,
        driver_name=driver.name,
        start=booking.start_date,
        days=booking.days,
        end=booking.end_date,
        pickup_time=booking.pickup_time,
        pickup=booking.pickup,
        dropoff=booking.dropoff,
        passengers=booking.passengers,
        notes=booking.notes,
    )


def statement(entries: list[LedgerEntryRecord]) -> list[EntryView]:
    """Entries in order, each with the running balance after it."""
    lines = []
    balance = 0
    for e in entries:
        balance += effect_on_balance(e.kind, e.amount_cents)
        lines.append(
            EntryView(
                kind=EntryKind(e.kind),
                amount_cents=e.amount_cents,
                method=e.method,
                description=e.description,
                reason=e.reason,
                at=e.at,
                by=e.actor,
                balance_after_cents=balance,
            )
        )
    return lines
