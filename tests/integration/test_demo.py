"""Demo data: every state made through the real services, users per role, deterministic."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from deskkit import START, TODAY, FakeClock, new_desk, snapshot
from invariants import violations

from nextcars_tui.domain.errors import InvalidInput, NotAllowed
from nextcars_tui.domain.roles import Role, system_actor
from nextcars_tui.services import auth, listings
from nextcars_tui.services.demo import (
    DEMO_USERS,
    DEPOSIT,
    EXPIRE,
    PAY_CANCEL,
    PLAN,
    demo_sign_ins,
    is_demo,
    load_demo,
)
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.views import BookingView

SYSTEM = system_actor("tests")


@pytest.fixture(scope="module")
def demo_desk(tmp_path_factory) -> Iterator[Desk]:
    desk = new_desk(tmp_path_factory.mktemp("demo") / "demo.db", clock=FakeClock(), seed=False)
    load_demo(desk, SYSTEM)
    yield desk
    desk.db.close()


@pytest.fixture(scope="module")
def bookings(demo_desk) -> list[BookingView]:
    wanted = listings.BookingFilter(limit=listings.MAX_PAGE)
    return listings.list_bookings(demo_desk, SYSTEM, wanted).items


def test_the_fleet_and_every_planned_booking_are_there(demo_desk, bookings):
    assert len(bookings) == len(PLAN)
    with demo_desk.db.read() as uow:
        assert uow.cars.count() == 25
        assert len(uow.drivers.search()) == 12
        assert len(uow.customers.search("", 100)) == 40
    assert violations(demo_desk, TODAY) == []


def test_every_booking_and_invoice_state_exists(bookings):
    assert {b.status for b in bookings} == {"pending", "confirmed", "completed", "cancelled"}
    assert {b.invoice.status for b in bookings} == {
        "unpaid",
        "partly_paid",
        "overdue",
        "paid",
        "void",
        "refunded",
    }
    pairs = Counter((b.status.value, b.invoice.status.value) for b in bookings)
    for pair in [
        ("completed", "paid"),
        ("completed", "overdue"),
        ("completed", "unpaid"),
        ("confirmed", "paid"),
        ("confirmed", "unpaid"),
        ("confirmed", "partly_paid"),
        ("pending", "unpaid"),
        ("cancelled", "void"),
        ("cancelled", "refunded"),
    ]:
        assert pairs[pair] > 0, pair


def test_the_day_has_pickups_returns_rentals_under_way_and_upcoming_work(bookings):
    active = [b for b in bookings if b.status in ("pending", "confirmed")]
    assert [b for b in active if b.start == TODAY]
    assert [b for b in active if b.last_day == TODAY and b.start < TODAY]
    assert [b for b in active if b.start < TODAY < b.last_day]
    upcoming = {b.status.value for b in active if b.start > TODAY}
    assert upcoming == {"pending", "confirmed"}
    assert [b for b in bookings if b.status == "completed" and b.end == TODAY]


def test_stale_holds_were_expired_by_the_lifecycle_rules(bookings):
    expired = [b for b in bookings if b.cancel_reason == "expired"]
    assert len(expired) == sum(1 for plan in PLAN if plan.outcome == EXPIRE)
    assert {b.invoice.status for b in expired} == {"void"}
    assert all(b.created_at < START - timedelta(hours=24) for b in expired)
    clerk_cancelled = [b for b in bookings if b.status == "cancelled" and b not in expired]
    assert clerk_cancelled and all(b.cancel_reason for b in clerk_cancelled)


def test_deposits_and_refunds_move_money_through_the_ledger(bookings):
    """A deposit is 30 % of the rental taken as a part payment (it confirms the hold); a
    booking paid then cancelled had its charges reversed and its money paid back."""
    deposits = [b for b in bookings if b.invoice.status == "partly_paid"]
    assert len(deposits) == sum(1 for plan in PLAN if plan.outcome == DEPOSIT)
    for b in deposits:
        assert b.status in ("confirmed", "completed")  # the deposit confirmed the hold
        assert b.invoice.paid_cents == b.total_cents * 30 // 100 // 100 * 100
        assert b.invoice.balance_cents == b.total_cents - b.invoice.paid_cents > 0
    refunded = [b for b in bookings if b.invoice.status == "refunded"]
    assert len(refunded) == sum(1 for plan in PLAN if plan.outcome == PAY_CANCEL)
    assert all((b.invoice.amount_cents, b.invoice.paid_cents) == (0, 0) for b in refunded)
    voided = [b for b in bookings if b.invoice.status == "void"]
    assert voided and all(b.invoice.amount_cents == 0 for b in voided)


def test_refs_grow_with_the_time_bookings_were_made(bookings):
    by_ref = sorted(bookings, key=lambda b: b.ref)
    made = [b.created_at for b in by_ref]
    assert made == sorted(made)


def test_every_demo_user_signs_in_with_the_published_password(demo_desk):
    assert is_demo(demo_desk)
    assert demo_sign_ins(demo_desk) == [(u.username, u.role.value, u.password) for u in DEMO_USERS]
    roles = set()
    for user in DEMO_USERS:
        actor = auth.sign_in(demo_desk, user.username, user.password)
        roles.add(actor.role)
        if user.role == Role.DRIVER:
            assert actor.driver_id is not None
            assert listings.my_assignments(demo_desk, actor).upcoming
        if user.role == Role.CUSTOMER:
            own = listings.my_bookings(demo_desk, actor)
            assert len(own) >= 3
            assert {b.customer_email for b in own} == {user.link}
    assert roles == {Role.MANAGER, Role.STAFF, Role.DRIVER, Role.CUSTOMER}


def test_loading_twice_is_refused_and_writes_nothing(demo_desk):
    before = snapshot(demo_desk)
    with pytest.raises(NotAllowed, match="already holds the demo data"):
        load_demo(demo_desk, SYSTEM)
    assert snapshot(demo_desk) == before


def test_a_database_with_a_demo_username_taken_is_refused_before_any_write(make_desk):
    desk = make_desk(seed=False)
    auth.add_user(desk, SYSTEM, "staff", "staff", "someone-elses-pw")
    before = snapshot(desk)
    with pytest.raises(InvalidInput, match="staff already exist"):
        load_demo(desk, SYSTEM)
    assert snapshot(desk) == before
    assert demo_sign_ins(desk) == []
    assert not is_demo(desk)


def test_the_same_clock_gives_the_same_demo(demo_desk, tmp_path):
    other = new_desk(tmp_path / "again.db", clock=FakeClock(), seed=False)
    try:
        load_demo(other, SYSTEM)
        first, second = snapshot(demo_desk), snapshot(other)
    finally:
        other.db.close()
    for table in ("car", "driver", "customer", "booking", "invoice", "ledger_entry"):
        assert first[table] == second[table], table


def test_demo_sign_ins_are_hidden_on_a_real_database(desk):
    assert demo_sign_ins(desk) == []
