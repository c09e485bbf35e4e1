"""Driver home: only the signed-in driver's assignments, readable at 80×24; no way out to the
staff screens; the idle lock."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.listings import BookingFilter, list_bookings
from nextcars_tui.tui.screens.driver_home import DriverHomeScreen
from nextcars_tui.tui.screens.review import ReviewScreen
from nextcars_tui.tui.screens.sign_in import SignInScreen
from tests.tui.roles_kit import enter_as, screen_lines, screen_text, settle

STAFF = Actor("staff", Role.STAFF)


def _refs_of(desk, code: str) -> set[str]:
    page = list_bookings(desk, STAFF, BookingFilter(driver_code=code, limit=100))
    return {b.ref for b in page.items}


async def test_driver1_sees_their_bookings_and_none_of_driver2s(make_app, desk):
    mine, theirs = _refs_of(desk, "DRV-01"), _refs_of(desk, "DRV-02")
    assert mine == {"BK-000004", "BK-000007"} and theirs
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "driver1")
        assert isinstance(app.screen, DriverHomeScreen)
        text = screen_text(app)
        for ref in mine:
            assert ref in text
        for ref in theirs:
            assert ref not in text
        assert "Ana Silva (DRV-01) · 1 today · 1 upcoming · 0 in the last 30 days" in text
        assert "Ben Okafor" not in text and "Erin Fox" not in text


async def test_sections_in_order_and_nothing_cut_off_at_80_columns(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "driver2")
        lines = [line.rstrip() for line in screen_lines(app)]
        assert max(len(line) for line in lines) <= 80

        def row(fragment: str) -> int:
            return next(i for i, line in enumerate(lines) if fragment in line)

        assert row("Today (1)") < row("BK-000005") < row("Upcoming (1)") < row("BK-000008")
        assert row("BK-000008") < row("Last 30 days (1)") < row("BK-000001")
        # Plate, car, customer and phone on one line; dates and status on the ref's line.
        assert "VN-777 Mercedes V-Class · Erin Fox · +44 7700 900005" in lines[row("BK-000005") + 1]
        assert (
            "Mon 30 Nov → Tue 1 Dec (2 days)  Confirmed  returns today" in lines[row("BK-000005")]
        )
        assert "Thu 10 Dec → Fri 11 Dec (2 days)  Pending" in lines[row("BK-000008")]
        assert "PB-118 Volkswagen Passat · Bob Green · +44 7700 900002" in screen_text(app)


async def test_a_driver_cannot_reach_staff_screens(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "driver1")
        home = app.screen
        # By key.
        for key in ("f3", "f4", "f5", "f7", "f8", "f9", "f10", "ctrl+n"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is home, key
        # By screen name, and by pushing the screen object itself.
        for name in ("today", "bookings", "booking", "review", "users", "new-booking"):
            app.open_screen(name)
            await settle(pilot)
            assert app.screen is home, name
        app.push_screen(ReviewScreen())
        app.switch_screen(ReviewScreen())
        await settle(pilot)
        assert app.screen is home
        # By the command palette: neither staff places nor other people's bookings.
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        for query in ("bookings", "review", "BK-000005", "Erin"):
            app.screen.query_one("#--input Input").value = query
            await pilot.pause(0.3)
            await settle(pilot)
            results = app.screen.query_one(CommandList)
            prompts = [
                str(results.get_option_at_index(i).prompt) for i in range(results.option_count)
            ]
            assert not any(
                word in prompt
                for prompt in prompts
                for word in ("Bookings", "Review", "BK-000005", "Erin", "Today")
            ), (query, prompts)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home
        assert app.actor is not None and app.actor.username == "driver1"


async def test_idle_terminal_locks_back_to_sign_in(make_app):
    seconds = [1000.0]
    app = make_app(idle_clock=lambda: seconds[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "driver1")
        limit = app.settings.sign_in.idle_lock_minutes * 60
        seconds[0] += limit - 1
        app._check_idle()
        await settle(pilot)
        assert isinstance(app.screen, DriverHomeScreen)
        await pilot.press("r")  # a key press counts as activity
        seconds[0] += limit - 1
        app._check_idle()
        await settle(pilot)
        assert isinstance(app.screen, DriverHomeScreen)
        seconds[0] += 2
        app._check_idle()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.actor is None
        assert "BK-000004" not in screen_text(app)


async def test_a_driver_opens_a_job_with_what_a_driver_needs_and_no_money(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "driver1")
        home = app.screen
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "AssignmentDialog"
        text = screen_text(app)
        for needed in (
            "BK-000004",
            "Confirmed",
            "KX-204 Skoda Superb",
            "Alice Brown",
            "+44 7700 900001",
            "Sun 29 Nov 2026",
            "Thu 3 Dec 2026 (5 days)",
        ):
            assert needed in text, needed
        # Payments and the audit history are the office's, not the driver's.
        for office in ("£", "INV-", "History", "paid", "unpaid", "booked by"):
            assert office not in text, office
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home
        # The next list down, by Tab, opens its own job.
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert "BK-000007" in screen_text(app)
