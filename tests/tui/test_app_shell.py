"""The app shell: live refresh from another connection, and a theme that is remembered."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable

from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.booking import BookingRequest, book
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import open_database
from tests.tui.conftest import sign_in

TODAY = date(2026, 12, 1)


def pickup_refs(app) -> list[str]:
    table = app.screen.query_one("#pickups", DataTable)
    return [row.value for row in table.rows]


async def test_a_booking_from_another_connection_appears_without_a_restart(make_app, desk):
    app = make_app(live_interval=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "staff")
        assert type(app.screen).__name__ == "TodayScreen"
        before = pickup_refs(app)
        other = open_database(desk.db.path, create=False)
        try:
            made = book(
                Desk(other, desk.settings, desk.clock),
                system_actor("other-terminal"),
                BookingRequest("erin@example.com", "RT-552", "DRV-04", TODAY, 1),
            )
        finally:
            other.close()
        assert made.ref not in before
        # The app polls data_version every 0.2 s here; give it a bounded while.
        for _ in range(40):
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if made.ref in pickup_refs(app):
                break
        assert made.ref in pickup_refs(app)


async def test_a_changed_theme_is_remembered_for_that_user_only(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "staff")
        chosen = next(name for name in app.available_themes if name != app.theme)
        app.theme = chosen
        await pilot.pause()
        await app.workers.wait_for_complete()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "staff")
        assert app.theme == chosen
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        default = app.theme
        await sign_in(pilot, "manager")
        assert app.theme == default != chosen
