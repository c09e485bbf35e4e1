"""The footer of keys is rebuilt when the keys it shows change, and only then."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from nextcars_tui.tui.widgets.key_footer import KeyFooter


class TwoFields(App[None]):
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar = [Binding("f2", "save", "Save"), Binding("f3", "undo", "Undo")]

    def __init__(self) -> None:
        super().__init__()
        self.may_undo = True

    def compose(self) -> ComposeResult:
        yield Input(id="first")
        yield Input(id="second")
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # None: shown, greyed out.
        return None if action == "undo" and not self.may_undo else True

    def action_save(self) -> None:
        """Bound so the footer shows it."""

    def action_undo(self) -> None:
        """Bound so the footer shows it."""


def footer_keys(app: App[None]) -> dict[str, FooterKey]:
    return {key.key: key for key in app.query(FooterKey)}


async def test_moving_between_fields_with_the_same_keys_keeps_the_footer() -> None:
    app = TwoFields()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = footer_keys(app)
        assert set(before) == {"f2", "f3"}
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is app.query_one("#second")
        after = footer_keys(app)
        assert all(after[key] is before[key] for key in before)


async def test_a_key_that_becomes_unavailable_is_redrawn_disabled() -> None:
    app = TwoFields()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not footer_keys(app)["f3"].has_class("-disabled")
        app.may_undo = False
        app.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert footer_keys(app)["f3"].has_class("-disabled")
        assert not footer_keys(app)["f2"].has_class("-disabled")
