"""Forms never lose work: every dialog opens ready to type, keeps every field when a value is
refused, puts the cursor on the field at fault, and survives any value typed or pasted."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, Label

from nextcars_tui.services.fleet import list_cars
from nextcars_tui.tui.dialogs.record_form import FormField, RecordFormDialog
from tests.tui.roles_kit import SYSTEM, enter_as, fill, settle

CAR = {
    "#field-plate": "ZZ-999",
    "#field-make": "Ford",
    "#field-model": "Ka",
    "#field-seats": "4",
    "#field-daily-rate": "39.00",
}


async def open_dialog(pilot, screen_key: str, key: str) -> RecordFormDialog:
    await enter_as(pilot, "manager")
    await pilot.press(screen_key)
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, RecordFormDialog)
    return dialog


def values(dialog: RecordFormDialog) -> dict[str, str]:
    return {f"#{w.id}": w.value for w in dialog.query(Input)}


def error_text(dialog: RecordFormDialog) -> str:
    return str(dialog.query_one("#form-error", Label).render())


@pytest.mark.parametrize(
    ("screen_key", "key", "first"),
    [("f8", "a", "#field-plate"), ("f8", "e", "#field-make"), ("f9", "a", "#field-username")],
    ids=["add car", "edit car", "add user"],
)
async def test_dialogs_open_on_their_first_field(make_app, screen_key, key, first):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, screen_key, key)
        assert app.focused is dialog.query_one(first)
        # The first keys land in it (they used to go nowhere); a value shown for editing
        # is selected, so typing replaces it.
        await pilot.press("x")
        assert dialog.query_one(first, Input).value == "x"


BAD_VALUES = [
    ("#field-seats", "2.5", "seats"),
    ("#field-seats", "99999999999999999999999999", "seats"),
    ("#field-seats", "٣", "seats"),
    ("#field-daily-rate", "89,50", "daily rate"),
    ("#field-daily-rate", "1e9", "daily rate"),
    ("#field-daily-rate", "99999999999999999999.00", "daily rate"),
    ("#field-make", "   ", "make"),
]


@pytest.mark.parametrize(("selector", "typed", "word"), BAD_VALUES)
async def test_a_bad_value_keeps_the_form_and_focuses_its_field(
    make_app, desk, selector, typed, word
):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, "f8", "a")
        for field, text in CAR.items():
            await fill(pilot, field, typed if field == selector else text)
        await fill(pilot, "#field-plate", CAR["#field-plate"])  # Enter from another field
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog and app.is_running
        assert word in error_text(dialog).lower()
        assert app.focused is dialog.query_one(selector)
        assert values(dialog) == {**CAR, selector: typed}
        # Enter again (and again) only tries again: the form stays, with every field.
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert values(dialog) == {**CAR, selector: typed}
    assert "ZZ-999" not in {car.plate for car in list_cars(desk, SYSTEM)}


async def test_control_characters_pasted_into_a_field_are_refused(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, "f8", "a")
        for field, text in CAR.items():
            await fill(pilot, field, text)
        model = dialog.query_one("#field-model", Input)
        model.focus()
        model.value = ""
        await pilot.pause()
        model.post_message(events.Paste("Ka\x1b[31m red"))
        await settle(pilot)
        assert "\x1b" in model.value
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog and app.is_running
        assert app.focused is model
        assert "model" in error_text(dialog).lower()
    assert "ZZ-999" not in {car.plate for car in list_cars(desk, SYSTEM)}


async def test_a_refusal_from_the_service_keeps_the_form(make_app, desk):
    """A duplicate plate passes every field's check; the service refuses it, and the form
    stays with what was typed."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, "f8", "a")
        typed = {**CAR, "#field-plate": "kx-204"}
        for field, text in typed.items():
            await fill(pilot, field, text)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert error_text(dialog) and error_text(dialog) != "Saving…"
        assert values(dialog) == typed
        assert isinstance(app.focused, Input)
        await fill(pilot, "#field-plate", "ZZ-999")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is not dialog
    assert "ZZ-999" in {car.plate for car in list_cars(desk, SYSTEM)}


async def test_passwords_that_differ_focus_the_repeat(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, "f9", "a")
        await fill(pilot, "#field-username", "newbie")
        await fill(pilot, "#field-password", "a-long-password")
        await fill(pilot, "#field-repeat", "another-password")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert app.focused is dialog.query_one("#field-repeat")
        assert dialog.query_one("#field-password", Input).value == "a-long-password"
        assert "differ" in error_text(dialog)


async def test_an_unexpected_error_in_a_save_keeps_the_form_and_the_desk(make_app):
    """Anything a save raises that is not a DeskError (an integer too large for SQLite, a
    bug) is said in words inside the form; it used to end the desk with a traceback."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "manager")

        def explode(_values: dict[str, str]) -> None:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")

        dialog = RecordFormDialog("Try", [FormField("name", "Name", "kept")], explode)
        app.push_screen(dialog)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and app.screen is dialog
        assert "unexpected" in error_text(dialog)
        assert dialog.query_one("#field-name", Input).value == "kept"
