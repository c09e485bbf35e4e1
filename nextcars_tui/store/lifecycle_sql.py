"""Lifecycle updates: each rule lists its rows through an index, then changes exactly those."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, Date, bindparam, insert, text
from sqlmodel import Session

from nextcars_tui.domain.ledger import EntryKind
from nextcars_tui.domain.statuses import OWING_INVOICE_STATUSES, BookingStatus, InvoiceStatus
from nextcars_tui.store.hot_path import HotPath
from nextcars_tui.store.ledger_sql import invoice_status_sql, refunded_sql
from nextcars_tui.store.tables import AuditEntry
from nextcars_tui.store.types import UTCDateTime

_PENDING = f"'{BookingStatus.PENDING.value}'"
_CONFIRMED = f"'{BookingStatus.CONFIRMED.value}'"
# The rules' boundaries as the domain draws them: a hold created before the cutoff has waited
# longer than its time to live; a rental whose exclusive end is today or earlier has finished
# (domain.lifecycle.rental_finished); a balance due before today is late (past_due).
_STALE = f"status = {_PENDING} AND created_at < :cutoff"
_STALE_HOLD = f"b.status = {_PENDING} AND b.created_at < :cutoff"
_FINISHED = f"status = {_CONFIRMED} AND end_date <= :today"
_OWING_ON_TIME = ", ".join(
    f"'{status.value}'" for status in OWING_INVOICE_STATUSES if status != InvoiceStatus.OVERDUE
)
# A balance still due past its due date: the rental's, or a cancelled booking's unpaid fee.
# A hold that expires in the same run gets its invoice voided, never marked overdue.
_PAST_DUE = (
    f"invoice.status IN ({_OWING_ON_TIME}) AND invoice.due_date < :today AND EXISTS ("
    "SELECT 1 FROM booking AS b WHERE b.id = invoice.booking_id "
    f"AND NOT ({_STALE_HOLD}))"
)
_NOTHING_PAID = ", ".join(
    f"'{status.value}'"
    for status in (InvoiceStatus.UNPAID, InvoiceStatus.OVERDUE, InvoiceStatus.PAID)
)
# An expiring hold's invoice once its charges are reversed: for nothing, its booking cancelled.
_STATUS_EXPIRED = invoice_status_sql(
    billed="0",
    paid="invoice.paid_cents",
    refunded=refunded_sql("invoice.id"),
    booking_status=f"'{BookingStatus.CANCELLED.value}'",
    due="invoice.due_date",
    today=":today",
)
# What the listed invoices' figures make them now (domain.ledger.invoice_status).
_STATUS_NOW = invoice_status_sql(
    billed="invoice.amount_cents",
    paid="invoice.paid_cents",
    refunded=refunded_sql("invoice.id"),
    booking_status="(SELECT b.status FROM booking AS b WHERE b.id = invoice.booking_id)",
    due="invoice.due_date",
    today=":today",
)

_CUTOFF = bindparam("cutoff", type_=UTCDateTime)
_TODAY = bindparam("today", type_=Date)
# The updates change exactly the rows a run listed (and, on PostgreSQL, locked): a row that
# became a candidate after the listing waits for the next run, so each change has its entry.
_REFS: BindParameter[list[str]] = bindparam("refs", expanding=True)
_CHUNK = 5_000


def _sql(statement: str, *params: Any) -> Any:
    return text(statement).bindparams(*params)


class LifecycleQueries:
    """With lock=True a rule's candidate rows stay held until the run commits, so a confirm
    or checkout racing the run waits for it and then sees what it did (PostgreSQL)."""

    def __init__(self, session: Session, hot: HotPath) -> None:
        self._session = session
        self._hot = hot

    def _select(self, table: str, where: str, lock: bool) -> str:
        return f"SELECT id, ref FROM {table} WHERE {where}" + (self._hot.lock_rows if lock else "")

    def _refs(self, statement: Any, **values: Any) -> list[str]:
        """Refs in id order. Sorted here, not by ORDER BY id: for that SQLite would walk the
        whole table in rowid order instead of reading the few rows through the partial index."""
        rows = self._session.execute(statement, values)
        return [ref for _id, ref in sorted((row[0], row[1]) for row in rows)]

    def stale_pending(self, cutoff: datetime, *, lock: bool = False) -> list[str]:
        statement = _sql(self._select("booking", _STALE, lock), _CUTOFF)
        return self._refs(statement, cutoff=cutoff)

    def finished_confirmed(self, today: date, *, lock: bool = False) -> list[str]:
        statement = _sql(self._select("booking", _FINISHED, lock), _TODAY)
        return self._refs(statement, today=today)

    def past_due_unpaid(self, today: date, cutoff: datetime, *, lock: bool = False) -> list[str]:
        statement = _sql(self._select("invoice", _PAST_DUE, lock), _TODAY, _CUTOFF)
        return self._refs(statement, today=today, cutoff=cutoff)

    def _each_chunk(self, statement: Any, refs: list[str], **values: Any) -> None:
        """Run an update for the listed refs only, a bounded number at a time (SQLite limits
        the parameters of one statement)."""
        for start in range(0, len(refs), _CHUNK):
            self._session.execute(statement, {**values, "refs": refs[start : start + _CHUNK]})

    def expire(
        self,
        cutoff: datetime,
        reason: str,
        refs: list[str],
        *,
        today: date,
        at: datetime,
        actor: str,
    ) -> None:
        """Cancel the listed stale holds and void what they owed, in that order: each unpaid
        invoice's charges are reversed in the ledger (new entries), then it reads as its
        figures make it (void)."""
        # Unindexed status keeps SQLite from walking every unpaid and overdue invoice through
        # the status index; the few stale holds lead to their invoices by booking_id instead.
        status = self._hot.unindexed("invoice.status")
        unpaid = (
            # Nothing paid: unpaid or overdue, or a hold adjusted down to nothing ('paid').
            f"{status} IN ({_NOTHING_PAID}) AND invoice.paid_cents = 0 AND "
            "invoice.booking_id IN (SELECT b.id FROM booking AS b WHERE b.ref IN :refs "
            f"AND {_STALE_HOLD})"
        )
        reverse = _sql(
            "INSERT INTO ledger_entry "
            "(invoice_id, kind, amount_cents, method, description, reason, at, actor) "
            f"SELECT invoice.id, '{EntryKind.CHARGE.value}', -invoice.amount_cents, NULL, "
            "'Booking ' || booking.ref || ' expired: charges reversed', :reason, :at, :actor "
            "FROM invoice JOIN booking ON booking.id = invoice.booking_id "
            f"WHERE invoice.amount_cents <> 0 AND {unpaid} ORDER BY invoice.id",
            _CUTOFF,
            _REFS,
            bindparam("at", type_=UTCDateTime),
        )
        self._each_chunk(reverse, refs, cutoff=cutoff, reason=reason, at=at, actor=actor)
        void_invoices = _sql(
            f"UPDATE invoice SET status = {_STATUS_EXPIRED}, amount_cents = 0 WHERE {unpaid}",
            _CUTOFF,
            _TODAY,
            _REFS,
        )
        self._each_chunk(void_invoices, refs, cutoff=cutoff, today=today)
        cancel = _sql(
            f"UPDATE booking SET status = '{BookingStatus.CANCELLED.value}', "
            f"cancel_reason = :reason WHERE ref IN :refs AND {_STALE}",
            _CUTOFF,
            _REFS,
        )
        self._each_chunk(cancel, refs, cutoff=cutoff, reason=reason)

    def complete(self, today: date, refs: list[str]) -> None:
        statement = _sql(
            f"UPDATE booking SET status = '{BookingStatus.COMPLETED.value}' "
            f"WHERE ref IN :refs AND {_FINISHED}",
            _TODAY,
            _REFS,
        )
        self._each_chunk(statement, refs, today=today)

    def mark_overdue(self, today: date, cutoff: datetime, refs: list[str]) -> None:
        statement = _sql(
            f"UPDATE invoice SET status = {_STATUS_NOW} WHERE invoice.ref IN :refs AND {_PAST_DUE}",
            _TODAY,
            _CUTOFF,
            _REFS,
        )
        self._each_chunk(statement, refs, today=today, cutoff=cutoff)

    def audit(self, entries: list[dict[str, Any]]) -> None:
        if entries:
            self._session.execute(insert(AuditEntry), entries)
