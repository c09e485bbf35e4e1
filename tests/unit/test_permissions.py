"""Who may do what: the role table every service call checks."""

from __future__ import annotations

import pytest

from nextcars_tui.domain.errors import InvalidInput, NotAllowed
from nextcars_tui.domain.roles import (
    ASSIGNABLE_ROLES,
    ROLE_PERMISSIONS,
    Actor,
    Permission,
    Role,
    may_see_booking,
    parse_role,
    system_actor,
)

P = Permission
DESK_WORK = {
    P.BOOK,
    P.CONFIRM,
    P.CANCEL,
    P.CHANGE,
    P.CHECKOUT,
    P.REFUND,
    P.VIEW_DESK,
    P.EDIT_CUSTOMERS,
    P.VIEW_OWN_TAKINGS,
    # Sending a customer their invoice on demand.
    P.EMAIL_CUSTOMERS,
    P.CHANGE_OWN_PASSWORD,
}
# Adjusting what an invoice is for is a manager's correction, never desk work; so are taking
# cars and drivers out of service and retiring them.
MANAGING = {
    P.ADJUST,
    P.MANAGE_USERS,
    P.MANAGE_FLEET,
    P.MANAGE_BLOCKS,
    P.RETIRE,
    P.RUN_LIFECYCLE,
    P.VIEW_REPORTS,
    # The outbox: sending, reviewing, queueing a failed message again.
    P.MANAGE_MAIL,
}

EXPECTED = {
    Role.STAFF: DESK_WORK,
    Role.MANAGER: DESK_WORK | MANAGING,
    Role.DRIVER: {P.VIEW_OWN_ASSIGNMENTS, P.CHANGE_OWN_PASSWORD},
    Role.CUSTOMER: {P.VIEW_OWN_BOOKINGS, P.CHANGE_OWN_PASSWORD},
    Role.SYSTEM: set(Permission),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_each_role_has_exactly_its_permissions(role, permission):
    actor = Actor(username="someone", role=role)
    assert actor.can(permission) == (permission in EXPECTED[role])
    if permission in EXPECTED[role]:
        actor.require(permission)
    else:
        with pytest.raises(NotAllowed, match=f"A {role.value} user may not {permission.value}"):
            actor.require(permission)


def test_the_table_covers_every_role():
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_managers_alone_manage_users_fleet_and_rates():
    for permission in (P.MANAGE_USERS, P.MANAGE_FLEET):
        holders = {r for r in ASSIGNABLE_ROLES if permission in ROLE_PERMISSIONS[r]}
        assert holders == {Role.MANAGER}


def test_every_account_may_change_its_own_password():
    holders = {r for r in ASSIGNABLE_ROLES if P.CHANGE_OWN_PASSWORD in ROLE_PERMISSIONS[r]}
    assert holders == set(ASSIGNABLE_ROLES)


def test_the_system_actor_is_named_for_the_audit_log():
    actor = system_actor("cli")
    assert actor.username == "system:cli"
    assert actor.role == Role.SYSTEM
    assert actor.driver_id is None and actor.customer_id is None


@pytest.mark.parametrize(
    ("text", "role"),
    [("manager", Role.MANAGER), (" Staff ", Role.STAFF), ("DRIVER", Role.DRIVER)],
)
def test_roles_parse_as_typed(text, role):
    assert parse_role(text) == role


@pytest.mark.parametrize("text", ["system", "admin", "", "root"])
def test_nobody_can_be_given_the_system_role_or_an_unknown_one(text):
    with pytest.raises(InvalidInput, match="manager, staff, driver, customer"):
        parse_role(text)


@pytest.mark.parametrize(
    ("actor", "booking", "invoice"),
    [
        (Actor("sam", Role.STAFF), True, True),
        (Actor("mia", Role.MANAGER), True, True),
        (system_actor("cli"), True, True),
        # Their own booking: the customer sees its money too; the driver only the job.
        (Actor("cat", Role.CUSTOMER, customer_id=7), True, True),
        (Actor("dan", Role.DRIVER, driver_id=3), True, False),
        # Someone else's.
        (Actor("cy", Role.CUSTOMER, customer_id=8), False, False),
        (Actor("di", Role.DRIVER, driver_id=4), False, False),
        # Accounts linked to nothing see nothing.
        (Actor("cz", Role.CUSTOMER), False, False),
        (Actor("dz", Role.DRIVER), False, False),
    ],
)
def test_who_may_see_a_booking_and_its_money(actor, booking, invoice):
    # A booking of customer 7 driven by driver 3.
    assert may_see_booking(actor, 7, 3) is booking
    assert may_see_booking(actor, 7, 3, money=True) is invoice
