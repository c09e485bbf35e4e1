"""Rule 7: every service call checks the acting user's role, and a refused call writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import timedelta
from typing import Any

import pytest
from deskkit import START, TODAY, actors_for, code, email, request, snapshot

from nextcars_tui.domain.errors import NotAllowed, NotFound
from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.auth import add_user, change_role, list_users, reset_password, unlock
from nextcars_tui.services.billing import adjust, checkout, invoice_booking, list_invoices, pay
from nextcars_tui.services.booking import book, booking_detail, booking_record, cancel, confirm
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.lifecycle import run_lifecycle
from nextcars_tui.services.listings import BookingFilter, list_bookings, my_assignments, my_bookings
from nextcars_tui.services.views import BookingDetail, DriverJobView

ROLES = ("manager", "staff", "driver", "customer", "system")
DESK_ROLES = {"manager", "staff", "system"}
MANAGING_ROLES = {"manager", "system"}


@pytest.fixture
def world(desk: Desk) -> dict[str, Any]:
    """BK-000001: customer 1 with DRV-01 from today; BK-000002: customer 2 with DRV-02 from
    tomorrow (so it can still be cancelled); user 'olga'."""
    clerk = Actor(username="setup", role=Role.STAFF)
    mine = book(desk, clerk, request(car=1, driver=1, customer=1, days=2))
    tomorrow = TODAY + timedelta(days=1)
    theirs = book(desk, clerk, request(car=2, driver=2, customer=2, start=tomorrow, days=2))
    boss = Actor(username="setup", role=Role.MANAGER)
    add_user(desk, boss, "olga", "staff", "olga-password-1")
    return {"desk": desk, "mine": mine.ref, "theirs": theirs.ref, "actors": actors_for(desk)}


WRITES: dict[str, tuple[set[str], Callable[[Desk, Actor], object]]] = {
    "book": (
        DESK_ROLES,
        lambda d, a: book(d, a, request(car=3, driver=3, start=TODAY + timedelta(days=5))),
    ),
    "confirm": (DESK_ROLES, lambda d, a: confirm(d, a, "BK-000001")),
    "cancel": (DESK_ROLES, lambda d, a: cancel(d, a, "BK-000002", "changed plans")),
    "checkout": (DESK_ROLES, lambda d, a: checkout(d, a, "INV-000001", "card")),
    "pay": (DESK_ROLES, lambda d, a: pay(d, a, "INV-000001", 1_000, "cash")),
    # A correction of what an invoice is for is a manager's alone.
    "adjust": (MANAGING_ROLES, lambda d, a: adjust(d, a, "INV-000001", -500, "goodwill")),
    # Two days on, both pending holds have expired: an allowed run changes them.
    "run_lifecycle": (
        MANAGING_ROLES,
        lambda d, a: run_lifecycle(d, a, now=START + timedelta(days=2)),
    ),
    "add_user": (MANAGING_ROLES, lambda d, a: add_user(d, a, "newbie", "staff", "newbie-pass-1")),
    "change_role": (MANAGING_ROLES, lambda d, a: change_role(d, a, "olga", "manager")),
    "reset_password": (
        MANAGING_ROLES,
        lambda d, a: reset_password(d, a, "olga", "a-new-password"),
    ),
    "unlock": (MANAGING_ROLES, lambda d, a: unlock(d, a, "olga")),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("call", sorted(WRITES))
def test_state_changing_calls_check_the_role(world, call, role):
    allowed, action = WRITES[call]
    desk, actor = world["desk"], world["actors"][role]
    before = snapshot(desk)
    if role in allowed:
        action(desk, actor)
        assert snapshot(desk) != before, f"{call} by {role} changed nothing"
    else:
        with pytest.raises(NotAllowed, match=f"A {role} user may not"):
            action(desk, actor)
        assert snapshot(desk) == before, f"a refused {call} by {role} wrote something"


READS: dict[str, tuple[dict[str, type[Exception] | None], Callable[[Desk, Actor], object]]] = {
    "list_bookings": (
        {"driver": NotAllowed, "customer": NotAllowed},
        lambda d, a: list_bookings(d, a, BookingFilter()),
    ),
    "list_users": (
        {"staff": NotAllowed, "driver": NotAllowed, "customer": NotAllowed},
        lambda d, a: list_users(d, a),
    ),
    "list_invoices": ({"driver": NotAllowed}, lambda d, a: list_invoices(d, a)),
    "my_assignments": (
        {"staff": NotAllowed, "manager": NotAllowed, "customer": NotAllowed, "system": NotFound},
        lambda d, a: my_assignments(d, a),
    ),
    "my_bookings": (
        {"staff": NotAllowed, "manager": NotAllowed, "driver": NotAllowed, "system": NotFound},
        lambda d, a: my_bookings(d, a),
    ),
    # Someone else's booking and invoice look exactly like missing ones.
    "booking_detail(theirs)": (
        {"driver": NotFound, "customer": NotFound},
        lambda d, a: booking_detail(d, a, "BK-000002"),
    ),
    "invoice_booking(theirs)": (
        {"driver": NotFound, "customer": NotFound},
        lambda d, a: invoice_booking(d, a, "INV-000002"),
    ),
    "booking_detail(mine)": ({}, lambda d, a: booking_detail(d, a, "BK-000001")),
    "invoice_booking(mine)": (
        {"driver": NotFound},
        lambda d, a: invoice_booking(d, a, "INV-000001"),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("call", sorted(READS))
def test_reading_calls_check_the_role(world, call, role):
    refused, action = READS[call]
    desk, actor = world["desk"], world["actors"][role]
    before = snapshot(desk)
    error = refused.get(role)
    if error is None:
        assert action(desk, actor) is not None
    else:
        with pytest.raises(error):
            action(desk, actor)
    assert snapshot(desk) == before


def test_a_customer_sees_only_their_own_bookings_and_invoices(world):
    desk, customer = world["desk"], world["actors"]["customer"]
    assert [v.ref for v in my_bookings(desk, customer)] == [world["mine"]]
    page = list_invoices(desk, customer)
    assert [v.booking_ref for v in page.items] == [world["mine"]]
    assert page.total == 1
    assert booking_detail(desk, customer, world["mine"]).booking.customer_email == email(1)
    assert invoice_booking(desk, customer, "INV-000001").ref == world["mine"]


def test_a_customer_account_linked_to_nobody_sees_no_invoices(world):
    desk = world["desk"]
    unlinked = Actor(username="ghost", role=Role.CUSTOMER, customer_id=None)
    page = list_invoices(desk, unlinked)
    assert page.items == []
    assert page.total == 0


def test_a_driver_sees_only_their_own_assignments(world):
    desk, driver = world["desk"], world["actors"]["driver"]
    work = my_assignments(desk, driver)
    refs = [v.ref for v in work.today + work.upcoming + work.recent]
    assert refs == [world["mine"]]
    assert [v.driver_code for v in work.today] == [code(1)]
    job = booking_detail(desk, driver, world["mine"])
    assert isinstance(job, DriverJobView)
    assert (job.ref, job.driver_code, job.customer_name) == (world["mine"], code(1), "Customer 1")
    staff_view = booking_detail(desk, world["actors"]["staff"], world["mine"])
    assert isinstance(staff_view, BookingDetail)
    assert staff_view.history, "the booking has a history that the driver is not shown"
    # The record itself (money, statement, history) is as missing for a driver.
    with pytest.raises(NotFound):
        booking_record(desk, driver, world["mine"])


# Any of these in a field's name is money, or leads to it.
MONEY_WORDS = ("cents", "rate", "fee", "amount", "total", "paid", "balance", "invoice", "pay")


def fields_in(value: object, path: str = "") -> list[str]:
    """Every field name reachable from value, through dataclasses, lists and tuples."""
    if is_dataclass(value) and not isinstance(value, type):
        names = []
        for field in fields(value):
            names.append(f"{path}{field.name}")
            names += fields_in(getattr(value, field.name), f"{path}{field.name}.")
        return names
    if isinstance(value, list | tuple):
        return [name for item in value for name in fields_in(item, path)]
    return []


def test_a_drivers_views_carry_no_money_by_construction(world):
    """Asserted on what the services return, not on what a screen shows: a job and the
    assignments have no field that is, or leads to, an amount, a rate, an invoice or a
    payment, whatever the booking holds."""
    desk, driver = world["desk"], world["actors"]["driver"]
    pay(desk, world["actors"]["staff"], "INV-000001", 1_000, "cash")
    work = my_assignments(desk, driver)
    job = booking_detail(desk, driver, world["mine"])
    assert work.today, "the driver has a job today, paid in part"
    for result in (work, job):
        names = fields_in(result)
        assert names, result
        money = [name for name in names if any(word in name.lower() for word in MONEY_WORDS)]
        assert money == [], f"{type(result).__name__} carries {money}"
    # By the type, not by these values: DriverJobView has no such field at all.
    assert not [f.name for f in fields(DriverJobView) if any(w in f.name for w in MONEY_WORDS)]
    assert {type(item) for item in work.today + work.upcoming + work.recent} == {DriverJobView}


def test_desk_roles_see_everything(world):
    desk = world["desk"]
    for role in sorted(DESK_ROLES):
        actor = world["actors"][role]
        assert list_bookings(desk, actor, BookingFilter()).total == 2
        assert list_invoices(desk, actor).total == 2


def test_signing_in_roles_cannot_be_given_the_system_role(world):
    desk, boss = world["desk"], world["actors"]["manager"]
    before = snapshot(desk)
    with pytest.raises(Exception, match="Role must be one of"):
        add_user(desk, boss, "robot", "system", "robot-password")
    assert snapshot(desk) == before
