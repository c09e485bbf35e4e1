"""The app shell: live refresh from another connection, and a theme that is remembered."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Input

from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.booking import BookingRequest, book
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import open_database
from nextcars_tui.tui.screens.sign_in import SignInScreen
from tests.tui.conftest import sign_in
from tests.tui.roles_kit import enter_as, fill, screen_text, settle, type_text

TODAY = date(2026, 12, 1)


def pickup_refs(app) -> list[str]:
    table = app.screen.query_one("#pickups", DataTable)
    return [row.value for row in table.rows]


async def test_a_booking_from_another_connection_appears_without_a_restart(make_app, desk):
    app = make_app(live_interval=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "staff")
        assert type(app.screen).__name__ == "TodayScreen"
        before = pickup_refs(app)
        other = open_database(desk.db.path, create=False)
        try:
            made = book(
                Desk(other, desk.settings, desk.clock),
                system_actor("other-terminal"),
                BookingRequest("erin@example.com", "RT-552", "DRV-04", TODAY, 1),
            )
        finally:
            other.close()
        assert made.ref not in before
        # The app polls data_version every 0.2 s here; give it a bounded while.
        for _ in range(40):
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if made.ref in pickup_refs(app):
                break
        assert made.ref in pickup_refs(app)


async def test_a_changed_theme_is_remembered_for_that_user_only(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "staff")
        chosen = next(name for name in app.available_themes if name != app.theme)
        app.theme = chosen
        await pilot.pause()
        await app.workers.wait_for_complete()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "staff")
        assert app.theme == chosen
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        default = app.theme
        await sign_in(pilot, "manager")
        assert app.theme == default != chosen


def idle_app(make_app):
    seconds = [1000.0]
    app = make_app(idle_clock=lambda: seconds[0])

    def go_idle() -> None:
        seconds[0] += app.settings.sign_in.idle_lock_minutes * 60 + 1
        app._check_idle()

    return app, go_idle


async def test_the_idle_lock_keeps_a_half_made_booking_for_the_same_user(make_app):
    app, go_idle = idle_app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        wizard = app.screen
        await type_text(pilot, "bob")
        await pilot.press("enter")
        await settle(pilot)
        await fill(pilot, "#day-count", "3")
        go_idle()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.actor is None
        assert "Bob Green" not in screen_text(app)
        # Locked: keys, screens and the palette's places are refused.
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await sign_in(pilot, "staff")
        assert app.screen is wizard
        assert wizard.step == "dates"
        assert wizard.query_one("#day-count", Input).value == "3"
        assert wizard.draft.customer is not None and wizard.draft.customer.name == "Bob Green"
        await pilot.press("escape")  # something was entered: the wizard asks first
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmRunDialog"
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "BookingsScreen"


async def test_the_idle_lock_keeps_a_half_filled_dialog(make_app):
    app, go_idle = idle_app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        await type_text(pilot, "ZZ-123")
        go_idle()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await sign_in(pilot, "manager")
        assert app.screen is dialog
        assert dialog.query_one("#field-plate", Input).value == "ZZ-123"


async def test_another_user_after_the_idle_lock_starts_afresh(make_app):
    app, go_idle = idle_app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        await pilot.press("f8")
        await settle(pilot)
        go_idle()
        await settle(pilot)
        await sign_in(pilot, "staff")
        assert app.actor is not None and app.actor.username == "staff"
        assert type(app.screen).__name__ == "TodayScreen"
        assert len(app.screen_stack) == 2  # nothing of the manager's is left underneath
        assert not any(type(s).__name__ == "FleetScreen" for s in app.screen_stack)


async def test_the_palette_offers_no_screenshot(make_app):
    """Textual's "Screenshot" writes an SVG into the working folder, which fails over SSH
    and in a read-only folder; the desk's palette leaves it out and keeps the rest."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Screenshot" not in titles
        assert "Quit" in titles and "Keys" in titles
