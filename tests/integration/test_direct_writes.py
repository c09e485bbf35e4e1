"""Every write goes straight to the driver (store.hot_path): the rows it writes must be the rows
SQLAlchemy writes through the schema's types, byte for byte, its errors the store's errors, and
the records read back the values written, whichever way they are read."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from changekit import MANAGER, car_block
from deskkit import plate, request
from sqlalchemy import insert

from nextcars_tui.domain.errors import Conflict, ResourceKind
from nextcars_tui.services.billing import pay
from nextcars_tui.services.blocks import block
from nextcars_tui.services.booking import book
from nextcars_tui.store import (
    AuditRecord,
    BlockRecord,
    BookingQuery,
    BookingRecord,
    CarRecord,
    CustomerRecord,
    DriverRecord,
    InvoiceRecord,
    LedgerEntryRecord,
    UserRecord,
    open_database,
)
from nextcars_tui.store.tables import (
    AuditEntry,
    Block,
    Booking,
    Car,
    Customer,
    Driver,
    Invoice,
    LedgerEntry,
    User,
    table_of,
)

# An aware moment off UTC, so the conversion to stored UTC is exercised.
MOMENT = datetime(2026, 3, 10, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "direct.db")
    database.create_schema()
    with database.write() as uow:
        uow.customers.insert(CustomerRecord(None, "ann@example.com", "Ann", "+44 1234 5678"))
        uow.cars.insert(CarRecord(None, "AB12 CDE", "Skoda", "Octavia", 5, 6400))
        uow.drivers.insert(DriverRecord(None, "DRV-01", "Bo", "+44 7700 1", 3500))
        uow.commit()
    yield database
    database.close()


def booking(number: int, start: date) -> BookingRecord:
    return BookingRecord(
        id=number,
        ref=f"BK-{number:06d}",
        customer_id=1,
        car_id=1,
        driver_id=1,
        start_date=start,
        days=2,
        end_date=start + timedelta(days=2),
        car_daily_rate_cents=6400,
        driver_daily_fee_cents=3500,
        total_cents=19800,
        status="pending",
        created_at=MOMENT,
        created_by="staff:ann",
    )


def charge(number: int) -> LedgerEntryRecord:
    return LedgerEntryRecord(None, number, "charge", 19800, None, "Rental", None, MOMENT, "a")


def stored(db, table: str, row_id: int) -> list[tuple[object, str]]:
    with sqlite3.connect(db.path) as conn:
        row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        names = [column[1] for column in conn.execute(f"PRAGMA table_info({table})")]
        typeofs = ", ".join(f"typeof({name})" for name in names)
        kinds = conn.execute(f"SELECT {typeofs} FROM {table} WHERE id = ?", (row_id,)).fetchone()
    return list(zip(row, kinds, strict=True))


def test_direct_inserts_store_what_sqlalchemy_stores(db):
    first = booking(1, date(2026, 4, 1))
    with db.engine.begin() as conn:  # through SQLAlchemy and the schema's types
        conn.execute(insert(table_of(Booking)), dataclasses.asdict(first))
        conn.execute(
            insert(table_of(Invoice)),
            {
                "id": 1,
                "ref": "INV-000001",
                "booking_id": 1,
                "amount_cents": 19800,
                "paid_cents": 0,
                "status": "unpaid",
                "issued_at": MOMENT,
                "due_date": date(2026, 4, 17),
            },
        )
        conn.execute(
            insert(table_of(AuditEntry)),
            {"at": MOMENT, "actor": "a", "action": "booked", "ref": "BK-000001", "detail": ""},
        )
    with db.write() as uow:  # the store's own writes
        made = uow.bookings.insert(booking(2, date(2026, 5, 1)))
        invoice = uow.invoices.issue(
            made,
            "INV-000002",
            issued_at=MOMENT,
            due_date=date(2026, 5, 17),
            entries=[charge(2)],
            today=date(2026, 3, 10),
        )
        uow.audit.record(at=MOMENT, actor="a", action="booked", ref="BK-000002")
        uow.commit()
    assert (invoice.amount_cents, invoice.paid_cents, invoice.status) == (19800, 0, "unpaid")

    orm, fast = stored(db, "booking", 1), stored(db, "booking", 2)
    differing = {"id", "ref", "start_date", "end_date"}
    columns = [c.name for c in table_of(Booking).columns]
    for name, (orm_value, orm_kind), (fast_value, fast_kind) in zip(
        columns, orm, fast, strict=True
    ):
        assert fast_kind == orm_kind, name
        if name not in differing:
            assert fast_value == orm_value, name
    assert fast[columns.index("created_at")][0] == "2026-03-10 07:30:15.123456"
    assert fast[columns.index("start_date")][0] == "2026-05-01"
    invoice_orm, invoice_fast = stored(db, "invoice", 1), stored(db, "invoice", 2)
    assert [kind for _v, kind in invoice_fast] == [kind for _v, kind in invoice_orm]
    # amount, paid, status, issued_at: alike; id, ref, booking and due date differ
    assert invoice_fast[3:7] == invoice_orm[3:7]
    audit_orm, audit_fast = stored(db, "audit_entry", 1), stored(db, "audit_entry", 2)
    # id, at, actor, action, ref, detail: all alike but the id and the ref
    assert audit_fast[1:4] + audit_fast[5:] == audit_orm[1:4] + audit_orm[5:]

    with db.read() as uow:
        again = uow.bookings.by_ref("BK-000002")
        assert again == dataclasses.replace(
            booking(2, date(2026, 5, 1)), created_at=MOMENT.astimezone(UTC)
        )
        assert again.created_at.tzinfo is UTC


def test_parties_are_the_records_named_or_none(db):
    with db.write() as uow:
        customer, car, driver = uow.bookings.parties("ann@example.com", "AB12 CDE", "DRV-01")
        assert customer == CustomerRecord(1, "ann@example.com", "Ann", "+44 1234 5678")
        assert car == CarRecord(1, "AB12 CDE", "Skoda", "Octavia", 5, 6400)
        assert driver == DriverRecord(1, "DRV-01", "Bo", "+44 7700 1", 3500)
        assert uow.bookings.parties("nobody@example.com", "ab12cde", "DRV-99") == (None, car, None)


def test_a_change_writes_the_columns_that_differ_and_hands_back_the_new_record(db):
    with db.write() as uow:
        made = uow.bookings.insert(booking(1, date(2026, 4, 1)))
        assert uow.bookings.change(made, status="pending") is made  # nothing to write
        changed = uow.bookings.change(made, status="confirmed", notes="Child seat")
        assert changed == dataclasses.replace(made, status="confirmed", notes="Child seat")
        uow.commit()
    with db.read() as uow:
        assert uow.bookings.by_ref("BK-000001") == dataclasses.replace(
            changed, created_at=MOMENT.astimezone(UTC)
        )
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.status = "cancelled"  # type: ignore[misc]


def test_an_overlap_refused_by_the_database_is_a_conflict_and_writes_nothing(db):
    with db.write() as uow:
        uow.bookings.insert(booking(1, date(2026, 4, 1)))
        uow.commit()
    with pytest.raises(Conflict), db.write() as uow:
        uow.bookings.insert(booking(2, date(2026, 4, 2)))  # same car and driver, overlapping days
    with sqlite3.connect(db.path) as conn:
        assert conn.execute("SELECT count(*) FROM booking").fetchone()[0] == 1


def test_holds_and_next_number_inside_one_transaction(db):
    """A booking written in a unit of work holds its car and driver at once, for the same
    unit's next check: the database writes occupancy as the booking goes in."""
    car, driver = (ResourceKind.CAR, 1), (ResourceKind.DRIVER, 1)
    with db.write() as uow:
        assert uow.bookings.next_number() == 1
        uow.bookings.insert(booking(1, date(2026, 4, 1)))
        assert uow.bookings.next_number() == 2
        holds = uow.occupancy.holding([car, driver], date(2026, 4, 2), date(2026, 4, 5))
        assert sorted((h.kind, h.ref) for h in holds) == [
            (ResourceKind.CAR, "BK-000001"),
            (ResourceKind.DRIVER, "BK-000001"),
        ]
        # Starts on the day the other ends: nothing in the way.
        assert uow.occupancy.holding([car, driver], date(2026, 4, 3), date(2026, 4, 5)) == []


def test_records_read_alike_through_the_driver_and_through_sqlalchemy(desk, staff):
    """The hot path converts the driver's values itself (fast parsers on SQLite); listings
    read through SQLAlchemy's result processors. Both must give equal records."""
    made = book(desk, staff, request(days=3))
    pay(desk, staff, made.invoice.ref, 1000, "card")
    ref = block(desk, MANAGER, car_block(plate(2), made.end, 2)).block.ref
    with desk.db.read() as uow:
        direct = uow.bookings.row_by_ref(made.ref)
        listed = uow.bookings.rows(BookingQuery(limit=5))
        blocks = uow.blocks.rows()
    with desk.db.write() as uow:
        blocked = uow.blocks.for_removal(ref)
    assert listed == [direct]
    assert direct.booking.created_at.tzinfo is UTC and direct.invoice.paid_cents == 1000
    assert blocks == [blocked]
    assert blocked.driver is None and blocked.car.plate == plate(2)


@pytest.mark.parametrize(
    ("record", "model"),
    [
        (CustomerRecord, Customer),
        (CarRecord, Car),
        (DriverRecord, Driver),
        (BookingRecord, Booking),
        (InvoiceRecord, Invoice),
        (LedgerEntryRecord, LedgerEntry),
        (BlockRecord, Block),
        (UserRecord, User),
        (AuditRecord, AuditEntry),
    ],
)
def test_a_record_holds_its_table_columns_in_table_order(record, model):
    # Records are built positionally from the driver's rows.
    fields = [field.name for field in dataclasses.fields(record)]
    assert fields == [column.key for column in table_of(model).columns]


@pytest.mark.parametrize(
    "value",
    [
        MOMENT,
        datetime(2026, 3, 10, 7, 30, tzinfo=UTC),  # no microseconds: still written, as zeros
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
        datetime(5, 1, 2, 3, 4, 5, 6, tzinfo=UTC),  # a year of one digit, padded to four
        None,
    ],
)
def test_a_moment_is_written_as_sqlalchemy_writes_it(db, value):
    column = table_of(AuditEntry).c.at
    ours = db.backend.hot.writer(column)
    theirs = column.type.dialect_impl(db.engine.dialect).bind_processor(db.engine.dialect)
    assert ours is not None and theirs is not None
    assert ours(value) == theirs(value)


@pytest.mark.parametrize(
    "value", [date(2026, 5, 1), date(7, 8, 9), datetime(2026, 5, 1, 9, 30), None]
)
def test_a_day_is_written_as_sqlalchemy_writes_it(db, value):
    # A datetime in a DATE column is left to SQLAlchemy, which writes its date only.
    column = table_of(Invoice).c.due_date
    ours = db.backend.hot.writer(column)
    theirs = column.type.dialect_impl(db.engine.dialect).bind_processor(db.engine.dialect)
    assert ours is not None and theirs is not None
    assert ours(value) == theirs(value)


def test_a_naive_moment_is_refused_as_sqlalchemy_refuses_it(db):
    with db.write() as uow, pytest.raises(ValueError, match="naive datetimes are not stored"):
        uow.audit.record(at=datetime(2026, 3, 10, 9, 30), actor="a", action="x", ref="r")


def test_moments_one_after_another_are_each_written_as_themselves(db):
    column = table_of(AuditEntry).c.at
    ours = db.backend.hot.writer(column)
    later = MOMENT + timedelta(microseconds=1)
    assert ours is not None
    written = [ours(moment) for moment in (MOMENT, MOMENT, later, MOMENT)]
    assert written == [
        "2026-03-10 07:30:15.123456",
        "2026-03-10 07:30:15.123456",
        "2026-03-10 07:30:15.123457",
        "2026-03-10 07:30:15.123456",
    ]
