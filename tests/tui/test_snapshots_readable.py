"""Snapshots of the lists whose columns were cut at 80 columns, on the test desk plus a long
customer name and a five-figure booking across New Year (what the demo data has): at 80×24
nothing of an amount, date or status is cut; at 200×50 the extra columns are back.

Regenerate with `pytest tests/tui/test_snapshots_readable.py --snapshot-update` and look at
the SVGs under __snapshots__/ before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.roles_kit import enter_as, go, no_blinking, settle

SIZES = pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])


def opening(name: str, username: str = "manager") -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, username)
        await go(pilot, name)
        no_blinking(pilot.app)
        await settle(pilot)

    return run_before


@SIZES
@pytest.mark.parametrize("name", ["bookings", "invoices", "review"])
def test_long_list(snap_compare, make_app, big_desk, name, size):
    assert snap_compare(make_app(), run_before=opening(name), terminal_size=size)
