"""Snapshots of the Reports screen (each tab) and the till, at 80×24, on the deterministic
desk with its frozen clock and a few payments taken this morning."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.billing import pay, refund
from tests.tui.deskdata import FROZEN
from tests.tui.roles_kit import desk_at
from tests.tui.test_snapshots_roles import as_user

SIZE = (80, 24)


@pytest.fixture
def till_desk(desk):
    """The test desk with this morning's money: two clerks, cash and card, one refund."""
    staff = Actor(username="staff", role=Role.STAFF)
    manager = Actor(username="manager", role=Role.MANAGER)
    morning = desk_at(desk, FROZEN + timedelta(hours=1))
    pay(morning, staff, "INV-000003", "40.00", "cash")
    pay(morning, manager, "INV-000003", "25.50", "card")
    refund(morning, manager, "INV-000001", "10.00", "card", "scratched seat")
    pay(morning, staff, "INV-000004", "120.00", "card")
    return desk


@pytest.mark.parametrize(
    "keys",
    [(), ("y", "2"), ("3",)],
    ids=["utilisation", "revenue-this-year", "takings"],
)
def test_reports(snap_compare, make_app, till_desk, keys):
    app = make_app(desk=till_desk, clock=till_desk.clock)
    assert snap_compare(app, run_before=as_user("manager", "f12", *keys), terminal_size=SIZE)


def test_staff_till(snap_compare, make_app, till_desk):
    app = make_app(desk=till_desk, clock=till_desk.clock)
    assert snap_compare(
        app, run_before=as_user("staff", "ctrl+p", *"takings", "enter"), terminal_size=SIZE
    )
