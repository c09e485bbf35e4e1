"""Helpers for the records tests: open a screen as a signed-in user and read what it shows."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from nextcars_tui.domain.roles import Actor
from nextcars_tui.services.auth import sign_in
from nextcars_tui.services.desk import Desk
from tests.tui.deskdata import PASSWORDS

# Every test desk is a copy of one template, so a user's actor is the same in all of them;
# verifying each password once keeps argon2 out of the records tests' running time.
_ACTORS: dict[str, Actor] = {}


def actor_for(desk: Desk, username: str) -> Actor:
    if username not in _ACTORS:
        _ACTORS[username] = sign_in(desk, username, PASSWORDS[username])
    return _ACTORS[username]


async def settle(pilot: Pilot[Any]) -> None:
    """Let service workers finish and their results reach the screen."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_as(pilot: Pilot[Any], username: str, name: str, **kwargs: Any) -> None:
    """Sign in (the sign-in screen has its own tests) and open a screen by name."""
    app = pilot.app
    await settle(pilot)
    app.signed_in(actor_for(app.desk, username))
    await pilot.pause()
    app.open_screen(name, **kwargs)
    await settle(pilot)


def plain(widget: Static) -> str:
    """The text a Static shows, without styles, wrapped at a generous width."""
    console = Console(width=120, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


def column(table: DataTable[Any], key: str) -> list[str]:
    return [str(table.get_cell(row_key, key)) for row_key in table.rows]


def row_keys(table: DataTable[Any]) -> list[str]:
    return [str(row_key.value) for row_key in table.rows]


def messages(app: Any) -> list[str]:
    """Every notification the app showed, oldest first."""
    return [notification.message for notification in app._notifications]
