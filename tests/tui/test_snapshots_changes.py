"""Snapshots of the driver's jobs with their job sheets, the cars grid with a block, the
blocks screen with its proposal and the change dialog, at 80×24 and 200×50, on the
deterministic desk (plus tests/tui/deskdata.add_jobs_and_block) with its frozen clock."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.deskdata import add_jobs_and_block
from tests.tui.roles_kit import enter_as, fill, no_blinking, settle

SIZES = pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])


@SIZES
def test_driver_jobs(snap_compare, make_app, desk, size):
    add_jobs_and_block(desk)

    async def steps(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, "driver4")
        no_blinking(pilot.app)

    assert snap_compare(make_app(), run_before=steps, terminal_size=size)


@SIZES
def test_grid_with_a_block(snap_compare, make_app, desk, size):
    add_jobs_and_block(desk)

    async def steps(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, "staff")
        await pilot.press("f5")
        await settle(pilot)
        # The cursor onto RT-552's MOT (fourth car; 7 December is the ninth day shown).
        await pilot.press("down", "down", "down", *["right"] * 6)
        await settle(pilot)
        no_blinking(pilot.app)

    assert snap_compare(make_app(), run_before=steps, terminal_size=size)


@SIZES
def test_blocks_screen(snap_compare, make_app, desk, size):
    add_jobs_and_block(desk)

    async def steps(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, "manager")
        pilot.app.open_screen("blocks")
        await settle(pilot)
        await fill(pilot, "#block-resource", "LM-310")
        await fill(pilot, "#block-start", "2026-12-05")
        await fill(pilot, "#block-days", "2")
        await fill(pilot, "#block-reason", "gearbox repair")
        await pilot.press("enter")
        await settle(pilot)
        no_blinking(pilot.app)

    assert snap_compare(make_app(), run_before=steps, terminal_size=size)


@SIZES
def test_change_dialog(snap_compare, make_app, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, "staff")
        pilot.app.open_screen("booking", ref="BK-000007")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        no_blinking(pilot.app)

    assert snap_compare(make_app(), run_before=steps, terminal_size=size)


def test_change_dialog_preview(snap_compare, make_app):
    """Two more days typed: the preview of the new end, total, difference and balance, and
    the cars free for the new dates, at 80×24."""

    async def steps(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, "staff")
        pilot.app.open_screen("booking", ref="BK-000007")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await fill(pilot, "#change-days", "5")
        await pilot.pause(0.4)
        await settle(pilot)
        no_blinking(pilot.app)

    assert snap_compare(make_app(), run_before=steps, terminal_size=(80, 24))
