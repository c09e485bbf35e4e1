"""The change dialog from a booking's record: a change goes through the service; a clash or
bad input keeps the dialog, says why, puts the cursor on the field at fault and writes
nothing."""

from __future__ import annotations

from textual.widgets import Button, Input, Label, OptionList, Static

from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.booking import booking_detail
from nextcars_tui.tui.dialogs.change_booking import ChangeBookingDialog
from nextcars_tui.tui.dialogs.confirm_run import ConfirmRunDialog
from nextcars_tui.tui.screens.booking_detail import BookingDetailScreen
from tests.tui.recordkit import messages, open_as, plain, settle
from tests.tui.roles_kit import fill, screen_text

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


# --- nothing typed is lost: Enter, Ctrl+S, Escape and Keep ---------------------------------


async def test_enter_repeatedly_then_escape_saves_the_change(make_app, desk):
    app = make_app()
    # Twelve settled key presses can outlast a toast's 5 s on a busy machine; the toast is
    # kept so that the check reads whether it was said, not how fast the machine was.
    app.NOTIFICATION_TIMEOUT = 600
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_change(pilot)
        await fill(pilot, "#change-days", "3")
        # Field to field, and on the last one (Notes) Enter saves; the rest land on the record.
        for _ in range(12):
            await pilot.press("enter")
            await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert dialog.is_attached is False
        after = record(desk)
        assert after.booking.days == 3
        assert [h.detail for h in after.history if h.action == "changed"] == ["days 2 → 3"]
        assert any("BK-000008 is changed" in text for text in messages(app))


async def test_escape_with_typed_changes_asks_before_throwing_them_away(make_app, desk):
    before = record(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_change(pilot)
        await fill(pilot, "#change-days", "4")
        await pilot.press("escape")
        await settle(pilot)
        asked = app.screen
        assert isinstance(asked, ConfirmRunDialog)
        assert "not saved" in plain(asked.query_one("#confirm-message", Static))
        # Escape (or Enter on the focused "Keep editing") goes back to what was typed.
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.query_one("#change-days", Input).value == "4"
        # "Keep as is" asks too; "Discard changes" closes without writing.
        dialog.query_one("#change-keep", Button).press()
        await settle(pilot)
        assert isinstance(app.screen, ConfirmRunDialog)
        app.screen.query_one("#confirm-go", Button).press()
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
    assert record(desk) == before


async def test_escape_with_nothing_typed_just_closes(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_change(pilot)
        await fill(pilot, "#job-notes", "")  # typed over with what was there: no change
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)


async def test_ctrl_s_saves_from_any_field(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_change(pilot)
        await fill(pilot, "#job-pickup", "Gatwick North")
        await fill(pilot, "#change-days", "1")
        assert app.focused is dialog.query_one("#change-days", Input)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
    after = record(desk).booking
    assert (after.days, after.pickup) == (1, "Gatwick North")


async def test_save_comes_before_keep(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_change(pilot)
        buttons = [b.id for b in dialog.query(Button)]
        assert buttons == ["change-save", "change-keep"]


# --- the live preview and the free cars and drivers -----------------------------------------


async def wait_for_preview(pilot) -> str:
    await pilot.pause(ChangeBookingDialog.PREVIEW_DELAY + 0.1)
    await settle(pilot)
    return plain(pilot.app.screen.query_one("#change-preview", Static)).strip()


async def test_the_preview_says_the_new_end_total_difference_and_balance(make_app, desk):
    before = record(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_change(pilot)
        # PB-118 79.00 and DRV-02 110.00 a day: 2 days → 3 adds 189.00, nothing paid yet.
        await fill(pilot, "#change-days", "3")
        assert await wait_for_preview(pilot) == (
            "After: 10–12 Dec (last day Sat 12 Dec) · 3 days · total £567.00\n"
            "Difference +£189.00 · £567.00 owed after the change"
        )
        # A refusal is previewed too, in the change's own words.
        await fill(pilot, "#change-car", "LM-310")
        await fill(pilot, "#change-start", "2026-12-05")
        shown = await wait_for_preview(pilot)
        assert shown.startswith("Would be refused: Car LM-310 is already booked")
        assert "BK-000007" in shown
        # Back as it was: nothing to preview.
        await fill(pilot, "#change-start", "2026-12-10")
        await fill(pilot, "#change-car", "PB-118")
        await fill(pilot, "#change-days", "2")
        assert await wait_for_preview(pilot) == "Nothing changed yet."
    # A preview writes nothing.
    assert record(desk) == before


def picks(app) -> list[str]:
    shown = app.screen.query_one("#change-picks", OptionList)
    return [str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count)]


async def test_the_pick_lists_offer_what_is_free_for_the_new_dates(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_change(pilot)
        title = plain(dialog.query_one("#change-picks-title", Static))
        assert title.startswith("Free cars 10–11 Dec")
        cars = picks(app)
        # Cheapest first, the booking's own car free for it, with model, seats and rate.
        assert cars[0] == "PB-118     Volkswagen Passat · 5 seats · £79.00/day · booked now"
        assert any(c.startswith("LM-310     Mercedes E-Class") for c in cars)
        # On 5–7 Dec LM-310 is Alice's (BK-000007): it is not offered.
        await fill(pilot, "#change-start", "2026-12-05")
        await pilot.pause(ChangeBookingDialog.PREVIEW_DELAY + 0.1)
        await settle(pilot)
        assert "Free cars 5–6 Dec" in plain(dialog.query_one("#change-picks-title", Static))
        assert not any(c.startswith("LM-310") for c in picks(app))
        # ↓ in the Car field puts the highlighted free car in.
        field = dialog.query_one("#change-car", Input)
        field.focus()
        await pilot.press("down", "down")
        assert field.value == picks(app)[1].split()[0]
        # In the Driver field the list is the free drivers.
        dialog.query_one("#change-driver", Input).focus()
        await settle(pilot)
        assert "Free drivers 5–6 Dec" in plain(dialog.query_one("#change-picks-title", Static))
        drivers = picks(app)
        assert drivers and all("/day" in d for d in drivers)
        assert not any(d.startswith("DRV-01") for d in drivers)  # DRV-01 drives BK-000007


async def test_a_long_refusal_wraps_whole_at_80x24(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_change(pilot)
        await fill(pilot, "#change-start", "2099-01-01")
        await save(pilot)
        said = message(app)
        assert "too far ahead" in said and len(said) > 100
        rows = [line.split("█")[1] for line in screen_text(app).splitlines() if "█" in line]
        joined = " ".join(" ".join(rows).split())
        assert said in joined
        assert any("Save change" in row and "Keep as is" in row for row in rows)
        assert app.screen is dialog
