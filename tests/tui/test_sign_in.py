"""Sign-in: the gate to every screen."""

from __future__ import annotations

from textual import events
from textual.widgets import Label

from nextcars_tui.domain.roles import Role
from nextcars_tui.tui.screens.sign_in import SignInScreen
from tests.tui.conftest import sign_in


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
