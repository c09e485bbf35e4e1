"""Readable at 80×24: no amount, date or status is ever cut off; lists give way by dropping
or shortening the less important columns, and show more of them when there is room."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from nextcars_tui.tui.widgets.record_table import FittedTable
from tests.tui.conftest import LONG_NAME
from tests.tui.roles_kit import enter_as, go, screen_lines, settle

# Per screen: the table, and the columns that must show whole (money, dates, statuses).
WHOLE = {
    "bookings": ("#bookings-table", ("ref", "status", "dates", "total")),
    "invoices": ("#invoices-table", ("ref", "status", "paid", "balance", "due")),
    "review": ("#review-invoices", ("invoice", "due", "late", "paid", "balance", "status")),
}


def cells_are_whole(app: Any, selector: str, keys: tuple[str, ...]) -> None:
    table = app.screen.query_one(selector, FittedTable)
    lines = screen_lines(app)
    shown = table.shown_columns
    assert set(keys) <= set(shown), (keys, shown)
    visible = table.scrollable_content_region.height - 1
    for row_key in list(table.rows)[:visible]:
        ref = str(table.get_cell(row_key, keys[0]))
        line = next(line for line in lines if ref in line)
        for key in keys:
            value = str(table.get_cell(row_key, key))
            assert value in line, (key, value, line)
        assert "…" not in "".join(str(table.get_cell(row_key, key)) for key in keys)


@pytest.mark.parametrize("name", list(WHOLE))
async def test_amounts_dates_and_statuses_are_whole_at_80_columns(make_app, big_desk, name):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        await go(pilot, name)
        selector, keys = WHOLE[name]
        cells_are_whole(app, selector, keys)
        table = app.screen.query_one(selector, FittedTable)
        assert table.virtual_size.width <= table.size.width  # nothing to scroll sideways to


async def test_the_review_customers_keep_their_amounts(make_app, big_desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        await go(pilot, "review")
        text = "\n".join(screen_lines(app))
        table = app.screen.query_one("#review-customers", FittedTable)
        for row_key in table.rows:
            assert str(table.get_cell(row_key, "owed")) in text
        assert "£70,200.00" in text  # 30 × (£1,890 + £450)


async def test_wider_terminals_show_more_columns(make_app, big_desk):
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await enter_as(pilot, "manager")
        await go(pilot, "bookings")
        shown = app.screen.query_one("#bookings-table", FittedTable).shown_columns
        assert {"email", "model", "driver-name", "days", "invoice"} <= set(shown)
        assert LONG_NAME in "\n".join(screen_lines(app))
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        shown = app.screen.query_one("#bookings-table", FittedTable).shown_columns
        assert "email" not in shown and "total" in shown
        cells_are_whole(app, *WHOLE["bookings"])


async def test_amounts_look_the_same_in_every_list(make_app, big_desk):
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await enter_as(pilot, "manager")
        seen = []
        for name, selector, key in (
            ("bookings", "#bookings-table", "total"),
            ("invoices", "#invoices-table", "amount"),
            ("invoices", "#invoices-table", "balance"),
            ("review", "#review-invoices", "balance"),
        ):
            await go(pilot, name)
            table = app.screen.query_one(selector, FittedTable)
            seen += [table.get_cell(row_key, key) for row_key in table.rows]
        assert "£70,200.00" in {str(cell) for cell in seen}
        assert all(str(cell).startswith("£") and str(cell)[-3] == "." for cell in seen)
        assert all(getattr(cell, "justify", None) == "right" for cell in seen)


async def test_the_grid_title_says_the_year_once_across_new_year(make_app, big_desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        app.open_screen("car-grid", start=date(2026, 12, 20))
        await settle(pilot)
        lines = screen_lines(app)
        title = next(line for line in lines if line.lstrip().startswith("Cars"))
        assert "20 Dec–19 Jan 2027" in title and title.count("2027") == 1
        months = next(line for line in lines if "December" in line)
        assert months.count("2026") == 1 and months.count("2027") == 1
        app.open_screen("car-grid", start=date(2026, 11, 20))
        await settle(pilot)
        months = next(line for line in screen_lines(app) if "November" in line)
        assert months.count("2026") == 1 and "December" in months


async def test_the_grid_status_keeps_the_amount_at_80_columns(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await pilot.press("f5")
        await settle(pilot)
        status = next(line for line in screen_lines(app) if "BK-000004" in line)
        assert "£1,045.00" in status
        months = next(line for line in screen_lines(app) if "December" in line)
        assert "2026" in months  # the year is said once, even when November is too narrow
