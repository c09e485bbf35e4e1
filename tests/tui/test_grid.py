"""Availability grids: the window moves, cells read without colour, Enter opens or books."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.retire import retire
from nextcars_tui.tui.screens.grid import CarGridScreen, DriverGridScreen, GridScreen, add_months
from nextcars_tui.tui.screens.wizard import BookingWizardScreen
from nextcars_tui.tui.widgets.availability_grid import HEADER_LINES, AvailabilityGrid
from tests.tui.deskdata import TODAY
from tests.tui.roles_kit import enter_as, settle

DEFAULT_START = TODAY - timedelta(days=2)


async def open_grid(pilot, name: str = "car-grid", **kwargs: Any) -> GridScreen:
    await enter_as(pilot, "staff")
    pilot.app.open_screen(name, **kwargs)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, GridScreen)
    return screen


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


def row_text(screen: GridScreen, key: str) -> str:
    """The drawn line of one resource, label and cells, as a person reads it."""
    widget = screen.query_one(AvailabilityGrid)
    index = [row.key for row in widget.rows].index(key)
    return widget.render_line(HEADER_LINES + index - round(widget.scroll_y)).text


def day_cells(screen: GridScreen, key: str) -> str:
    """One character per day (the first of each cell), for a row."""
    widget = screen.query_one(AvailabilityGrid)
    label, cell = widget._layout(widget.scrollable_content_region.width)
    text = row_text(screen, key)[label:]
    assert widget.grid is not None
    return "".join(text[i * cell] for i in range(widget.grid.days))


def status_line(screen: GridScreen) -> str:
    return str(screen.query_one("#grid-status").render())


def recorded_opens(app) -> list[tuple[str, dict[str, Any]]]:
    opened: list[tuple[str, dict[str, Any]]] = []
    original = app.open_screen

    def recording(name: str, *args: Any, **kwargs: Any) -> None:
        opened.append((name, kwargs))
        original(name, *args, **kwargs)

    app.open_screen = recording
    return opened


async def test_cells_show_each_state_by_character(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_grid(pilot)
        assert screen.start == DEFAULT_START and screen.days == 31
        assert "· free" in screen.query_one(AvailabilityGrid).render_line(0).text
        # 29 Nov – 3 Dec confirmed, from the first day of the window.
        assert day_cells(screen, "KX-204")[:7] == "█████··"
        # Pending 10–11 Dec: days 11 and 12 of a window opening 29 Nov.
        assert day_cells(screen, "PB-118")[10:14] == "·??·"
        assert set(day_cells(screen, "RT-552")) == {"·"}  # only a cancelled booking
        await press(pilot, "left_square_bracket")  # a month back: 29 Oct – 28 Nov
        assert screen.start == date(2026, 10, 29)
        assert day_cells(screen, "PB-118")[5:9] == "░░░·"  # completed 3–5 Nov


async def test_window_moves_by_day_week_month_and_typed_date(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_grid(pilot)
        widget = screen.query_one(AvailabilityGrid)
        await press(pilot, "full_stop")
        assert screen.start == DEFAULT_START + timedelta(days=1)
        await press(pilot, "comma", "greater_than_sign")
        assert screen.start == DEFAULT_START + timedelta(days=7)
        await press(pilot, "less_than_sign", "right_square_bracket")
        assert screen.start == date(2026, 12, 29)
        assert widget.grid is not None and widget.grid.start == date(2026, 12, 29)
        await press(pilot, "g", *"2027-02-14", "enter")
        assert screen.start == date(2027, 2, 14) and widget.cursor_day == date(2027, 2, 14)
        assert app.focused is widget
        await press(pilot, "g", *"2027-02-30", "enter")
        assert "not a real calendar date" in status_line(screen)
        assert screen.start == date(2027, 2, 14)
        await press(pilot, "escape", "t")
        assert screen.start == DEFAULT_START and widget.cursor_day == TODAY
        await press(pilot, "w")
        assert screen.days == 14 and widget.grid is not None and widget.grid.days == 14
        assert "29 Nov–12 Dec 2026" in str(screen.query_one("#grid-title").render())


async def test_cursor_moves_cell_by_cell_and_past_the_edge(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_grid(pilot)
        widget = screen.query_one(AvailabilityGrid)
        assert (widget.cursor_key, widget.cursor_day) == ("KX-204", TODAY)
        assert "BK-000004 confirmed" in status_line(screen)
        assert "Alice Brown" in status_line(screen)  # the summary fetched in a worker
        await press(pilot, "down", "down", "down", "right")
        assert (widget.cursor_key, widget.cursor_day) == ("RT-552", TODAY + timedelta(days=1))
        assert "free" in status_line(screen) and "Enter starts a booking" in status_line(screen)
        await press(pilot, "home", "left")
        assert screen.start == DEFAULT_START - timedelta(days=1)
        assert widget.cursor_day == DEFAULT_START - timedelta(days=1)
        assert widget.cursor_key == "RT-552"


async def test_enter_on_a_booked_cell_opens_the_booking(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_grid(pilot)
        opened = recorded_opens(app)
        await press(pilot, "enter")
        assert opened == [("booking", {"ref": "BK-000004"})]
        assert type(app.screen).__name__ == "BookingDetailScreen"


async def test_enter_on_a_free_cell_starts_the_wizard_prefilled(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_grid(pilot, "driver-grid")
        opened = recorded_opens(app)
        await press(pilot, "down", "down", "down", "right", "right", "enter")  # DRV-04, 3 Dec
        day = TODAY + timedelta(days=2)
        assert opened == [("new-booking", {"start": day, "driver": "DRV-04"})]
        wizard = app.screen
        assert isinstance(wizard, BookingWizardScreen)
        assert wizard._wanted == {"car": None, "driver": "DRV-04"}
        assert wizard.query_one("#start-date").value == day.isoformat()


async def test_enter_on_a_past_free_cell_does_not_start_a_booking(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_grid(pilot)
        await press(pilot, "down", "home", "enter")  # LM-310 on 29 Nov
        assert app.screen is screen
        assert "in the past" in status_line(screen)


async def test_a_retired_car_is_marked_and_never_free(make_app, desk):
    retire(desk, system_actor("tests"), "car", "RT-552")  # only a cancelled booking
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_grid(pilot)
        assert "- retired" in screen.query_one(AvailabilityGrid).render_line(0).text
        assert "(retired)" in row_text(screen, "RT-552")
        assert set(day_cells(screen, "RT-552")) == {"-"}
        assert "·" in day_cells(screen, "ZE-901")  # the others are free as before
        opened = recorded_opens(app)
        widget = screen.query_one(AvailabilityGrid)
        widget.move_cursor([row.key for row in widget.rows].index("RT-552"), 5)
        await press(pilot, "enter")
        assert opened == [] and app.screen is screen
        assert "retired" in status_line(screen)


async def test_filter_by_plate_model_or_driver_name(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_grid(pilot)
        await press(pilot, "slash", *"merc")
        assert [row.key for row in screen.query_one(AvailabilityGrid).rows] == [
            "LM-310",
            "VN-777",
        ]
        # Letters that are also grid keys (t, w, g) go into the filter, not to the grid.
        await press(pilot, "ctrl+u", *"tesla")
        assert [row.key for row in screen.query_one(AvailabilityGrid).rows] == ["ZE-901"]
        assert screen.start == DEFAULT_START and screen.days == 31
        await press(pilot, "enter")
        assert app.focused is screen.query_one(AvailabilityGrid)
        await press(pilot, "escape")
        drivers = await open_grid(pilot, "driver-grid", text="chloe")
        assert isinstance(drivers, DriverGridScreen)
        assert [row.key for row in drivers.query_one(AvailabilityGrid).rows] == ["DRV-03"]
        assert row_text(drivers, "DRV-03").startswith("DRV-03 Chloe Mar")


async def test_palette_opens_the_car_grid_filtered(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        app.open_screen("car-grid", text="ZE-901")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CarGridScreen)
        assert [row.key for row in screen.query_one(AvailabilityGrid).rows] == ["ZE-901"]


async def test_mouse_moves_the_cursor_and_a_double_click_opens(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_grid(pilot)
        widget = screen.query_one(AvailabilityGrid)
        label, cell = widget._layout(widget.scrollable_content_region.width)
        await pilot.click(AvailabilityGrid, offset=(label + cell * 12, HEADER_LINES + 2))
        await settle(pilot)
        assert (widget.cursor_key, widget.cursor_day) == ("PB-118", date(2026, 12, 11))
        opened = recorded_opens(app)
        await pilot.click(AvailabilityGrid, offset=(label + cell * 12, HEADER_LINES + 2), times=2)
        await settle(pilot)
        assert opened == [("booking", {"ref": "BK-000008"})]


async def test_a_booking_from_another_terminal_appears_on_refresh(make_app, desk):
    from nextcars_tui.domain.roles import system_actor
    from nextcars_tui.services.booking import BookingRequest, book
    from nextcars_tui.services.desk import Desk
    from nextcars_tui.store import open_database

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_grid(pilot)
        assert day_cells(screen, "RT-552")[6:9] == "···"
        other_db = open_database(desk.db.path)
        try:
            other = Desk(other_db, desk.settings, desk.clock)
            request = BookingRequest("dan@example.com", "RT-552", "DRV-04", date(2026, 12, 5), 2)
            book(other, system_actor("other-terminal"), request)
        finally:
            other_db.close()
        app.data_changed()  # what the live poll does when PRAGMA data_version moves
        await settle(pilot)
        assert day_cells(screen, "RT-552")[6:9] == "??·"


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)


async def test_the_date_to_go_to_is_read_back_as_it_is_typed(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_grid(pilot)
        await press(pilot, "g", *"3/4/2027")
        # The business reads day/month/year: the clerk sees which day before pressing Enter.
        assert "Go to Sat 3 Apr 2027" in status_line(screen)
        await press(pilot, *"x")
        assert "Go to" not in status_line(screen)
        await press(pilot, "backspace", "enter")
        assert screen.start == date(2027, 4, 3)
