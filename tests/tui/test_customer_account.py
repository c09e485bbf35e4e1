"""A customer's account on the desk: contact (edited by staff), every booking and invoice,
owed and owed back as the service says; reached from Ctrl+P, which also finds invoices by
number; the wizard leaves retired customers out and warns of an overdue invoice."""

from __future__ import annotations

from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, TabbedContent

from nextcars_tui.services.fleet import add_customer, search_customers
from nextcars_tui.services.retire import retire
from nextcars_tui.tui.dialogs.record_form import RecordFormDialog
from nextcars_tui.tui.screens.booking_detail import BookingDetailScreen
from nextcars_tui.tui.screens.customer_account import CustomerAccountScreen
from nextcars_tui.tui.screens.invoice_detail import InvoiceDetailScreen
from nextcars_tui.tui.screens.wizard import BookingWizardScreen
from nextcars_tui.tui.widgets.record_table import FittedTable
from tests.poison import STEERING, plant_customer_name
from tests.tui.recordkit import messages
from tests.tui.roles_kit import (
    SYSTEM,
    enter_as,
    fill,
    go,
    no_blinking,
    screen_text,
    settle,
    type_text,
)

SIZES = pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
CARLA = "carla@example.com"


def keys(table: FittedTable) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


async def test_the_account_shows_contact_bookings_invoices_and_what_is_owed(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await go(pilot, "customer", email=CARLA)
        assert isinstance(app.screen, CustomerAccountScreen)
        # Lines wrap at 80 columns; every phrase is whole once they are joined.
        text = " ".join(screen_text(app).split())
        for part in (
            "Carla Diaz · carla@example.com · +44 7700 900003",
            "2 bookings · 2 invoices · owes £906.00 · 1 overdue invoice: £528.00",
            "nothing owed back",
            "e Edit contact",
        ):
            assert part in text, part
        assert keys(app.screen.query_one("#account-bookings", FittedTable)) == [
            "BK-000008",
            "BK-000002",
        ]
        assert keys(app.screen.query_one("#account-invoices", FittedTable)) == [
            "INV-000008",
            "INV-000002",
        ]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        assert app.screen.ref == "BK-000008"


async def test_staff_edit_the_contact_and_the_account_shows_it(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await go(pilot, "customer", email=CARLA)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormDialog)
        await fill(pilot, "#field-phone", "+44 7700 900333")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomerAccountScreen)
        assert "+44 7700 900333" in screen_text(app)
        (found,) = search_customers(desk, SYSTEM, CARLA)
        assert found.phone == "+44 7700 900333"


async def test_a_bad_phone_is_refused_in_the_form_and_nothing_is_written(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await go(pilot, "customer", email=CARLA)
        await pilot.press("e")
        await settle(pilot)
        await fill(pilot, "#field-phone", "call me")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormDialog)
        (found,) = search_customers(desk, SYSTEM, CARLA)
        assert found.phone == "+44 7700 900003"


async def test_an_unknown_customer_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await go(pilot, "customer", email="nobody@example.com")
        assert "No customer with e-mail nobody@example.com." in screen_text(app)
        # Nothing to edit or book for.
        assert "Edit contact" not in screen_text(app)


async def _palette(pilot: Pilot[Any], typed: str) -> list[str]:
    await pilot.press("ctrl+p")
    await type_text(pilot, typed)
    await pilot.pause(0.5)
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    return [str(option.prompt) for option in pilot.app.screen.query_one(CommandList).options]


async def test_the_palette_finds_an_invoice_by_number_and_opens_it(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        offered = await _palette(pilot, "inv-000002")
        assert any(text.startswith("Invoice: INV-000002 · Carla Diaz") for text in offered), offered
        palette = app.screen.query_one(CommandList)
        palette.highlighted = next(
            i for i, text in enumerate(offered) if text.startswith("Invoice: INV-000002")
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceDetailScreen)
        assert app.screen.ref == "INV-000002"


async def test_the_palette_finds_a_customer_by_phone_and_opens_their_account(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        offered = await _palette(pilot, "07700 900003")
        assert any(text.startswith("Customer: Carla Diaz") for text in offered), offered
        assert any(text.startswith("Invoice: INV-000002") for text in offered), offered
        palette = app.screen.query_one(CommandList)
        palette.highlighted = next(
            i for i, text in enumerate(offered) if text.startswith("Customer: Carla Diaz")
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerAccountScreen)
        assert app.screen.email == CARLA


async def test_the_wizard_warns_of_an_overdue_invoice_and_books_all_the_same(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await go(pilot, "new-booking")
        await type_text(pilot, "carla")
        await settle(pilot)
        assert "Carla Diaz" in screen_text(app)
        assert "⚠ 1 overdue invoice, £528.00" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, BookingWizardScreen)
        assert wizard.step == "dates"
        assert wizard.draft.customer is not None and wizard.draft.customer.email == CARLA
        assert any("Carla Diaz has 1 overdue invoice, £528.00" in m for m in messages(app))
        assert "Carla Diaz ⚠ 1 overdue invoice, £528.00" in screen_text(app)


async def test_the_wizard_leaves_out_retired_customers(make_app, desk):
    add_customer(desk, SYSTEM, "Zoe Hart", "zoe@example.com", "+44 7700 900777")
    add_customer(desk, SYSTEM, "Zoe Ball", "zoe.ball@example.com", "+44 7700 900778")
    retire(desk, SYSTEM, "customer", "zoe@example.com")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await go(pilot, "new-booking")
        await fill(pilot, "#customer-search", "zoe")
        await settle(pilot)
        results = app.screen.query_one("#customer-results", OptionList)
        assert [results.get_option_at_index(i).id for i in range(results.option_count)] == [
            "zoe.ball@example.com"
        ]


@SIZES
def test_customer_account_snapshot(snap_compare, make_app, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, "staff")
        await go(pilot, "customer", email=CARLA)
        no_blinking(pilot.app)

    assert snap_compare(make_app(), run_before=steps, terminal_size=size)


def test_customer_account_invoices_snapshot(snap_compare, make_app):
    async def steps(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, "staff")
        await go(pilot, "customer", email=CARLA)
        pilot.app.screen.query_one(TabbedContent).active = "tab-account-invoices"
        await settle(pilot)

    assert snap_compare(make_app(), run_before=steps, terminal_size=(80, 24))


def test_wizard_overdue_warning_snapshot(snap_compare, make_app):
    async def steps(pilot: Pilot[Any]) -> None:
        await enter_as(pilot, "staff")
        await go(pilot, "new-booking")
        await type_text(pilot, "carla")
        await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False

    assert snap_compare(make_app(), run_before=steps, terminal_size=(80, 24))


async def test_stored_control_characters_and_brackets_show_as_typed(make_app, desk):
    plant_customer_name(desk, CARLA)
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await enter_as(pilot, "staff")
        await go(pilot, "customer", email=CARLA)
        text = screen_text(app)
        assert not [mark for mark in STEERING if mark in text]
        assert "Ann␛]0;PWNED" in text
        # Square brackets in a name are text, never markup.
        assert "[b]Bold[/b]" in text
