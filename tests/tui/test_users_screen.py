"""Users: list, add (then sign in as the new user), change role, reset password, unlock."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Label, Select

from nextcars_tui.domain.errors import AccountLocked, SignInFailed
from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services import auth
from nextcars_tui.tui.dialogs.record_form import RecordFormDialog
from nextcars_tui.tui.screens.driver_home import DriverHomeScreen
from nextcars_tui.tui.screens.sign_in import SignInScreen
from nextcars_tui.tui.screens.users import UsersScreen
from tests.tui.conftest import sign_in
from tests.tui.roles_kit import enter_as, fill, screen_text, settle

MANAGER = Actor("manager", Role.MANAGER)


def _states(table: DataTable) -> dict[str, list[str]]:
    return {row.key.value: [str(c) for c in table.get_row(row.key)] for row in table.ordered_rows}


async def _open_users(pilot) -> UsersScreen:
    await enter_as(pilot, "manager")
    await pilot.press("f9")
    await settle(pilot)
    assert isinstance(pilot.app.screen, UsersScreen)
    return pilot.app.screen


def _highlight(screen: UsersScreen, username: str) -> None:
    table = screen.query_one("#users-table", DataTable)
    table.move_cursor(row=[row.key.value for row in table.ordered_rows].index(username))


async def test_add_a_driver_user_then_sign_in_as_them(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_users(pilot)
        rows = _states(screen.query_one("#users-table", DataTable))
        assert rows["driver1"] == ["driver1", "driver", "DRV-01", "ok"]
        assert rows["alice"][2] == "alice@example.com"
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RecordFormDialog)
        assert dialog.query_one("#field-password", Input).password
        assert dialog.query_one("#field-repeat", Input).password
        await fill(pilot, "#field-username", "chloe")
        dialog.query_one("#field-role", Select).value = "driver"
        await fill(pilot, "#field-password", "chloe-drives-1")
        await fill(pilot, "#field-repeat", "chloe-drives-1")
        await fill(pilot, "#field-link", "drv-03")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert _states(screen.query_one("#users-table", DataTable))["chloe"] == [
            "chloe",
            "driver",
            "DRV-03",
            "ok",
        ]
        assert "chloe-drives-1" not in screen_text(app)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await sign_in(pilot, "chloe", "chloe-drives-1")
        await settle(pilot)
        assert app.actor is not None and app.actor.role == Role.DRIVER
        assert isinstance(app.screen, DriverHomeScreen)
        # Chloe Martin (DRV-03) collects Bob's Tesla today.
        assert "BK-000006" in screen_text(app)


async def test_different_passwords_are_refused_in_the_dialog(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_users(pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill(pilot, "#field-username", "sam")
        await fill(pilot, "#field-password", "first-password")
        await fill(pilot, "#field-repeat", "second-password")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormDialog)
        assert "passwords differ" in str(app.screen.query_one("#form-error", Label).render())
    assert "sam" not in [u.username for u in auth.list_users(desk, MANAGER)]


async def test_unlock_a_locked_out_user(make_app, desk):
    for _ in range(desk.settings.sign_in.max_failures):
        with pytest.raises(SignInFailed):
            auth.sign_in(desk, "driver2", "wrong-password")
    with pytest.raises(AccountLocked):
        auth.sign_in(desk, "driver2", "driver2-pass")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_users(pilot)
        table = screen.query_one("#users-table", DataTable)
        assert _states(table)["driver2"][3].startswith("LOCKED until")
        assert "1 locked" in screen_text(app)
        _highlight(screen, "driver2")
        await pilot.press("u")
        await settle(pilot)
        assert _states(table)["driver2"][3] == "ok"
    assert auth.sign_in(desk, "driver2", "driver2-pass").username == "driver2"


async def test_change_role_and_reset_password(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_users(pilot)
        _highlight(screen, "staff")
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RecordFormDialog)
        assert dialog.query_one("#field-role", Select).value == "staff"
        dialog.query_one("#field-role", Select).value = "manager"
        await pilot.press("ctrl+s")
        await settle(pilot)
        table = screen.query_one("#users-table", DataTable)
        assert _states(table)["staff"][1] == "manager"
        _highlight(screen, "driver1")
        await pilot.press("p")
        await pilot.pause()
        await fill(pilot, "#field-password", "a-new-secret")
        await fill(pilot, "#field-repeat", "a-new-secret")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
    assert auth.sign_in(desk, "staff", "staff-pass").role == Role.MANAGER
    assert auth.sign_in(desk, "driver1", "a-new-secret").driver_id is not None
    with pytest.raises(SignInFailed):
        auth.sign_in(desk, "driver1", "driver1-pass")
