"""Sign-in: the gate to every screen."""

from __future__ import annotations

import threading

import pytest
from textual import events
from textual.widgets import Label

from nextcars_tui.domain.roles import Role
from nextcars_tui.tui.screens.sign_in import SignInScreen
from tests.tui.conftest import sign_in
from tests.tui.deskdata import PASSWORDS
from tests.tui.roles_kit import screen_text, type_text


async def test_staff_lands_on_today(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "staff")
        assert app.actor is not None and app.actor.role == Role.STAFF
        assert type(app.screen).__name__ == "TodayScreen"


async def test_wrong_password_and_unknown_user_say_the_same(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "staff", "not-the-password")
        wrong = str(app.screen.query_one("#sign-in-message", Label).render())
        assert isinstance(app.screen, SignInScreen)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "nobody", "not-the-password")
        unknown = str(app.screen.query_one("#sign-in-message", Label).render())
    assert wrong == unknown == "Unknown username or wrong password."
    assert app.actor is None


async def test_credentials_typed_ahead_land_in_their_fields(make_app):
    """All keys arrive in one burst, as over a bursty SSH link; none may stay behind in the
    username field."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        # Queue every key on the app before any is handled, as the terminal driver does
        # with a burst of input; Pilot.press would wait after each key.
        for char in "staff\rstaff-pass\r":
            key = "enter" if char == "\r" else char
            app.post_message(events.Key(key, None if key == "enter" else char))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.actor is not None and app.actor.username == "staff"


async def test_a_password_manager_burst_with_tab_lands_in_both_fields(make_app):
    """Username, Tab, password, Enter in one burst, as a password manager types them:
    Tab used to be handled only after the password's keys were queued on the username."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        for char in "staff\tstaff-pass\r":
            key = {"\r": "enter", "\t": "tab"}.get(char, char)
            app.post_message(events.Key(key, char if key == char else None))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.actor is not None and app.actor.username == "staff"


async def test_tab_still_moves_on_from_the_password(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#password")
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#sign-in")


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (200, 50)], ids=str)
async def test_tries_left_and_the_lock_out_are_shown_whole(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await sign_in(pilot, "staff", "wrong-1")
        for attempt in range(2, 6):
            await pilot.click("#password")
            await type_text(pilot, f"wrong-{attempt}")
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            shown = " ".join(" ".join(screen_text(app).split()).split("│"))
            shown = " ".join(shown.split())
            if attempt == 4:
                assert "1 try left before the account is locked for 15 minutes." in shown
            if attempt == 5:
                assert "The account is now locked for 15 minutes." in shown
        await pilot.click("#password")
        await type_text(pilot, PASSWORDS["staff"])
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = " ".join(" ".join(screen_text(app).split("│")).split())
        assert "locked for 15 more minutes." in shown
        assert app.actor is None


async def test_a_burst_typed_as_the_desk_opens_still_signs_in(make_app, desk, monkeypatch):
    """A password manager fills the sign-in the moment it appears, before the database has
    finished opening: its Enter is kept and acted on once the desk is ready, never lost."""
    import nextcars_tui.services.desk as desk_module

    opening = threading.Event()

    def slow_open(*_args: object, **_kwargs: object) -> object:
        opening.wait(10)
        return desk

    monkeypatch.setattr(desk_module, "open_desk", slow_open)
    # No desk handed over: the app opens the database itself, off the event loop.
    app = make_app(desk=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for char in "staff\tstaff-pass\r":
            key = {"\r": "enter", "\t": "tab"}.get(char, char)
            app.post_message(events.Key(key, char if key == char else None))
        await pilot.pause()
        assert not app.desk_ready
        said = str(app.screen.query_one("#sign-in-message", Label).render())
        assert "signed in as soon as it is open" in said
        opening.set()
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert app.actor is not None and app.actor.username == "staff"
