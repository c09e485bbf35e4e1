"""Invoices and their append-only ledger entries: issued with their first entries, posted to,
and read with their figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func
from sqlalchemy import select as select_columns
from sqlmodel import col, select

from nextcars_tui.domain.ledger import EntryKind, Figures, figures_of, invoice_status
from nextcars_tui.domain.statuses import InvoiceStatus
from nextcars_tui.store.hot_path import HotPath, columns_of
from nextcars_tui.store.records import (
    BookingRecord,
    CustomerRecord,
    InvoiceRecord,
    InvoiceRow,
    LedgerEntryRecord,
)
from nextcars_tui.store.table_rows import TableRows, split
from nextcars_tui.store.tables import Booking, Customer, Invoice, LedgerEntry, table_of

_INVOICE = table_of(Invoice)
_BOOKING = table_of(Booking)
_CUSTOMER = table_of(Customer)
_ENTRY = table_of(LedgerEntry)
_ROW_TABLES = (_INVOICE, _BOOKING, _CUSTOMER)
_ROW_RECORDS = (InvoiceRecord, BookingRecord, CustomerRecord)
_ROW_WIDTHS = tuple(len(table.columns) for table in _ROW_TABLES)

SUMS_SQL = "SELECT kind, sum(amount_cents) FROM ledger_entry WHERE invoice_id = ? GROUP BY kind"
# Held for money to move on PostgreSQL: the booking, then (the joined read) the invoice, in the
# store's lock order.
_HOLD_BOOKING = (
    "SELECT 1 FROM booking WHERE id = (SELECT booking_id FROM invoice WHERE ref = ?) FOR UPDATE"
)
INVOICE_ROW_SQL = (
    f"SELECT {columns_of(_INVOICE)}, {columns_of(_BOOKING)}, {columns_of(_CUSTOMER)} FROM invoice "
    "JOIN booking ON booking.id = invoice.booking_id "
    "JOIN customer ON customer.id = booking.customer_id WHERE invoice.ref = ?"
)
SET_FIGURES_SQL = "UPDATE invoice SET amount_cents = ?, paid_cents = ?, status = ? WHERE id = ?"
_SET_FIGURES_AND_DUE_SQL = (
    "UPDATE invoice SET amount_cents = ?, paid_cents = ?, status = ?, due_date = ? WHERE id = ?"
)
_DUE_DATE = _INVOICE.c.due_date


class InvoiceRepository:
    def __init__(self, connection: Connection, hot: HotPath) -> None:
        self._connection = connection
        self._hot = hot
        self._rows = TableRows(connection, hot, _INVOICE, InvoiceRecord)
        self._entries = TableRows(connection, hot, _ENTRY, LedgerEntryRecord)
        self._loaders = [hot.loader(t, r) for t, r in zip(_ROW_TABLES, _ROW_RECORDS, strict=True)]

    def issue(
        self,
        booking: BookingRecord,
        ref: str,
        *,
        issued_at: datetime,
        due_date: date,
        entries: Sequence[LedgerEntryRecord],
        today: date,
    ) -> InvoiceRecord:
        """INSERT the booking's invoice (numbered as the booking is) with its first entries,
        at once: its figures are what the entries add up to, its status what they give it
        (domain.ledger), so the two never disagree."""
        figures = figures_of((entry.kind, entry.amount_cents) for entry in entries)
        status = invoice_status(figures, booking.status, due_date, today)
        invoice = self._rows.insert(
            InvoiceRecord(
                booking.id,
                ref,
                booking.id or 0,
                figures.amount_cents,
                figures.paid_cents,
                status,
                issued_at,
                due_date,
            )
        )
        for entry in entries:
            self._entries.add(entry)
        return invoice

    def for_payment(self, ref: str) -> InvoiceRow | None:
        """The invoice with its booking and customer, for money to move: the booking and then
        the invoice held until the unit of work ends (the store's lock order), read as they
        are now."""
        sql = INVOICE_ROW_SQL
        if self._hot.locks_rows:
            self._hot.execute(self._connection, _HOLD_BOOKING, (ref,))
            sql += " FOR UPDATE OF invoice"
        found = self._hot.execute(self._connection, sql, (ref,)).fetchone()
        if found is None:
            return None
        return InvoiceRow(*split(found, self._loaders, _ROW_WIDTHS))

    def post(
        self,
        invoice: InvoiceRecord,
        booking_status: str,
        entries: Sequence[LedgerEntryRecord],
        today: date,
        *,
        due_date: date | None = None,
    ) -> InvoiceRecord:
        """Add entries to a held invoice and bring its figures and status up to date, as its
        whole ledger gives them (domain.ledger.invoice_status); the invoice afterwards. A
        `due_date` (a change's) is written in the same UPDATE and the status follows it."""
        for entry in entries:
            self._entries.add(entry)
        figures = self.figures(invoice.id or 0)
        due = invoice.due_date if due_date is None else due_date
        status = invoice_status(figures, booking_status, due, today)
        if due == invoice.due_date:
            params: tuple[Any, ...] = (figures.amount_cents, figures.paid_cents, status, invoice.id)
            self._hot.execute(self._connection, SET_FIGURES_SQL, params)
        else:
            day = self._hot.bind(_DUE_DATE, due)
            params = (figures.amount_cents, figures.paid_cents, status, day, invoice.id)
            self._hot.execute(self._connection, _SET_FIGURES_AND_DUE_SQL, params)
        return InvoiceRecord(
            invoice.id,
            invoice.ref,
            invoice.booking_id,
            figures.amount_cents,
            figures.paid_cents,
            status,
            invoice.issued_at,
            due,
        )

    def rows(
        self,
        *,
        statuses: Sequence[str] | None = None,
        customer_id: int | None = None,
        due_from: date | None = None,
        due_before: date | None = None,
        limit: int | None = 100,
        offset: int = 0,
        by_number: bool = False,
    ) -> list[InvoiceRow]:
        """Invoices by due date (or by number). The page's ids come first, from the invoice's
        own indexes (a status filter sorts only those ids), and only their rows are joined."""
        chosen = select(Invoice.id)
        if customer_id is not None:
            chosen = chosen.join(Booking, col(Booking.id) == Invoice.booking_id)
        chosen = self._filtered(chosen, statuses, customer_id)
        if due_from is not None:
            chosen = chosen.where(col(Invoice.due_date) >= due_from)
        if due_before is not None:
            chosen = chosen.where(col(Invoice.due_date) < due_before)
        order = [col(Invoice.id)] if by_number else [col(Invoice.due_date), col(Invoice.id)]
        chosen = chosen.order_by(*order)
        ids = list(self._connection.execute(chosen.limit(limit).offset(offset)).scalars())
        if not ids:
            return []
        fetched = _listed(self._connection.execute(_joined().where(col(Invoice.id).in_(ids))))
        by_id = {found.invoice.id: found for found in fetched}
        return [by_id[invoice_id] for invoice_id in ids]

    def count(
        self, *, statuses: Sequence[str] | None = None, customer_id: int | None = None
    ) -> int:
        # Every invoice has its booking, so only a customer filter needs the join.
        statement = select(func.count()).select_from(Invoice)
        if customer_id is not None:
            statement = statement.join(Booking, col(Booking.id) == Invoice.booking_id)
        return int(
            self._connection.execute(self._filtered(statement, statuses, customer_id)).scalar_one()
        )

    def owed_by_due_date(self, statuses: Sequence[str]) -> list[tuple[date, int, int]]:
        """(due date, balance, invoices) of the invoices in these statuses, per due date:
        summed in the database, so a report need not load every invoice."""
        query = (
            select(
                col(Invoice.due_date),
                func.sum(Invoice.amount_cents - Invoice.paid_cents),
                func.count(),
            )
            .where(col(Invoice.status).in_(list(statuses)))
            .group_by(col(Invoice.due_date))
        )
        return [(due, int(owed), int(n)) for due, owed, n in self._connection.execute(query)]

    def owed_by_customer(
        self, statuses: Sequence[str], limit: int
    ) -> list[tuple[CustomerRecord, int, int]]:
        """The customers owing most on invoices in these statuses: (customer, balance,
        invoices), most first; grouped before the customers' rows are read."""
        owed = func.sum(Invoice.amount_cents - Invoice.paid_cents).label("owed")
        grouped = (
            select(Booking.customer_id, owed, func.count().label("invoices"))
            .select_from(Invoice)
            .join(Booking, col(Booking.id) == Invoice.booking_id)
            .where(col(Invoice.status).in_(list(statuses)))
            .group_by(col(Booking.customer_id))
            .subquery()
        )
        query = (
            select_columns(*_CUSTOMER.columns, grouped.c.owed, grouped.c.invoices)
            .join(grouped, grouped.c.customer_id == Customer.id)
            .order_by(grouped.c.owed.desc(), col(Customer.email))
            .limit(limit)
        )
        width = _ROW_WIDTHS[2]
        return [
            (CustomerRecord(*found[:width]), int(found[width]), int(found[width + 1]))
            for found in self._connection.execute(query)
        ]

    def overdue_by_customer(self, customer_ids: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
        """These customers' overdue invoices as (status, balance), by customer id: read from
        each customer's bookings (their index) and the invoice each has."""
        if not customer_ids:
            return {}
        query = (
            select(Booking.customer_id, Invoice.status, Invoice.amount_cents - Invoice.paid_cents)
            .select_from(Booking)
            .join(Invoice, col(Invoice.booking_id) == Booking.id)
            .where(col(Booking.customer_id).in_(list(customer_ids)))
            .where(Invoice.status == InvoiceStatus.OVERDUE.value)
        )
        found: dict[int, list[tuple[str, int]]] = {}
        for customer_id, status, balance in self._connection.execute(query):
            found.setdefault(int(customer_id), []).append((str(status), int(balance)))
        return found

    @staticmethod
    def _filtered(statement: Any, statuses: Sequence[str] | None, customer_id: int | None) -> Any:
        if statuses:
            statement = statement.where(col(Invoice.status).in_(list(statuses)))
        if customer_id is not None:
            statement = statement.where(Booking.customer_id == customer_id)
        return statement

    def entries(self, invoice_id: int) -> list[LedgerEntryRecord]:
        """An invoice's statement, in the order the entries were written."""
        return self._entries.many(
            self._entries.select("invoice_id = ?") + " ORDER BY id", (invoice_id,)
        )

    def figures(self, invoice_id: int) -> Figures:
        """The invoice's figures summed from its entries (one invoice's, through an index)."""
        found = self._hot.execute(self._connection, SUMS_SQL, (invoice_id,))
        return figures_of((kind, int(total)) for kind, total in found)

    def money_moved(self, kind: EntryKind, since: datetime, until: datetime) -> tuple[int, int]:
        """How many entries of one kind were written in [since, until), and their sum."""
        query = select(func.count(), func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.kind == kind.value,
            col(LedgerEntry.at) >= since,
            col(LedgerEntry.at) < until,
        )
        count, total = self._connection.execute(query).one()
        return int(count), int(total)

    def owed_back(self) -> tuple[int, int]:
        """Invoices owing money back to customers (refund due), and how much in all."""
        query = select(
            func.count(), func.coalesce(func.sum(Invoice.paid_cents - Invoice.amount_cents), 0)
        ).where(Invoice.status == "refund_due")
        count, total = self._connection.execute(query).one()
        return int(count), int(total)


def _joined() -> Any:
    return (
        select_columns(*_INVOICE.columns, *_BOOKING.columns, *_CUSTOMER.columns)
        .select_from(_INVOICE)
        .join(Booking, col(Booking.id) == Invoice.booking_id)
        .join(Customer, col(Customer.id) == Booking.customer_id)
    )


def _listed(found: Any) -> list[InvoiceRow]:
    """A Core query's rows (values SQLAlchemy has converted) as InvoiceRows."""
    first, second = _ROW_WIDTHS[0], _ROW_WIDTHS[0] + _ROW_WIDTHS[1]
    return [
        InvoiceRow(
            InvoiceRecord(*values[:first]),
            BookingRecord(*values[first:second]),
            CustomerRecord(*values[second:]),
        )
        for values in found
    ]
