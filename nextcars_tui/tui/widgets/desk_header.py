"""The desk's header: Textual's, with a title watcher that outlives nothing.

Textual's Header updates its title from watchers on the app's and the screen's titles, run
later on the header's own message queue. When a screen is switched away between the change
and that run (a wizard that books and opens the booking, a test that ends there), the
header's children are already removed, and its `query_one(HeaderTitle)` raised NoMatches
into the app. Here the update reaches whatever title is still mounted: none, once the
header is going.
"""

from __future__ import annotations

from textual.events import Mount
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header
from textual.widgets._header import HeaderTitle


class DeskHeader(Header):
    def _on_mount(self, event: Mount) -> None:
        # Header's own handler (which would register the failing watcher too) is replaced;
        # Widget's, further down, still runs.
        event.prevent_default()
        Widget._on_mount(self, event)

        async def set_title() -> None:
            if not self.is_attached:
                return
            for title in self.query(HeaderTitle):
                title.update(self.format_title())

        screen: Screen[object] = self.screen
        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(screen, "title", set_title)
        self.watch(screen, "sub_title", set_title)
