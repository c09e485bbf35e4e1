"""The Reports screen (managers, F12) and the till (staff and managers, from the palette):
periods, tabs, figures as text, CSV export, who may open them, and a chart library loaded
only when the screen opens."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

from textual.widgets import Input, TabbedContent

from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.billing import pay
from nextcars_tui.services.business_reports import utilisation_report
from nextcars_tui.tui.dialogs.export_path import ExportDialog
from nextcars_tui.tui.dialogs.report_period import PeriodDialog
from nextcars_tui.tui.screens.reports import ReportsScreen
from nextcars_tui.tui.screens.takings import TakingsScreen
from nextcars_tui.tui.widgets.bar_chart import BarChart
from nextcars_tui.tui.widgets.record_table import FittedTable
from tests.tui.deskdata import FROZEN
from tests.tui.roles_kit import desk_at, enter_as, screen_text, settle

MANAGER = Actor("manager", Role.MANAGER)
STAFF = Actor("staff", Role.STAFF)


async def _open_reports(pilot) -> ReportsScreen:
    await enter_as(pilot, "manager")
    await pilot.press("f12")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen)
    return screen


async def test_this_month_by_default_idle_cars_first_with_every_figure_as_text(make_app, desk):
    expected = utilisation_report(desk, MANAGER, date(2026, 12, 1), date(2026, 12, 31))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_reports(pilot)
        text = screen_text(app)
        assert "This month: 01 Dec–31 Dec 2026 (31 days) · fleet 3.8% used" in text
        assert "Fleet of 6 cars: 7 car-days booked of 186 not blocked" in text
        bars = screen.query_one("#utilisation-cars", BarChart).bars
        values = [bar.value for bar in bars]
        assert values == sorted(values) and len(bars) == len(expected.cars)
        by_plate = {line.key: line.figures for line in expected.cars}
        for bar in bars:
            assert bar.value == by_plate[bar.label].percent_tenths
        assert bars[-1].caption.split() == ["9.7%", "3", "d"]
        drivers = screen.query_one("#utilisation-drivers", BarChart).bars
        assert (drivers[-1].label, drivers[-1].caption.split()[0]) == ("DRV-01", "19.4%")
        assert "19.4%" in text and "9.7%" in text


async def test_the_period_picker_reloads_utilisation_and_revenue(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_reports(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert "Last month: 01 Nov–30 Nov 2026 (30 days)" in screen_text(app)
        await pilot.press("y", "2")
        await settle(pilot)
        text = screen_text(app)
        assert "This year: 01 Jan–31 Dec 2026 (365 days)" in text
        assert "billed £5,399.00" in text and "by month" in text
        table = screen.query_one("#revenue-table", FittedTable)
        assert [row.value for row in table.rows][:2] == ["2026-01", "2026-02"]
        assert len(table.rows) == 13  # twelve months and the total
        await pilot.press("w")
        await settle(pilot)
        keys = [row.value for row in table.rows]
        assert keys[0] == "2026-W01" and keys[-2] == "2026-W53" and keys[-1] == "total"
        assert "by week" in screen_text(app)
        await pilot.click("#period-this-month")
        await settle(pilot)
        assert "This month: 01 Dec–31 Dec 2026" in screen_text(app)


async def test_a_custom_period_is_checked_in_its_dialog(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_reports(pilot)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PeriodDialog)
        dialog.query_one("#field-from", Input).value = "2026-11-20"
        dialog.query_one("#field-to", Input).value = "2026-11-05"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog  # refused, kept as typed
        assert "after its last day" in screen_text(app)
        dialog.query_one("#field-from", Input).value = "2026-11-05"
        dialog.query_one("#field-to", Input).value = "20/11/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        assert "Period: 05 Nov–20 Nov 2026 (16 days)" in screen_text(app)


async def test_todays_takings_per_method_and_clerk(make_app, desk):
    morning = desk_at(desk, FROZEN + timedelta(hours=1))
    pay(morning, STAFF, "INV-000003", "40.00", "cash")
    pay(morning, MANAGER, "INV-000003", "25.50", "card")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_reports(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert screen.query_one("#report-tabs", TabbedContent).active == "tab-takings"
        text = screen_text(app)
        assert "Takings on Tue 01 Dec 2026, by payment method" in text
        assert "Total: £65.50 taken, £0.00 refunded, net £65.50 (2 entries)" in text
        clerks = screen.query_one(".takings-clerks", FittedTable)
        assert [row.value for row in clerks.rows] == ["manager", "staff"]


async def test_export_writes_the_tab_shown(make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_reports(pilot)
        for tab, default in (
            ("1", "./utilisation-2026-12-01-to-2026-12-31.csv"),
            ("2", "./revenue-by-month-2026-12-01-to-2026-12-31.csv"),
            ("3", "./takings-2026-12-01.csv"),
        ):
            await pilot.press(tab, "x")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            assert dialog.query_one("#field-path", Input).value == default
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ReportsScreen)
    lines = (tmp_path / "utilisation-2026-12-01-to-2026-12-31.csv").read_text("utf-8-sig")
    assert lines.splitlines()[0].startswith("kind,resource,booked_days")
    assert "fleet,all cars,7,0,186,3.8" in lines
    revenue = (tmp_path / "revenue-by-month-2026-12-01-to-2026-12-31.csv").read_text("utf-8-sig")
    assert revenue.splitlines()[1].startswith("2026-12,")
    assert (tmp_path / "takings-2026-12-01.csv").exists()


async def test_staff_open_their_own_till_but_not_the_reports(make_app, desk):
    morning = desk_at(desk, FROZEN + timedelta(hours=1))
    pay(morning, STAFF, "INV-000003", "40.00", "cash")
    pay(morning, MANAGER, "INV-000003", "25.50", "card")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await pilot.press("f12")
        await settle(pilot)
        assert not isinstance(app.screen, ReportsScreen)
        app.open_screen("reports")
        await settle(pilot)
        assert not isinstance(app.screen, ReportsScreen)
        app.open_screen("takings")
        await settle(pilot)
        assert isinstance(app.screen, TakingsScreen)
        text = screen_text(app)
        assert "(your own: staff)" in text and "net £40.00 (1 entry)" in text
        assert "manager" not in text.split("By clerk")[1].split("Total")[0]
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "Takings on Mon 30 Nov 2026" in screen_text(app)
        await pilot.press("t")
        await settle(pilot)
        assert "Takings on Tue 01 Dec 2026" in screen_text(app)
        # A day back and on again is today once more, which follows the desk past midnight.
        await pilot.press("left_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert app.screen.day is None
        assert "Takings on Tue 01 Dec 2026" in screen_text(app)


async def test_drivers_and_customers_open_neither(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for username in ("driver1", "alice"):
            await enter_as(pilot, username)
            home = app.screen
            for name in ("reports", "takings"):
                app.open_screen(name)
                await settle(pilot)
                assert app.screen is home
            app.action_sign_out()
            await settle(pilot)


def test_start_up_does_not_load_the_chart_library():
    """The app and the till load without Plotext; the Reports screen brings it in."""
    probe = (
        "import sys\n"
        "import nextcars_tui.tui.app, nextcars_tui.tui.screens.takings\n"
        "assert not {'plotext', 'textual_plotext'} & set(sys.modules), 'loaded at start-up'\n"
        "import nextcars_tui.tui.screens.reports\n"
        "assert 'textual_plotext' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=60)


async def test_an_answer_for_a_period_no_longer_picked_is_dropped(make_app, desk):
    from nextcars_tui.tui.screens.reports import UtilisationLoaded

    november = utilisation_report(desk, MANAGER, date(2026, 11, 1), date(2026, 11, 30))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_reports(pilot)
        screen.post_message(UtilisationLoaded(november))
        await settle(pilot)
        assert "This month: 01 Dec–31 Dec 2026" in screen_text(app)
