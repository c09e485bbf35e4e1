"""The booking and the part payment written straight against sqlite3: the floors the service
is held to.

A booking does the service's database work and nothing more: BEGIN IMMEDIATE, look up the
customer, car and driver by key, what holds the car or driver (occupancy), the next number,
insert booking, invoice, its two charge lines and the audit entry, COMMIT. A payment sends
the statements the service sends (PAYMENT_STATEMENTS). Each on its own connection with the
production pragmas.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from nextcars_tui.domain.ledger import EntryKind, Figures, figures_of, invoice_status
from nextcars_tui.domain.money import cents_to_text, format_money
from nextcars_tui.domain.parsing import plate_key
from nextcars_tui.domain.refs import booking_ref, invoice_ref
from nextcars_tui.store import BookingRecord, CustomerRecord, InvoiceRecord
from nextcars_tui.store.invoices import INVOICE_ROW_SQL, SET_FIGURES_SQL, SUMS_SQL
from nextcars_tui.store.occupancy import holding_sql
from nextcars_tui.store.sqlite.engine import BUSY_TIMEOUT_MS, PRAGMAS
from nextcars_tui.store.tables import OutboxMessage

# What holds the car or the driver on any of the days: the service's statement.
_HOLDS = holding_sql(2)
_INSERT_BOOKING = (
    "INSERT INTO booking (id, ref, customer_id, car_id, driver_id, start_date, days, end_date, "
    "car_daily_rate_cents, driver_daily_fee_cents, total_cents, status, created_at, created_by) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)"
)
_INSERT_INVOICE = (
    "INSERT INTO invoice (id, ref, booking_id, amount_cents, paid_cents, status, issued_at, "
    "due_date) VALUES (?, ?, ?, ?, 0, 'unpaid', ?, ?)"
)
_INSERT_AUDIT = "INSERT INTO audit_entry (at, actor, action, ref, detail) VALUES (?, ?, ?, ?, ?)"

INSERT_ENTRY = (
    "INSERT INTO ledger_entry (id, invoice_id, kind, amount_cents, method, description, "
    "reason, at, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_AUDIT = (
    "INSERT INTO audit_entry (id, at, actor, action, ref, detail) VALUES (?, ?, ?, ?, ?, ?)"
)
_OUTBOX_COLUMNS = [column.name for column in OutboxMessage.__table__.columns]  # type: ignore[attr-defined]
INSERT_OUTBOX = (
    f"INSERT INTO outbox ({', '.join(_OUTBOX_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _OUTBOX_COLUMNS)})"
)
# A further part payment on a confirmed booking's invoice, in the order the service sends
# them: the invoice with its booking and customer (held by the write transaction), the entry,
# the invoice's sums, its new figures, the audit entry, the customer's receipt in the outbox.
PAYMENT_STATEMENTS = (
    INVOICE_ROW_SQL,
    INSERT_ENTRY,
    SUMS_SQL,
    SET_FIGURES_SQL,
    INSERT_AUDIT,
    INSERT_OUTBOX,
)
# Where the columns the baseline needs sit in INVOICE_ROW_SQL's row (invoice, then booking).
_INVOICE_WIDTH = len(fields(InvoiceRecord))
_BOOKING_COLUMNS = [field.name for field in fields(BookingRecord)]
_BOOKING_STATUS = _INVOICE_WIDTH + _BOOKING_COLUMNS.index("status")
_BOOKING_REF = _INVOICE_WIDTH + _BOOKING_COLUMNS.index("ref")
_CUSTOMER_COLUMNS = [field.name for field in fields(CustomerRecord)]
_CUSTOMER_NAME = _INVOICE_WIDTH + len(_BOOKING_COLUMNS) + _CUSTOMER_COLUMNS.index("name")
_CUSTOMER_EMAIL = _INVOICE_WIDTH + len(_BOOKING_COLUMNS) + _CUSTOMER_COLUMNS.index("email")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _receipt(
    found: tuple, amount: int, method: str, figures: Figures, now: str, currency: str
) -> tuple:
    """The receipt's outbox row, with facts of the size the service writes."""

    def money(cents: int) -> str:
        return format_money(cents, currency)

    facts = {
        "business_name": "NextCars",
        "business_address": "",
        "customer_name": found[_CUSTOMER_NAME],
        "booking": found[_BOOKING_REF],
        "invoice": found[1],
        "amount": money(amount),
        "method": method,
        "invoice_amount": money(figures.amount_cents),
        "paid": money(figures.paid_cents),
        "balance": money(figures.balance_cents),
    }
    values = {
        "kind": "receipt",
        "to_address": found[_CUSTOMER_EMAIL],
        "subject": f"Receipt for your payment on invoice {found[1]}",
        "facts": json.dumps(facts, ensure_ascii=False, separators=(",", ":")),
        "booking_ref": found[_BOOKING_REF],
        "invoice_ref": found[1],
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "message_id": f"<{uuid.uuid4().hex}.receipt@nextcars.localhost>",
    }
    return tuple(values.get(column) for column in _OUTBOX_COLUMNS)


class RawBooking:
    """One connection, configured like the store's, that books with hand-written SQL."""

    def __init__(self, path: Path, *, invoice_due_days: int, currency: str) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        for pragma in PRAGMAS:
            self._conn.execute(pragma)
        self._due_days = invoice_due_days
        self._currency = currency

    def book(
        self, email: str, plate: str, code: str, start: date, days: int, actor: str
    ) -> str | None:
        """The new booking's ref, or None when the car or driver is taken (nothing written)."""
        conn, now = self._conn, _stamp(datetime.now(UTC))
        end = start + timedelta(days=days)
        conn.execute("BEGIN IMMEDIATE")
        try:
            customer = conn.execute(
                "SELECT id, email, name, phone FROM customer WHERE email = ?", (email,)
            ).fetchone()
            # Matched as the store matches a plate typed any way, through ix_car_plate_key.
            car = conn.execute(
                "SELECT id, plate, make, model, seats, daily_rate_cents FROM car "
                "WHERE replace(upper(plate), ' ', '') = ?",
                (plate_key(plate),),
            ).fetchone()
            driver = conn.execute(
                "SELECT id, code, name, phone, daily_fee_cents FROM driver WHERE code = ?", (code,)
            ).fetchone()
            span = (start.isoformat(), end.isoformat())
            # Overlap: starts before our end and ends after our start.
            held = conn.execute(
                _HOLDS, ("car", car[0], span[1], span[0], "driver", driver[0], span[1], span[0])
            ).fetchall()
            if held:
                conn.execute("ROLLBACK")
                return None
            number = conn.execute("SELECT max(id) FROM booking").fetchone()[0] + 1
            rate, fee = car[5], driver[4]
            total = days * (rate + fee)
            ref, iref = booking_ref(number), invoice_ref(number)
            conn.execute(
                _INSERT_BOOKING,
                (
                    number,
                    ref,
                    customer[0],
                    car[0],
                    driver[0],
                    span[0],
                    days,
                    span[1],
                    rate,
                    fee,
                    total,
                    now,
                    actor,
                ),
            )
            due = (end + timedelta(days=self._due_days)).isoformat()
            conn.execute(_INSERT_INVOICE, (number, iref, number, total, now, due))
            for what, each in ((f"Car {car[1]}", rate), (f"Driver {code}", fee)):
                if each:
                    line = f"{what}: {days} day(s) × {cents_to_text(each)}"
                    charge = (None, number, "charge", days * each, None, line, None, now, actor)
                    conn.execute(INSERT_ENTRY, charge)
            detail = (
                f"{plate} with {code} for {email}, {start}..{end}, "
                f"{format_money(total, self._currency)}; invoice {iref}"
            )
            conn.execute(_INSERT_AUDIT, (now, actor, "booked", ref, detail))
            conn.execute("COMMIT")
            return ref
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def pay(self, ref: str, amount: int, method: str, actor: str, today: date) -> int:
        """Take part of a confirmed booking's invoice; returns the balance left."""
        conn, now = self._conn, _stamp(datetime.now(UTC))
        conn.execute("BEGIN IMMEDIATE")
        try:
            found = conn.execute(INVOICE_ROW_SQL, (ref,)).fetchone()
            invoice_id, balance = found[0], found[3] - found[4]
            status, due, booking_status = found[5], found[7], found[_BOOKING_STATUS]
            if booking_status == "pending" or not 0 < amount <= balance:
                raise RuntimeError(f"{ref}: the baseline pays part of a confirmed balance only")
            paid = (None, invoice_id, EntryKind.PAYMENT.value, amount, method, "Payment", None)
            conn.execute(INSERT_ENTRY, (*paid, now, actor))
            figures = figures_of(conn.execute(SUMS_SQL, (invoice_id,)))
            after = invoice_status(figures, booking_status, date.fromisoformat(due), today)
            conn.execute(
                SET_FIGURES_SQL,
                (figures.amount_cents, figures.paid_cents, after.value, invoice_id),
            )
            detail = (
                f"{format_money(amount, self._currency)} by {method} (was {status}; "
                f"balance {format_money(figures.balance_cents, self._currency)})"
            )
            conn.execute(INSERT_AUDIT, (None, now, actor, "paid", ref, detail))
            conn.execute(
                INSERT_OUTBOX, _receipt(found, amount, method, figures, now, self._currency)
            )
            conn.execute("COMMIT")
            return figures.balance_cents
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._conn.close()
