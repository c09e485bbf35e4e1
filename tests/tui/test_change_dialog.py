"""The change dialog from a booking's record: a change goes through the service; a clash or
bad input keeps the dialog, says why, puts the cursor on the field at fault and writes
nothing."""

from __future__ import annotations

from textual.widgets import Button, Input, Label, Static

from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.booking import booking_detail
from nextcars_tui.tui.dialogs.change_booking import ChangeBookingDialog
from nextcars_tui.tui.screens.booking_detail import BookingDetailScreen
from tests.tui.recordkit import messages, open_as, plain, settle
from tests.tui.roles_kit import fill

SYSTEM = system_actor("tests")
# Carla's pending booking: PB-118 with DRV-02, 10–11 Dec.
REF = "BK-000008"


def record(desk):
    return booking_detail(desk, SYSTEM, REF)


async def open_change(pilot) -> ChangeBookingDialog:
    await open_as(pilot, "staff", "booking", ref=REF)
    await pilot.press("e")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ChangeBookingDialog)
    return dialog


async def save(pilot) -> None:
    pilot.app.screen.query_one("#change-save", Button).press()
    await settle(pilot)


def message(app) -> str:
    return str(app.screen.query_one("#change-message", Label).content)


async def test_a_change_is_saved_and_shown_on_the_record(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_change(pilot)
        await fill(pilot, "#change-days", "3")
        await fill(pilot, "#job-pickup-time", "9:30")
        await fill(pilot, "#job-pickup", "Gatwick North")
        await save(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        assert any("BK-000008 is changed" in text for text in messages(app))
        after = record(desk)
        assert (after.booking.days, after.booking.pickup_time) == (3, "09:30")
        assert after.booking.pickup == "Gatwick North"
        assert after.history[-1].action == "changed"
        assert "days 2 → 3" in after.history[-1].detail
        job = plain(app.screen.query_one("#booking-job", Static))
        assert "09:30 Gatwick North" in job


async def test_a_clash_keeps_the_dialog_with_the_car_field_focused(make_app, desk):
    before = record(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_change(pilot)
        # LM-310 is Alice's (BK-000007) from 5 to 7 December.
        await fill(pilot, "#change-start", "2026-12-05")
        await fill(pilot, "#change-car", "LM-310")
        await save(pilot)
        assert app.screen is dialog
        assert app.focused is dialog.query_one("#change-car", Input)
        assert "BK-000007" in message(app)
        # What was typed stays, so the clerk can pick another car.
        assert dialog.query_one("#change-start", Input).value == "2026-12-05"
    assert record(desk) == before


async def test_bad_job_sheet_input_is_refused_at_its_field_and_nothing_is_sent(make_app, desk):
    before = record(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_change(pilot)
        await fill(pilot, "#job-pickup-time", "25:00")
        field = dialog.query_one("#job-pickup-time", Input)
        assert field.has_class("-invalid")
        await save(pilot)
        assert app.screen is dialog
        assert app.focused is field
        assert "25:00" in message(app)
        # More passengers than PB-118's five seats: the service says so, at the field.
        await fill(pilot, "#job-pickup-time", "")
        await fill(pilot, "#job-passengers", "9")
        await save(pilot)
        assert app.screen is dialog
        assert app.focused is dialog.query_one("#job-passengers", Input)
        assert "5 seats" in message(app)
    assert record(desk) == before


async def test_a_change_that_changes_nothing_says_so(make_app, desk):
    before = record(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_change(pilot)
        await save(pilot)
        assert app.screen is dialog
        assert "changes nothing" in message(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
    assert record(desk) == before


async def test_a_completed_booking_offers_no_change(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000001")
        change = app.screen.query_one("#booking-change", Button)
        assert change.disabled and "completed" in str(change.tooltip)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
