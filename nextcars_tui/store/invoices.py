"""Invoices and their append-only ledger entries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from nextcars_tui.domain.ledger import EntryKind, Figures, figures_of
from nextcars_tui.store.hot_path import HotPath
from nextcars_tui.store.row_locks import locked
from nextcars_tui.store.tables import Booking, Customer, Invoice, LedgerEntry

InvoiceRow = tuple[Invoice, Booking, Customer]


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
        limit: int = 100,
        offset: int = 0,
    ) -> list[InvoiceRow]:
        statement = self._filtered(_joined(), statuses, customer_id)
        if due_from is not None:
            statement = statement.where(col(Invoice.due_date) >= due_from)
        if due_before is not None:
            statement = statement.where(col(Invoice.due_date) < due_before)
        statement = statement.order_by(col(Invoice.due_date), col(Invoice.id))
        return list(self._session.exec(statement.limit(limit).offset(offset)))

    def count(
        self, *, statuses: Sequence[str] | None = None, customer_id: int | None = None
    ) -> int:
        statement = self._filtered(
            select(func.count())
            .select_from(Invoice)
            .join(Booking, col(Booking.id) == Invoice.booking_id),
            statuses,
            customer_id,
        )
        return self._session.exec(statement).one()

    @staticmethod
    def _filtered(statement: Any, statuses: Sequence[str] | None, customer_id: int | None) -> Any:
        if statuses:
            statement = statement.where(col(Invoice.status).in_(list(statuses)))
        if customer_id is not None:
            statement = statement.where(Booking.customer_id == customer_id)
        return statement

    def row_by_ref(self, ref: str) -> InvoiceRow | None:
        return self._session.exec(_joined().where(Invoice.ref == ref)).first()

    def add_entries(self, entries: Sequence[LedgerEntry]) -> None:
        """INSERT ledger entries at once, in order; they are never changed afterwards."""
        if entries:
            rows = [entry.model_dump(exclude={"id"}) for entry in entries]
            self._session.execute(insert(LedgerEntry), rows)

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
        query = (
            select(LedgerEntry.kind, func.sum(LedgerEntry.amount_cents))
            .where(LedgerEntry.invoice_id == invoice_id)
            .group_by(LedgerEntry.kind)
        )
        return figures_of((kind, int(total)) for kind, total in self._session.exec(query))

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
