"""Per-user preferences kept in the desk database, so they follow a user across terminals."""

from __future__ import annotations

from nextcars_tui.domain.parsing import parse_text
from nextcars_tui.domain.roles import Actor
from nextcars_tui.services.desk import Desk


def _key(actor: Actor) -> str:
    return f"theme:{actor.username}"


def load_theme(desk: Desk, actor: Actor) -> str | None:
    with desk.db.read() as uow:
        return uow.settings.get(_key(actor))


def save_theme(desk: Desk, actor: Actor, theme: str) -> None:
    name = parse_text(theme, "theme name", 64)
    with desk.db.write() as uow:
        uow.settings.put(_key(actor), name)
        uow.commit()
