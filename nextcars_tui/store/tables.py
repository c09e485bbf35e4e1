"""SQLModel tables. Money is integer cents; statuses are the domain enums' values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, Table, Text, false, func, literal_column, text
from sqlmodel import Field, SQLModel

from nextcars_tui.domain.ledger import EntryKind
from nextcars_tui.domain.mail import MessageKind, OutboxStatus
from nextcars_tui.domain.statuses import BookingStatus, InvoiceStatus, PaymentMethod
from nextcars_tui.store.types import UTCDateTime


def _one_of(column: str, values: type) -> str:
    listed = ", ".join(f"'{member.value}'" for member in values)  # type: ignore[attr-defined]
    return f"{column} IN ({listed})"


def _aware(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table a model defines (for SQL written against its columns)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


class Customer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=254)
    name: str = Field(max_length=120, index=True)
    phone: str = Field(max_length=32)
    # Retired: no new bookings, kept in history and reports.
    retired_at: datetime | None = _aware(default=None)
    # Asked not to be sent reminders of an overdue balance (other messages still go).
    no_reminders: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


# What a plate is matched on: upper case without spaces (domain.parsing.plate_key), indexed
# (ix_car_plate_key) so the booking path finds 'ce71rzw' as fast as 'CE71 RZW'.
PLATE_KEY_SQL = "replace(upper(car.plate), ' ', '')"
PLATE_KEY: Any = literal_column(PLATE_KEY_SQL)


class Car(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("daily_rate_cents >= 0", name="car_rate_not_negative"),
        CheckConstraint("seats BETWEEN 1 AND 60", name="car_seats_range"),
        Index("ix_car_plate_key", func.replace(func.upper(literal_column("plate")), " ", "")),
    )

    id: int | None = Field(default=None, primary_key=True)
    plate: str = Field(unique=True, max_length=16)
    make: str = Field(max_length=120)
    model: str = Field(max_length=120)
    seats: int
    daily_rate_cents: int
    retired_at: datetime | None = _aware(default=None)


class Driver(SQLModel, table=True):
    __table_args__ = (CheckConstraint("daily_fee_cents >= 0", name="driver_fee_not_negative"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=16)
    name: str = Field(max_length=120)
    phone: str = Field(max_length=32)
    daily_fee_cents: int
    retired_at: datetime | None = _aware(default=None)
    # Where the next day's run sheet goes; none, no run sheet.
    email: str | None = Field(default=None, max_length=254)


class Booking(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("days >= 1", name="booking_days_positive"),
        CheckConstraint("end_date > start_date", name="booking_end_after_start"),
        CheckConstraint(_one_of("status", BookingStatus), name="booking_status_known"),
        CheckConstraint("total_cents >= 0", name="booking_total_not_negative"),
        Index("ix_booking_start", "start_date"),
        Index("ix_booking_customer", "customer_id", "start_date"),
        Index("ix_booking_days", "days"),
        # One car's or one driver's bookings by date (lists filtered by car or driver).
        Index("ix_booking_car_start", "car_id", "start_date"),
        Index("ix_booking_driver_start", "driver_id", "start_date"),
        # The bookings list sorted by total, and filtered by status (revision 0003).
        Index("ix_booking_total", "total_cents", "id"),
        Index("ix_booking_status", "status", "start_date"),
        # The partial indexes (active bookings, pending holds, confirmed ends) are in the
        # Alembic revisions only: SQLite uses them when a query repeats their literal WHERE.
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True, max_length=16)
    customer_id: int = Field(foreign_key="customer.id")
    car_id: int = Field(foreign_key="car.id")
    driver_id: int = Field(foreign_key="driver.id")
    start_date: date
    days: int
    # Stored although derivable, so overlap checks and windows can use an index.
    end_date: date
    car_daily_rate_cents: int
    driver_daily_fee_cents: int
    total_cents: int
    status: str = Field(max_length=16)
    created_at: datetime = _aware()
    created_by: str = Field(max_length=64)
    cancel_reason: str | None = Field(default=None, max_length=500)
    # The job sheet: when and where the driver picks up, for whom, and what to know.
    pickup_time: str | None = Field(default=None, max_length=5)  # HH:MM, business time
    pickup: str | None = Field(default=None, max_length=200)
    dropoff: str | None = Field(default=None, max_length=200)
    passengers: int | None = None
    notes: str | None = Field(default=None, max_length=1000)


class Invoice(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_one_of("status", InvoiceStatus), name="invoice_status_known"),
        CheckConstraint("amount_cents >= 0", name="invoice_amount_not_negative"),
        CheckConstraint("paid_cents >= 0", name="invoice_paid_not_negative"),
        # Invoices by status and due date: the invoice lists and the overdue rule; with what
        # each owes and its booking, so the review's sums read the index alone.
        Index(
            "ix_invoice_status_due_owed",
            "status",
            "due_date",
            "amount_cents",
            "paid_cents",
            "booking_id",
        ),
        # All invoices by due date: the unfiltered list reads its first page from here.
        Index("ix_invoice_due", "due_date", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True, max_length=16)
    # Unique: exactly one invoice per booking.
    booking_id: int = Field(foreign_key="booking.id", unique=True)
    # Kept equal to the sums of the invoice's ledger entries, in the transaction that adds
    # them, so lists never sum the ledger: charges + fees + adjustments, and payments - refunds.
    amount_cents: int
    paid_cents: int = 0
    status: str = Field(max_length=16)
    issued_at: datetime = _aware()
    due_date: date


class LedgerEntry(SQLModel, table=True):
    """One money movement on an invoice; never changed or removed (database triggers)."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint(_one_of("kind", EntryKind), name="ledger_kind_known"),
        CheckConstraint(
            f"method IS NULL OR {_one_of('method', PaymentMethod)}", name="ledger_method_known"
        ),
        # Money moved has a method and a positive sum; billed lines have no method.
        CheckConstraint(
            "(kind IN ('payment', 'refund')) = (method IS NOT NULL)", name="ledger_method_iff_money"
        ),
        CheckConstraint(
            "kind NOT IN ('payment', 'refund') OR amount_cents > 0", name="ledger_money_positive"
        ),
        CheckConstraint(
            "kind <> 'adjustment' OR (amount_cents <> 0 AND reason IS NOT NULL)",
            name="ledger_adjustment_reasoned",
        ),
        # An invoice's statement, and its sums, in order.
        Index("ix_ledger_invoice", "invoice_id", "id"),
        # Money taken on a day (today's deposits).
        Index("ix_ledger_kind_at", "kind", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id")
    kind: str = Field(max_length=16)
    amount_cents: int
    method: str | None = Field(default=None, max_length=16)
    # What the line is, as printed on the invoice ("Car KX-204: 3 days × £45.00").
    description: str = Field(max_length=200)
    reason: str | None = Field(default=None, max_length=500)
    at: datetime = _aware()
    actor: str = Field(max_length=64)


class Block(SQLModel, table=True):
    """A car off the road or a driver off duty for an interval; holds the resource exactly
    as an active booking does while not removed (database triggers on both engines)."""

    __table_args__ = (
        CheckConstraint("kind IN ('car', 'driver')", name="block_kind_known"),
        CheckConstraint(
            "(kind = 'car') = (car_id IS NOT NULL) AND (kind = 'driver') = (driver_id IS NOT NULL)",
            name="block_one_resource",
        ),
        CheckConstraint("days >= 1", name="block_days_positive"),
        CheckConstraint("end_date > start_date", name="block_end_after_start"),
        Index("ix_block_car_start", "car_id", "start_date"),
        Index("ix_block_driver_start", "driver_id", "start_date"),
        Index("ix_block_start", "start_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True, max_length=16)
    kind: str = Field(max_length=8)
    car_id: int | None = Field(default=None, foreign_key="car.id")
    driver_id: int | None = Field(default=None, foreign_key="driver.id")
    start_date: date
    days: int
    end_date: date
    reason: str = Field(max_length=200)
    created_at: datetime = _aware()
    created_by: str = Field(max_length=64)
    # Unblocked: kept for the history, no longer holding anything.
    removed_at: datetime | None = _aware(default=None)
    removed_by: str | None = Field(default=None, max_length=64)


# SQLite keeps dates as text: the canonical form is what makes text order date order
# (revision 0007; PostgreSQL's date type needs no such CHECK).
CANONICAL_DATES_SQLITE = (
    "coalesce(date(start_date, '+0 days') = start_date, 0) AND "
    "coalesce(date(end_date, '+0 days') = end_date, 0)"
)


class Occupancy(SQLModel, table=True):
    """A car or a driver held for the days [start_date, end_date) by an active booking or a
    block: a row exists exactly while it holds. The database writes these rows itself
    (triggers on booking and block) and refuses two holds of one resource that overlap
    (EXCLUDE on PostgreSQL, triggers on SQLite), whoever writes."""

    __table_args__ = (
        CheckConstraint("kind IN ('car', 'driver')", name="occupancy_kind_known"),
        CheckConstraint("end_date > start_date", name="occupancy_end_after_start"),
        CheckConstraint("(booking_id IS NULL) <> (block_id IS NULL)", name="occupancy_one_holder"),
        CheckConstraint(CANONICAL_DATES_SQLITE, name="occupancy_dates_canonical").ddl_if(
            dialect="sqlite"
        ),
        Index("ix_occupancy_resource", "kind", "resource_id", "start_date"),
        Index("ix_occupancy_start", "start_date"),
        Index("ix_occupancy_booking", "booking_id"),
        Index("ix_occupancy_block", "block_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)
    # The car's or the driver's id, as `kind` says.
    resource_id: int
    start_date: date
    end_date: date
    booking_id: int | None = Field(default=None, foreign_key="booking.id", ondelete="CASCADE")
    block_id: int | None = Field(default=None, foreign_key="block.id", ondelete="CASCADE")


class OutboxMessage(SQLModel, table=True):
    """A message to a customer or driver, written in the transaction of the event that causes
    it and delivered later by a sender that claims it first (the transactional outbox).
    `facts` is what the templates need, as JSON, frozen when the event happened."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_one_of("kind", MessageKind), name="outbox_kind_known"),
        CheckConstraint(_one_of("status", OutboxStatus), name="outbox_status_known"),
        CheckConstraint("attempts >= 0", name="outbox_attempts_not_negative"),
        # What a sender claims next: queued, due, oldest first.
        Index("ix_outbox_due", "status", "next_attempt_at", "id"),
        # A booking's messages: its history, the next calendar SEQUENCE.
        Index("ix_outbox_booking", "booking_ref", "id"),
        # One reminder per invoice and day, one run sheet per driver and day. Partial, so the
        # messages without a key (most) cost the booking path no index entry.
        Index(
            "ux_outbox_dedupe",
            "dedupe_key",
            unique=True,
            sqlite_where=text("dedupe_key IS NOT NULL"),
            postgresql_where=text("dedupe_key IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    facts: str = Field(sa_type=Text)
    booking_ref: str | None = Field(default=None, max_length=16)
    invoice_ref: str | None = Field(default=None, max_length=16)
    status: str = Field(max_length=8)
    attempts: int = 0
    next_attempt_at: datetime = _aware()
    # The sender holding it, and since when: another sender leaves it alone meanwhile.
    claimed_by: str | None = Field(default=None, max_length=120)
    claimed_at: datetime | None = _aware(default=None)
    created_at: datetime = _aware()
    sent_at: datetime | None = _aware(default=None)
    # The server's reply to the last failed attempt.
    error: str | None = Field(default=None, max_length=1000)
    # The same on every attempt, so a repeated delivery can be told from a new message
    # (random, so unique without an index to keep).
    message_id: str = Field(max_length=200)
    # Set where an event may come round again (a reminder day, a run sheet's day): the
    # database refuses a second message for it (ux_outbox_dedupe).
    dedupe_key: str | None = Field(default=None, max_length=120)


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        CheckConstraint("role IN ('manager', 'staff', 'driver', 'customer')", name="user_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=32)
    password_hash: str = Field(max_length=256)
    role: str = Field(max_length=16)
    driver_id: int | None = Field(default=None, foreign_key="driver.id")
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    failed_sign_ins: int = 0
    locked_until: datetime | None = _aware(default=None)
    # A disabled account cannot sign in; the row stays, for the audit log and history.
    disabled_at: datetime | None = _aware(default=None)
    disabled_by: str | None = Field(default=None, max_length=64)
    disabled_reason: str | None = Field(default=None, max_length=500)
    last_sign_in_at: datetime | None = _aware(default=None)


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_ref", "ref", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _aware()
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32)
    ref: str = Field(max_length=32)
    detail: str = Field(default="", max_length=1000)


class Setting(SQLModel, table=True):
    """Small facts about the database itself, such as whether it holds demo data."""

    __tablename__ = "desk_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=1000)


__all__ = [
    "AuditEntry",
    "Block",
    "Booking",
    "Car",
    "Customer",
    "Driver",
    "Invoice",
    "LedgerEntry",
    "Occupancy",
    "OutboxMessage",
    "Setting",
    "User",
    "table_of",
]
