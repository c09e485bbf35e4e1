"""Bookings list: filtering, sorting and paging in SQL, opening a booking, live reload, and
the role guard that keeps drivers away from the desk's records."""

from __future__ import annotations

from datetime import date

from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Input, Select, Static

from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.booking import BookingRequest, book
from nextcars_tui.tui.screens.booking_detail import BookingDetailScreen
from nextcars_tui.tui.screens.bookings import BookingsScreen
from nextcars_tui.tui.screens.invoice_detail import InvoiceDetailScreen
from nextcars_tui.tui.screens.invoices import InvoicesScreen
from tests.tui.conftest import sign_in
from tests.tui.recordkit import column, messages, open_as, plain, row_keys, settle
from tests.tui.roles_kit import type_text

# The list opens with the latest start first.
LATEST_FIRST = [
    "BK-000008",
    "BK-000007",
    "BK-000009",
    "BK-000006",
    "BK-000005",
    "BK-000004",
    "BK-000003",
    "BK-000001",
    "BK-000002",
]


def latest_first(*refs: str) -> list[str]:
    return sorted(refs, key=LATEST_FIRST.index)


def table(app) -> DataTable:
    return app.screen.query_one("#bookings-table", DataTable)


def caption(app) -> str:
    return plain(app.screen.query_one("#bookings-caption", Static))


async def test_lists_every_booking_by_start_date(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "bookings")
        assert isinstance(app.screen, BookingsScreen)
        assert row_keys(table(app)) == LATEST_FIRST
        assert "rows 1–9 of 9" in caption(app)
        assert column(table(app), "status")[:2] == ["Pending", "Confirmed"]
        assert "sorted by dates (descending)" in caption(app)


async def test_filters_by_status(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "bookings")
        app.screen.query_one("#bookings-status-filter", Select).value = "pending"
        await settle(pilot)
        assert row_keys(table(app)) == latest_first("BK-000006", "BK-000008")
        assert "rows 1–2 of 2" in caption(app)


async def test_filters_by_text_as_typed(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "bookings")
        await pilot.press("slash", *"alice")
        await pilot.pause(0.4)  # the search runs once typing pauses, without Enter
        await settle(pilot)
        assert row_keys(table(app)) == latest_first("BK-000004", "BK-000007")
        await pilot.press("escape")  # back to the list, not off the screen
        assert app.screen.focused is table(app)
        search = app.screen.query_one("#bookings-search", Input)
        for typed, expected in [
            ("ze-901", ["BK-000006"]),  # plate
            ("DRV-04", ["BK-000003", "BK-000009"]),  # driver code
            ("Okafor", ["BK-000001", "BK-000005", "BK-000008"]),  # driver name
            ("000009", ["BK-000009"]),  # ref
            ("bob@example", ["BK-000001", "BK-000006"]),  # customer e-mail
        ]:
            search.focus()
            search.value = typed
            await pilot.press("enter")  # Enter searches at once and returns to the list
            await settle(pilot)
            assert row_keys(table(app)) == latest_first(*expected), typed


async def test_text_and_status_filters_combine(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "bookings")
        await pilot.press("slash", *"carla", "enter")
        await settle(pilot)
        assert row_keys(table(app)) == latest_first("BK-000002", "BK-000008")
        app.screen.query_one("#bookings-status-filter", Select).value = "completed"
        await settle(pilot)
        assert row_keys(table(app)) == ["BK-000002"]
        assert app.screen.focused is table(app)  # Enter in the search hands over to the list


async def test_palette_opens_the_list_filtered_by_customer_email(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "bookings", text="carla@example.com")
        assert app.screen.query_one("#bookings-search", Input).value == "carla@example.com"
        assert row_keys(table(app)) == latest_first("BK-000002", "BK-000008")


async def test_sorts_by_pressing_a_column_header(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "bookings")
        data = table(app)
        x = 1
        for column_key, col in data.columns.items():
            if column_key.value == "total":
                break
            x += col.get_render_width(data)
        await pilot.click("#bookings-table", offset=(x, 0))
        await settle(pilot)
        totals = [b.total_cents for b in app.screen.bookings]
        assert totals == sorted(totals)
        assert "sorted by total (ascending)" in caption(app)
        await pilot.click("#bookings-table", offset=(x, 0))
        await settle(pilot)
        totals = [b.total_cents for b in app.screen.bookings]
        assert totals == sorted(totals, reverse=True)
        assert "sorted by total (descending)" in caption(app)


async def test_sort_keys_cycle_the_column_and_flip_the_order(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "bookings")
        await pilot.press("s")  # after "dates" comes "total", then back to "ref"
        await settle(pilot)
        assert "sorted by total" in caption(app)
        await pilot.press("s")
        await settle(pilot)
        assert row_keys(table(app)) == sorted(LATEST_FIRST)
        await pilot.press("o")
        await settle(pilot)
        assert row_keys(table(app)) == sorted(LATEST_FIRST, reverse=True)
        assert "sorted by ref (descending)" in caption(app)


async def test_pages_with_n_p_and_page_keys(make_app, monkeypatch):
    monkeypatch.setattr(BookingsScreen, "PAGE_SIZE", 4)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "bookings")
        assert row_keys(table(app)) == LATEST_FIRST[:4]  # only one page is fetched
        assert "rows 1–4 of 9" in caption(app)
        await pilot.press("n")
        await settle(pilot)
        assert row_keys(table(app)) == LATEST_FIRST[4:8]
        assert "rows 5–8 of 9" in caption(app)
        await pilot.press("n")
        await settle(pilot)
        assert row_keys(table(app)) == LATEST_FIRST[8:]
        assert "rows 9–9 of 9" in caption(app)
        await pilot.press("n")
        await settle(pilot)
        assert "This is the last page." in messages(app)
        await pilot.press("p", "p")
        await settle(pilot)
        assert "rows 1–4 of 9" in caption(app)
        # PgDn first walks down the page, then turns it.
        await pilot.press("pagedown")
        await settle(pilot)
        assert "rows 1–4 of 9" in caption(app)
        assert table(app).cursor_row == 3
        await pilot.press("pagedown")
        await settle(pilot)
        assert "rows 5–8 of 9" in caption(app)
        await pilot.press("pageup")
        await settle(pilot)
        assert "rows 1–4 of 9" in caption(app)


async def test_enter_opens_the_booking(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "bookings")
        await pilot.press(*["down"] * LATEST_FIRST.index("BK-000006"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        assert app.screen.ref == "BK-000006"
        await pilot.press("escape")
        assert isinstance(app.screen, BookingsScreen)


async def test_reloads_when_the_data_changed(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "bookings")
        await pilot.press("down", "down")
        request = BookingRequest("erin@example.com", "KX-204", "DRV-04", date(2026, 12, 20), 2)
        made = book(desk, system_actor("tests"), request)
        app.data_changed()
        await settle(pilot)
        assert row_keys(table(app)) == [made.ref, *LATEST_FIRST]
        assert "rows 1–10 of 10" in caption(app)
        # The clerk's place in the list is kept: the cursor stays on the same booking.
        assert row_keys(table(app))[table(app).cursor_row] == LATEST_FIRST[2]


async def test_a_driver_cannot_reach_the_records(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "driver1")
        home = app.screen
        # By key.
        await pilot.press("f3", "f4")
        await settle(pilot)
        assert app.screen is home
        # By screen name and by pushing the screens themselves.
        app.open_screen("bookings")
        app.open_screen("booking", ref="BK-000004")
        app.open_screen("invoices")
        app.open_screen("invoice", ref="INV-000004")
        app.push_screen(BookingsScreen())
        app.push_screen(BookingDetailScreen(ref="BK-000004"))
        app.push_screen(InvoicesScreen())
        app.push_screen(InvoiceDetailScreen(ref="INV-000004"))
        await settle(pilot)
        assert app.screen is home
        assert "That screen is not available to you." in messages(app)
        # By the command palette: neither the places nor the bookings are offered.
        await pilot.press("ctrl+p")
        await type_text(pilot, "book")
        await pilot.pause(0.5)
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        offered = [str(option.prompt) for option in app.screen.query_one(CommandList).options]
        assert not [text for text in offered if "Booking" in text or "BK-" in text], offered
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not any(
            isinstance(screen, BookingsScreen | InvoicesScreen) for screen in app.screen_stack
        )
        assert app.screen is home
