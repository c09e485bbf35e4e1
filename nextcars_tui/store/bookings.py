"""Booking queries: clashes through the partial indexes, listings paged in SQL, grid windows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, or_
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, col, select

from nextcars_tui.domain.parsing import plate_key
from nextcars_tui.domain.refs import booking_ref
from nextcars_tui.store.hot_path import (
    HotPath,
    columns_of,
    loaded,
    row,
    written,
)
from nextcars_tui.store.people import customer_matches, like_pattern, plate_matches
from nextcars_tui.store.row_locks import locked
from nextcars_tui.store.tables import PLATE_KEY_SQL, Booking, Car, Customer, Driver, Invoice

# One row of a listing: the booking with everything a clerk reads beside it.
BookingRow = tuple[Booking, Customer, Car, Driver, Invoice]

_SORTS: dict[str, Any] = {
    "ref": col(Booking.id),
    "start": col(Booking.start_date),
    "end": col(Booking.end_date),
    "status": col(Booking.status),
    # ix_booking_total (total_cents, id) hands these out in order.
    "total": col(Booking.total_cents),
    "created": col(Booking.created_at),
}


@dataclass(frozen=True)
class ParentSort:
    """Sorting bookings by a column of the customer, car or driver they name: by that column,
    the parent's id, then the booking's start date and id. A large listing is read parent by
    parent in that order, each parent's bookings through its (parent_id, start_date) index,
    instead of joining and sorting the whole history (seconds at a million bookings)."""

    table: Any
    column: Any
    foreign_key: Any


_PARENT_SORTS: dict[str, ParentSort] = {
    "customer": ParentSort(Customer, col(Customer.name), col(Booking.customer_id)),
    "car": ParentSort(Car, col(Car.plate), col(Booking.car_id)),
    "driver": ParentSort(Driver, col(Driver.code), col(Booking.driver_id)),
}
SORT_KEYS: tuple[str, ...] = (*_SORTS, *_PARENT_SORTS)
# Up to this many matching bookings, one joined query sorts them (a few milliseconds); past
# it, a parent sort reads parent by parent.
DIRECT_SORT_LIMIT = 5_000


@dataclass(frozen=True)
class BookingQuery:
    """Filters for a bookings listing; every field narrows, None means 'any'."""

    statuses: Sequence[str] | None = None
    car_id: int | None = None
    driver_id: int | None = None
    customer_id: int | None = None
    text: str = ""
    # The digits of `text` read as a phone number (domain.parsing.phone_digits), if it is one.
    phone_digits: str | None = None
    starts_from: date | None = None
    starts_before: date | None = None
    ends_after: date | None = None
    ends_before: date | None = None
    sort: str = "start"
    descending: bool = False
    limit: int = 100
    offset: int = 0


_SET_STATUS = "UPDATE booking SET status = ? WHERE id = ?"
# A booking with its customer, car, driver and invoice (BookingRow's order) for a change,
# straight to the driver; _HOLD_BY_REF first holds the booking on PostgreSQL, then the joined
# read holds the invoice (the store's lock order).
_ROW_TABLES: tuple[type[SQLModel], ...] = (Booking, Customer, Car, Driver, Invoice)
_ROW_BY_REF = (
    f"SELECT {', '.join(columns_of(model) for model in _ROW_TABLES)} FROM booking "
    "JOIN customer ON customer.id = booking.customer_id JOIN car ON car.id = booking.car_id "
    "JOIN driver ON driver.id = booking.driver_id "
    "JOIN invoice ON invoice.booking_id = booking.id WHERE booking.ref = ?"
)
_HOLD_BY_REF = "SELECT 1 FROM booking WHERE ref = ? FOR UPDATE"
_ROW_WIDTHS = tuple(len(model.__table__.columns) for model in _ROW_TABLES)  # type: ignore[attr-defined]
_BY_IDS = select(Booking).where(col(Booking.id).in_(bindparam("ids", expanding=True)))
_PARTY_TABLES: tuple[type[SQLModel], ...] = (Customer, Car, Driver)
_PARTY_COLUMNS = {
    model: [column.key for column in model.__table__.columns]  # type: ignore[attr-defined]
    for model in _PARTY_TABLES
}
_PARTY_KEYS = {
    Customer: "customer.email = ?",
    Car: f"{PLATE_KEY_SQL} = ?",
    Driver: "driver.code = ?",
}


def _lookup(models: Sequence[type[SQLModel]]) -> str:
    """One row holding the row of each model found by its key (NULLs where none is)."""
    return (
        "SELECT "
        + ", ".join(
            f"{model.__tablename__}.{key}" for model in models for key in _PARTY_COLUMNS[model]
        )
        + " FROM (SELECT 1) AS one"
        + "".join(f" LEFT JOIN {model.__tablename__} ON {_PARTY_KEYS[model]}" for model in models)
    )


_PARTIES = _lookup(_PARTY_TABLES)
_RESOURCES = _lookup((Car, Driver))

Parties = tuple[Customer | None, Car | None, Driver | None]


class BookingRepository:
    def __init__(self, session: Session, hot: HotPath) -> None:
        self._session = session
        self._hot = hot

    def parties(self, email: str, plate: str, code: str) -> Parties:
        """The customer, car and driver a booking names, in one statement; None where there
        is no such row. They are read-only snapshots, not tracked by the unit of work."""
        found = self._found(_PARTIES, _PARTY_TABLES, (email, plate_key(plate), code))
        return found[0], found[1], found[2]

    def resources(self, plate: str | None, code: str | None) -> tuple[Car | None, Driver | None]:
        """The car and driver a change names, in one statement; None where there is no such
        row or none is named. Read-only snapshots, like parties()."""
        params = (plate_key(plate) if plate is not None else None, code)
        found = self._found(_RESOURCES, (Car, Driver), params)
        return found[0], found[1]

    def _found(self, sql: str, models: Sequence[type[SQLModel]], params: tuple) -> list[Any]:
        rest = tuple(self._hot.execute(self._session, sql, params).fetchone())
        found: list[Any] = []
        for model in models:
            keys = _PARTY_COLUMNS[model]
            values, rest = dict(zip(keys, rest, strict=False)), rest[len(keys) :]
            found.append(None if values["id"] is None else row(model, **values))
        return found

    def hold(self, car_id: int, driver_id: int) -> None:
        """Keep other writers off this car and driver until the unit of work ends, so the
        clash check and the insert that follows see the same bookings."""
        self._hot.hold_resources(self._session, car_id, driver_id)

    def hold_many(self, car_ids: Sequence[int], driver_ids: Sequence[int]) -> bool:
        """hold() for several cars and drivers (a change, a block and its reassignments).
        True when what this unit of work read before may have changed meanwhile, so a plan
        made from it is to be checked again; False where the transaction has held the whole
        database from its first statement (SQLite)."""
        self._hot.hold_many(self._session, car_ids, driver_ids)
        return bool(self._hot.lock_rows)

    def next_number(self) -> int:
        """The next booking's number; its invoice takes the same one. Only in a write."""
        return self._hot.next_number(self._session, Booking.__table__)  # type: ignore[attr-defined]

    def add(self, booking: Booking) -> Booking:
        """INSERT the booking at once. The unit of work does not track the returned object:
        load the booking again (by_ref) to change it in the same unit of work."""
        values = {column: getattr(booking, column) for column in Booking.model_fields}
        number = self._hot.insert(self._session, Booking.__table__, values)  # type: ignore[attr-defined]
        if booking.id is None:
            booking.id = number
        return booking

    def save(self, booking: Booking) -> None:
        self._session.add(booking)

    def set_status(self, booking: Booking, status: str) -> None:
        """Write a new status at once (the payment path's confirm); the object, tracked or
        not, holds it afterwards without counting as changed."""
        self._hot.execute(self._session, _SET_STATUS, (status, booking.id))
        set_committed_value(booking, "status", status)

    def by_ids(self, ids: Sequence[int]) -> list[Booking]:
        """These bookings, by start date then id."""
        if not ids:
            return []
        found = self._session.exec(_BY_IDS, params={"ids": list(ids)})
        return sorted(found, key=lambda b: (b.start_date, b.id or 0))

    def by_ref(self, ref: str, *, lock: bool = False) -> Booking | None:
        """With lock, the row is held until the unit of work ends (PostgreSQL; SQLite's
        write transaction holds the whole database already) and read fresh."""
        return self._session.exec(locked(select(Booking).where(Booking.ref == ref), lock)).first()

    def direct_row(self, ref: str, *, lock: bool = False) -> BookingRow | None:
        """The booking with its customer, car, driver and invoice, straight to the driver (the
        change path): the objects are not tracked, so write through update(). With lock the
        booking and then its invoice are held until the unit of work ends, read fresh."""
        sql = _ROW_BY_REF
        if lock and self._hot.lock_rows:
            self._hot.execute(self._session, _HOLD_BY_REF, (ref,))
            sql += " FOR UPDATE OF invoice"
        found = self._hot.execute(self._session, sql, (ref,)).fetchone()
        if found is None:
            return None
        values, parts = tuple(found), []
        for model, width in zip(_ROW_TABLES, _ROW_WIDTHS, strict=True):
            parts.append(loaded(model, values[:width], self._session))
            values = values[width:]
        booking, customer, car, driver, invoice = parts
        return booking, customer, car, driver, invoice  # type: ignore[return-value]

    def held_row(self, ref: str, read: BookingRow) -> BookingRow | None:
        """direct_row with lock, for a row this unit of work read earlier without: where its
        transaction holds the whole database from the first statement (SQLite), that read is
        still fresh and comes back as it is."""
        if not self._hot.lock_rows:
            return read
        return self.direct_row(ref, lock=True)

    def update(self, booking: Booking, **values: Any) -> None:
        """Write these columns of a booking at once; the object holds them afterwards."""
        if values:
            self._hot.update(self._session, Booking.__table__, booking.id or 0, values)  # type: ignore[attr-defined]
            written(booking, values)

    def by_id(self, booking_id: int, *, lock: bool = False) -> Booking | None:
        query = locked(select(Booking).where(Booking.id == booking_id), lock)
        return self._session.exec(query).first()

    def row_by_ref(self, ref: str) -> BookingRow | None:
        return self._session.exec(_joined().where(Booking.ref == ref)).first()

    def row_by_ref_id(self, booking_id: int) -> BookingRow:
        return self._session.exec(_joined().where(Booking.id == booking_id)).one()

    def rows(self, query: BookingQuery, *, matches: int | None = None) -> list[BookingRow]:
        """One page of the listing in the query's order. `matches` (the count() of the same
        query, if the caller has it) lets a large parent sort read parent by parent."""
        parent = _PARENT_SORTS.get(query.sort)
        if parent is not None and matches is not None and matches > DIRECT_SORT_LIMIT:
            return self._by_parent(query, parent)
        statement = _filtered(_joined(), query)
        for term in _order(query):
            statement = statement.order_by(term)
        return list(self._session.exec(statement.limit(query.limit).offset(query.offset)))

    def _by_parent(self, query: BookingQuery, parent: ParentSort) -> list[BookingRow]:
        """The page walked parent by parent: each parent's matching bookings are counted
        (to skip the offset) or fetched in order until the page is full."""
        direction = (lambda term: term.desc()) if query.descending else (lambda term: term)
        parents = select(parent.table.id).order_by(
            direction(parent.column), direction(col(parent.table.id))
        )
        within = (direction(col(Booking.start_date)), direction(col(Booking.id)))
        to_skip, wanted, ids = query.offset, query.limit, []
        for (parent_id,) in self._session.execute(parents):
            mine = parent.foreign_key == parent_id
            if to_skip:
                counted = _filtered(select(func.count()).select_from(Booking), query)
                here = self._session.exec(counted.where(mine)).one()
                if here <= to_skip:
                    to_skip -= here
                    continue
            found = _filtered(select(Booking.id), query).where(mine).order_by(*within)
            page = self._session.exec(found.limit(wanted).offset(to_skip)).all()
            to_skip = 0
            ids.extend(page)
            wanted -= len(page)
            if wanted <= 0:
                break
        if not ids:
            return []
        fetched = self._session.exec(_joined().where(col(Booking.id).in_(ids)))
        by_id = {found[0].id: found for found in fetched}
        return [by_id[booking_id] for booking_id in ids]

    def count(self, query: BookingQuery) -> int:
        # Every filter is on booking's own columns, and the joins of a listing are on required
        # foreign keys, so counting the booking table alone gives the same number.
        statement = _filtered(select(func.count()).select_from(Booking), query)
        return self._session.exec(statement).one()

    def count_all(self) -> int:
        return self._session.exec(select(func.count()).select_from(Booking)).one()

    def longest_rental(self) -> int:
        return self._session.exec(select(func.max(Booking.days))).one() or 0

    def in_window(
        self,
        start: date,
        end: date,
        *,
        statuses: Sequence[str],
        car_ids: Sequence[int] | None = None,
        driver_ids: Sequence[int] | None = None,
    ) -> list[Booking]:
        """Bookings overlapping [start, end); bounded by the longest rental so the start index
        is used as a range instead of scanning all history."""
        earliest = start - timedelta(days=self.longest_rental())
        query = (
            select(Booking)
            .where(col(Booking.start_date) > earliest)
            .where(col(Booking.start_date) < end)
            .where(col(Booking.end_date) > start)
            .where(col(Booking.status).in_(list(statuses)))
        )
        if car_ids is not None:
            query = query.where(col(Booking.car_id).in_(list(car_ids)))
        if driver_ids is not None:
            query = query.where(col(Booking.driver_id).in_(list(driver_ids)))
        return list(self._session.exec(query))


def _order(query: BookingQuery) -> list[Any]:
    """ORDER BY terms of a listing; a parent sort orders exactly as _by_parent walks."""
    parent = _PARENT_SORTS.get(query.sort)
    if parent is not None:
        terms = [parent.column, col(parent.table.id), col(Booking.start_date), col(Booking.id)]
    else:
        terms = [_SORTS.get(query.sort, _SORTS["start"]), col(Booking.id)]
    return [term.desc() if query.descending else term.asc() for term in terms]


def _joined() -> Any:
    return (
        select(Booking, Customer, Car, Driver, Invoice)  # type: ignore[call-overload]
        .join(Customer, col(Customer.id) == Booking.customer_id)
        .join(Car, col(Car.id) == Booking.car_id)
        .join(Driver, col(Driver.id) == Booking.driver_id)
        .join(Invoice, col(Invoice.booking_id) == Booking.id)
    )


def _filtered(statement: Any, query: BookingQuery) -> Any:
    if query.statuses:
        statement = statement.where(col(Booking.status).in_(list(query.statuses)))
    if query.car_id is not None:
        statement = statement.where(Booking.car_id == query.car_id)
    if query.driver_id is not None:
        statement = statement.where(Booking.driver_id == query.driver_id)
    if query.customer_id is not None:
        statement = statement.where(Booking.customer_id == query.customer_id)
    if query.starts_from is not None:
        statement = statement.where(col(Booking.start_date) >= query.starts_from)
    if query.starts_before is not None:
        statement = statement.where(col(Booking.start_date) < query.starts_before)
    if query.ends_after is not None:
        statement = statement.where(col(Booking.end_date) > query.ends_after)
    if query.ends_before is not None:
        statement = statement.where(col(Booking.end_date) < query.ends_before)
    needle = query.text.strip()
    if needle:
        statement = statement.where(_matching(needle, query.phone_digits))
    return statement


_REF_TEXT = re.compile(r"(?i)(bk-?)?(\d{1,9})")


def _matching(needle: str, phone: str | None) -> Any:
    """Bookings whose ref, customer, car or driver matches the text.

    Customers, cars and drivers are matched in their own (small) tables first and bookings
    found by their indexed ids; a LIKE over the joined booking history would read all of it.
    """
    pattern = like_pattern(needle)
    conditions = [
        col(Booking.customer_id).in_(select(Customer.id).where(customer_matches(needle, phone))),
        col(Booking.car_id).in_(select(Car.id).where(plate_matches(needle))),
        col(Booking.driver_id).in_(
            select(Driver.id).where(
                or_(
                    col(Driver.code).ilike(pattern, escape="\\"),
                    col(Driver.name).ilike(pattern, escape="\\"),
                )
            )
        ),
    ]
    ref = _REF_TEXT.fullmatch(needle)
    if ref is not None:
        conditions.append(_ref_condition(ref.group(1) is not None, ref.group(2)))
    return or_(*conditions)


def _ref_condition(prefixed: bool, digits: str) -> Any:
    """'BK-0005' is the start of refs BK-000500…; bare digits are one booking's number."""
    if not prefixed:
        return col(Booking.ref) == booking_ref(int(digits))
    start = f"BK-{digits}"
    after = start[:-1] + chr(ord(start[-1]) + 1)
    return and_(col(Booking.ref) >= start, col(Booking.ref) < after)
