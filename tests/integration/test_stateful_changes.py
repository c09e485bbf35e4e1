"""A Hypothesis state machine mixing bookings, changes, blocks (with and without reassigning),
unblocking, cancelling and payments in random order, on each engine.

Each step works out from the database beforehand whether the call must clash, and checks that
a refused call wrote nothing. After every step, read outside the store: no two active bookings
or blocks of one car or one driver share a day, and every invoice's figures are its ledger's
sums.
"""

from __future__ import annotations

from datetime import date, timedelta

from changekit import ledger
from deskkit import (
    N_CARS,
    code,
    email,
    make_settings,
    plate,
)
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, initialize, multiple, rule
from machines import DeskStateMachine, as_test, on_postgresql
from rawdb import raw, snapshot

from nextcars_tui.config import Settings
from nextcars_tui.domain.errors import Conflict, InvalidInput, NotAllowed
from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.billing import pay
from nextcars_tui.services.blocks import BlockRequest, block, unblock
from nextcars_tui.services.booking import BookingRequest, book, cancel
from nextcars_tui.services.changes import ChangeRequest, change_booking
from nextcars_tui.services.retire import retire

# Few cars and drivers, short intervals, close dates: clashes, adjacencies and stuck
# reassignments are common.
CARS = (1, 2, 3)
DRIVERS = (1, 2, 3)
KINDS = ("car", "driver")
SPARE = 4


class ChangesMachine(DeskStateMachine):
    bookings = Bundle("bookings")
    blocks = Bundle("blocks")

    def __init__(self) -> None:
        super().__init__()
        self.staff = Actor(username="sam", role=Role.STAFF)
        self.manager = Actor(username="mia", role=Role.MANAGER)
        # One spare car and driver beside the ones booked: reassigning soon runs out.
        for i in range(SPARE + 1, N_CARS + 1):
            retire(self.desk, self.manager, "car", plate(i))
            retire(self.desk, self.manager, "driver", code(i))

    def desk_settings(self) -> Settings:
        return make_settings(max_rental_days=4)

    # --- reading the database ----------------------------------------------------------------

    def _holders(
        self, kind: str, key: int, start: date, end: date, excluding: str | None = None
    ) -> list[str]:
        """Refs of active bookings and blocks holding car/driver `key` on a day of [start, end)."""
        with raw(self.path) as db:
            return [
                str(ref)
                for (ref,) in db.execute(
                    f"SELECT ref FROM booking WHERE {kind}_id = ? AND status IN "
                    "('pending', 'confirmed') AND start_date < ? AND end_date > ? AND ref <> ? "
                    f"UNION ALL SELECT ref FROM block WHERE {kind}_id = ? AND removed_at IS NULL "
                    "AND start_date < ? AND end_date > ?",
                    (key, end, start, excluding or "", key, end, start),
                )
            ]

    def _booking(self, ref: str) -> tuple[str, int, int, date, int, str, int, int]:
        """(status, car id, driver id, start, days, invoice ref, amount, paid)."""
        with raw(self.path) as db:
            status, car, driver, start, days, invoice, amount, paid = db.execute(
                "SELECT b.status, b.car_id, b.driver_id, b.start_date, b.days, i.ref, "
                "i.amount_cents, i.paid_cents FROM booking b "
                "JOIN invoice i ON i.booking_id = b.id WHERE b.ref = ?",
                (ref,),
            ).fetchone()
        return status, car, driver, date.fromisoformat(start), days, invoice, amount, paid

    def _refused(self, error: type[Exception] | tuple[type[Exception], ...], call) -> Exception:
        before = snapshot(self.path)
        try:
            call()
        except error as exc:
            assert snapshot(self.path) == before, f"a refused call wrote: {exc}"
            return exc
        raise AssertionError(f"{call} was not refused")

    # --- rules -------------------------------------------------------------------------------

    @initialize(target=bookings)
    def first_bookings(self):
        """Every car and driver busy for a couple of days, staggered, so that changes, new
        bookings and blocks meet something from the first step."""
        today = self.desk.today()
        return multiple(
            *(
                book(
                    self.desk,
                    self.staff,
                    BookingRequest(email(i), plate(i), code(i), today + timedelta(days=i - 1), 2),
                ).ref
                for i in CARS
            )
        )

    @rule(
        target=bookings,
        car=st.sampled_from(CARS),
        driver=st.sampled_from(DRIVERS),
        offset=st.integers(0, 4),
        days=st.integers(1, 4),
    )
    def make_booking(self, car, driver, offset, days):
        start = self.desk.today() + timedelta(days=offset)
        end = start + timedelta(days=days)
        wanted = BookingRequest(email(1 + offset % 3), plate(car), code(driver), start, days)
        held = self._holders("car", car, start, end) + self._holders("driver", driver, start, end)
        if held:
            clash = self._refused(Conflict, lambda: book(self.desk, self.staff, wanted))
            assert clash.clashing_ref in held, (clash, held)
            return multiple()
        return book(self.desk, self.staff, wanted).ref

    @rule(
        ref=bookings,
        offset=st.none() | st.integers(0, 4),
        days=st.none() | st.integers(1, 4),
        car=st.none() | st.sampled_from(CARS),
        driver=st.none() | st.sampled_from(DRIVERS),
    )
    def change(self, ref, offset, days, car, driver):
        status, car_id, driver_id, start, old_days, _inv, amount, _paid = self._booking(ref)
        today = self.desk.today()
        new_start = start if offset is None else today + timedelta(days=offset)
        new_days = old_days if days is None else days
        new_car = car_id if car is None else car
        new_driver = driver_id if driver is None else driver
        end = new_start + timedelta(days=new_days)
        wanted = ChangeRequest(
            start=None if offset is None else new_start,
            days=days,
            car_plate=None if car is None else plate(car),
            driver_code=None if driver is None else code(driver),
        )
        entries = ledger(self.path, ref)

        def run():
            return change_booking(self.desk, self.staff, ref, wanted)

        old_end = start + timedelta(days=old_days)
        if status not in ("pending", "confirmed"):
            self._refused(NotAllowed, run)
            return
        # Under way: the start stays, and the end is tomorrow at the earliest.
        if start <= today and (new_start != start or end <= today):
            self._refused(NotAllowed, run)
            return
        if (new_start, end, new_car, new_driver) == (start, old_end, car_id, driver_id):
            self._refused(InvalidInput, run)
            return
        held = self._holders("car", new_car, new_start, end, ref) + self._holders(
            "driver", new_driver, new_start, end, ref
        )
        if held:
            clash = self._refused(Conflict, run)
            assert clash.clashing_ref in held, (clash, held)
            return
        view = run()
        assert (view.start, view.days, view.car_plate, view.driver_code) == (
            new_start,
            new_days,
            plate(new_car),
            code(new_driver),
        )
        added = ledger(self.path, ref)[len(entries) :]
        assert view.invoice.amount_cents == amount + sum(a for _, a, _ in added)
        assert view.invoice.amount_cents == view.total_cents

    @rule(
        target=blocks,
        kind=st.sampled_from(KINDS),
        key=st.integers(1, 3),
        offset=st.integers(0, 4),
        days=st.integers(1, 3),
        reassign=st.booleans(),
    )
    def make_block(self, kind, key, offset, days, reassign):
        start = self.desk.today() + timedelta(days=offset)
        return self._block(kind, key, start, days, reassign)

    @rule(target=blocks, ref=bookings, kind=st.sampled_from(KINDS), days=st.integers(1, 3))
    def block_with_reassign(self, ref, kind, days):
        """Block the car or driver of a booking from its first day: the assistant has to find
        it (and any other booking in the way) a replacement, or write nothing."""
        _status, car_id, driver_id, start, *_ = self._booking(ref)
        start = max(start, self.desk.today())
        return self._block(kind, car_id if kind == "car" else driver_id, start, days, True)

    def _block(self, kind, key, start, days, reassign):
        end = start + timedelta(days=days)
        resource = plate(key) if kind == "car" else code(key)
        wanted = BlockRequest(kind, resource, start, days, "maintenance")
        held = self._holders(kind, key, start, end)
        with raw(self.path) as db:
            affected = [
                str(ref)
                for (ref,) in db.execute(
                    f"SELECT ref FROM booking WHERE {kind}_id = ? AND status IN "
                    "('pending', 'confirmed') AND start_date < ? AND end_date > ? ORDER BY ref",
                    (key, end, start),
                )
            ]
        blocked_already = [ref for ref in held if ref.startswith("BL-")]

        def run():
            return block(self.desk, self.manager, wanted, reassign=reassign)

        if blocked_already or (affected and not reassign):
            self._refused(Conflict, run)
            return multiple()
        prices = {ref: ledger(self.path, ref) for ref in affected}
        try:
            result = run()
        except Conflict:
            # Only a reassignment can fail here: some affected booking had nowhere to go.
            assert affected and reassign
            assert self._holders(kind, key, start, end) == held
            return multiple()
        assert sorted(m.booking for m in result.reassigned) == affected
        for move in result.reassigned:
            assert move.to is not None and move.to != resource
            assert ledger(self.path, move.booking) == prices[move.booking]
        return result.block.ref

    @rule(ref=blocks)
    def remove_block(self, ref):
        with raw(self.path) as db:
            (removed,) = db.execute("SELECT removed_at FROM block WHERE ref = ?", (ref,)).fetchone()
        if removed is not None:
            self._refused(NotAllowed, lambda: unblock(self.desk, self.manager, ref))
            return
        assert unblock(self.desk, self.manager, ref).removed_at is not None

    @rule(ref=bookings)
    def cancel_booking(self, ref):
        status, _car, _driver, start, *_ = self._booking(ref)
        if status in ("pending", "confirmed") and start > self.desk.today():
            assert cancel(self.desk, self.staff, ref, "random walk").status == "cancelled"
        else:
            self._refused(NotAllowed, lambda: cancel(self.desk, self.staff, ref, "again"))

    @rule(ref=bookings, part=st.integers(1, 2), method=st.sampled_from(["card", "cash"]))
    def take_payment(self, ref, part, method):
        _status, _c, _d, _s, _days, invoice, amount, paid = self._booking(ref)
        balance = amount - paid
        if balance <= 0:
            self._refused(
                (NotAllowed, InvalidInput),
                lambda: pay(self.desk, self.staff, invoice, 100, method),
            )
            return
        cents = balance if part == 1 else max(1, balance // 2)
        view = pay(self.desk, self.staff, invoice, cents, method)
        assert view.paid_cents == paid + cents

    @rule(days=st.integers(1, 2))
    def time_passes(self, days):
        self.clock.advance(days=days)


test_changes_and_blocks_never_double_book = as_test(ChangesMachine, examples=12, steps=20)
test_changes_and_blocks_never_double_book_on_postgresql = as_test(
    on_postgresql(ChangesMachine), examples=5, steps=20
)
