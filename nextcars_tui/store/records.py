"""What the store hands out: frozen records, one per table read as rows, their fields the
table's columns in table order (store.tables is the schema; these are its rows as values;
occupancy is read as domain Holds, a setting as its value).

A record is built positionally from the driver's row, so reading one costs little more than the
row itself; a change is a new record (dataclasses.replace) written by the repository that made
it. `id` is None only in a record not yet inserted: the repository returns it with its id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    id: int | None
    email: str
    name: str
    phone: str
    retired_at: datetime | None = None
    # Overdue-balance reminders are not sent to this customer.
    no_reminders: bool = False


@dataclass(frozen=True, slots=True)
class CarRecord:
    id: int | None
    plate: str
    make: str
    model: str
    seats: int
    daily_rate_cents: int
    retired_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DriverRecord:
    id: int | None
    code: str
    name: str
    phone: str
    daily_fee_cents: int
    retired_at: datetime | None = None
    # Where the next day's run sheet goes, if anywhere.
    email: str | None = None


@dataclass(frozen=True, slots=True)
class BookingRecord:
    id: int | None
    ref: str
    customer_id: int
    car_id: int
    driver_id: int
    start_date: date
    days: int
    end_date: date
    car_daily_rate_cents: int
    driver_daily_fee_cents: int
    total_cents: int
    status: str
    created_at: datetime
    created_by: str
    cancel_reason: str | None = None
    pickup_time: str | None = None
    pickup: str | None = None
    dropoff: str | None = None
    passengers: int | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class InvoiceRecord:
    id: int | None
    ref: str
    booking_id: int
    amount_cents: int
    paid_cents: int
    status: str
    issued_at: datetime
    due_date: date

    @property
    def balance_cents(self) -> int:
        """Still owed; negative when money is owed back."""
        return self.amount_cents - self.paid_cents


@dataclass(frozen=True, slots=True)
class LedgerEntryRecord:
    id: int | None
    invoice_id: int
    kind: str
    amount_cents: int
    method: str | None
    description: str
    reason: str | None
    at: datetime
    actor: str


@dataclass(frozen=True, slots=True)
class BlockRecord:
    id: int | None
    ref: str
    kind: str
    car_id: int | None
    driver_id: int | None
    start_date: date
    days: int
    end_date: date
    reason: str
    created_at: datetime
    created_by: str
    removed_at: datetime | None = None
    removed_by: str | None = None


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int | None
    username: str
    password_hash: str
    role: str
    driver_id: int | None = None
    customer_id: int | None = None
    failed_sign_ins: int = 0
    locked_until: datetime | None = None
    # A closed account: when, by whom and why (None while it may sign in).
    disabled_at: datetime | None = None
    disabled_by: str | None = None
    disabled_reason: str | None = None
    last_sign_in_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int | None
    at: datetime
    actor: str
    action: str
    ref: str
    detail: str = ""


class BookingRow(NamedTuple):
    """A booking with everything a clerk reads beside it."""

    booking: BookingRecord
    customer: CustomerRecord
    car: CarRecord
    driver: DriverRecord
    invoice: InvoiceRecord


class InvoiceRow(NamedTuple):
    """An invoice with the booking it bills and that booking's customer."""

    invoice: InvoiceRecord
    booking: BookingRecord
    customer: CustomerRecord


class BlockRow(NamedTuple):
    """A block with the car or the driver it holds (the other is None)."""

    block: BlockRecord
    car: CarRecord | None
    driver: DriverRecord | None
