"""The booking path's statements go straight to sqlite3 (store.direct): the rows they write must
be the rows the ORM writes, byte for byte, and their errors must be the store's errors."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from nextcars_tui.domain.errors import Conflict, ResourceKind
from nextcars_tui.store import open_database
from nextcars_tui.store.tables import AuditEntry, Booking, Car, Customer, Driver, Invoice

# An aware moment off UTC, so the conversion to stored UTC is exercised.
MOMENT = datetime(2026, 3, 10, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "direct.db")
    database.create_schema()
    with database.write() as uow:
        uow.session.add(Customer(email="ann@example.com", name="Ann", phone="+44 1234 5678"))
        uow.session.add(Car(plate="AB12 CDE", make="Skoda", model="Octavia", seats=5,
                            daily_rate_cents=6400))  # fmt: skip
        uow.session.add(Driver(code="DRV-01", name="Bo", phone="+44 7700 1", daily_fee_cents=3500))
        uow.commit()
    yield database
    database.close()


def booking(number: int, start: date) -> Booking:
    return Booking(
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


def invoice(number: int, due: date) -> Invoice:
    return Invoice(
        id=number,
        ref=f"INV-{number:06d}",
        booking_id=number,
        amount_cents=19800,
        status="unpaid",
        issued_at=MOMENT,
        due_date=due,
    )


def stored(db, table: str, row_id: int) -> list[tuple[object, str]]:
    with sqlite3.connect(db.path) as conn:
        row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        names = [column[1] for column in conn.execute(f"PRAGMA table_info({table})")]
        typeofs = ", ".join(f"typeof({name})" for name in names)
        kinds = conn.execute(f"SELECT {typeofs} FROM {table} WHERE id = ?", (row_id,)).fetchone()
    return list(zip(row, kinds, strict=True))


def test_direct_inserts_store_what_the_orm_stores(db):
    with db.write() as uow:  # the ORM way: add and flush
        uow.session.add(booking(1, date(2026, 4, 1)))
        uow.session.flush()
        uow.session.add(invoice(1, date(2026, 4, 17)))
        uow.session.add(AuditEntry(at=MOMENT, actor="a", action="booked", ref="BK-000001"))
        uow.commit()
    with db.write() as uow:  # the booking path
        uow.bookings.add(booking(2, date(2026, 5, 1)))
        uow.invoices.add(invoice(2, date(2026, 5, 17)))
        uow.audit.record(at=MOMENT, actor="a", action="booked", ref="BK-000002")
        uow.commit()

    orm, fast = stored(db, "booking", 1), stored(db, "booking", 2)
    differing = {"id", "ref", "start_date", "end_date"}
    columns = [c.name for c in Booking.__table__.columns]
    for name, (orm_value, orm_kind), (fast_value, fast_kind) in zip(
        columns, orm, fast, strict=True
    ):
        assert fast_kind == orm_kind, name
        if name not in differing:
            assert fast_value == orm_value, name
    assert fast[columns.index("created_at")][0] == "2026-03-10 07:30:15.123456"
    assert fast[columns.index("start_date")][0] == "2026-05-01"
    assert [kind for _v, kind in stored(db, "invoice", 2)] == [
        kind for _v, kind in stored(db, "invoice", 1)
    ]
    audit_orm, audit_fast = stored(db, "audit_entry", 1), stored(db, "audit_entry", 2)
    # id, at, actor, action, ref, detail: all alike but the id and the ref
    assert audit_fast[1:4] + audit_fast[5:] == audit_orm[1:4] + audit_orm[5:]

    with db.read() as uow:
        again = uow.bookings.by_ref("BK-000002")
        assert again is not None
        assert again.created_at == MOMENT.astimezone(UTC)
        assert again.end_date == date(2026, 5, 3)


def test_parties_are_the_rows_named_or_none(db):
    with db.write() as uow:
        customer, car, driver = uow.bookings.parties("ann@example.com", "AB12 CDE", "DRV-01")
        assert (customer.id, customer.name, customer.phone) == (1, "Ann", "+44 1234 5678")
        assert (car.plate, car.daily_rate_cents, car.seats) == ("AB12 CDE", 6400, 5)
        assert (driver.code, driver.daily_fee_cents) == ("DRV-01", 3500)
        assert uow.bookings.parties("nobody@example.com", "AB12 CDE", "DRV-99") == (None, car, None)


def test_an_overlap_refused_by_the_database_is_a_conflict_and_writes_nothing(db):
    with db.write() as uow:
        uow.bookings.add(booking(1, date(2026, 4, 1)))
        uow.commit()
    with pytest.raises(Conflict), db.write() as uow:
        uow.bookings.add(booking(2, date(2026, 4, 2)))  # same car and driver, overlapping days
    with sqlite3.connect(db.path) as conn:
        assert conn.execute("SELECT count(*) FROM booking").fetchone()[0] == 1


def test_holds_and_next_number_inside_one_transaction(db):
    """A booking written in a unit of work holds its car and driver at once, for the same
    unit's next check: the database writes occupancy as the booking goes in."""
    car, driver = (ResourceKind.CAR, 1), (ResourceKind.DRIVER, 1)
    with db.write() as uow:
        assert uow.bookings.next_number() == 1
        uow.bookings.add(booking(1, date(2026, 4, 1)))
        assert uow.bookings.next_number() == 2
        holds = uow.occupancy.holding([car, driver], date(2026, 4, 2), date(2026, 4, 5))
        assert sorted((h.kind, h.ref) for h in holds) == [
            (ResourceKind.CAR, "BK-000001"),
            (ResourceKind.DRIVER, "BK-000001"),
        ]
        # Starts on the day the other ends: nothing in the way.
        assert uow.occupancy.holding([car, driver], date(2026, 4, 3), date(2026, 4, 5)) == []
