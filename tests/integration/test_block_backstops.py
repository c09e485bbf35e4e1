"""The database itself keeps blocks and active bookings apart, on both engines, whoever writes:
hand-written SQL on a plain connection is refused as the services are. And revision 0006
upgrades a desk at 0005 keeping every row."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from deskkit import TODAY, open_desk, raw, request, snapshot
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from nextcars_tui.domain.errors import Conflict
from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.blocks import BlockRequest
from nextcars_tui.services.blocks import block as block_service
from nextcars_tui.services.booking import BookingRequest, book
from nextcars_tui.store import open_database, schema
from tests.pgserver import PgServer

# What the database says when it refuses: the triggers' marker on either engine, or on
# PostgreSQL the exclusion constraint that keeps one resource's blocks apart.
BLOCKED = r"NEXTCARS_OVERLAP|occupancy_no_overlap"

BOOKING = (
    "INSERT INTO booking (id, ref, customer_id, car_id, driver_id, start_date, days, end_date, "
    "car_daily_rate_cents, driver_daily_fee_cents, total_cents, status, created_at, created_by) "
    "VALUES (:id, :ref, 1, :car, :driver, :start, :days, :end, 100, 100, 200, :status, "
    "'2026-03-10 09:00:00.000000', 'raw sql')"
)
BLOCK = (
    "INSERT INTO block (id, ref, kind, car_id, driver_id, start_date, days, end_date, reason, "
    "created_at, created_by, removed_at, removed_by) VALUES (:id, :ref, :kind, :car, :driver, "
    ":start, :days, :end, 'raw', '2026-03-10 09:00:00.000000', 'raw sql', :removed, NULL)"
)


def iso(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def raw_booking(target, *, car, driver, start, days, status="pending", number=50):
    with raw(target) as db:
        db.execute(
            BOOKING,
            {
                "id": number,
                "ref": f"BK-{number:06d}",
                "car": car,
                "driver": driver,
                "start": iso(start),
                "days": days,
                "end": iso(start + days),
                "status": status,
            },
        )


def raw_block(target, *, car=None, driver=None, start, days, number=1, removed=None):
    with raw(target) as db:
        db.execute(
            BLOCK,
            {
                "id": number,
                "ref": f"BL-{number:06d}",
                "kind": "car" if car is not None else "driver",
                "car": car,
                "driver": driver,
                "start": iso(start),
                "days": days,
                "end": iso(start + days),
                "removed": removed,
            },
        )


def refused(target, call):
    before = snapshot(target)
    with pytest.raises(DBAPIError, match=BLOCKED):
        call()
    assert snapshot(target) == before


@pytest.fixture
def blocked(desk):
    """BL-000001 holds car 1 for days 2–4; BL-000002 holds driver 2 for days 2–4."""
    raw_block(desk, car=1, start=2, days=3)
    raw_block(desk, driver=2, start=2, days=3, number=2)
    return desk


@pytest.mark.parametrize(
    ("car", "driver", "start", "days"),
    [
        (1, 3, 4, 3),  # the car's block's last day
        (1, 3, 0, 3),  # its first day
        (1, 3, 0, 10),  # covering it
        (3, 2, 3, 1),  # inside the driver's block
    ],
)
@pytest.mark.parametrize("status", ["pending", "confirmed"])
def test_raw_insert_of_an_active_booking_over_a_block_is_refused(
    blocked, car, driver, start, days, status
):
    refused(
        blocked,
        lambda: raw_booking(blocked, car=car, driver=driver, start=start, days=days, status=status),
    )


def test_inactive_and_adjacent_bookings_are_allowed_beside_a_block(blocked):
    raw_booking(blocked, car=1, driver=3, start=2, days=3, status="cancelled", number=50)
    raw_booking(blocked, car=1, driver=3, start=3, days=1, status="completed", number=51)
    raw_booking(blocked, car=1, driver=3, start=0, days=2, number=52)
    raw_booking(blocked, car=1, driver=3, start=5, days=2, number=53)
    assert len(snapshot(blocked)["booking"]) == 4


@pytest.mark.parametrize(
    ("car", "driver", "start", "change"),
    [
        # Car 1 with driver 3 on days 0–1, just before the car's block: moved, or extended.
        (1, 3, 0, "start_date = '2026-03-13', end_date = '2026-03-15'"),
        (1, 3, 0, "days = 3, end_date = '2026-03-13'"),
        # Car 3 with driver 3 on the blocks' very days: swapped onto the blocked car or driver.
        (3, 3, 2, "car_id = 1"),
        (3, 3, 2, "driver_id = 2"),
    ],
)
def test_raw_update_moving_an_active_booking_into_a_block_is_refused(
    blocked, car, driver, start, change
):
    raw_booking(blocked, car=car, driver=driver, start=start, days=2)

    def move():
        with raw(blocked) as db:
            db.execute(f"UPDATE booking SET {change} WHERE ref = 'BK-000050'")

    refused(blocked, move)


def test_raw_update_reviving_a_cancelled_booking_over_a_block_is_refused(blocked):
    raw_booking(blocked, car=1, driver=3, start=2, days=2, status="cancelled")

    def revive():
        with raw(blocked) as db:
            db.execute("UPDATE booking SET status = 'pending' WHERE ref = 'BK-000050'")

    refused(blocked, revive)


@pytest.mark.parametrize("status", ["pending", "confirmed"])
def test_raw_insert_of_a_block_over_an_active_booking_is_refused(desk, status):
    raw_booking(desk, car=1, driver=1, start=2, days=3, status=status)
    refused(desk, lambda: raw_block(desk, car=1, start=4, days=5))
    refused(desk, lambda: raw_block(desk, driver=1, start=0, days=3))


def test_a_block_beside_bookings_or_over_inactive_ones_is_allowed(desk):
    raw_booking(desk, car=1, driver=1, start=2, days=3)
    raw_booking(desk, car=2, driver=2, start=2, days=3, status="cancelled", number=51)
    raw_block(desk, car=1, start=5, days=2)
    raw_block(desk, car=2, start=2, days=3, number=2)
    raw_block(desk, driver=1, start=0, days=2, number=3)
    assert len(snapshot(desk)["block"]) == 3


def test_overlapping_blocks_of_one_resource_are_refused(blocked):
    refused(blocked, lambda: raw_block(blocked, car=1, start=4, days=2, number=3))
    refused(blocked, lambda: raw_block(blocked, driver=2, start=0, days=3, number=3))
    # Another car, or the same car on the next free day, is fine.
    raw_block(blocked, car=2, start=2, days=3, number=3)
    raw_block(blocked, car=1, start=5, days=1, number=4)


def test_a_raw_update_moving_a_block_onto_another_or_a_booking_is_refused(blocked):
    raw_block(blocked, car=3, start=2, days=3, number=3)
    raw_booking(blocked, car=4, driver=4, start=2, days=3)

    def move(change):
        def run():
            with raw(blocked) as db:
                db.execute(f"UPDATE block SET {change} WHERE ref = 'BL-000003'")

        return run

    refused(blocked, move("car_id = 1"))
    refused(blocked, move("car_id = 4"))


def test_a_removed_block_no_longer_holds_and_cannot_come_back_over_a_booking(blocked):
    with raw(blocked) as db:
        db.execute("UPDATE block SET removed_at = '2026-03-10 10:00:00.000000' WHERE id = 1")
    raw_booking(blocked, car=1, driver=3, start=2, days=3)
    # A removed block alongside a new one for the same days is no overlap either.
    raw_block(blocked, car=1, start=0, days=1, number=3, removed="2026-03-10 10:00:00.000000")

    def revive():
        with raw(blocked) as db:
            db.execute("UPDATE block SET removed_at = NULL WHERE id = 1")

    refused(blocked, revive)


def test_the_store_turns_the_backstop_into_a_conflict(blocked):
    before = snapshot(blocked)
    # Hand-written SQL through the store's own unit of work.
    with pytest.raises(Conflict, match="blocked"), blocked.db.write() as uow:
        uow._connection.execute(
            text(BOOKING),
            {
                "id": 60,
                "ref": "BK-000060",
                "car": 1,
                "driver": 3,
                "start": iso(3),
                "days": 1,
                "end": iso(4),
                "status": "confirmed",
            },
        )
    assert snapshot(blocked) == before


def test_the_service_refuses_before_the_database_has_to(blocked, staff):
    with pytest.raises(Conflict) as clash:
        book(blocked, staff, request(car=1, driver=3, start=TODAY + timedelta(days=3), days=1))
    assert clash.value.clashing_ref == "BL-000001"


# --- revision 0006 over a desk at 0005 ------------------------------------------------------------


@pytest.fixture
def new_url(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[], str]]:
    server: PgServer | None = request.getfixturevalue("pg_server") if engine != "sqlite" else None
    made: list[str] = []

    def factory() -> str:
        name = f"mig5_{uuid.uuid4().hex[:12]}"
        if server is None:
            return f"sqlite:///{tmp_path / f'{name}.db'}"
        made.append(server.create_database(name))
        return server.url(name)

    yield factory
    for name in made:
        assert server is not None
        server.drop_database(name)


# A desk as revision 0005 left it: written with plain SQL in that revision's columns (the
# job sheet, retired_at and blocks do not exist yet). Car 1 is booked on days 0–2; car 2 had a
# booking on days 5–6 that was cancelled.
DESK_AT_0005 = (
    "INSERT INTO customer (id, email, name, phone) VALUES "
    "(1, 'ann@example.com', 'Ann', '+44 1'), (2, 'bob@example.com', 'Bob', '+44 2')",
    "INSERT INTO car (id, plate, make, model, seats, daily_rate_cents) VALUES "
    "(1, 'KX21 ABC', 'Toyota', 'Corolla', 5, 8900), (2, 'MA71 DPE', 'Skoda', 'Superb', 5, 9900)",
    "INSERT INTO driver (id, code, name, phone, daily_fee_cents) VALUES "
    "(1, 'DRV-01', 'Amira', '+44 3', 6000), (2, 'DRV-02', 'Tom', '+44 4', 6500)",
    "INSERT INTO booking (id, ref, customer_id, car_id, driver_id, start_date, days, end_date, "
    "car_daily_rate_cents, driver_daily_fee_cents, total_cents, status, created_at, created_by, "
    "cancel_reason) VALUES "
    f"(1, 'BK-000001', 1, 1, 1, '{iso(0)}', 3, '{iso(3)}', 8900, 6000, 44700, 'confirmed', "
    "'2026-03-01 09:00:00.000000', 'sam', NULL), "
    f"(2, 'BK-000002', 2, 2, 2, '{iso(5)}', 2, '{iso(7)}', 9900, 6500, 32800, 'cancelled', "
    "'2026-03-01 09:00:00.000000', 'sam', 'plans changed')",
    "INSERT INTO invoice (id, ref, booking_id, amount_cents, paid_cents, status, issued_at, "
    "due_date) VALUES "
    "(1, 'INV-000001', 1, 44700, 44700, 'paid', '2026-03-01 09:00:00.000000', '2026-03-27'), "
    "(2, 'INV-000002', 2, 0, 0, 'void', '2026-03-01 09:00:00.000000', '2026-03-31')",
    "INSERT INTO ledger_entry (id, invoice_id, kind, amount_cents, method, description, reason, "
    "at, actor) VALUES "
    "(1, 1, 'charge', 44700, NULL, 'Car and driver', NULL, '2026-03-01 09:00:00.000000', 'sam'), "
    "(2, 1, 'payment', 44700, 'card', 'Paid', NULL, '2026-03-01 09:05:00.000000', 'sam'), "
    "(3, 2, 'charge', 32800, NULL, 'Car and driver', NULL, '2026-03-01 09:00:00.000000', 'sam'), "
    "(4, 2, 'charge', -32800, NULL, 'Reversed', NULL, '2026-03-02 09:00:00.000000', 'sam')",
    "INSERT INTO audit_entry (id, at, actor, action, ref, detail) VALUES "
    "(1, '2026-03-01 09:00:00.000000', 'sam', 'booked', 'BK-000001', ''), "
    "(2, '2026-03-01 09:00:00.000000', 'sam', 'booked', 'BK-000002', '')",
)


def desk_at_0005(url: str) -> dict[str, list[tuple[object, ...]]]:
    schemakit_migrate(url, "0005")
    with raw(url) as db:
        for statement in DESK_AT_0005:
            db.execute(statement)
        if db.dialect == "postgresql":
            # Explicit ids leave a serial's sequence behind; a real desk's never is.
            for table in (
                "customer",
                "car",
                "driver",
                "booking",
                "invoice",
                "ledger_entry",
                "audit_entry",
            ):
                db.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    return snapshot(url)


def schemakit_migrate(url: str, revision: str) -> None:
    """Build a database up to `revision` with Alembic, as that revision's release did."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            command.upgrade(schema._config(connection), revision)
            connection.commit()
    finally:
        engine.dispose()


def upgrade(url: str) -> None:
    db = open_database(url)
    try:
        db.upgrade()
    finally:
        db.close()


def test_revision_0005_upgrades_a_desk_at_0005_keeping_its_rows(new_url):
    url = new_url()
    before = desk_at_0005(url)
    assert "block" not in before

    upgrade(url)

    after = snapshot(url)
    assert after["alembic_version"] == [(schema.head(),)]
    # Every old row reads the same in its old columns; the new columns come last, empty.
    for table, rows in before.items():
        if table == "alembic_version":
            continue
        if not rows:
            assert after[table] == [], table
            continue
        width = len(rows[0])
        assert [row[:width] for row in after[table]] == rows, table
        # Empty, or a flag's default (revision 0008: a customer's no_reminders, false).
        added = {value for row in after[table] for value in row[width:]}
        assert added <= {None, False}, table
    assert len(after["booking"][0]) - len(before["booking"][0]) == 5  # the job sheet
    assert after["block"] == []


def test_an_upgraded_desk_keeps_bookings_and_blocks_apart(new_url):
    url = new_url()
    desk_at_0005(url)
    upgrade(url)

    # The old confirmed booking holds car 1: no block over it, by the service or by hand.
    refused(url, lambda: raw_block(url, car=1, start=2, days=2))
    desk = open_desk(url)
    manager = Actor("mia", Role.MANAGER)
    try:
        with pytest.raises(Conflict) as over:
            block_service(desk, manager, BlockRequest("car", "KX21 ABC", iso(2), 2, "MOT"))
        assert over.value.clashing_ref == "BK-000001"
        # The cancelled one holds nothing; once blocked, car 2 takes no booking on those days.
        made = block_service(desk, manager, BlockRequest("car", "MA71 DPE", iso(5), 2, "MOT"))
        assert made.block.ref == "BL-000001"
        wanted = BookingRequest("bob@example.com", "MA71 DPE", "DRV-02", iso(6), 1)
        with pytest.raises(Conflict) as clash:
            book(desk, Actor("sam", Role.STAFF), wanted)
        assert clash.value.clashing_ref == "BL-000001"
    finally:
        desk.db.close()
    refused(url, lambda: raw_booking(url, car=2, driver=1, start=6, days=1, number=90))
