"""Snapshots of the records screens at 80×24 and 200×50, on the frozen test desk.

Regenerate with `pytest tests/tui/test_snapshots_records.py --snapshot-update` and look at
the SVGs under __snapshots__/ before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.recordkit import open_as, settle

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
def test_cancel_dialog(snap_compare, make_app, size):
    run_before = opening("booking", "x", *"moved", ref="BK-000006")
    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


@SIZES
def test_checkout_dialog(snap_compare, make_app, size):
    run_before = opening("booking", "t", ref="BK-000006")
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
