"""Changes and blocks across processes: separate programs released together on one database,
on each engine. Whatever the order, no car or driver is ever held twice for a day, and a
reassigning block is written whole or not at all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from change_racers import (
    TARGET_PLATE,
    block_car_1,
    block_car_1_reassigning,
    book_car_1,
    book_replacement,
    change_onto_target,
)
from changekit import add_car, booking_row, history, ledger
from deskkit import START, TODAY, plate, raw, request, snapshot, target
from invariants import violations
from racers import RacePool, never_locked, only

from nextcars_tui.services.booking import book

RACERS = 8


@pytest.fixture(scope="module")
def pool():
    members = RacePool(RACERS)
    yield members
    members.close()


def consistent(desk) -> None:
    assert violations(desk, desk.today()) == []


def test_eight_processes_changing_bookings_onto_one_car_exactly_one_wins(pool, desk, staff):
    add_car(desk, TARGET_PLATE, "Toyota", "Corolla", 5, 9_999)
    far = TODAY + timedelta(days=20)
    refs = [
        book(desk, staff, request(car=i, driver=i, customer=1 + i % 3, start=far, days=2)).ref
        for i in range(1, RACERS + 1)
    ]
    before = snapshot(desk)

    outcomes = pool.race([change_onto_target] * RACERS, target(desk), desk.settings, START)

    never_locked(outcomes)
    (winner,) = only(outcomes, "ok")
    conflicts = only(outcomes, "Conflict")
    assert len(conflicts) == RACERS - 1, outcomes
    assert all(f"Car {TARGET_PLATE} is already booked" in m for m in conflicts), conflicts
    assert all(f"({winner})" in m for m in conflicts), conflicts
    for i, ref in enumerate(refs, start=1):
        row = booking_row(desk, ref)
        if ref == winner:
            assert (row["car"], row["days"]) == (TARGET_PLATE, 3)
            assert [a for a, _, _ in history(desk, ref)] == ["booked", "changed"]
        else:
            assert (row["car"], row["start_date"]) == (plate(i), far.isoformat())
            assert [a for a, _, _ in history(desk, ref)] == ["booked"]
            assert len(ledger(desk, ref)) == 2
    after = snapshot(desk)
    assert len(after["audit_entry"]) == len(before["audit_entry"]) + 1
    consistent(desk)


def test_blocks_racing_bookings_for_one_car_exactly_one_holds_it(pool, desk):
    actions = [block_car_1, book_car_1] * (RACERS // 2)

    outcomes = pool.race(actions, target(desk), desk.settings, START)

    never_locked(outcomes)
    (winner,) = only(outcomes, "ok")
    assert len(only(outcomes, "Conflict")) == RACERS - 1, outcomes
    with raw(desk) as db:
        bookings = db.execute("SELECT ref FROM booking").fetchall()
        blocks = db.execute("SELECT ref FROM block").fetchall()
    assert bookings + blocks == [(winner,)]
    consistent(desk)


def test_a_reassigning_block_racing_bookings_of_its_replacements_is_whole_or_nothing(
    pool, desk, staff
):
    # Car 1 has two bookings the block disrupts; the racers book cars 2–7, the replacements
    # the desk would pick first (closest rates), over days that overlap both.
    first = book(desk, staff, request(car=1, driver=1, start=TODAY + timedelta(days=2), days=2))
    second = book(desk, staff, request(car=1, driver=2, start=TODAY + timedelta(days=5), days=2))
    entries = {ref: ledger(desk, ref) for ref in (first.ref, second.ref)}
    actions = [block_car_1_reassigning] + [book_replacement] * 6

    outcomes = pool.race(actions, target(desk), desk.settings, START)

    never_locked(outcomes)
    (_, kind, detail), *bookers = outcomes
    assert kind in ("ok", "Conflict"), outcomes
    assert {k for _, k, _ in bookers} <= {"ok", "Conflict"}, outcomes
    with raw(desk) as db:
        blocks = db.execute("SELECT ref, car_id FROM block").fetchall()
    cars = {ref: booking_row(desk, ref)["car"] for ref in (first.ref, second.ref)}
    if kind == "ok":
        assert blocks == [(detail["block"], 1)]
        assert detail["moves"] == cars
        assert plate(1) not in cars.values()
        for ref in cars:
            assert [a for a, _, _ in history(desk, ref)] == ["booked", "changed"]
    else:
        assert blocks == []
        assert cars == {first.ref: plate(1), second.ref: plate(1)}
        for ref in cars:
            assert [a for a, _, _ in history(desk, ref)] == ["booked"]
    # Prices kept either way: the business caused any move.
    assert {ref: ledger(desk, ref) for ref in entries} == entries
    # A booker lost only to the block's move onto its car, never to another booker.
    for index, booker_kind, message in bookers:
        if booker_kind == "Conflict":
            assert kind == "ok" and plate(index + 1) in detail["moves"].values(), message
    consistent(desk)
