"""The sign-in screen is drawn from app.tcss alone; the rest of the desk's stylesheet comes
with the first screen or dialog that needs it, Help from the sign-in screen included."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll

from tests.tui.conftest import sign_in
from tests.tui.roles_kit import settle

DESK_SHEETS = {"desk.tcss", "changes.tcss", "reports.tcss"}


def sheets(app) -> set[str]:
    return {Path(path).name for path, _class_var in app.stylesheet.source if path.endswith(".tcss")}


async def test_sign_in_reads_only_its_own_stylesheet(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert sheets(app) == {"app.tcss"}
        box = app.screen.query_one("#sign-in-box")
        assert box.styles.width is not None and box.styles.width.value == 60


async def test_help_from_the_sign_in_screen_brings_the_desk_stylesheet(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        assert sheets(app) == {"app.tcss"} | DESK_SHEETS
        help_box = app.screen.query_one("#help-box", VerticalScroll)
        assert help_box.styles.width is not None and help_box.styles.width.value == 76


async def test_the_first_desk_screen_brings_the_desk_stylesheet_in_its_order(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "staff")
        assert type(app.screen).__name__ == "TodayScreen"
        order = [Path(path).name for path, _ in app.stylesheet.source if path.endswith(".tcss")]
        # The cascade of the one stylesheet these were split from: later rules win ties.
        assert order == ["app.tcss", "desk.tcss", "changes.tcss", "reports.tcss"]
