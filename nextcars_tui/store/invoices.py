"""Invoices and their append-only ledger entries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from nextcars_tui.domain.ledger import EntryKind, Figures, figures_of
from nextcars_tui.store.hot_path import HotPath, columns_of, loaded, written
from nextcars_tui.store.row_locks import locked
from nextcars_tui.store.tables import Booking, Customer, Invoice, LedgerEntry

InvoiceRow = tuple[Invoice, Booking, Customer]
SUMS_SQL = "SELECT kind, sum(amount_cents) FROM ledger_entry WHERE invoice_id = ? GROUP BY kind"
_HOLD_BOOKING = (
    "SELECT 1 FROM booking WHERE id = (SELECT booking_id FROM invoice WHERE ref = ?) FOR UPDATE"
)
INVOICE_ROW_SQL = (
    f"SELECT {columns_of(Invoice)}, {columns_of(Booking)}, {columns_of(Customer)} FROM invoice "
    "JOIN booking ON booking.id = invoice.booking_id "
    "JOIN customer ON customer.id = booking.customer_id WHERE invoice.ref = ?"
)
SET_FIGURES_SQL = "UPDATE invoice SET amount_cents = ?, paid_cents = ?, status = ? WHERE id = ?"
_WIDTHS = (
    len(Invoice.__table__.columns),  # type: ignore[attr-defined]
    len(Booking.__table__.columns),  # type: ignore[attr-defined]
)


class InvoiceRepository:
    def __init__(self, session: Session, hot: HotPath) -> None:
        self._session = session
        self._hot = hot

    def add(self, invoice: Invoice) -> Invoice:
        """INSERT the invoice at once (see BookingRepository.add): not tracked afterwards."""
        values = {column: getattr(invoice, column) for column in Invoice.model_fields}
        number = self._hot.insert(self._session, Invoice.__table__, values)  # type: ignore[attr-defined]
        if invoice.id is None:
            invoice.id = number
        return invoice

    def save(self, invoice: Invoice) -> None:
        self._session.add(invoice)

    def by_ref(self, ref: str, *, lock: bool = False) -> Invoice | None:
        """With lock, held until the unit of work ends and read fresh; lock a booking
        before its invoice, always, so two writers never wait on each other."""
        return self._session.exec(locked(select(Invoice).where(Invoice.ref == ref), lock)).first()

    def for_booking(self, booking_id: int, *, lock: bool = False) -> Invoice | None:
        query = locked(select(Invoice).where(Invoice.booking_id == booking_id), lock)
        return self._session.exec(query).first()

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
        ids = list(self._session.exec(chosen.limit(limit).offset(offset)))
        if not ids:
            return []
        fetched = self._session.exec(_joined().where(col(Invoice.id).in_(ids)))
        by_id = {found[0].id: found for found in fetched}
        return [by_id[invoice_id] for invoice_id in ids]

    def count(
        self, *, statuses: Sequence[str] | None = None, customer_id: int | None = None
    ) -> int:
        # Every invoice has its booking, so only a customer filter needs the join.
        statement = select(func.count()).select_from(Invoice)
        if customer_id is not None:
            statement = statement.join(Booking, col(Booking.id) == Invoice.booking_id)
        return self._session.exec(self._filtered(statement, statuses, customer_id)).one()

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
        return [(due, int(owed), int(n)) for due, owed, n in self._session.exec(query)]

    def owed_by_customer(
        self, statuses: Sequence[str], limit: int
    ) -> list[tuple[Customer, int, int]]:
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
            select(Customer, grouped.c.owed, grouped.c.invoices)
            .join(grouped, grouped.c.customer_id == Customer.id)
            .order_by(grouped.c.owed.desc(), col(Customer.email))
            .limit(limit)
        )
        return [(who, int(cents), int(n)) for who, cents, n in self._session.exec(query)]

    @staticmethod
    def _filtered(statement: Any, statuses: Sequence[str] | None, customer_id: int | None) -> Any:
        if statuses:
            statement = statement.where(col(Invoice.status).in_(list(statuses)))
        if customer_id is not None:
            statement = statement.where(Booking.customer_id == customer_id)
        return statement

    def row_by_ref(self, ref: str) -> InvoiceRow | None:
        return self._session.exec(_joined().where(Invoice.ref == ref)).first()

    def held(self, ref: str) -> InvoiceRow | None:
        """The invoice with its booking and customer, for money to move: the booking and then
        the invoice held until the unit of work ends (the store's lock order), read fresh.
        Straight to the driver (the payment path): the rows are not tracked, so change them
        through set_figures and BookingRepository.set_status."""
        sql = INVOICE_ROW_SQL
        if self._hot.lock_rows:
            self._hot.execute(self._session, _HOLD_BOOKING, (ref,))
            sql += " FOR UPDATE OF invoice"
        found = self._hot.execute(self._session, sql, (ref,)).fetchone()
        if found is None:
            return None
        values = tuple(found)
        first, second = _WIDTHS[0], _WIDTHS[0] + _WIDTHS[1]
        return (
            loaded(Invoice, values[:first], self._session),
            loaded(Booking, values[first:second], self._session),
            loaded(Customer, values[second:], self._session),
        )

    def set_figures(self, invoice: Invoice, figures: Figures, status: str) -> None:
        """Write the invoice's derived figures and status at once; the object (tracked or not)
        holds them afterwards without counting as changed."""
        params = (figures.amount_cents, figures.paid_cents, status, invoice.id)
        self._hot.execute(self._session, SET_FIGURES_SQL, params)
        for key, value in (
            ("amount_cents", figures.amount_cents),
            ("paid_cents", figures.paid_cents),
            ("status", status),
        ):
            set_committed_value(invoice, key, value)

    def update(self, invoice: Invoice, **values: Any) -> None:
        """Write these columns of an invoice at once; the object holds them afterwards."""
        if values:
            self._hot.update(self._session, Invoice.__table__, invoice.id or 0, values)  # type: ignore[attr-defined]
            written(invoice, values)

    def add_entries(self, entries: Sequence[LedgerEntry]) -> None:
        """INSERT ledger entries at once, in order, straight to the driver (they are on the
        booking and payment paths, and never changed afterwards)."""
        table = LedgerEntry.__table__  # type: ignore[attr-defined]
        for entry in entries:
            values = {column: getattr(entry, column) for column in LedgerEntry.model_fields}
            self._hot.insert(self._session, table, values)

    def entries(self, invoice_id: int) -> list[LedgerEntry]:
        """An invoice's statement, in the order the entries were written."""
        query = (
            select(LedgerEntry)
            .where(LedgerEntry.invoice_id == invoice_id)
            .order_by(col(LedgerEntry.id))
        )
        return list(self._session.exec(query))

    def figures(self, invoice_id: int) -> Figures:
        """The invoice's figures summed from its entries (one invoice's, through an index)."""
        found = self._hot.execute(self._session, SUMS_SQL, (invoice_id,))
        return figures_of((kind, int(total)) for kind, total in found)

    def money_moved(self, kind: EntryKind, since: datetime, until: datetime) -> tuple[int, int]:
        """How many entries of one kind were written in [since, until), and their sum."""
        query = select(func.count(), func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.kind == kind.value,
            col(LedgerEntry.at) >= since,
            col(LedgerEntry.at) < until,
        )
        count, total = self._session.exec(query).one()
        return int(count), int(total)

    def owed_back(self) -> tuple[int, int]:
        """Invoices owing money back to customers (refund due), and how much in all."""
        query = select(
            func.count(), func.coalesce(func.sum(Invoice.paid_cents - Invoice.amount_cents), 0)
        ).where(Invoice.status == "refund_due")
        count, total = self._session.exec(query).one()
        return int(count), int(total)


def _joined() -> Any:
    return (
        select(Invoice, Booking, Customer)
        .join(Booking, col(Booking.id) == Invoice.booking_id)
        .join(Customer, col(Customer.id) == Booking.customer_id)
    )
