"""Lifecycle updates: each rule lists its rows through an index, then changes exactly those."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from nextcars_tui.domain.ledger import EntryKind
from nextcars_tui.domain.statuses import OWING_INVOICE_STATUSES, BookingStatus, InvoiceStatus
from nextcars_tui.store.hot_path import HotPath
from nextcars_tui.store.ledger_sql import invoice_status_sql, refunded_sql
from nextcars_tui.store.tables import Booking, Invoice, LedgerEntry

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
# The columns whose types bind the rules' moments and days.
_CREATED_AT = Booking.__table__.c.created_at  # type: ignore[attr-defined]
_DUE_DATE = Invoice.__table__.c.due_date  # type: ignore[attr-defined]
_ENTRY_AT = LedgerEntry.__table__.c.at  # type: ignore[attr-defined]
# The updates change exactly the rows a run listed (and, on PostgreSQL, locked): a row that
# became a candidate after the listing waits for the next run, so each change has its entry.
# A bounded number at a time: SQLite limits the parameters of one statement.
_CHUNK = 5_000
_NAMED = re.compile(r"(?<![:\w]):([a-z_]+)\b")


@lru_cache(maxsize=32)
def _names(sql: str) -> tuple[str, tuple[str, ...]]:
    """The statement with `?` for each `:name`, and the names in order."""
    return _NAMED.sub("?", sql), tuple(_NAMED.findall(sql))


def _positional(sql: str, values: dict[str, Any]) -> tuple[str, list[Any]]:
    """`:name` parameters as positional ones; a list value (`IN (:refs)`) as one each."""
    text, names = _names(sql)
    pieces = text.split("?")
    out, params = [pieces[0]], []
    for name, piece in zip(names, pieces[1:], strict=True):
        value = values[name]
        if isinstance(value, list):
            out.append(", ".join("?" * len(value)))
            params.extend(value)
        else:
            out.append("?")
            params.append(value)
        out.append(piece)
    return "".join(out), params


class LifecycleQueries:
    """In a write unit of work a rule's candidate rows stay held until the run commits, so a
    confirm or checkout racing the run waits for it and then sees what it did (PostgreSQL)."""

    def __init__(self, connection: Connection, hot: HotPath, *, writing: bool) -> None:
        self._connection = connection
        self._hot = hot
        self._lock = hot.lock_rows if writing else ""

    def _run(self, sql: str, **values: Any) -> Any:
        text, params = _positional(sql, values)
        return self._hot.execute(self._connection, text, params)

    def _listed(self, table: str, where: str, **values: Any) -> list[str]:
        """Refs in id order. Sorted here, not by ORDER BY id: for that SQLite would walk the
        whole table in rowid order instead of reading the few rows through the partial index."""
        rows = self._run(f"SELECT id, ref FROM {table} WHERE {where}{self._lock}", **values)
        return [ref for _id, ref in sorted((row[0], row[1]) for row in rows)]

    def _moment(self, at: datetime) -> Any:
        return self._hot.bind(_CREATED_AT, at)

    def _day(self, day: date) -> Any:
        return self._hot.bind(_DUE_DATE, day)

    def stale_pending(self, cutoff: datetime) -> list[str]:
        return self._listed("booking", _STALE, cutoff=self._moment(cutoff))

    def finished_confirmed(self, today: date) -> list[str]:
        return self._listed("booking", _FINISHED, today=self._day(today))

    def past_due_unpaid(self, today: date, cutoff: datetime) -> list[str]:
        return self._listed(
            "invoice", _PAST_DUE, today=self._day(today), cutoff=self._moment(cutoff)
        )

    def _each_chunk(self, sql: str, refs: Sequence[str], **values: Any) -> None:
        """Run an update for the listed refs only, a bounded number at a time."""
        for start in range(0, len(refs), _CHUNK):
            self._run(sql, refs=list(refs[start : start + _CHUNK]), **values)

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
            "invoice.booking_id IN (SELECT b.id FROM booking AS b WHERE b.ref IN (:refs) "
            f"AND {_STALE_HOLD})"
        )
        moment = self._moment(cutoff)
        reverse = (
            "INSERT INTO ledger_entry "
            "(invoice_id, kind, amount_cents, method, description, reason, at, actor) "
            f"SELECT invoice.id, '{EntryKind.CHARGE.value}', -invoice.amount_cents, NULL, "
            "'Booking ' || booking.ref || ' expired: charges reversed', :reason, :at, :actor "
            "FROM invoice JOIN booking ON booking.id = invoice.booking_id "
            f"WHERE invoice.amount_cents <> 0 AND {unpaid} ORDER BY invoice.id"
        )
        written = self._hot.bind(_ENTRY_AT, at)
        self._each_chunk(reverse, refs, cutoff=moment, reason=reason, at=written, actor=actor)
        void_invoices = (
            f"UPDATE invoice SET status = {_STATUS_EXPIRED}, amount_cents = 0 WHERE {unpaid}"
        )
        self._each_chunk(void_invoices, refs, cutoff=moment, today=self._day(today))
        cancel = (
            f"UPDATE booking SET status = '{BookingStatus.CANCELLED.value}', "
            f"cancel_reason = :reason WHERE ref IN (:refs) AND {_STALE}"
        )
        self._each_chunk(cancel, refs, cutoff=moment, reason=reason)

    def complete(self, today: date, refs: list[str]) -> None:
        statement = (
            f"UPDATE booking SET status = '{BookingStatus.COMPLETED.value}' "
            f"WHERE ref IN (:refs) AND {_FINISHED}"
        )
        self._each_chunk(statement, refs, today=self._day(today))

    def mark_overdue(self, today: date, cutoff: datetime, refs: list[str]) -> None:
        statement = (
            f"UPDATE invoice SET status = {_STATUS_NOW} "
            f"WHERE invoice.ref IN (:refs) AND {_PAST_DUE}"
        )
        self._each_chunk(statement, refs, today=self._day(today), cutoff=self._moment(cutoff))
