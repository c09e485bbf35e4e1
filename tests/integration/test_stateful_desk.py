"""A Hypothesis state machine driving the desk in random order, on each engine.

Each step books, confirms, cancels, takes a part or the whole balance, refunds, adjusts,
moves the clock or runs the lifecycle. The expected outcome of every call is worked out from
the file itself beforehand, and after every step the invariants are checked by reading the
database outside the store: among them, every invoice's figures are its ledger's sums and its
status is what domain.ledger derives from them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, timedelta

from deskkit import (
    code,
    email,
    make_settings,
    plate,
    raw,
    snapshot,
)
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    initialize,
    multiple,
    rule,
)
from ledgerkit import books
from machines import DeskStateMachine, as_test, on_postgresql

from nextcars_tui.config import BillingSettings, Settings
from nextcars_tui.domain.errors import Conflict, InvalidInput, NotAllowed
from nextcars_tui.domain.roles import Actor, Role, system_actor
from nextcars_tui.services.billing import adjust, checkout, pay, refund
from nextcars_tui.services.booking import BookingRequest, book, cancel, confirm
from nextcars_tui.services.lifecycle import run_lifecycle

# Few cars and drivers, short rentals, close dates: plenty of clashes and adjacencies.
CARS = (1, 2, 3)
DRIVERS = (1, 2, 3)
TTL_HOURS = 24
DUE_DAYS = 2
FEE_PERCENT = 10
FEE_HOURS = 48
METHODS = st.sampled_from(["card", "cash", "transfer"])


@dataclass(frozen=True)
class State:
    """A booking and its invoice as committed."""

    status: str
    start: date
    end: date
    total_cents: int
    invoice_ref: str
    invoice_status: str
    amount_cents: int
    paid_cents: int

    @property
    def balance_cents(self) -> int:
        return self.amount_cents - self.paid_cents


class DeskMachine(DeskStateMachine):
    bookings = Bundle("bookings")

    def __init__(self) -> None:
        super().__init__()
        self.staff = Actor(username="sam", role=Role.STAFF)
        self.manager = Actor(username="mia", role=Role.MANAGER)
        self.worker = system_actor("worker")

    def desk_settings(self) -> Settings:
        return replace(
            make_settings(
                time_zone="America/New_York",
                max_rental_days=4,
                pending_ttl_hours=TTL_HOURS,
                invoice_due_days=DUE_DAYS,
            ),
            # No grace period: the model charges the late fee however soon after booking.
            billing=BillingSettings(
                cancel_fee_percent=FEE_PERCENT, cancel_fee_hours=FEE_HOURS, cancel_grace_minutes=0
            ),
        )

    # --- reading the file --------------------------------------------------------------------

    def _state(self, ref: str) -> State:
        with raw(self.path) as db:
            status, start, end, total, invoice_ref = db.execute(
                "SELECT b.status, b.start_date, b.end_date, b.total_cents, i.ref FROM booking b "
                "JOIN invoice i ON i.booking_id = b.id WHERE b.ref = ?",
                (ref,),
            ).fetchone()
        found = books(self.path, invoice_ref)
        return State(
            status,
            date.fromisoformat(start),
            date.fromisoformat(end),
            int(total),
            invoice_ref,
            found.status,
            found.amount_cents,
            found.paid_cents,
        )

    def _refused(self, error: type[Exception], action, what: str) -> None:
        """The action must be refused with `error` and leave the file exactly as it was."""
        before = snapshot(self.path)
        try:
            action()
        except error:
            assert snapshot(self.path) == before
            return
        raise AssertionError(what)

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
        if state.status == "pending":
            assert confirm(self.desk, self.staff, ref).status == "confirmed"
            assert self._state(ref) == replace(state, status="confirmed")
        else:
            self._refused(
                NotAllowed,
                lambda: confirm(self.desk, self.staff, ref),
                f"confirmed a {state.status} booking",
            )

    @rule(ref=bookings)
    def cancel_booking(self, ref):
        state = self._state(ref)
        if state.status in ("pending", "confirmed") and state.start > self.desk.today():
            fee = self.desk.cancel_terms(state.total_cents, state.start).fee_cents
            view = cancel(self.desk, self.staff, ref, "random walk")
            after = self._state(ref)
            # The charges are reversed: the invoice is for the fee alone; payments stay.
            assert (after.status, after.amount_cents, after.paid_cents) == (
                "cancelled",
                fee,
                state.paid_cents,
            )
            assert view.invoice.status == after.invoice_status
            if state.paid_cents > fee:
                assert after.invoice_status == "refund_due"
            elif fee == 0 and state.paid_cents == 0:
                assert after.invoice_status == "void"
        else:
            self._refused(
                NotAllowed,
                lambda: cancel(self.desk, self.staff, ref, "random walk"),
                f"cancelled a {state.status} booking starting {state.start}",
            )

    @rule(ref=bookings, method=METHODS)
    def take_payment(self, ref, method):
        state = self._state(ref)
        if state.balance_cents > 0:
            view = checkout(self.desk, self.staff, state.invoice_ref, method)
            expected = "confirmed" if state.status == "pending" else state.status
            assert (view.status, view.invoice.status) == (expected, "paid")
            after = self._state(ref)
            assert (after.status, after.paid_cents) == (expected, state.amount_cents)
        else:
            self._refused(
                NotAllowed,
                lambda: checkout(self.desk, self.staff, state.invoice_ref, method),
                f"took payment for a {state.invoice_status} invoice",
            )

    @rule(ref=bookings, percent=st.integers(1, 130), method=METHODS)
    def pay_part(self, ref, percent, method):
        """A part payment of the balance, or more than it (refused: never an overpayment)."""
        state = self._state(ref)
        amount = max(1, state.balance_cents * percent // 100)
        if 0 < amount <= state.balance_cents:
            view = pay(self.desk, self.staff, state.invoice_ref, amount, method)
            after = self._state(ref)
            assert after.paid_cents == view.paid_cents == state.paid_cents + amount
            assert after.amount_cents == state.amount_cents
            expected = "confirmed" if state.status == "pending" else state.status
            assert after.status == expected
            if amount == state.balance_cents:
                assert after.invoice_status == "paid"
        else:
            self._refused(
                NotAllowed,
                lambda: pay(self.desk, self.staff, state.invoice_ref, amount, method),
                f"took {amount} on a balance of {state.balance_cents}",
            )

    @rule(ref=bookings, percent=st.integers(1, 130), method=METHODS)
    def refund_part(self, ref, percent, method):
        state = self._state(ref)
        amount = max(1, state.paid_cents * percent // 100)
        if amount <= state.paid_cents:
            view = refund(self.desk, self.staff, state.invoice_ref, amount, method, "walk")
            after = self._state(ref)
            assert after.paid_cents == view.paid_cents == state.paid_cents - amount
            assert (after.status, after.amount_cents) == (state.status, state.amount_cents)
        else:
            self._refused(
                NotAllowed,
                lambda: refund(self.desk, self.staff, state.invoice_ref, amount, method),
                f"refunded {amount} of {state.paid_cents} paid",
            )

    @rule(
        ref=bookings,
        change=st.one_of(st.integers(-60_000, 30_000).filter(bool), st.just("all")),
    )
    def adjust_invoice(self, ref, change):
        """A manager's correction; "all" takes the invoice to exactly nothing."""
        state = self._state(ref)
        cents = -state.amount_cents if change == "all" else change
        if cents == 0:
            self._refused(
                InvalidInput,
                lambda: adjust(self.desk, self.manager, state.invoice_ref, cents, "walk"),
                "accepted an adjustment of nothing",
            )
        elif state.amount_cents + cents >= 0:
            view = adjust(self.desk, self.manager, state.invoice_ref, cents, "walk")
            after = self._state(ref)
            assert after.amount_cents == view.amount_cents == state.amount_cents + cents
            assert after.paid_cents == state.paid_cents
        else:
            self._refused(
                NotAllowed,
                lambda: adjust(self.desk, self.manager, state.invoice_ref, cents, "walk"),
                f"took {state.amount_cents} below zero by {cents}",
            )

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
                " AND b.status <> 'cancelled')",
                (cutoff, today.isoformat(), today.isoformat()),
            ).fetchone()
        assert left == (0, 0, 0), f"rules left undone after a run: {left}"
        assert set(result.expired) <= expired
        for ref in result.completed:
            assert self._state(ref).status == "completed"
        again = run_lifecycle(self.desk, self.worker)
        assert again.counts == {"expired": 0, "completed": 0, "overdue": 0}


test_the_desk_stays_consistent_whatever_happens = as_test(DeskMachine, examples=30, steps=25)
test_the_desk_stays_consistent_on_postgresql = as_test(
    on_postgresql(DeskMachine), examples=6, steps=25
)
