"""The outbox's rows: queued in the event's transaction, claimed by one sender at a time,
marked sent or failed; and the reads the lifecycle rules queue reminders and run sheets from.

Records are frozen copies: a sender holds one while it talks to the mail server, outside any
transaction, and writes what happened back by id and claim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from nextcars_tui.domain.mail import OutboxStatus
from nextcars_tui.domain.statuses import OWING_INVOICE_STATUSES, BookingStatus
from nextcars_tui.store.hot_path import HotPath
from nextcars_tui.store.tables import Booking, Car, Customer, Driver, Invoice, OutboxMessage

_TABLE: Any = OutboxMessage.__table__  # type: ignore[attr-defined]
_QUEUED = OutboxStatus.QUEUED.value
_ACTIVE = (BookingStatus.PENDING.value, BookingStatus.CONFIRMED.value)


@dataclass(frozen=True)
class OutboxRecord:
    id: int
    kind: str
    to_address: str
    subject: str
    facts: str
    booking_ref: str | None
    invoice_ref: str | None
    status: str
    attempts: int
    next_attempt_at: datetime
    claimed_by: str | None
    claimed_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    error: str | None
    message_id: str
    dedupe_key: str | None


_FIELDS = tuple(column.key for column in _TABLE.columns)
# A booking's messages of some kinds, through ix_outbox_booking; on the change path, so sent
# straight to the driver.
_CALENDAR_MESSAGES = "SELECT count(*) FROM outbox WHERE booking_ref = ? AND kind IN "


def _record(found: Any) -> OutboxRecord:
    return OutboxRecord(**{name: getattr(found, name) for name in _FIELDS})


@dataclass(frozen=True)
class ReminderCandidate:
    """An invoice with a balance due on one of the reminder days' due dates."""

    invoice_ref: str
    booking_ref: str
    due: date
    amount_cents: int
    paid_cents: int
    customer_email: str
    customer_name: str


@dataclass(frozen=True)
class DriverJob:
    """One booking a driver works on a given day, as the run sheet lists it."""

    driver_code: str
    driver_name: str
    driver_email: str
    booking_ref: str
    start: date
    end: date
    customer_name: str
    customer_phone: str
    car_plate: str
    car_name: str
    pickup_time: str | None
    pickup: str | None
    dropoff: str | None
    passengers: int | None
    notes: str | None


class OutboxRepository:
    def __init__(self, connection: Connection, hot: HotPath) -> None:
        self._connection = connection
        self._hot = hot

    # -- queueing ---------------------------------------------------------------------

    def add(self, values: Mapping[str, Any]) -> int:
        """INSERT one message at once, straight to the driver (it rides on a booking's or a
        payment's transaction); returns its id."""
        return self._hot.insert(self._connection, _TABLE, [values.get(key) for key in _FIELDS])

    def add_once(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """INSERT messages that carry a dedupe_key, leaving out any whose key is queued
        already (by this run or any other, whoever commits first); returns how many went in."""
        if not rows:
            return 0
        name = self._connection.dialect.name
        dialect_insert: Any = postgresql.insert if name == "postgresql" else sqlite.insert
        statement = dialect_insert(_TABLE).on_conflict_do_nothing(
            index_elements=["dedupe_key"], index_where=text("dedupe_key IS NOT NULL")
        )
        added = 0
        for values in rows:
            # The database numbers the row (an explicit NULL id is refused on PostgreSQL).
            row = {key: value for key, value in values.items() if key != "id"}
            result: Any = self._connection.execute(statement, [row])
            added += result.rowcount or 0
        return added

    def calendar_messages(self, booking_ref: str, kinds: Sequence[str]) -> int:
        """How many calendar messages a booking has had: the next one's SEQUENCE."""
        if not kinds:
            return 0
        sql = _CALENDAR_MESSAGES + f"({', '.join('?' for _ in kinds)})"
        found = self._hot.execute(self._connection, sql, (booking_ref, *kinds)).fetchone()
        return int(found[0])

    # -- claiming and settling ----------------------------------------------------------

    def claim(
        self,
        owner: str,
        now: datetime,
        stale_before: datetime,
        *,
        limit: int,
        due_only: bool = True,
    ) -> list[OutboxRecord]:
        """Claim up to `limit` queued messages (due ones, oldest first) for `owner`: each is
        claimed by one sender only, on both engines. The UPDATE checks again that a row is
        unclaimed (or its claim stale), so a sender that waited for another's claim skips
        the rows that one took; on PostgreSQL, SKIP LOCKED lets it take others instead."""
        free = or_(
            col(OutboxMessage.claimed_by).is_(None),
            col(OutboxMessage.claimed_at) < stale_before,
        )
        wanted = [col(OutboxMessage.status) == _QUEUED, free]
        if due_only:
            wanted.append(col(OutboxMessage.next_attempt_at) <= now)
        candidates = (
            select(col(OutboxMessage.id))
            .where(*wanted)
            .order_by(col(OutboxMessage.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = [found for (found,) in self._connection.execute(candidates)]
        if not ids:
            return []
        self._connection.execute(
            update(_TABLE)
            .where(col(OutboxMessage.id).in_(ids), col(OutboxMessage.status) == _QUEUED, free)
            .values(claimed_by=owner, claimed_at=now)
        )
        claimed = select(_TABLE).where(
            col(OutboxMessage.id).in_(ids),
            col(OutboxMessage.claimed_by) == owner,
            col(OutboxMessage.status) == _QUEUED,
        )
        return [
            _record(found)
            for found in self._connection.execute(claimed.order_by(col(OutboxMessage.id)))
        ]

    def _settle(self, message_id: int, owner: str, **values: Any) -> bool:
        """Write an attempt's outcome, if `owner` still holds the claim."""
        result: Any = self._connection.execute(
            update(_TABLE)
            .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.claimed_by) == owner)
            .values(claimed_by=None, claimed_at=None, **values)
        )
        return bool(result.rowcount)

    def mark_sent(self, message_id: int, owner: str, *, at: datetime, attempts: int) -> bool:
        return self._settle(
            message_id,
            owner,
            status=OutboxStatus.SENT.value,
            sent_at=at,
            attempts=attempts,
            error=None,
        )

    def mark_failed(self, message_id: int, owner: str, *, error: str, attempts: int) -> bool:
        return self._settle(
            message_id, owner, status=OutboxStatus.FAILED.value, error=error, attempts=attempts
        )

    def reschedule(
        self, message_id: int, owner: str, *, error: str, attempts: int, next_at: datetime
    ) -> bool:
        return self._settle(
            message_id, owner, error=error, attempts=attempts, next_attempt_at=next_at
        )

    def release(self, message_ids: Sequence[int], owner: str) -> None:
        """Give back claims on messages not tried, for the next sender."""
        if message_ids:
            self._connection.execute(
                update(_TABLE)
                .where(
                    col(OutboxMessage.id).in_(message_ids), col(OutboxMessage.claimed_by) == owner
                )
                .values(claimed_by=None, claimed_at=None)
            )

    def requeue(self, message_id: int, now: datetime) -> None:
        """A failed message queued again, due now, with a fresh count of attempts."""
        self._connection.execute(
            update(_TABLE)
            .where(col(OutboxMessage.id) == message_id)
            .values(
                status=_QUEUED, attempts=0, next_attempt_at=now, claimed_by=None, claimed_at=None
            )
        )

    # -- reading ------------------------------------------------------------------------

    def by_id(self, message_id: int, *, lock: bool = False) -> OutboxRecord | None:
        statement = select(_TABLE).where(col(OutboxMessage.id) == message_id)
        if lock:
            statement = statement.with_for_update()
        found = self._connection.execute(statement).first()
        return None if found is None else _record(found)

    def listing(
        self,
        *,
        statuses: Sequence[str] | None = None,
        booking_ref: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[OutboxRecord]:
        statement = select(_TABLE)
        if statuses:
            statement = statement.where(col(OutboxMessage.status).in_(statuses))
        if booking_ref is not None:
            statement = statement.where(col(OutboxMessage.booking_ref) == booking_ref)
        order = col(OutboxMessage.id).desc() if newest_first else col(OutboxMessage.id)
        statement = statement.order_by(order).offset(offset)
        if limit is not None:
            statement = statement.limit(limit)
        return [_record(found) for found in self._connection.execute(statement)]

    def counts(self) -> dict[str, int]:
        """Messages per status (every status, zeros included)."""
        statement = select(col(OutboxMessage.status), func.count()).group_by(
            col(OutboxMessage.status)
        )
        found = {status: 0 for status in OutboxStatus}
        for status, number in self._connection.execute(statement):
            found[OutboxStatus(status)] = int(number)
        return {status.value: number for status, number in found.items()}

    # -- what the lifecycle rules queue from ----------------------------------------------

    def reminder_candidates(self, due_dates: Sequence[date]) -> list[ReminderCandidate]:
        """Invoices with a balance still due, due on one of these dates, whose customer takes
        reminders (read through the due-date index)."""
        if not due_dates:
            return []
        owing = [status.value for status in OWING_INVOICE_STATUSES]
        statement = (
            select(
                col(Invoice.ref),
                col(Booking.ref),
                col(Invoice.due_date),
                col(Invoice.amount_cents),
                col(Invoice.paid_cents),
                col(Customer.email),
                col(Customer.name),
            )
            .join(Booking, col(Booking.id) == col(Invoice.booking_id))
            .join(Customer, col(Customer.id) == col(Booking.customer_id))
            .where(
                col(Invoice.due_date).in_(list(due_dates)),
                col(Invoice.status).in_(owing),
                col(Invoice.amount_cents) > col(Invoice.paid_cents),
                col(Customer.no_reminders).is_(False),
            )
            .order_by(col(Invoice.id))
        )
        return [ReminderCandidate(*found) for found in self._connection.execute(statement)]

    def jobs_on(self, day: date) -> list[DriverJob]:
        """Every active booking on `day` of a driver with an e-mail address, by driver, then
        pickup time and ref."""
        statement = (
            select(
                col(Driver.code),
                col(Driver.name),
                col(Driver.email),
                col(Booking.ref),
                col(Booking.start_date),
                col(Booking.end_date),
                col(Customer.name),
                col(Customer.phone),
                col(Car.plate),
                col(Car.make) + " " + col(Car.model),
                col(Booking.pickup_time),
                col(Booking.pickup),
                col(Booking.dropoff),
                col(Booking.passengers),
                col(Booking.notes),
            )
            .join(Driver, col(Driver.id) == col(Booking.driver_id))
            .join(Customer, col(Customer.id) == col(Booking.customer_id))
            .join(Car, col(Car.id) == col(Booking.car_id))
            .where(
                col(Booking.status).in_(_ACTIVE),
                col(Booking.start_date) <= day,
                col(Booking.end_date) > day,
                and_(col(Driver.email).is_not(None), col(Driver.email) != ""),
            )
        )
        rows: Any = self._connection.execute(statement)
        jobs = [DriverJob(*found) for found in rows]
        return sorted(
            jobs, key=lambda job: (job.driver_code, job.pickup_time or "", job.booking_ref)
        )
