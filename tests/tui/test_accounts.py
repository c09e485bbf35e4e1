"""Accounts on the desk: two desks open, one disables the other's user, who is signed out
(idle, within the live-refresh interval; or at the next key); disable and enable with a
reason on the Users screen; every role changes its own password (Ctrl+T or the palette)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Label

from nextcars_tui.domain.errors import SignInFailed
from nextcars_tui.services import auth
from nextcars_tui.services.accounts import SIGNED_OUT, disable_user
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import open_database
from nextcars_tui.tui.app import NextCarsApp
from nextcars_tui.tui.dialogs.change_password import ChangePasswordDialog
from nextcars_tui.tui.dialogs.record_form import RecordFormDialog
from nextcars_tui.tui.messages import DataMoved
from nextcars_tui.tui.screens.sign_in import SignInScreen
from nextcars_tui.tui.screens.users import UsersScreen
from tests.tui.conftest import sign_in
from tests.tui.roles_kit import SYSTEM, enter_as, fill, screen_text, settle, type_text


@pytest.fixture
def other_desk(desk: Desk) -> Iterator[Desk]:
    """The same database opened again, as a second terminal opens it."""
    assert desk.db.path is not None
    opened = Desk(open_database(desk.db.path, create=False), desk.settings, desk.clock)
    yield opened
    opened.db.close()


def second_app(desk: Desk, **options: Any) -> NextCarsApp:
    return NextCarsApp(
        desk.settings, desk=desk, clock=desk.clock, run_worker_thread=False, **options
    )


def messages(app: NextCarsApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def wait_for_sign_in_screen(pilot, seconds: float = 3.0) -> None:
    """Let the live refresh poll (every 0.2 s in these tests) for at most `seconds`."""
    for _ in range(int(seconds / 0.05)):
        if isinstance(pilot.app.screen, SignInScreen):
            break
        await pilot.pause(0.05)
    await settle(pilot)


def highlight(screen: UsersScreen, username: str) -> None:
    table = screen.query_one("#users-table", DataTable)
    table.move_cursor(row=[row.key.value for row in table.ordered_rows].index(username))


def state_of(screen: UsersScreen, username: str) -> str:
    table = screen.query_one("#users-table", DataTable)
    return str(table.get_row(username)[3])


async def test_two_desks_one_disables_the_other_is_signed_out_while_idle(make_app, other_desk):
    managers_desk = make_app()
    staff_desk = second_app(other_desk, live_interval=0.2)
    async with (
        managers_desk.run_test(size=(80, 24)) as manager,
        staff_desk.run_test(size=(80, 24)) as staff,
    ):
        await enter_as(staff, "staff")
        await staff.press("f3")
        await settle(staff)
        assert type(staff_desk.screen).__name__ == "BookingsScreen"

        await enter_as(manager, "manager")
        await manager.press("f9")
        await settle(manager)
        users = managers_desk.screen
        assert isinstance(users, UsersScreen)
        highlight(users, "staff")
        await manager.press("d")
        await settle(manager)
        assert isinstance(managers_desk.screen, RecordFormDialog)
        await fill(manager, "#field-reason", "left the company")
        await manager.press("enter")
        await settle(manager)
        assert managers_desk.screen is users
        assert state_of(users, "staff") == "DISABLED"

        # Nobody touches the staff desk: the live refresh brings the news.
        await wait_for_sign_in_screen(staff)
        assert isinstance(staff_desk.screen, SignInScreen)
        assert staff_desk.actor is None and staff_desk.screens_owner is None
        assert len(staff_desk.screen_stack) == 2  # their screens are gone, not kept
        assert SIGNED_OUT in messages(staff_desk)
        # Signing in again: the right password hears that the account is disabled.
        await sign_in(staff, "staff")
        assert isinstance(staff_desk.screen, SignInScreen)
        assert "This account is disabled" in screen_text(staff_desk)
        await fill(staff, "#username", "staff")
        await fill(staff, "#password", "not-the-password")
        await staff.press("enter")
        await settle(staff)
        await staff_desk.workers.wait_for_complete()
        await settle(staff)
        assert "Unknown username or wrong password" in screen_text(staff_desk)
        assert "disabled" not in screen_text(staff_desk)


async def test_without_live_refresh_the_next_key_signs_a_disabled_user_out(
    make_app, desk, other_desk
):
    app = make_app()  # live_interval=None: no poll at all
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "driver1")
        disable_user(other_desk, SYSTEM, "driver1", "licence suspended")
        await pilot.press("r")  # the driver's refresh
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.actor is None
        assert SIGNED_OUT in messages(app)


async def test_a_palette_search_by_a_disabled_user_finds_nothing_and_signs_out(
    make_app, other_desk
):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        disable_user(other_desk, SYSTEM, "staff", "left")
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "bob")
        for _ in range(40):
            if isinstance(app.screen, SignInScreen):
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "Bob Green" not in screen_text(app)
        assert SIGNED_OUT in messages(app)


async def test_a_locked_terminal_of_a_disabled_user_keeps_no_screens(make_app, other_desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await pilot.press("f4")
        await settle(pilot)
        app.lock("locked for the test")
        await settle(pilot)
        assert app.screens_owner is not None and len(app.screen_stack) > 2
        disable_user(other_desk, SYSTEM, "staff", "left")
        app.post_message(DataMoved())
        await settle(pilot)
        assert app.screens_owner is None
        assert len(app.screen_stack) == 2
        assert isinstance(app.screen, SignInScreen)


async def test_a_manager_disables_and_enables_with_a_reason(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        await pilot.press("f9")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, UsersScreen)
        highlight(screen, "driver2")
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RecordFormDialog)
        await pilot.press("enter")  # no reason yet
        await settle(pilot)
        assert app.screen is dialog
        assert "Say why the account is disabled" in str(
            dialog.query_one("#form-error", Label).render()
        )
        await fill(pilot, "#field-reason", "licence [expired]")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert state_of(screen, "driver2") == "DISABLED"
        highlight(screen, "driver2")
        await settle(pilot)
        detail = str(screen.query_one("#user-detail").render())
        assert "disabled 01 Dec 2026 by manager: licence [expired]" in detail
        assert "1 disabled" in screen_text(app)
        # D again says so instead of asking for a reason.
        await pilot.press("d")
        await settle(pilot)
        assert app.screen is screen
        assert "driver2 is disabled already." in messages(app)

        await pilot.press("e")
        await settle(pilot)
        assert state_of(screen, "driver2") == "ok"
        assert "Enabled driver2 (driver)." in messages(app)
        # A manager cannot close their own account.
        highlight(screen, "manager")
        await pilot.press("d")
        await settle(pilot)
        await fill(pilot, "#field-reason", "tired")
        await pilot.press("enter")
        await settle(pilot)
        assert "You cannot disable your own account" in str(
            app.screen.query_one("#form-error", Label).render()
        )
    assert auth.sign_in(desk, "driver2", "driver2-pass").username == "driver2"


@pytest.mark.parametrize("username", ["manager", "staff", "driver1", "alice"])
async def test_every_role_changes_its_own_password_from_its_home(make_app, desk, username):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, username)
        palette = [command.title for command in app.get_system_commands(app.screen)]
        assert "Change my password" in palette
        await pilot.press("ctrl+t")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChangePasswordDialog)
        await fill(pilot, "#field-current-password", "not-my-password")
        await fill(pilot, "#field-new-password", f"{username}-fresh-1")
        await fill(pilot, "#field-repeat", f"{username}-fresh-1")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        error = str(dialog.query_one("#form-error", Label).render())
        assert "The current password is wrong; nothing was changed." in error
        await fill(pilot, "#field-current-password", f"{username}-pass")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ChangePasswordDialog)
        assert any("Your password was changed" in text for text in messages(app))
        assert f"{username}-fresh-1" not in screen_text(app)
    assert auth.sign_in(desk, username, f"{username}-fresh-1").username == username
    with pytest.raises(SignInFailed):
        auth.sign_in(desk, username, f"{username}-pass")


async def test_change_password_is_offered_only_to_someone_signed_in(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        palette = [command.title for command in app.get_system_commands(app.screen)]
        assert "Change my password" not in palette
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
