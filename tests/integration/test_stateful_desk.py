"""A Hypothesis state machine driving the desk in random order, on each engine.

Each step books, confirms, cancels, takes a whole or part payment, pays money back, moves the
clock or runs the lifecycle.
The expected outcome of every call is worked out from the file itself beforehand, and after
every step the invariants are checked by reading the database outside the store.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import NamedTuple

from deskkit import (
    START,
    FakeClock,
    code,
    copy_desk,
    copy_pg_desk,
    email,
    invariant_violations,
    make_settings,
    plate,
    raw,
    snapshot,
)
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from nextcars_tui.config import Settings
from nextcars_tui.domain.errors import Conflict, InvalidInput, NotAllowed
from nextcars_tui.domain.roles import Actor, Role, system_actor
from nextcars_tui.services.billing import checkout, pay, refund
from nextcars_tui.services.booking import BookingRequest, book, cancel, confirm
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.lifecycle import run_lifecycle
from tests.pgserver import PgServer, ensure_programs

# Few cars and drivers, short rentals, close dates: plenty of clashes and adjacencies.
CARS = (1, 2, 3)
DRIVERS = (1, 2, 3)
TTL_HOURS = 24
DUE_DAYS = 2


OWING = ("unpaid", "partly_paid", "overdue")


class State(NamedTuple):
    status: str
    start: date
    end: date
    invoice_status: str
    invoice_ref: str
    amount_cents: int
    paid_cents: int

    @property
    def balance_cents(self) -> int:
        return self.amount_cents - self.paid_cents


class DeskMachine(RuleBasedStateMachine):
    bookings = Bundle("bookings")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock(START)
        self.path, self.desk = self.new_desk(
            make_settings(
                time_zone="America/New_York",
                max_rental_days=4,
                pending_ttl_hours=TTL_HOURS,
                invoice_due_days=DUE_DAYS,
            )
        )
        self.staff = Actor(username="sam", role=Role.STAFF)
        self.worker = system_actor("worker")

    def new_desk(self, desk_settings: Settings) -> tuple[Path | str, Desk]:
        self.folder = Path(tempfile.mkdtemp(prefix="nextcars-stateful-"))
        path = self.folder / "desk.db"
        return path, copy_desk(path, desk_settings, self.clock)

    def teardown(self) -> None:
        self.desk.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- reading the file --------------------------------------------------------------------

    def _state(self, ref: str) -> State:
        """A booking and its invoice, as the file holds them."""
        with raw(self.path) as db:
            status, start, end, invoice_status, invoice_ref, amount, paid = db.execute(
                "SELECT b.status, b.start_date, b.end_date, i.status, i.ref, i.amount_cents, "
                "i.paid_cents FROM booking b JOIN invoice i ON i.booking_id = b.id "
                "WHERE b.ref = ?",
                (ref,),
            ).fetchone()
        return State(
            status,
            date.fromisoformat(start),
            date.fromisoformat(end),
            invoice_status,
            invoice_ref,
            amount,
            paid,
        )

    def _clashes(self, car: int, driver: int, start: date, end: date) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        with raw(self.path) as db:
            for kind, key in (("car", car), ("driver", driver)):
                found[kind] = [
                    ref
                    for (ref,) in db.execute(
                        f"SELECT ref FROM booking WHERE {kind}_id = ? "
                        "AND status IN ('pending', 'confirmed') "
                        "AND start_date < ? AND end_date > ?",
                        (key, end.isoformat(), start.isoformat()),
                    )
                ]
        return found

    # --- rules -------------------------------------------------------------------------------

    @initialize(target=bookings, days=st.integers(1, 4))
    def first_booking(self, days):
        """Start with one booking so the rules that need a ref are enabled from step one."""
        wanted = BookingRequest(email(1), plate(1), code(1), self.desk.today(), days)
        return book(self.desk, self.staff, wanted).ref

    @rule(
        target=bookings,
        car=st.sampled_from(CARS),
        driver=st.sampled_from(DRIVERS),
        customer=st.integers(1, 3),
        offset=st.integers(-1, 8),
        days=st.integers(1, 4),
    )
    def make_booking(self, car, driver, customer, offset, days):
        today = self.desk.today()
        start = today + timedelta(days=offset)
        wanted = BookingRequest(email(customer), plate(car), code(driver), start, days)
        if start < today:
            try:
                book(self.desk, self.staff, wanted)
            except InvalidInput:
                return multiple()
            raise AssertionError(f"a start on {start} was accepted on {today}")
        clashes = self._clashes(car, driver, start, start + timedelta(days=days))
        if clashes["car"] or clashes["driver"]:
            try:
                book(self.desk, self.staff, wanted)
            except Conflict as exc:
                named = clashes["car"] or clashes["driver"]
                resource = f"Car {plate(car)}" if clashes["car"] else f"Driver {code(driver)}"
                assert str(exc).startswith(resource), (str(exc), clashes)
                assert any(f"({ref})" in str(exc) for ref in named), (str(exc), clashes)
                return multiple()
            raise AssertionError(f"booked over {clashes}")
        view = book(self.desk, self.staff, wanted)
        assert (view.start, view.days, view.status) == (start, days, "pending")
        return view.ref

    @rule(ref=bookings)
    def confirm_booking(self, ref):
        state = self._state(ref)
        status = state.status
        if status == "pending":
            assert confirm(self.desk, self.staff, ref).status == "confirmed"
            assert self._state(ref).invoice_status == state.invoice_status
        else:
            before = snapshot(self.path)
            try:
                confirm(self.desk, self.staff, ref)
            except NotAllowed:
                assert snapshot(self.path) == before
                return
            raise AssertionError(f"confirmed a {status} booking")

    @rule(ref=bookings)
    def cancel_booking(self, ref):
        state = self._state(ref)
        if state.status in ("pending", "confirmed") and state.start > self.desk.today():
            cancel(self.desk, self.staff, ref, "random walk")
            after = self._state(ref)
            # No fee (the default terms): the charges are reversed, and what was paid is owed
            # back.
            expected = "refund_due" if state.paid_cents else "void"
            assert (after.status, after.invoice_status) == ("cancelled", expected)
            assert (after.amount_cents, after.paid_cents) == (0, state.paid_cents)
        else:
            before = snapshot(self.path)
            try:
                cancel(self.desk, self.staff, ref, "random walk")
            except NotAllowed:
                assert snapshot(self.path) == before
                return
            raise AssertionError(f"cancelled a {state.status} booking starting {state.start}")

    @rule(ref=bookings, method=st.sampled_from(["card", "cash", "transfer"]))
    def take_payment(self, ref, method):
        state = self._state(ref)
        if state.invoice_status in OWING:
            view = checkout(self.desk, self.staff, state.invoice_ref, method)
            assert view.invoice.status == "paid"
            expected = "confirmed" if state.status == "pending" else state.status
            after = self._state(ref)
            assert (after.status, after.invoice_status) == (expected, "paid")
            assert after.paid_cents == state.amount_cents
        else:
            before = snapshot(self.path)
            try:
                checkout(self.desk, self.staff, state.invoice_ref, method)
            except NotAllowed:
                assert snapshot(self.path) == before
                return
            raise AssertionError(f"took payment for a {state.invoice_status} invoice")

    @rule(ref=bookings, share=st.integers(1, 150))
    def take_part_payment(self, ref, share):
        """share % of the balance: up to all of it is taken, more is refused."""
        state = self._state(ref)
        amount = max(1, state.balance_cents * share // 100)
        if state.invoice_status in OWING and amount <= state.balance_cents:
            view = pay(self.desk, self.staff, state.invoice_ref, amount, "card")
            assert view.paid_cents == state.paid_cents + amount
            if view.balance_cents == 0:
                assert view.status == "paid"
            else:
                assert view.status in ("partly_paid", "overdue")
            if state.status == "pending":
                assert self._state(ref).status == "confirmed"
        else:
            before = snapshot(self.path)
            try:
                pay(self.desk, self.staff, state.invoice_ref, amount, "card")
            except NotAllowed:
                assert snapshot(self.path) == before
                return
            raise AssertionError(f"took {amount} for a {state.invoice_status} invoice {state}")

    @rule(ref=bookings)
    def pay_back(self, ref):
        """What a cancellation left owed back is paid out in full."""
        state = self._state(ref)
        if state.invoice_status != "refund_due":
            return
        view = refund(self.desk, self.staff, state.invoice_ref, -state.balance_cents, "card")
        assert (view.status, view.balance_cents) == ("refunded", 0)

    @rule(hours=st.integers(1, 60))
    def time_passes(self, hours):
        self.clock.advance(hours=hours)

    @rule(dry_run=st.booleans())
    def lifecycle(self, dry_run):
        before = snapshot(self.path)
        result = run_lifecycle(self.desk, self.worker, dry_run=dry_run)
        if dry_run:
            assert snapshot(self.path) == before
            return
        now, today = self.clock(), self.desk.today()
        cutoff = (now - timedelta(hours=TTL_HOURS)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        with raw(self.path) as db:
            expired = {
                r for (r,) in db.execute("SELECT ref FROM booking WHERE cancel_reason = 'expired'")
            }
            left = db.execute(
                "SELECT "
                "(SELECT count(*) FROM booking WHERE status = 'pending' AND created_at < ?), "
                "(SELECT count(*) FROM booking WHERE status = 'confirmed' AND end_date <= ?), "
                "(SELECT count(*) FROM invoice i JOIN booking b ON b.id = i.booking_id "
                " WHERE i.status IN ('unpaid', 'partly_paid') AND i.due_date < ? "
                "AND b.status <> 'cancelled')",
                (cutoff, today.isoformat(), today.isoformat()),
            ).fetchone()
        assert left == (0, 0, 0), f"rules left undone after a run: {left}"
        assert set(result.expired) <= expired
        for ref in result.completed:
            assert self._state(ref).status == "completed"
        again = run_lifecycle(self.desk, self.worker)
        assert again.counts == {"expired": 0, "completed": 0, "overdue": 0}

    # --- after every step ----------------------------------------------------------------------

    @invariant()
    def the_file_is_consistent(self):
        assert invariant_violations(self.path, self.desk.today()) == []


DeskMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_the_desk_stays_consistent_whatever_happens = DeskMachine.TestCase


class PostgresDeskMachine(DeskMachine):
    """The same machine on a PostgreSQL database made from a template for every example."""

    server: PgServer | None = None

    def new_desk(self, desk_settings: Settings) -> tuple[Path | str, Desk]:
        server = PostgresDeskMachine.server
        if server is None:
            server = PostgresDeskMachine.server = PgServer(ensure_programs()).start()
            atexit.register(server.stop)
        self.database = f"stateful_{uuid.uuid4().hex[:12]}"
        desk = copy_pg_desk(server, self.database, desk_settings, self.clock)
        return server.url(self.database), desk

    def teardown(self) -> None:
        self.desk.db.close()
        assert PostgresDeskMachine.server is not None
        PostgresDeskMachine.server.drop_database(self.database)


# Fewer examples than on SQLite: each opens connections to a server for its raw checks, and
# the rules under test are the same code; the engine-specific part is locking and backstops.
PostgresDeskMachine.TestCase.settings = settings(
    max_examples=10,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_the_desk_stays_consistent_on_postgresql = PostgresDeskMachine.TestCase
