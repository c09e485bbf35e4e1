"""Lifecycle rules: the dry run writes nothing; run now (after confirming) changes the desk."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable

from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.lifecycle import run_lifecycle
from nextcars_tui.services.listings import BookingFilter, list_bookings
from nextcars_tui.tui.dialogs.confirm_run import ConfirmRunDialog
from nextcars_tui.tui.screens.lifecycle import LifecycleScreen
from tests.tui.deskdata import FROZEN
from tests.tui.roles_kit import SYSTEM, desk_at, enter_as, screen_text, settle

MANAGER = Actor("manager", Role.MANAGER)
LATER = FROZEN + timedelta(days=3)  # Friday 4 December: holds stale, rentals over, money late


def _pairs(table: DataTable) -> list[tuple[str, str]]:
    return [tuple(str(c) for c in table.get_row(row.key)) for row in table.ordered_rows]


def _statuses(desk) -> dict[str, str]:
    page = list_bookings(desk, MANAGER, BookingFilter(limit=100))
    return {b.ref: f"{b.status.value}/{b.invoice.status.value}" for b in page.items}


async def _open_rules(pilot) -> LifecycleScreen:
    await enter_as(pilot, "manager")
    await pilot.press("f10")
    await settle(pilot)
    assert isinstance(pilot.app.screen, LifecycleScreen)
    return pilot.app.screen


async def test_dry_run_lists_what_would_change_and_writes_nothing(make_app, desk):
    later = desk_at(desk, LATER)
    expected = run_lifecycle(later, SYSTEM, dry_run=True)
    assert expected.expired and expected.completed and expected.overdue
    before = _statuses(later)
    app = make_app(desk=later, clock=later.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_rules(pilot)
        would = _pairs(screen.query_one("#lifecycle-would", DataTable))
        assert would == (
            [("expire", ref) for ref in expected.expired]
            + [("complete", ref) for ref in expected.completed]
            + [("mark overdue", ref) for ref in expected.overdue]
        )
        await pilot.press("d")
        await settle(pilot)
        text = screen_text(app)
        assert "Would change now (04 Dec 09:00): expire 2, complete 2, mark overdue 1" in text
        assert "Last run: not run from this screen yet" in text
        opened: list[tuple[str, dict[str, str]]] = []
        app.open_screen = lambda name, **kw: opened.append((name, kw))  # type: ignore[method-assign]
        table = screen.query_one("#lifecycle-would", DataTable)
        table.focus()
        table.move_cursor(row=len(would) - 1)
        await pilot.press("enter")
        table.move_cursor(row=0)
        await pilot.press("enter")
        assert opened == [
            ("invoice", {"ref": expected.overdue[0]}),
            ("booking", {"ref": expected.expired[0]}),
        ]
    assert _statuses(later) == before
    assert run_lifecycle(later, SYSTEM, dry_run=True) == expected


async def test_run_now_asks_first_then_applies_the_rules(make_app, desk):
    later = desk_at(desk, LATER)
    expected = run_lifecycle(later, SYSTEM, dry_run=True)
    app = make_app(desk=later, clock=later.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_rules(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmRunDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert _statuses(later)["BK-000006"] == "pending/unpaid"
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmRunDialog)
        assert "expire 2, complete 2, mark overdue 1" in screen_text(app)
        await pilot.click("#confirm-go")
        await settle(pilot)
        assert app.screen is screen
        changed = _pairs(screen.query_one("#lifecycle-changed", DataTable))
        assert changed == (
            [("expired", ref) for ref in expected.expired]
            + [("completed", ref) for ref in expected.completed]
            + [("marked overdue", ref) for ref in expected.overdue]
        )
        text = screen_text(app)
        assert "Last run (04 Dec 09:00): expired 2, completed 2, marked overdue 1" in text
        assert "Would change now (04 Dec 09:00): nothing" in text
    statuses = _statuses(later)
    assert statuses["BK-000006"] == "cancelled/void"
    assert statuses["BK-000004"].startswith("completed/")
    assert not run_lifecycle(later, SYSTEM, dry_run=True).changed
