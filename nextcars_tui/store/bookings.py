"""Bookings: made, held for change and changed; listings paged in SQL, grid windows."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, and_, func, or_
from sqlalchemy import select as select_columns
from sqlmodel import col, select

from nextcars_tui.domain.parsing import plate_key
from nextcars_tui.domain.refs import booking_ref
from nextcars_tui.store.hot_path import HotPath, columns_of
from nextcars_tui.store.people import customer_matches, like_pattern, marks, plate_matches
from nextcars_tui.store.records import (
    BookingRecord,
    BookingRow,
    CarRecord,
    CustomerRecord,
    DriverRecord,
    InvoiceRecord,
)
from nextcars_tui.store.table_rows import TableRows, split
from nextcars_tui.store.tables import (
    PLATE_KEY_SQL,
    Booking,
    Car,
    Customer,
    Driver,
    Invoice,
    table_of,
)

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


# A booking with its customer, car, driver and invoice (BookingRow's order), straight to the
# driver, by the booking's ref or the invoice's.
_ROW_TABLES = tuple(table_of(model) for model in (Booking, Customer, Car, Driver, Invoice))
_ROW_RECORDS: tuple[type, ...] = (
    BookingRecord,
    CustomerRecord,
    CarRecord,
    DriverRecord,
    InvoiceRecord,
)
_ROW_SELECT = (
    f"SELECT {', '.join(columns_of(table) for table in _ROW_TABLES)} FROM booking "
    "JOIN customer ON customer.id = booking.customer_id JOIN car ON car.id = booking.car_id "
    "JOIN driver ON driver.id = booking.driver_id "
    "JOIN invoice ON invoice.booking_id = booking.id WHERE "
)
_ROW_BY_REF = _ROW_SELECT + "booking.ref = ?"
# SQLite bounds the parameters of one statement.
_REFS_A_STATEMENT = 500
_ROW_BY_INVOICE = _ROW_SELECT + "invoice.ref = ?"
# Held for change on PostgreSQL: the booking first, then (the joined read) its invoice, in
# the store's lock order (car, driver, booking, invoice, user).
_HOLD_BY_REF = "SELECT 1 FROM booking WHERE ref = ? FOR UPDATE"
_HELD_INVOICE = " FOR UPDATE OF invoice"
_ROW_WIDTHS = tuple(len(table.columns) for table in _ROW_TABLES)
_BOOKING: Table = _ROW_TABLES[0]
_PARTY_TABLES: tuple[Table, ...] = _ROW_TABLES[1:4]
_PARTY_KEYS = {
    "customer": "customer.email = ?",
    "car": f"{PLATE_KEY_SQL} = ?",
    "driver": "driver.code = ?",
}


def _lookup(tables: Sequence[Table]) -> str:
    """One row holding the row of each table found by its key (NULLs where none is)."""
    return (
        f"SELECT {', '.join(columns_of(table) for table in tables)} FROM (SELECT 1) AS one"
        + "".join(f" LEFT JOIN {table.name} ON {_PARTY_KEYS[table.name]}" for table in tables)
    )


_PARTIES = _lookup(_PARTY_TABLES)
_RESOURCES = _lookup(_PARTY_TABLES[1:])

Parties = tuple[CustomerRecord | None, CarRecord | None, DriverRecord | None]
# Picks the car and the driver a booking is to have, from the booking as it is.
Resolver = Callable[[BookingRow], tuple[CarRecord, DriverRecord]]


class HeldBooking(NamedTuple):
    """A booking held for change with its invoice: `row` as it is now, and the car and driver
    it is to have (its own unless a change picks others), held too."""

    row: BookingRow
    car: CarRecord
    driver: DriverRecord


class BookingRepository:
    def __init__(self, connection: Connection, hot: HotPath) -> None:
        self._connection = connection
        self._hot = hot
        self._rows = TableRows(connection, hot, _BOOKING, BookingRecord)
        self._loaders = [
            hot.loader(table, record)
            for table, record in zip(_ROW_TABLES, _ROW_RECORDS, strict=True)
        ]

    def parties(self, email: str, plate: str, code: str) -> Parties:
        """The customer, car and driver a booking names, in one statement; None where there
        is no such row."""
        customer, car, driver = self._found(_PARTIES, 1, (email, plate_key(plate), code))
        return customer, car, driver

    def resources(
        self, plate: str | None, code: str | None
    ) -> tuple[CarRecord | None, DriverRecord | None]:
        """The car and driver a change names, in one statement; None where there is no such
        row or none is named."""
        params = (plate_key(plate) if plate is not None else None, code)
        car, driver = self._found(_RESOURCES, 2, params)
        return car, driver

    def _found(self, sql: str, first: int, params: Sequence[Any]) -> list[Any]:
        values = self._hot.execute(self._connection, sql, params).fetchone()
        return split(values, self._loaders[first:4], _ROW_WIDTHS[first:4])

    def hold(self, car_id: int, driver_id: int) -> None:
        """Keep other writers off this car and driver until the unit of work ends, so the
        clash check and the insert that follows see the same holds."""
        self._hot.hold(self._connection, [car_id], [driver_id])

    def next_number(self) -> int:
        """The next booking's number; its invoice takes the same one. Only in a write."""
        return self._hot.next_number(self._connection, _BOOKING)

    def insert(self, booking: BookingRecord) -> BookingRecord:
        """INSERT the booking at once; the database's triggers make what it holds."""
        return self._rows.insert(booking)

    def change(self, booking: BookingRecord, **columns: Any) -> BookingRecord:
        """Write the columns that differ, at once; the booking as it is afterwards."""
        return self._rows.change(booking, **columns)

    def for_change(self, ref: str, resources: Resolver | None = None) -> HeldBooking | None:
        """The booking with its customer, car, driver and invoice, held until the unit of
        work ends with the invoice, and the car and driver `resources` picks for it (else its
        own) held too; None when there is no such booking. `resources` may run more than
        once: when the booking's own car or driver moved before it was held."""
        if resources is None:
            row = self._row(_ROW_BY_REF, ref, hold=True)
            return None if row is None else HeldBooking(row, row.car, row.driver)
        read = self._row(_ROW_BY_REF, ref, hold=False)
        while read is not None:
            car, driver = resources(read)
            self._hot.hold(self._connection, [car.id or 0], [driver.id or 0])
            if not self._hot.locks_rows:
                return HeldBooking(read, car, driver)
            held = self._row(_ROW_BY_REF, ref, hold=True)
            if held is None or _same_resources(held.booking, read.booking):
                return None if held is None else HeldBooking(held, car, driver)
            # Moved meanwhile (a block's reassignment): pick again from the booking as it
            # is now. Its row stays held, so this happens at most once.
            read = held
        return None

    def _row(self, sql: str, ref: str, *, hold: bool) -> BookingRow | None:
        """The joined row by `ref` (`sql` names which); with hold (by the booking's ref), the
        booking and then its invoice held, read as they are now."""
        if hold and self._hot.locks_rows:
            self._hot.execute(self._connection, _HOLD_BY_REF, (ref,))
            sql += _HELD_INVOICE
        found = self._hot.execute(self._connection, sql, (ref,)).fetchone()
        if found is None:
            return None
        return BookingRow(*split(found, self._loaders, _ROW_WIDTHS))

    def by_ids(self, ids: Sequence[int]) -> list[BookingRecord]:
        """These bookings, by start date then id."""
        if not ids:
            return []
        found = self._rows.many(self._rows.select(f"id IN ({marks(len(ids))})"), list(ids))
        return sorted(found, key=lambda b: (b.start_date, b.id or 0))

    def by_ref(self, ref: str) -> BookingRecord | None:
        return self._rows.one(self._rows.select("ref = ?"), (ref,))

    def row_by_ref(self, ref: str) -> BookingRow | None:
        return self._row(_ROW_BY_REF, ref, hold=False)

    def rows_by_refs(self, refs: Sequence[str]) -> list[BookingRow]:
        """These bookings with everything beside them, by id (a lifecycle run's completed
        rentals, whose invoices go out), a bounded number of refs a statement."""
        found: list[BookingRow] = []
        for start in range(0, len(refs), _REFS_A_STATEMENT):
            chunk = refs[start : start + _REFS_A_STATEMENT]
            marks = ", ".join("?" for _ in chunk)
            sql = _ROW_SELECT + f"booking.ref IN ({marks}) ORDER BY booking.id"
            found += [
                BookingRow(*split(values, self._loaders, _ROW_WIDTHS))
                for values in self._hot.execute(self._connection, sql, chunk)
            ]
        return found

    def row_by_invoice(self, invoice_ref: str) -> BookingRow | None:
        """The booking an invoice bills, with everything beside it."""
        return self._row(_ROW_BY_INVOICE, invoice_ref, hold=False)

    def rows(self, query: BookingQuery, *, matches: int | None = None) -> list[BookingRow]:
        """One page of the listing in the query's order. `matches` (the count() of the same
        query, if the caller has it) lets a large parent sort read parent by parent."""
        parent = _PARENT_SORTS.get(query.sort)
        if parent is not None and matches is not None and matches > DIRECT_SORT_LIMIT:
            return self._by_parent(query, parent)
        statement = _filtered(_joined(), query)
        for term in _order(query):
            statement = statement.order_by(term)
        return _listed(self._connection.execute(statement.limit(query.limit).offset(query.offset)))

    def _by_parent(self, query: BookingQuery, parent: ParentSort) -> list[BookingRow]:
        """The page walked parent by parent: each parent's matching bookings are counted
        (to skip the offset) or fetched in order until the page is full."""
        direction = (lambda term: term.desc()) if query.descending else (lambda term: term)
        parents = select(parent.table.id).order_by(
            direction(parent.column), direction(col(parent.table.id))
        )
        within = (direction(col(Booking.start_date)), direction(col(Booking.id)))
        to_skip, wanted = query.offset, query.limit
        ids: list[int] = []
        for (parent_id,) in self._connection.execute(parents):
            mine = parent.foreign_key == parent_id
            if to_skip:
                counted = _filtered(select(func.count()).select_from(Booking), query)
                here = self._connection.execute(counted.where(mine)).scalar_one()
                if here <= to_skip:
                    to_skip -= here
                    continue
            found = _filtered(select(Booking.id), query).where(mine).order_by(*within)
            page = self._connection.execute(found.limit(wanted).offset(to_skip)).scalars().all()
            to_skip = 0
            ids.extend(page)
            wanted -= len(page)
            if wanted <= 0:
                break
        if not ids:
            return []
        fetched = _listed(self._connection.execute(_joined().where(col(Booking.id).in_(ids))))
        by_id = {found.booking.id: found for found in fetched}
        return [by_id[booking_id] for booking_id in ids]

    def count(self, query: BookingQuery) -> int:
        # Every filter is on booking's own columns, and the joins of a listing are on required
        # foreign keys, so counting the booking table alone gives the same number.
        statement = _filtered(select(func.count()).select_from(Booking), query)
        return int(self._connection.execute(statement).scalar_one())

    def count_all(self) -> int:
        return int(self._rows.scalar("SELECT count(*) FROM booking"))

    def longest_rental(self) -> int:
        return int(self._rows.scalar("SELECT max(days) FROM booking") or 0)

    def in_window(
        self,
        start: date,
        end: date,
        *,
        statuses: Sequence[str],
        car_ids: Sequence[int] | None = None,
        driver_ids: Sequence[int] | None = None,
    ) -> list[BookingRecord]:
        """Bookings overlapping [start, end); bounded by the longest rental so the start index
        is used as a range instead of scanning all history."""
        earliest = start - timedelta(days=self.longest_rental())
        query = (
            select_columns(*_BOOKING.columns)
            .where(col(Booking.start_date) > earliest)
            .where(col(Booking.start_date) < end)
            .where(col(Booking.end_date) > start)
            .where(col(Booking.status).in_(list(statuses)))
        )
        if car_ids is not None:
            query = query.where(col(Booking.car_id).in_(list(car_ids)))
        if driver_ids is not None:
            query = query.where(col(Booking.driver_id).in_(list(driver_ids)))
        return [BookingRecord(*found) for found in self._connection.execute(query)]


def _same_resources(one: BookingRecord, other: BookingRecord) -> bool:
    return (one.car_id, one.driver_id) == (other.car_id, other.driver_id)


def _listed(found: Any) -> list[BookingRow]:
    """A Core listing's rows (values SQLAlchemy has converted) as BookingRows."""
    rows = []
    for values in found:
        records, start = [], 0
        for record, width in zip(_ROW_RECORDS, _ROW_WIDTHS, strict=True):
            records.append(record(*values[start : start + width]))
            start += width
        rows.append(BookingRow(*records))
    return rows


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
        select_columns(*(column for table in _ROW_TABLES for column in table.columns))
        .select_from(_BOOKING)
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


_REF_TEXT = re.compile(r"(?i)(bk-?|inv-?)?(\d{1,9})")


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
        prefix = (ref.group(1) or "").upper()
        if prefix.startswith("INV"):
            conditions.append(_invoice_ref_condition(ref.group(2)))
        else:
            conditions.append(_ref_condition(bool(prefix), ref.group(2)))
    return or_(*conditions)


def _ref_condition(prefixed: bool, digits: str) -> Any:
    """'BK-0005' is the start of refs BK-000500…; bare digits are one booking's number."""
    if not prefixed:
        return col(Booking.ref) == booking_ref(int(digits))
    return _starting(col(Booking.ref), f"BK-{digits}")


def _invoice_ref_condition(digits: str) -> Any:
    """'INV-0005' finds the bookings billed by invoices INV-000500…, through the unique
    index on invoice refs."""
    billed = select(Invoice.booking_id).where(_starting(col(Invoice.ref), f"INV-{digits}"))
    return col(Booking.id).in_(billed)


def _starting(column: Any, start: str) -> Any:
    """The column's values starting with `start`, as an index range."""
    after = start[:-1] + chr(ord(start[-1]) + 1)
    return and_(column >= start, column < after)
