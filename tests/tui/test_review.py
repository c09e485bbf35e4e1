"""Manager review: ageing buckets, totals, drill-down and CSV export."""

from __future__ import annotations

import csv

from textual.widgets import DataTable, Input

from nextcars_tui.domain.ageing import BUCKETS
from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.billing import pay
from nextcars_tui.services.booking import cancel
from nextcars_tui.services.reports import ageing_csv, ageing_report
from nextcars_tui.tui.dialogs.export_path import ExportDialog
from nextcars_tui.tui.screens.review import ReviewScreen
from nextcars_tui.tui.widgets.bar_chart import BarChart, bar_cells
from tests.tui.roles_kit import enter_as, screen_text, settle

MANAGER = Actor("manager", Role.MANAGER)


def _keys(table: DataTable) -> list[str]:
    return [row.value for row in table.rows]


async def test_buckets_customers_and_invoices(make_app, desk):
    expected = ageing_report(desk, MANAGER)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        await pilot.press("f7")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        bars = screen.query_one("#ageing-chart", BarChart).bars
        assert [bar.label for bar in bars] == list(BUCKETS)
        assert [bar.value for bar in bars] == [expected.bucket_cents[b] for b in BUCKETS]
        assert "£528.00 (1)" in bars[2].caption  # Carla's October rental, 44 days late
        invoices = screen.query_one("#review-invoices", DataTable)
        assert _keys(invoices) == [line.invoice.booking_ref for line in expected.lines]
        customers = screen.query_one("#review-customers", DataTable)
        assert _keys(customers) == [c.email for c in expected.customers]
        text = screen_text(app)
        assert "Owed on Tue 01 Dec 2026: £4,037.00 over 6 invoices · 1 past due" in text
        assert "Carla Diaz" in text and "£906.00" in text  # two invoices, one total


async def test_balances_are_aged_and_refunds_due_are_a_group_of_their_own(make_app, desk):
    pay(desk, MANAGER, "INV-000004", "300.00", "card")  # £745.00 still owed
    pay(desk, MANAGER, "INV-000008", "100.00", "card")
    cancel(desk, MANAGER, "BK-000008", "plans changed")  # £100.00 owed back
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        await pilot.press("f7")
        await settle(pilot)
        screen = app.screen
        invoices = screen.query_one("#review-invoices", DataTable)
        assert "BK-000008" not in _keys(invoices)  # money owed back is not debt
        row = [str(cell) for cell in invoices.get_row("BK-000004")]
        assert row[-3:] == ["£300.00", "£745.00", "Partly paid"]
        refunds = screen.query_one("#review-refunds", DataTable)
        assert screen.query_one("#review-refunds-box").display
        assert _keys(refunds) == ["BK-000008"]
        assert [str(cell) for cell in refunds.get_row("BK-000008")][-3:] == [
            "£0.00",
            "£100.00",
            "£100.00",
        ]
        text = screen_text(app)
        assert "Owed on Tue 01 Dec 2026: £3,359.00 over 5 invoices" in text
        assert "Refunds due: £100.00 owed back on 1 invoice" in text


async def test_picking_a_customer_narrows_the_list(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        await pilot.press("f7")
        await settle(pilot)
        customers = app.screen.query_one("#review-customers", DataTable)
        customers.focus()
        row = _keys(customers).index("carla@example.com")
        customers.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        invoices = app.screen.query_one("#review-invoices", DataTable)
        assert _keys(invoices) == ["BK-000002", "BK-000008"]
        await pilot.press("c")
        await settle(pilot)
        assert len(_keys(invoices)) == 6


async def test_enter_opens_the_booking(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        await pilot.press("f7")
        await settle(pilot)
        app.screen.query_one("#review-invoices", DataTable).focus()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "BookingDetailScreen"
        assert app.screen.ref == "BK-000003"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)


async def test_export_writes_the_list_to_the_typed_file(make_app, desk, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "reports" / "owed.csv"
    target.parent.mkdir()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        path_input = dialog.query_one("#field-path", Input)
        assert path_input.value == "./ageing-2026-12-01.csv"
        path_input.value = "reports/owed.csv"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        messages = [n.message for n in app._notifications]
    # UTF-8 with a byte-order mark, so spreadsheet programs read the £ and the dashes.
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    written = target.read_bytes().decode("utf-8-sig")
    assert written.count("\r\n") == written.count("\n")  # CRLF, as spreadsheets expect
    assert written.replace("\r\n", "\n") == ageing_csv(ageing_report(desk, MANAGER))
    assert target.stat().st_mode & 0o777 == 0o600
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    assert [r["booking"] for r in rows] == [
        "BK-000002",
        "BK-000003",
        "BK-000004",
        "BK-000005",
        "BK-000006",
        "BK-000008",
    ]
    assert rows[0]["days_late"] == "44" and rows[0]["bucket"] == "31–60"
    assert rows[0]["amount"] == "528.00"
    assert any(f"Wrote 6 invoices to {target}" in m for m in messages)


async def test_export_to_an_unwritable_place_keeps_the_dialog(make_app, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder is wanted")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        typed = str(blocked / "x.csv")
        dialog.query_one("#field-path", Input).value = typed
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.query_one("#field-path", Input).value == typed
        assert app.focused is dialog.query_one("#field-path")
        assert str(dialog.query_one("#form-error").render())


async def test_export_replaces_a_file_only_when_confirmed(make_app, tmp_path):
    target = tmp_path / "owed.csv"
    target.write_text("keep me")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#field-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "already exists" in str(dialog.query_one("#form-error").render())
        assert target.read_text() == "keep me"
        await pilot.press("enter")  # the same path again: that is the confirmation
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
    assert target.read_text(encoding="utf-8-sig").startswith("invoice,")


async def test_staff_cannot_open_the_review(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await pilot.press("f7")
        await settle(pilot)
        assert not isinstance(app.screen, ReviewScreen)
        app.open_screen("review")
        await settle(pilot)
        assert not isinstance(app.screen, ReviewScreen)


def test_bars_scale_with_eighths_and_never_hide_small_values():
    assert bar_cells(0, 100, 10) == ""
    assert bar_cells(100, 100, 10) == "█" * 10
    assert bar_cells(50, 100, 10) == "█" * 5
    assert bar_cells(1, 1000, 10) == "▏"
    assert bar_cells(55, 100, 10) == "█████▌"
