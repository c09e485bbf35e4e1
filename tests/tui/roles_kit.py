"""Helpers for the manager, driver and customer screen tests: settle, read the screen, go."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Input

from nextcars_tui.clock import fixed_clock
from nextcars_tui.domain.roles import Actor, system_actor
from nextcars_tui.services.auth import sign_in
from nextcars_tui.services.desk import Desk
from tests.tui.deskdata import PASSWORDS

SYSTEM = system_actor("tests")


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and their results land on screen; a result may start more work.
    Every round is taken: a screen just opened may not have started its worker at the first
    pause, and stopping when none runs yet read the screen before its data on a busy machine."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


_ACTORS: dict[str, Actor] = {}


async def enter_as(pilot: Pilot[Any], username: str) -> None:
    """Start signed in as one of the test desk's users, skipping the typing.

    conftest's sign_in types the credentials key by key, the honest test of the sign-in
    screen (test_sign_in.py, and the add-user test here); it and the argon2 check cost about
    a second per test, so screens that are not about signing in start from the account's
    Actor, looked up once per session — the ids are the same in every copy of the desk.
    """
    app = pilot.app
    await settle(pilot)
    app.signed_in(actor_for(app.desk, username))
    await settle(pilot)


def actor_for(desk: Desk, username: str) -> Actor:
    """The test desk's user, signed in once per session: every test desk is a copy of one
    template, so the actor is the same in all of them, and argon2 runs once."""
    if username not in _ACTORS:
        _ACTORS[username] = sign_in(desk, username, PASSWORDS[username])
    return _ACTORS[username]


async def go(pilot: Pilot[Any], name: str, **kwargs: Any) -> None:
    pilot.app.open_screen(name, **kwargs)
    await settle(pilot)


def screen_lines(app: Any) -> list[str]:
    """The text on the terminal, one string per row. The compositor is private API, but
    Textual is pinned and this reads exactly what a person would see."""
    return [
        "".join(segment.text for segment in strip)
        for strip in app.screen._compositor.render_strips()
    ]


def screen_text(app: Any) -> str:
    return "\n".join(screen_lines(app))


async def fill(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Replace an input's text by typing, as a person would after clearing it."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.pause()
    if text:
        await type_text(pilot, text)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type `text` as one burst, as a terminal delivers quick typing: a key event per
    character, in order, then one wait. Pilot's press waits for idle twice after every key,
    about 50 ms a character; the app sees the same keys either way."""
    driver = pilot.app._driver
    assert driver is not None
    for character in text:
        key = events.Key(_character_to_key(character), character)
        key.set_sender(pilot.app)
        driver.send_message(key)
    await pilot.pause()


def desk_at(desk: Desk, moment: datetime) -> Desk:
    """The same database seen from another moment."""
    return Desk(desk.db, desk.settings, fixed_clock(moment))


def no_blinking(app: Any) -> None:
    """Stop input cursors blinking so a screenshot does not depend on when it was taken."""
    for field in app.screen.query(Input):
        field.cursor_blink = False
