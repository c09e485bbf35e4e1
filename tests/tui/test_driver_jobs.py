"""A driver's jobs today: in pickup-time order, with the time, where from and to, who (name
and phone), how many and the notes; readable at 80×24, and never a figure of money."""

from __future__ import annotations

from nextcars_tui.tui.screens.driver_home import AssignmentDialog, DriverHomeScreen
from tests.tui.deskdata import add_jobs_and_block
from tests.tui.roles_kit import enter_as, screen_text, settle


async def test_todays_jobs_are_in_pickup_time_order_with_the_job_sheet(make_app, desk):
    refs = add_jobs_and_block(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "driver4")
        assert isinstance(app.screen, DriverHomeScreen)
        today = app.screen.query_one("#today-list")
        # Booked 16:00 first, 08:15 second: the list goes by the clock, not by booking.
        assert [today.get_option_at_index(i).id for i in range(2)] == [
            refs["early"],
            refs["late"],
        ]
        text = screen_text(app)
        for part in (
            "08:15",
            "The Savoy, Strand → Canary Wharf",
            "Erin Fox",
            "+44 7700 900005",
            "3 passengers",
            "Notes: Child seat",
            "16:00",
            "Paddington station → Heathrow T5",
        ):
            assert part in text, part
        assert text.index("08:15") < text.index("16:00")
        assert "£" not in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AssignmentDialog)
        card = screen_text(app)
        for part in ("08:15", "The Savoy, Strand", "Canary Wharf", "Child seat", "+44 7700 900005"):
            assert part in card, part
        assert "£" not in card


async def test_every_line_of_a_job_fits_80_columns(make_app, desk):
    add_jobs_and_block(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "driver4")
        text = screen_text(app)
        # Wrapped, not cut: the longest note is whole on screen.
        assert "Notes: BA117 to New York; two large cases" in text
