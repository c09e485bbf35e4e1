"""Fleet: cars, drivers and customers listed with money rates, added and edited in dialogs."""

from __future__ import annotations

from textual.widgets import Button, DataTable, Input, Label, Static, TabbedContent

from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.booking import booking_detail
from nextcars_tui.services.fleet import list_cars, list_drivers, search_customers
from nextcars_tui.tui.dialogs.confirm_run import ConfirmRunDialog
from nextcars_tui.tui.dialogs.record_form import RecordFormDialog
from nextcars_tui.tui.screens.fleet import FleetScreen
from tests.tui.roles_kit import enter_as, fill, settle, type_text

MANAGER = Actor("manager", Role.MANAGER)


def _rows(table: DataTable) -> dict[str, list[str]]:
    return {
        row.key.value: [str(cell) for cell in table.get_row(row.key)] for row in table.ordered_rows
    }


async def _open_fleet(pilot) -> FleetScreen:
    await enter_as(pilot, "manager")
    await pilot.press("f8")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FleetScreen)
    return screen


async def test_lists_show_rates_as_money(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_fleet(pilot)
        cars = _rows(screen.query_one("#fleet-cars", DataTable))
        assert cars["KX-204"] == ["KX-204", "Skoda Superb", "5", "£89.00"]
        assert len(cars) == 6
        drivers = _rows(screen.query_one("#fleet-drivers", DataTable))
        assert drivers["DRV-01"] == ["DRV-01", "Ana Silva", "+44 20 7946 0101", "£120.00"]
        customers = _rows(screen.query_one("#fleet-customers", DataTable))
        assert customers["alice@example.com"][0] == "Alice Brown"
        tabs = screen.query_one("#fleet-tabs", TabbedContent)
        assert str(tabs.get_tab("tab-cars").label) == "Cars 6"


async def test_add_car_appears_in_the_list(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_fleet(pilot)
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RecordFormDialog)
        await fill(pilot, "#field-plate", "ab-123")
        await fill(pilot, "#field-make", "Kia")
        await fill(pilot, "#field-model", "EV6")
        await fill(pilot, "#field-seats", "5")
        await fill(pilot, "#field-daily-rate", "99.5")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        cars = _rows(screen.query_one("#fleet-cars", DataTable))
        assert cars["AB-123"] == ["AB-123", "Kia EV6", "5", "£99.50"]
    assert [c.plate for c in list_cars(desk, MANAGER, "AB-123")] == ["AB-123"]


async def test_a_rejected_car_keeps_the_dialog_open_with_the_reason(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_fleet(pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill(pilot, "#field-plate", "KX-204")
        await fill(pilot, "#field-make", "Kia")
        await fill(pilot, "#field-model", "EV6")
        await fill(pilot, "#field-daily-rate", "99")
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RecordFormDialog)
        message = str(dialog.query_one("#form-error", Label).render())
        assert "already a car with plate KX-204" in message
        assert dialog.query_one("#field-make", Input).value == "Kia"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, FleetScreen)
    assert [c.name for c in list_cars(desk, MANAGER, "KX-204")] == ["Skoda Superb"]


async def test_edit_driver_fee_changes_only_that(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_fleet(pilot)
        await pilot.press("2")
        await pilot.pause()
        table = screen.query_one("#fleet-drivers", DataTable)
        assert table.has_focus
        table.move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RecordFormDialog)
        assert dialog.query_one("#field-code", Input).disabled
        assert dialog.query_one("#field-daily-fee", Input).value == "110.00"
        await fill(pilot, "#field-daily-fee", "115")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _rows(table)["DRV-02"][3] == "£115.00"
    (ben,) = list_drivers(desk, MANAGER, "DRV-02")
    assert (ben.name, ben.phone, ben.daily_fee_cents) == ("Ben Okafor", "+44 20 7946 0102", 11500)


async def test_add_customer_and_filter(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_fleet(pilot)
        await pilot.press("3", "a")
        await pilot.pause()
        await fill(pilot, "#field-email", "zoe@example.com")
        await fill(pilot, "#field-name", "Zoe Hart")
        await fill(pilot, "#field-phone", "+44 7700 900099")
        await pilot.press("enter")
        await settle(pilot)
        customers = screen.query_one("#fleet-customers", DataTable)
        assert "zoe@example.com" in _rows(customers)
        await pilot.press("slash")
        await type_text(pilot, "zoe")
        await settle(pilot)
        assert list(_rows(customers)) == ["zoe@example.com"]
        assert list(_rows(screen.query_one("#fleet-cars", DataTable))) == []
    assert [c.name for c in search_customers(desk, MANAGER, "zoe")] == ["Zoe Hart"]


async def _press_retire(pilot, app, plate: str) -> None:
    table = app.screen.query_one("#fleet-cars", DataTable)
    table.move_cursor(row=table.get_row_index(plate))
    await pilot.press("R")
    await settle(pilot)


async def _retire_highlighted(pilot, app, plate: str) -> None:
    await _press_retire(pilot, app, plate)
    await pilot.click("#confirm-go")
    await settle(pilot)


def _asked(app) -> str:
    assert isinstance(app.screen, ConfirmRunDialog)
    return str(app.screen.query_one("#confirm-message", Static).render())


async def test_retiring_a_car_marks_it_and_keeps_it_listed(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_fleet(pilot)
        # RT-552 has only past and cancelled bookings: nothing left to reassign.
        await _retire_highlighted(pilot, app, "RT-552")
        cars = _rows(screen.query_one("#fleet-cars", DataTable))
        assert cars["RT-552"][1] == "BMW 5 Series (retired)"
        assert [c.retired for c in list_cars(desk, MANAGER) if c.plate == "RT-552"] == [True]
        # R again on a retired car offers to reinstate it.
        await _press_retire(pilot, app, "RT-552")
        assert "takes new bookings again" in _asked(app)
        assert str(app.screen.query_one("#confirm-go", Button).label) == "Reinstate"
        await pilot.click("#confirm-go")
        await settle(pilot)
        assert "(retired)" not in _rows(screen.query_one("#fleet-cars", DataTable))["RT-552"][1]
    assert [c.retired for c in list_cars(desk, MANAGER) if c.plate == "RT-552"] == [False]


async def test_a_car_with_bookings_to_run_names_them_before_asking(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_fleet(pilot)
        # LM-310 has BK-000007 from 5 Dec still to run: named, with its proposed move,
        # and the only way on is to reassign it.
        await _press_retire(pilot, app, "LM-310")
        asked = _asked(app)
        assert "LM-310 still has bookings to run" in asked and "BK-000007" in asked
        assert str(app.screen.query_one("#confirm-go", Button).label) == "Reassign and retire"
        await pilot.press("escape")
        await settle(pilot)
        cars = _rows(screen.query_one("#fleet-cars", DataTable))
        assert "(retired)" not in cars["LM-310"][1]
        assert [c.retired for c in list_cars(desk, MANAGER) if c.plate == "LM-310"] == [False]


async def test_reassign_and_retire_moves_the_bookings_then_retires(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_fleet(pilot)
        await _retire_highlighted(pilot, app, "LM-310")
    assert [c.retired for c in list_cars(desk, MANAGER) if c.plate == "LM-310"] == [True]
    assert booking_detail(desk, MANAGER, "BK-000007").booking.car_plate != "LM-310"


async def test_a_customer_with_bookings_to_come_is_refused_without_a_question(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_fleet(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = screen.query_one("#fleet-customers", DataTable)
        table.move_cursor(row=table.get_row_index("alice@example.com"))
        await pilot.press("R")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmRunDialog)
        shown = [n.message for n in app._notifications]
        assert any("has bookings to come" in text for text in shown), shown
    assert not next(c for c in search_customers(desk, MANAGER, "alice")).retired
