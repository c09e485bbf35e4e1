"""Today's run sheet on the Today screen: pickups and returns in pickup-time order (no time
last), with time, place, customer, car, driver and the balance to collect; at 80×24 every
figure whole, and the highlighted job in full under the table."""

from __future__ import annotations

import stat
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from nextcars_tui.services.booking import BookingRequest, book
from nextcars_tui.services.fleet import update_car
from nextcars_tui.services.today import today_board
from nextcars_tui.tui.dialogs.export_path import ExportDialog
from nextcars_tui.tui.formatting import days_away
from nextcars_tui.tui.screens.today import TodayScreen
from nextcars_tui.tui.widgets.record_table import FittedTable
from tests.poison import STEERING, plant_customer_name, plant_job_sheet
from tests.tui.conftest import LONG_EMAIL
from tests.tui.deskdata import TODAY, add_jobs_and_block
from tests.tui.recordkit import actor_for, messages
from tests.tui.roles_kit import SYSTEM, enter_as, fill, screen_lines, screen_text, settle
from tests.tui.test_readable import cells_are_whole

SIZES = pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])


def row_keys(table: FittedTable) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


async def test_pickups_go_by_pickup_time_with_everything_to_act_on(make_app, desk):
    refs = add_jobs_and_block(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        assert isinstance(app.screen, TodayScreen)
        pickups = app.screen.query_one("#pickups", FittedTable)
        # Booked 16:00 first and 08:15 second; Bob's hold (BK-000006) has no time: last.
        assert row_keys(pickups) == [refs["early"], refs["late"], "BK-000006"]
        # Money, time, ref, customer and car are never what gives way at 80 columns.
        for column in ("time", "ref", "customer", "car", "balance"):
            assert column in pickups.shown_columns
        text = screen_text(app)
        for part in ("08:15", "16:00", "£244.00", "£184.00", "£488.00", "RT-552", "ZE-901"):
            assert part in text, part
        # The highlighted job in full, however narrow the table.
        line = str(app.screen.query_one("#job-line").render())
        for part in (
            refs["early"],
            "08:15",
            "The Savoy, Strand → Canary Wharf",
            "3 passengers",
            "Erin Fox +44 7700 900005",
            "RT-552 BMW 5 Series",
            "DRV-04 Dev Patel",
            "£244.00 to collect",
        ):
            assert part in line, part
        pickups.focus()
        await pilot.press("down")
        await settle(pilot)
        line = str(app.screen.query_one("#job-line").render())
        assert refs["late"] in line and "Paddington station → Heathrow T5" in line


async def test_returns_are_todays_last_days_and_the_line_follows_the_tab(make_app, desk):
    refs = add_jobs_and_block(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        tabs = app.screen.query_one(TabbedContent)
        tabs.active = "tab-returns"
        await settle(pilot)
        returns = app.screen.query_one("#returns", FittedTable)
        # The two one-day jobs by time, then Erin's two-day rental ending today (no time).
        assert row_keys(returns) == [refs["early"], refs["late"], "BK-000005"]
        assert refs["early"] in str(app.screen.query_one("#job-line").render())
        tabs.active = "tab-holds"
        await settle(pilot)
        assert not app.screen.query_one("#job-line").display


async def test_a_job_opens_its_booking(make_app, desk):
    refs = add_jobs_and_block(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        app.screen.query_one("#pickups", FittedTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert refs["early"] in screen_text(app)
        assert not isinstance(app.screen, TodayScreen)


@SIZES
def test_run_sheet_snapshot(snap_compare, make_app, desk, size):
    add_jobs_and_block(desk)

    async def steps(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, "staff")

    assert snap_compare(make_app(), run_before=steps, terminal_size=size)


def test_returns_snapshot(snap_compare, make_app, desk):
    add_jobs_and_block(desk)

    async def steps(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, "staff")
        pilot.app.screen.query_one(TabbedContent).active = "tab-returns"
        await settle(pilot)

    assert snap_compare(make_app(), run_before=steps, terminal_size=(80, 24))


async def test_p_writes_todays_run_sheet_as_a_private_pdf(make_app, desk, tmp_path):
    refs = add_jobs_and_block(desk)
    app = make_app()
    target = tmp_path / "sheet.pdf"
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        await fill(pilot, "#field-path", str(target))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert f"Wrote the run sheet to {target} (1 page)." in messages(app)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = PdfReader(target).pages[0].extract_text()
    for part in ("Run sheet Tuesday 1 December 2026", "Pickups (3)", "Returns (3)", refs["early"]):
        assert part in text, part


async def test_times_refs_plates_and_five_figure_balances_are_whole_at_80_columns(
    make_app, big_desk
):
    update_car(big_desk, SYSTEM, "PB-118", daily_rate="4000.00")
    made = book(
        big_desk,
        SYSTEM,
        BookingRequest(
            LONG_EMAIL,
            "PB-118",
            "DRV-04",
            TODAY,
            4,
            pickup_time="06:45",
            pickup="Terminal 5, London Heathrow Airport, Hounslow",
            dropoff="The Grand Hotel and Spa, Upper Brook Street, Mayfair",
            passengers=4,
        ),
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        cells_are_whole(app, "#pickups", ("ref", "time", "car", "balance"))
        table = app.screen.query_one("#pickups", FittedTable)
        assert table.virtual_size.width <= table.size.width  # nothing to scroll sideways to
        assert "£17,800.00" in screen_text(app)
        # The long places are shortened in the table, and whole in the line below it.
        line = " ".join(str(app.screen.query_one("#job-line").render()).split())
        assert "Terminal 5, London Heathrow Airport, Hounslow → The Grand Hotel and Spa" in line
        assert f"{made.ref} 06:45 · £17,800.00 to collect · PB-118" in line


async def test_stored_control_characters_and_brackets_in_a_job_show_as_typed(make_app, desk):
    plant_customer_name(desk, "bob@example.com")
    plant_job_sheet(desk, "BK-000006")
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await enter_as(pilot, "staff")
        text = screen_text(app)
        assert not [mark for mark in STEERING if mark in text]
        assert "Ann␛]0;PWNED" in text
        assert "[b]Bold[/b]" in text
        assert "Heathrow␛[2J T5" in text


TOMORROW = TODAY + timedelta(days=1)


def _book_tomorrow(desk) -> str:
    """A job on Wednesday 2 December at 07:30, the only pickup that day."""
    return book(
        desk,
        SYSTEM,
        BookingRequest(
            "carla@example.com",
            "PB-118",
            "DRV-02",
            TOMORROW,
            1,
            pickup_time="07:30",
            pickup="King's Cross",
            dropoff="Gatwick North",
            passengers=1,
        ),
    ).ref


def _header(app: Any) -> str:
    return screen_lines(app)[0]


async def test_next_and_previous_day_and_back_to_today(make_app, desk):
    refs = add_jobs_and_block(desk)
    tomorrows = _book_tomorrow(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        assert "Run sheet Tue 1 Dec" in _header(app)
        # The day keys and F1 both fit the footer at 80 columns.
        footer = screen_lines(app)[-1]
        assert "[ ] t Day" in footer and "p PDF" in footer and "f1 Help" in footer
        pickups = screen.query_one("#pickups", FittedTable)

        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.day == TOMORROW
        assert row_keys(pickups) == [tomorrows]
        assert "Run sheet Wed 2 Dec" in _header(app)
        text = screen_text(app)
        assert "Wednesday 02 December 2026 (tomorrow) · 1 pickup · 2 returns" in text
        # Holds and overdue money are now's, and said to be.
        assert "Today: 4 holds · 1 overdue invoice" in text
        for part in ("07:30", tomorrows, "Carla Diaz", "PB-118"):
            assert part in text, part
        assert f"{tomorrows} 07:30" in str(screen.query_one("#job-line").render())

        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert screen.day == TODAY - timedelta(days=1)
        assert "Run sheet Mon 30 Nov" in _header(app)
        assert "Monday 30 November 2026 (yesterday)" in screen_text(app)
        assert row_keys(pickups) == ["BK-000005"]

        await pilot.press("t")
        await settle(pilot)
        assert screen.day is None  # today, and it follows the clock past midnight
        assert row_keys(pickups) == [refs["early"], refs["late"], "BK-000006"]
        assert "Tuesday 01 December 2026 · 3 pickups" in screen_text(app)

        # Stepping back onto today is today again, not a fixed date.
        await pilot.press("right_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert screen.day is None


async def test_a_late_answer_for_a_day_left_behind_is_not_shown(make_app, desk):
    _book_tomorrow(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        pickups = screen.query_one("#pickups", FittedTable)
        shown = row_keys(pickups)
        stale = today_board(desk, actor_for(desk, "staff"), TOMORROW)
        screen.post_message(TodayScreen.BoardLoaded(stale))
        await settle(pilot)
        assert row_keys(pickups) == shown
        assert "Run sheet Tue 1 Dec" in _header(app)


async def test_p_saves_the_run_sheet_of_the_day_shown(make_app, desk, tmp_path, monkeypatch):
    tomorrows = _book_tomorrow(desk)
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert "Wed 2 Dec" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    text = PdfReader(tmp_path / "run-sheet-2026-12-02.pdf").pages[0].extract_text()
    assert "Run sheet Wednesday 2 December 2026" in text and tomorrows in text


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (TOMORROW, "tomorrow"),
        (TODAY - timedelta(days=1), "yesterday"),
        (date(2026, 12, 8), "in 7 days"),
        (date(2026, 11, 28), "3 days ago"),
    ],
)
def test_how_far_a_day_is_from_today_in_words(day, words):
    assert days_away(TODAY, day) == words


def test_next_day_snapshot(snap_compare, make_app, desk):
    add_jobs_and_block(desk)
    _book_tomorrow(desk)

    async def steps(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, "staff")
        await pilot.press("right_square_bracket")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=steps, terminal_size=(80, 24))
