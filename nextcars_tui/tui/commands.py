"""Command palette: go to any screen the role allows, and find bookings, invoices, customers,
cars and drivers by ref (invoice number too), name, e-mail, phone or plate."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from nextcars_tui.domain.errors import AccountDisabled, DeskError
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.tui import navigation
from nextcars_tui.tui.messages import AccountClosed

if TYPE_CHECKING:
    from nextcars_tui.services.desk import Desk
    from nextcars_tui.services.search import SearchHit
    from nextcars_tui.tui.app import NextCarsApp

# Where a hit of each kind opens, and with which keyword argument.
_OPEN_HIT = {
    "booking": ("booking", "ref"),
    "invoice": ("invoice", "ref"),
    "customer": ("customer", "email"),
    "car": ("car-grid", "text"),
    "driver": ("driver-grid", "text"),
}


class DeskCommands(Provider):
    @property
    def desk_app(self) -> NextCarsApp:
        return self.app  # type: ignore[return-value]

    def _places(self) -> list[navigation.Destination]:
        return [d for d in navigation.destinations_for(self.desk_app.actor) if d.key or d.palette]

    async def discover(self) -> Hits:
        for destination in self._places():
            yield DiscoveryHit(
                f"Go to {destination.label}",
                partial(self.desk_app.open_screen, destination.name),
                help=_key_help(destination),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for destination in self._places():
            text = f"Go to {destination.label}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(self.desk_app.open_screen, destination.name),
                    help=_key_help(destination),
                )
        actor = self.desk_app.actor
        if actor is None or not actor.can(Permission.VIEW_DESK) or not self.desk_app.desk_ready:
            return
        for hit in await self._search_desk(query):
            name, keyword = _OPEN_HIT[hit.kind.value]
            yield Hit(
                0.5,
                # The palette reads a prompt as markup; a label is a stored name.
                f"{hit.kind.value.title()}: {escape(hit.label)}",
                partial(self.desk_app.open_screen, name, **{keyword: hit.key}),
                help=f"Open {hit.kind.value} {escape(hit.key)}",
            )

    async def _search_desk(self, query: str) -> list[SearchHit]:
        actor = self.desk_app.actor
        if actor is None:
            return []
        try:
            # A thread keeps the palette responsive while SQLite searches.
            return await asyncio.to_thread(_search_as, self.desk_app.desk, actor, query)
        except AccountDisabled as closed:
            self.desk_app.post_message(AccountClosed(actor, closed.message))
            return []
        except DeskError:
            return []


def _search_as(desk: Desk, actor: Actor, query: str) -> list[SearchHit]:
    """The search, for an account still enabled: a disabled one finds nothing, and is signed
    out (as by every other screen's service calls)."""
    from nextcars_tui.services.accounts import require_enabled
    from nextcars_tui.services.search import search_desk

    require_enabled(desk, actor)
    return search_desk(desk, actor, query)


def _key_help(destination: navigation.Destination) -> str:
    return f"Key {destination.key.upper()}" if destination.key else "From the palette"
