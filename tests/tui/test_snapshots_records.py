"""Snapshots of the records screens at 80×24 and 200×50, on the frozen test desk.

Regenerate with `pytest tests/tui/test_snapshots_records.py --snapshot-update` and look at
the SVGs under __snapshots__/ before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input

from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.billing import adjust, pay, refund
from nextcars_tui.services.desk import Desk
from nextcars_tui.tui.app import NextCarsApp
from tests.tui.recordkit import open_as, settle
from tests.tui.roles_kit import type_text

SIZES = pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])


def opening(name: str, *keys: str, **kwargs: Any) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Sign in as staff, open a screen by name, then press keys."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_as(pilot, "staff", name, **kwargs)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        # A blinking cursor would make the picture depend on the moment it is taken.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await settle(pilot)

    return run_before


@SIZES
def test_bookings_list(snap_compare, make_app, size):
    assert snap_compare(make_app(), run_before=opening("bookings"), terminal_size=size)


@SIZES
def test_booking_detail_pending(snap_compare, make_app, size):
    run_before = opening("booking", ref="BK-000006")
    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


@SIZES
def test_booking_detail_paid(snap_compare, make_app, size):
    run_before = opening("booking", ref="BK-000007")
    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


@SIZES
def test_booking_detail_statement(snap_compare, make_app, size):
    """A statement with every kind of money entry, written at the frozen time: a deposit,
    a second payment, a refund with its reason and a manager's adjustment."""

    async def run_before(pilot: Pilot[Any]) -> None:
        desk, system = pilot.app.desk, system_actor("tests")
        pay(desk, system, "INV-000004", "300.00", "card")
        pay(desk, system, "INV-000004", "200.00", "cash")
        refund(desk, system, "INV-000004", "50.00", "cash", "overcharged fuel")
        adjust(desk, system, "INV-000004", "-45.00", "loyalty discount")
        await opening("booking", ref="BK-000004")(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


@SIZES
def test_cancel_dialog(snap_compare, make_app, size):
    run_before = opening("booking", "x", *"moved", ref="BK-000008")
    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


def test_cancel_dialog_waiving_a_late_fee(snap_compare, desk):
    """A late fee (10 % within 100 h) waived: the box ticked, the consequence without it."""
    billing = replace(desk.settings.billing, cancel_fee_percent=10, cancel_fee_hours=100)
    settings = replace(desk.settings, billing=billing)
    app = NextCarsApp(
        settings,
        desk=Desk(desk.db, settings, desk.clock),
        clock=desk.clock,
        run_worker_thread=False,
        live_interval=None,
    )
    opened = opening("booking", "x", ref="BK-000007")

    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        pilot.app.screen.query_one("#cancel-waive", Checkbox).value = True
        await type_text(pilot, "wrong customer")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


@SIZES
def test_payment_dialog(snap_compare, make_app, size):
    run_before = opening("booking", "t", ref="BK-000006")
    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


@SIZES
def test_refund_dialog(snap_compare, make_app, size):
    run_before = opening("booking", "f", ref="BK-000007")
    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


@SIZES
def test_invoices_list(snap_compare, make_app, size):
    assert snap_compare(make_app(), run_before=opening("invoices"), terminal_size=size)


@SIZES
def test_invoice_detail_overdue(snap_compare, make_app, size):
    run_before = opening("invoice", ref="INV-000002")
    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


@SIZES
def test_invoice_detail_paid(snap_compare, make_app, size):
    run_before = opening("invoice", ref="INV-000007")
    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)
