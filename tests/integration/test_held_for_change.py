"""What the store holds for change, on each engine: a booking with its invoice, the car and
driver a change picks (picked again when the booking moved before it was held), and a block's
plan checked again where other writers could have changed what it was made from."""

from __future__ import annotations

import pytest
from deskkit import FakeClock, open_desk, plate, raw, request, target

from nextcars_tui.services.booking import book
from nextcars_tui.services.changes import ChangeRequest, change_booking


def others_can_write(desk, table: str, ref: str) -> bool:
    """Whether another connection could change this row right now, without waiting: the
    whole file on SQLite (BEGIN IMMEDIATE), the row itself on PostgreSQL (NOWAIT)."""
    with raw(desk) as db:
        try:
            if db.dialect == "sqlite":
                db.execute("PRAGMA busy_timeout = 0")
                db.execute("BEGIN IMMEDIATE")
            else:
                db.execute("BEGIN")
                db.execute(f"SELECT 1 FROM {table} WHERE ref = ? FOR UPDATE NOWAIT", (ref,))
            db.execute("ROLLBACK")
        except Exception as exc:  # "database is locked" / "could not obtain lock"
            assert "lock" in str(exc).lower(), exc
            return False
    return True


def test_a_booking_held_for_change_keeps_others_off_it_and_its_invoice(desk, staff):
    made = book(desk, staff, request())
    with desk.db.write() as uow:
        held = uow.bookings.for_change(made.ref)
        assert held is not None
        assert (held.row.booking.ref, held.row.invoice.ref) == (made.ref, made.invoice.ref)
        assert (held.car, held.driver) == (held.row.car, held.row.driver)
        assert not others_can_write(desk, "booking", made.ref)
        assert not others_can_write(desk, "invoice", made.invoice.ref)
        assert uow.bookings.for_change("BK-999999") is None
    assert others_can_write(desk, "booking", made.ref)


def test_an_invoice_held_for_payment_keeps_others_off_it_and_its_booking(desk, staff):
    made = book(desk, staff, request())
    with desk.db.write() as uow:
        held = uow.invoices.for_payment(made.invoice.ref)
        assert held is not None and held.booking.ref == made.ref
        assert not others_can_write(desk, "booking", made.ref)
        assert not others_can_write(desk, "invoice", made.invoice.ref)


@pytest.mark.postgres_only
def test_a_booking_moved_before_it_is_held_has_its_resources_picked_again(
    desk, staff, clock: FakeClock
):
    # On PostgreSQL another terminal can commit between the change's first read and its
    # locks: here it moves the booking to another car. The change must go on from the
    # booking as it is now, not as it was first read.
    made = book(desk, staff, request(car=1))
    seen: list[str] = []

    def resources(row):
        seen.append(row.car.plate)
        if len(seen) == 1:
            other = open_desk(target(desk), desk.settings, clock)
            try:
                change_booking(other, staff, made.ref, ChangeRequest(car_plate=plate(2)))
            finally:
                other.db.close()
        return row.car, row.driver

    with desk.db.write() as uow:
        held = uow.bookings.for_change(made.ref, resources)
    assert held is not None
    assert seen == [plate(1), plate(2)]
    assert held.row.car.plate == held.car.plate == plate(2)


def test_a_block_plan_is_checked_again_only_where_others_could_have_changed_it(desk, engine):
    checked: list[bool] = []
    with desk.db.write() as uow:
        uow.blocks.hold([1, 2], [1], recheck=lambda: checked.append(True))
    assert checked == ([True] if engine == "postgresql" else [])
