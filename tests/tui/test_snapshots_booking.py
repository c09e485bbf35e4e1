"""Snapshots of every booking wizard step and both availability grids, at 80×24 and 200×50,
on the deterministic desk with its frozen clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.roles_kit import enter_as, no_blinking, settle

SIZES = pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])

Steps = Callable[[Pilot[Any]], Awaitable[None]]

# From Today: new booking, Bob, today for 2 days (so some cars and drivers are busy),
# then the first free car and driver. Each group is typed, then allowed to settle.
WIZARD_STEPS: dict[str, list[tuple[str, ...]]] = {
    "customer": [("ctrl+n",)],
    "dates": [("ctrl+n",), ("b", "o", "b"), ("enter",), ("tab", "2")],
    "car": [("ctrl+n",), ("b", "o", "b"), ("enter",), ("tab", "2", "enter")],
    "driver": [("ctrl+n",), ("b", "o", "b"), ("enter",), ("tab", "2", "enter"), ("enter",)],
    "review": [
        ("ctrl+n",),
        ("b", "o", "b"),
        ("enter",),
        ("tab", "2", "enter"),
        ("enter",),
        ("enter",),
    ],
}


def as_staff(*groups: tuple[str, ...]) -> Steps:
    async def steps(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, "staff")
        for keys in groups:
            await pilot.press(*keys)
            await settle(pilot)
        no_blinking(pilot.app)

    return steps


@SIZES
@pytest.mark.parametrize("step", list(WIZARD_STEPS))
def test_wizard_step(snap_compare, make_app, size, step):
    steps = as_staff(*WIZARD_STEPS[step])
    assert snap_compare(make_app(), run_before=steps, terminal_size=size)


@SIZES
@pytest.mark.parametrize("key", ["f5", "f6"], ids=["cars", "drivers"])
def test_grid(snap_compare, make_app, size, key):
    assert snap_compare(make_app(), run_before=as_staff((key,)), terminal_size=size)
