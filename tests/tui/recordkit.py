"""Helpers for the records tests: open a screen as a signed-in user and read what it shows."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from tests.tui.roles_kit import actor_for, settle


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
