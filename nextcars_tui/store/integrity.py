"""Reads for `db check`: what the desk's invariants are checked against, straight from the
tables that hold the facts (bookings, blocks, invoices, ledger entries), never through the
figures and rows that are derived from them. Read-only; each read is one statement over an
index or one pass over a table, so a million bookings take seconds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Connection

from nextcars_tui.domain.errors import ResourceKind
from nextcars_tui.domain.holds import Hold
from nextcars_tui.domain.statuses import ACTIVE_BOOKING_STATUSES, BookingStatus
from nextcars_tui.store.hot_path import HotPath
from nextcars_tui.store.ledger_sql import entry_sums_sql, invoice_status_sql
from nextcars_tui.store.tables import Invoice

_ACTIVE = ", ".join(f"'{status.value}'" for status in ACTIVE_BOOKING_STATUSES)
# Each booking and block in force as what it holds, from their own tables (occupancy is
# what is checked against them): (kind, resource, start, end, ref, booking id).
_HOLDERS = (
    f"SELECT 'car', car_id, start_date, end_date, ref, id FROM booking WHERE status IN ({_ACTIVE}) "
    f"UNION ALL SELECT 'driver', driver_id, start_date, end_date, ref, id FROM booking "
    f"WHERE status IN ({_ACTIVE}) "
    "UNION ALL SELECT kind, coalesce(car_id, driver_id), start_date, end_date, ref, NULL "
    "FROM block WHERE removed_at IS NULL"
)
_WITHOUT_INVOICE = (
    "SELECT b.ref FROM booking AS b WHERE NOT EXISTS "
    "(SELECT 1 FROM invoice AS i WHERE i.booking_id = b.id) ORDER BY b.id"
)
_SHARED_INVOICES = (
    "SELECT b.ref, count(*) FROM invoice AS i JOIN booking AS b ON b.id = i.booking_id "
    "GROUP BY b.id, b.ref HAVING count(*) > 1 ORDER BY b.id"
)
_SUMS = "coalesce(s.{0}, 0)"
_STATUS_AS_OF = invoice_status_sql(
    billed=_SUMS.format("billed"),
    paid=_SUMS.format("paid"),
    refunded=_SUMS.format("refunded"),
    booking_status="b.status",
    due="i.due_date",
    today="{today}",
)
# An invoice's stored figures against its entries. Its status is right as the entries give it
# on its due date (before it can be overdue) or today (overdue is set by the lifecycle rules).
_CANCELLED = f"'{BookingStatus.CANCELLED.value}'"
# Each invoice and its booking against their entries, in one pass over the ledger: the
# invoice's figures and status; and, for a booking not cancelled, its total as its days and
# rates give it, billed as charges, with no cancellation fee.
_BOOKS = (
    "SELECT * FROM (SELECT i.id AS id, i.ref AS ref, b.ref AS booking, i.amount_cents AS amount, "
    f"i.paid_cents AS paid, i.status AS status, {_SUMS.format('billed')} AS billed, "
    f"{_SUMS.format('paid')} AS net_paid, "
    f"{_STATUS_AS_OF.format(today='i.due_date')} AS on_due, "
    f"{_STATUS_AS_OF.format(today='?')} AS now, "
    "b.status AS booking_status, b.total_cents AS total, "
    "b.days * (b.car_daily_rate_cents + b.driver_daily_fee_cents) AS priced, "
    f"{_SUMS.format('charged')} AS charged, {_SUMS.format('fees')} AS fees "
    "FROM invoice AS i JOIN booking AS b ON b.id = i.booking_id "
    f"LEFT JOIN ({entry_sums_sql()}) AS s ON s.invoice_id = i.id) AS f "
    "WHERE amount <> billed OR paid <> net_paid OR status NOT IN (on_due, now) "
    f"OR total <> priced OR (booking_status <> {_CANCELLED} AND (charged <> total OR fees > 0)) "
    "ORDER BY id"
)
_COMPLETED_EARLY = (
    f"SELECT ref FROM booking WHERE status = '{BookingStatus.COMPLETED.value}' "
    "AND end_date > ? ORDER BY id"
)
_STRAY_ENTRIES = (
    "SELECT e.invoice_id, count(*) FROM ledger_entry AS e "
    "WHERE NOT EXISTS (SELECT 1 FROM invoice AS i WHERE i.id = e.invoice_id) GROUP BY e.invoice_id"
)
_DUPLICATE_REFS = "SELECT ref, count(*) FROM {table} GROUP BY ref HAVING count(*) > 1 ORDER BY ref"
_DUE = Invoice.__table__.c.due_date  # type: ignore[attr-defined]
_KINDS = {kind.value: kind for kind in ResourceKind}


class BooksRow(NamedTuple):
    """An invoice and its booking as stored, beside what their entries give."""

    ref: str
    booking: str
    amount: int
    paid: int
    status: str
    billed: int
    net_paid: int
    status_on_due: str
    status_now: str
    booking_status: str
    total: int
    priced: int
    charged: int
    fees: int


class IntegrityReads:
    def __init__(self, connection: Connection, hot: HotPath) -> None:
        self._connection = connection
        self._hot = hot

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        return iter(self._hot.execute(self._connection, sql, params))

    def resource_keys(self) -> dict[tuple[str, int], str]:
        """Every car's plate and driver's code, by (kind, id), for messages."""
        found = self._rows(
            "SELECT 'car', id, plate FROM car UNION ALL SELECT 'driver', id, code FROM driver"
        )
        return {(kind, resource): key for kind, resource, key in found}

    def holders(self) -> list[Hold]:
        """What the bookings and blocks in force hold, read from their own tables."""
        day = self._hot.read_date
        return [
            Hold(_KINDS[kind], resource, day(start), day(end), ref, booking_id)
            for kind, resource, start, end, ref, booking_id in self._rows(_HOLDERS)
        ]

    def bookings_without_invoice(self) -> list[str]:
        return [ref for (ref,) in self._rows(_WITHOUT_INVOICE)]

    def bookings_with_invoices(self) -> list[tuple[str, int]]:
        """Bookings billed by more than one invoice, with how many."""
        return [(ref, int(count)) for ref, count in self._rows(_SHARED_INVOICES)]

    def books_off_their_ledger(self, today: date) -> list[BooksRow]:
        """Invoices whose amount, paid or status is not what their entries give, and
        bookings whose total is not their price or not what is charged for them."""
        wanted = self._hot.bind(_DUE, today)
        return [BooksRow(*found[1:]) for found in self._rows(_BOOKS, (wanted,))]

    def completed_before_their_end(self, today: date) -> list[str]:
        wanted = self._hot.bind(_DUE, today)
        return [ref for (ref,) in self._rows(_COMPLETED_EARLY, (wanted,))]

    def entries_without_invoice(self) -> list[tuple[int, int]]:
        return [(int(invoice), int(count)) for invoice, count in self._rows(_STRAY_ENTRIES)]

    def ends_not_start_plus_days(self) -> list[str]:
        """Bookings and blocks whose stored end is not their start plus their days."""
        end = self._hot.plus_days("start_date", "days")
        return [
            ref
            for table in ("booking", "block")
            for (ref,) in self._rows(f"SELECT ref FROM {table} WHERE end_date <> {end} ORDER BY id")
        ]

    def duplicate_refs(self) -> list[tuple[str, int]]:
        return [
            (ref, int(count))
            for table in ("booking", "invoice", "block")
            for ref, count in self._rows(_DUPLICATE_REFS.format(table=table))
        ]
