"""The header's title watcher and a screen switched away under it.

Textual's Header runs its title update later, on its own queue; a title change followed at
once by a screen switch ran it on a header whose children were gone (NoMatches, the flake
seen in the wizard's job-sheet test). DeskHeader updates whatever title is still mounted.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Header
from textual.widgets._header import HeaderTitle

from nextcars_tui.tui.widgets.desk_header import DeskHeader


class Titled(Screen[None]):
    def __init__(self, header: type[Header]) -> None:
        super().__init__()
        self.header = header

    def compose(self) -> ComposeResult:
        yield self.header()


class Switching(App[None]):
    def __init__(self, header: type[Header]) -> None:
        super().__init__()
        self.header = header

    def on_mount(self) -> None:
        self.push_screen(Titled(self.header))

    def change_and_switch(self, times: int) -> None:
        for n in range(times):
            self.sub_title = f"who {n}"
            self.switch_screen(Titled(self.header))


async def test_a_title_change_then_a_screen_switch_is_harmless():
    app = Switching(DeskHeader)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.change_and_switch(20)
        await pilot.pause()
        app.sub_title = "sam · staff"
        await pilot.pause()
        title = app.screen.query_one(HeaderTitle)
        assert "sam · staff" in str(title.render())


async def test_textuals_own_header_still_needs_it():
    """When this fails, Textual fixed its Header: DeskHeader can go."""
    app = Switching(Header)
    with pytest.raises(NoMatches):
        async with app.run_test() as pilot:
            await pilot.pause()
            app.change_and_switch(20)
            await pilot.pause()
