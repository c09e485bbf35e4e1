"""Occupancy: the one table of what holds a car or a driver, kept by the database itself.

Its rows follow every booking and block through the services (made, moved, confirmed,
cancelled, completed, blocked, unblocked), on both engines; the database refuses two holds of
one resource whatever writes them, also two transactions at REPEATABLE READ on PostgreSQL that
each see nothing of the other; and SQLite refuses dates that would not compare as dates.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from deskkit import CODES, PLATES, TODAY, ids, raw, request, url_of
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from nextcars_tui.domain.errors import Conflict
from nextcars_tui.services.blocks import BlockRequest, block, unblock
from nextcars_tui.services.booking import book, cancel, confirm
from nextcars_tui.services.changes import ChangeRequest, change_booking
from nextcars_tui.services.lifecycle import run_lifecycle

HOLD_COLUMNS = "kind, resource_id, start_date, end_date, booking_id, block_id"


def holds(desk) -> list[tuple[object, ...]]:
    with raw(desk) as db:
        return sorted(db.execute(f"SELECT {HOLD_COLUMNS} FROM occupancy").fetchall())


def day(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def test_a_booking_holds_its_car_and_driver_until_it_stops_being_active(
    desk, staff, manager, system, clock
):
    known = ids(desk)
    car1, car2, drv1 = known[PLATES[0]], known[PLATES[1]], known[CODES[0]]
    made = book(desk, staff, request(car=1, driver=1, start=TODAY + timedelta(days=2), days=3))
    number = int(made.ref.removeprefix("BK-"))
    assert holds(desk) == [
        ("car", car1, day(2), day(5), number, None),
        ("driver", drv1, day(2), day(5), number, None),
    ]
    confirm(desk, staff, made.ref)
    change_booking(desk, staff, made.ref, ChangeRequest(car_plate=PLATES[1], days=4))
    assert holds(desk) == [
        ("car", car2, day(2), day(6), number, None),
        ("driver", drv1, day(2), day(6), number, None),
    ]
    cancel(desk, staff, made.ref)
    assert holds(desk) == []

    # A rental that ends is completed by the lifecycle and holds nothing from then on.
    ending = book(desk, staff, request(car=3, driver=3, start=TODAY, days=1))
    confirm(desk, staff, ending.ref)
    assert len(holds(desk)) == 2
    clock.advance(days=1)
    assert run_lifecycle(desk, system).completed == [ending.ref]
    assert holds(desk) == []


def test_a_block_holds_its_resource_until_it_is_removed(desk, manager):
    car = ids(desk)[PLATES[3]]
    made = block(desk, manager, BlockRequest("car", PLATES[3], TODAY + timedelta(days=1), 2, "MOT"))
    number = int(made.block.ref.removeprefix("BL-"))
    assert holds(desk) == [("car", car, day(1), day(3), None, number)]
    unblock(desk, manager, made.block.ref)
    assert holds(desk) == []
    # A new block over the removed one's days is allowed: the old one holds nothing.
    again = block(
        desk, manager, BlockRequest("car", PLATES[3], TODAY + timedelta(days=1), 2, "MOT")
    )
    assert holds(desk) == [("car", car, day(1), day(3), None, number + 1)]
    assert again.block.ref != made.block.ref


def test_a_block_moving_bookings_moves_their_holds_in_the_same_transaction(desk, staff, manager):
    known = ids(desk)
    made = book(desk, staff, request(car=1, driver=1, start=TODAY + timedelta(days=2), days=2))
    result = block(
        desk,
        manager,
        BlockRequest("car", PLATES[0], TODAY + timedelta(days=1), 5, "gearbox"),
        reassign=True,
    )
    (moved,) = result.reassigned
    assert moved.booking == made.ref and moved.to is not None
    kinds = {(kind, resource) for kind, resource, *_ in holds(desk)}
    assert kinds == {
        ("car", known[moved.to]),
        ("driver", known[CODES[0]]),
        ("car", known[PLATES[0]]),
    }


def test_the_service_names_what_holds_a_car_from_the_one_table(desk, staff, manager):
    block(desk, manager, BlockRequest("driver", CODES[1], TODAY + timedelta(days=3), 2, "leave"))
    made = book(desk, staff, request(car=1, driver=1, start=TODAY + timedelta(days=1), days=2))
    with pytest.raises(Conflict) as booked:
        book(desk, staff, request(car=1, driver=3, start=TODAY + timedelta(days=2), days=2))
    assert booked.value.clashing_ref == made.ref and booked.value.resource == PLATES[0]
    with pytest.raises(Conflict) as blocked:
        book(desk, staff, request(car=2, driver=2, start=TODAY + timedelta(days=4), days=1))
    assert blocked.value.clashing_ref == "BL-000001"
    assert blocked.value.message.startswith(f"Driver {CODES[1]} (")
    assert "is blocked" in blocked.value.message and "leave" in blocked.value.message


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "statement",
    [
        # Not zero-padded: as text it would sort after 2026-10-01.
        "INSERT INTO booking (id, ref, customer_id, car_id, driver_id, start_date, days, "
        "end_date, car_daily_rate_cents, driver_daily_fee_cents, total_cents, status, created_at, "
        "created_by) VALUES (90, 'BK-000090', 1, 1, 1, '2028-7-29', 2, '2028-07-31', 1, 1, 4, "
        "'pending', '2026-03-10 09:00:00.000000', 'raw')",
        # Not a day of the calendar.
        "INSERT INTO booking (id, ref, customer_id, car_id, driver_id, start_date, days, "
        "end_date, car_daily_rate_cents, driver_daily_fee_cents, total_cents, status, created_at, "
        "created_by) VALUES (90, 'BK-000090', 1, 1, 1, '2026-02-30', 2, '2026-03-02', 1, 1, 4, "
        "'cancelled', '2026-03-10 09:00:00.000000', 'raw')",
        "INSERT INTO block (id, ref, kind, car_id, start_date, days, end_date, reason, "
        "created_at, created_by) VALUES (9, 'BL-000009', 'car', 1, '2026-3-20', 1, '2026-03-21', "
        "'raw', '2026-03-10 09:00:00.000000', 'raw')",
        "INSERT INTO occupancy (kind, resource_id, start_date, end_date, block_id) "
        "VALUES ('car', 1, '2026-03-20 ', '2026-03-21', NULL)",
    ],
)
def test_sqlite_refuses_dates_that_are_not_canonical(desk, statement):
    with (
        pytest.raises(DBAPIError, match=r"NEXTCARS_DATES|CHECK constraint failed"),
        raw(desk) as db,
    ):
        db.execute(statement)
    with raw(desk) as db:
        assert db.execute("SELECT count(*) FROM booking").fetchall() == [(0,)]
        assert db.execute("SELECT count(*) FROM block").fetchall() == [(0,)]


@pytest.mark.sqlite_only
def test_sqlite_refuses_moving_a_booking_to_a_date_that_is_not_canonical(desk, staff):
    made = book(desk, staff, request(start=TODAY + timedelta(days=2)))
    with pytest.raises(DBAPIError, match="NEXTCARS_DATES"), raw(desk) as db:
        db.execute("UPDATE booking SET start_date = '2026-3-12' WHERE ref = ?", (made.ref,))
    with raw(desk) as db:
        found = db.execute("SELECT start_date FROM booking WHERE ref = ?", (made.ref,)).fetchall()
    assert found == [(day(2),)]


BOOKING_SQL = (
    "INSERT INTO booking (id, ref, customer_id, car_id, driver_id, start_date, days, end_date, "
    "car_daily_rate_cents, driver_daily_fee_cents, total_cents, status, created_at, created_by) "
    "VALUES (70, 'BK-000070', :customer, :car, :driver, :start, 3, :end, 100, 100, 600, "
    "'confirmed', now(), 'raw sql')"
)
BLOCK_SQL = (
    "INSERT INTO block (id, ref, kind, car_id, start_date, days, end_date, reason, created_at, "
    "created_by) VALUES (70, 'BL-000070', 'car', :car, :start, 3, :end, 'raw', now(), 'raw sql')"
)
OTHER_BOOKING_SQL = BOOKING_SQL.replace("70", "71").replace(":car", ":other_car")


@pytest.mark.postgres_only
@pytest.mark.parametrize("second", [BLOCK_SQL, OTHER_BOOKING_SQL], ids=["block", "booking"])
def test_two_repeatable_read_transactions_cannot_both_hold_one_resource(desk, second):
    """Two connections at REPEATABLE READ, hand-written SQL, no locks taken first: the second
    waits on the first's uncommitted hold and is refused once it commits. A trigger reading its
    snapshot could not see the first; the EXCLUDE on occupancy does."""
    known = ids(desk)
    values = {
        "customer": 1,
        "car": known[PLATES[0]],
        "other_car": known[PLATES[1]],
        "driver": known[CODES[0]],
        "start": TODAY + timedelta(days=4),
        "end": TODAY + timedelta(days=7),
    }
    engine = create_engine(url_of(desk), isolation_level="REPEATABLE READ")
    outcome: list[BaseException | None] = []
    try:
        with engine.connect() as first:
            first.execute(text(BOOKING_SQL), values)

            def other() -> None:
                try:
                    with engine.connect() as late:
                        late.execute(text(second), values)
                        late.commit()
                    outcome.append(None)
                except DBAPIError as exc:
                    outcome.append(exc)

            racer = threading.Thread(target=other)
            racer.start()
            racer.join(timeout=1.0)
            assert racer.is_alive(), "the second transaction waits on the first's hold"
            first.commit()
            racer.join(timeout=10)
    finally:
        engine.dispose()
    (refused,) = outcome
    assert refused is not None and "occupancy_no_overlap" in str(refused)
    with raw(desk) as db:
        assert db.execute("SELECT ref FROM booking").fetchall() == [("BK-000070",)]
        assert db.execute("SELECT count(*) FROM block").fetchall() == [(0,)]
        assert db.execute("SELECT count(*) FROM occupancy").fetchall() == [(2,)]
