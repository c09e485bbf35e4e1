"""Customer home: own bookings and invoices with payment status, nothing of anyone else."""

from __future__ import annotations

from textual.widgets import DataTable

from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.billing import list_invoices, pay
from nextcars_tui.services.listings import BookingFilter, list_bookings
from nextcars_tui.tui.screens.customer_home import CustomerHomeScreen
from tests.tui.roles_kit import enter_as, screen_text, settle

STAFF = Actor("staff", Role.STAFF)


def _rows(table: DataTable) -> dict[str, list[str]]:
    return {row.key.value: [str(c) for c in table.get_row(row.key)] for row in table.ordered_rows}


async def test_alice_sees_only_her_bookings_and_invoices(make_app, desk):
    everyone = list_bookings(desk, STAFF, BookingFilter(limit=100)).items
    hers = {b.ref for b in everyone if b.customer_email == "alice@example.com"}
    others = {b.ref for b in everyone} - hers
    all_invoices = list_invoices(desk, STAFF, limit=100).items
    her_invoices = {i.ref for i in all_invoices if i.customer_email == "alice@example.com"}
    assert hers == {"BK-000004", "BK-000007"} and others
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "alice")
        screen = app.screen
        assert isinstance(screen, CustomerHomeScreen)
        bookings = _rows(screen.query_one("#my-bookings", DataTable))
        assert set(bookings) == hers
        assert bookings["BK-000004"][:6] == [
            "BK-000004",
            "29 Nov–3 Dec",
            "Skoda Superb",
            "£1,045.00",
            "Confirmed",
            "Unpaid",
        ]
        assert bookings["BK-000007"][5] == "Paid"
        assert "BK-000007 · car LM-310 · driver Ana Silva · invoice INV-000007 due Tue 22 Dec" in (
            screen_text(app)
        )
        invoices = _rows(screen.query_one("#my-invoices", DataTable))
        assert set(invoices) == her_invoices
        assert {row[1] for row in invoices.values()} == hers
        await pilot.press("i")
        await settle(pilot)
        assert "INV-000004  BK-000004  £1,045.00    £0.00  £1,045.00  Fri 18 Dec  Unpaid" in (
            screen_text(app)
        )
        text = screen_text(app)
        assert "Alice Brown · 2 bookings · £1,045.00 owed on 1 invoice" in text
        for ref in others:
            assert ref not in text
        await pilot.press("f3", "f7", "ctrl+n")
        await settle(pilot)
        assert app.screen is screen
        for name in ("bookings", "invoices", "booking", "assignments"):
            app.open_screen(name)
            await settle(pilot)
            assert app.screen is screen, name


async def test_a_part_payment_shows_as_paid_and_balance(make_app, desk):
    pay(desk, STAFF, "INV-000004", "300.00", "card")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "alice")
        invoices = _rows(app.screen.query_one("#my-invoices", DataTable))
        assert invoices["INV-000004"][2:5] == ["£1,045.00", "£300.00", "£745.00"]
        assert invoices["INV-000004"][-1] == "Partly paid"
        assert "Alice Brown · 2 bookings · £745.00 owed on 1 invoice" in screen_text(app)
