"""Booking wizard: a person's way through the steps, and the ways it must not write twice."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input, OptionList

from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.booking import BookingRequest, book
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.fleet import search_customers
from nextcars_tui.services.listings import BookingFilter, list_bookings
from nextcars_tui.store import open_database
from nextcars_tui.tui.screens.wizard import BookingWizardScreen
from tests.tui.deskdata import TODAY
from tests.tui.roles_kit import enter_as, fill, screen_text, settle, type_text

LATER = date(2026, 12, 20)  # every car and driver is free around then


async def press(pilot, *keys: str) -> None:
    """Type keys, then let the searches and loads they started land on screen."""
    await pilot.press(*keys)
    await settle(pilot)


async def open_wizard(pilot, **prefill) -> BookingWizardScreen:
    if prefill:
        pilot.app.open_screen("new-booking", **prefill)
    else:
        await pilot.press("ctrl+n")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BookingWizardScreen)
    return screen


async def to_review(pilot, *, days: int = 3, type_dates: bool = False):
    """Customer by search, dates (typed, or prefilled as from a grid cell), then the
    highlighted (first free) car and driver."""
    screen = await open_wizard(pilot) if type_dates else await open_wizard(pilot, start=LATER)
    await press(pilot, *"bob")
    await press(pilot, "enter")
    assert screen.step == "dates"
    if type_dates:
        await type_text(pilot, LATER.isoformat())
        await pilot.press("enter")
    else:
        await pilot.press("tab")
    await press(pilot, *str(days), "enter")
    assert screen.step == "car"
    await press(pilot, "enter")
    assert screen.step == "driver"
    await press(pilot, "enter")
    assert screen.step == "review"
    return screen


def bookings(desk: Desk, **filters):
    return list_bookings(desk, system_actor("test"), BookingFilter(**filters))


async def test_happy_path_books_and_opens_the_booking(make_app, desk):
    before = bookings(desk).total
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await to_review(pilot, type_dates=True)
        car, driver = screen.draft.car, screen.draft.driver
        assert car is not None and driver is not None
        review = str(screen.query_one("#review-body").render())
        assert "3 days × £89.00" in review and "Total" in review
        assert "Invoice due Wed 6 Jan 2027" in review
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "BookingDetailScreen"
        made = bookings(desk, car_plate=car.key, text="bob").items
        assert [(b.start, b.days, b.driver_code) for b in made if b.start == LATER] == [
            (LATER, 3, driver.key)
        ]
        booked = next(b for b in made if b.start == LATER)
        assert booked.total_cents == 3 * (car.daily_cents + driver.daily_cents)
        assert any(booked.ref in n.message for n in app._notifications)
    assert bookings(desk).total == before + 1


async def test_escape_asks_before_abandoning_and_writes_nothing(make_app, desk):
    before = bookings(desk).total
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await to_review(pilot)
        await press(pilot, "escape")
        assert type(app.screen).__name__ == "ConfirmRunDialog"
        # A stray Enter keeps the booking: the dialog opens on "Keep editing".
        await press(pilot, "enter")
        assert app.screen is screen and screen.step == "review"
        assert screen.draft.car is not None and screen.draft.driver is not None
        await press(pilot, "escape", "tab", "enter")
        assert type(app.screen).__name__ == "TodayScreen"
    assert bookings(desk).total == before


async def test_escape_on_an_untouched_wizard_leaves_at_once(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await open_wizard(pilot)
        await press(pilot, "escape")
        assert type(app.screen).__name__ == "TodayScreen"


async def test_ctrl_n_in_the_wizard_asks_before_starting_again(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await open_wizard(pilot)
        await press(pilot, *"bob")
        await press(pilot, "ctrl+n")
        assert type(app.screen).__name__ == "ConfirmRunDialog"
        await press(pilot, "escape")
        assert app.screen is screen
        assert screen.query_one("#customer-search", Input).value == "bob"
        await press(pilot, "ctrl+n", "tab", "enter")
        fresh = app.screen
        assert isinstance(fresh, BookingWizardScreen) and fresh is not screen
        assert fresh.query_one("#customer-search", Input).value == ""
        # One wizard on the stack, not one on top of the other.
        assert sum(isinstance(s, BookingWizardScreen) for s in app.screen_stack) == 1


async def test_double_confirm_creates_one_booking(make_app, desk):
    before = bookings(desk).total
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await to_review(pilot)
        # Two presses before the first booking comes back, and the action called again.
        await pilot.press("enter", "enter")
        screen.action_confirm()
        await settle(pilot)
    assert bookings(desk).total == before + 1


async def test_back_and_forward_keep_what_was_entered(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await to_review(pilot, days=2)
        car = screen.draft.car
        await press(pilot, "ctrl+r", "ctrl+r", "ctrl+r")
        assert screen.step == "dates"
        assert screen.query_one("#start-date", Input).value == LATER.isoformat()
        assert screen.query_one("#day-count", Input).value == "2"
        await press(pilot, "ctrl+r")
        assert screen.step == "customer"
        assert screen.query_one("#customer-search", Input).value == "bob"
        await press(pilot, "enter", "tab", "enter")
        assert screen.step == "car"
        assert screen.draft.car == car
        assert screen.query_one("#car-options", OptionList).highlighted_option.id == car.key


async def test_enter_typed_before_the_results_arrive_picks_the_typed_match(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await open_wizard(pilot)
        await press(pilot, *"carla", "enter")  # no pause between typing and Enter
        assert screen.step == "dates"
        assert screen.draft.customer is not None and screen.draft.customer.name == "Carla Diaz"


async def test_arrows_in_the_search_box_and_the_next_button(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await open_wizard(pilot)
        await press(pilot, "down", "down", "up", "down")
        assert app.focused is screen.query_one("#customer-search", Input)
        await pilot.click("#wizard-next")
        await settle(pilot)
        assert screen.step == "dates"
        assert screen.draft.customer is not None and screen.draft.customer.name == "Carla Diaz"
        await pilot.click("#wizard-next")
        await settle(pilot)
        assert screen.step == "car"
        await pilot.click("#wizard-back")
        await settle(pilot)
        assert screen.step == "dates"


async def test_dates_are_checked_inline(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await open_wizard(pilot)
        await press(pilot, "a", "l", "i")
        await press(pilot, "enter")
        start = screen.query_one("#start-date", Input)
        days = screen.query_one("#day-count", Input)
        assert start.value == TODAY.isoformat()
        await fill(pilot, "#start-date", "2026-02-30")
        await press(pilot, "tab", "enter")
        error = str(screen.query_one("#dates-error").render())
        assert "not a real calendar date" in error
        assert screen.step == "dates"
        # Enter on a bad date keeps both fields and puts the cursor on the date.
        assert app.focused is start and days.value == "1"
        await fill(pilot, "#start-date", "2026-11-30")
        await press(pilot, "enter", "enter")
        assert "in the past" in str(screen.query_one("#dates-error").render())
        assert app.focused is start
        await fill(pilot, "#start-date", "2026-12-24")
        await press(pilot, "enter")
        await fill(pilot, "#day-count", "0")
        await press(pilot, "enter")
        assert "at least one day" in str(screen.query_one("#dates-error").render())
        assert app.focused is days
        await press(pilot, "backspace", "4", "enter")
        assert screen.step == "car"
        assert "Thu 24 Dec 2026 → last day Sun 27 Dec 2026 · 4 days" in str(
            screen.query_one("#dates-summary").render()
        )


async def test_bad_day_counts_are_refused_not_repaired(make_app):
    """`2.5` was read as 25 days (the box dropped the dot); words, huge numbers and control
    characters must be refused with the form kept, never crash the desk."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await open_wizard(pilot, start=LATER)
        await press(pilot, *"bob", "enter")
        assert screen.step == "dates"
        for typed in ("2.5", "99999999999999999999999", "1e3", "-2", "３"):
            await fill(pilot, "#day-count", typed)
            await press(pilot, "enter")
            assert screen.step == "dates", typed
            assert screen.query_one("#day-count", Input).value == typed
            assert screen.query_one("#start-date", Input).value == LATER.isoformat()
            assert str(screen.query_one("#dates-error").render()), typed
            assert screen.draft.dates is None
        days = screen.query_one("#day-count", Input)
        days.value = ""
        await pilot.pause()
        days.insert_text_at_cursor("2\x1b[31m")
        await press(pilot, "enter")
        assert screen.step == "dates" and app.is_running
        await fill(pilot, "#day-count", "12")
        await press(pilot, "enter")
        assert screen.step == "car" and screen.draft.dates is not None
        assert screen.draft.dates.days == 12


async def test_the_days_box_shows_the_whole_number(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await open_wizard(pilot, start=LATER)
        await press(pilot, *"bob", "enter")
        await fill(pilot, "#day-count", "30")
        days = screen.query_one("#day-count", Input)
        assert days.content_region.width >= 4
        assert "30" in screen_text(app)


async def test_the_start_date_is_read_back_beside_the_field(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await open_wizard(pilot)
        await press(pilot, *"bob", "enter")
        preview = screen.query_one("#start-date-preview")
        assert str(preview.render()) == "Tue 1 Dec 2026"
        await fill(pilot, "#start-date", "2026-12-24")
        assert str(preview.render()) == "Thu 24 Dec 2026"
        await fill(pilot, "#start-date", "2026-12-")
        assert str(preview.render()) == "?"


async def test_busy_cars_are_dimmed_with_the_clashing_booking(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await open_wizard(pilot)
        await press(pilot, "b", "o", "b")
        await press(pilot, "enter", "tab", "2", "enter")  # today, 2 days
        options = screen.query_one("#car-options", OptionList)
        by_key = {option.id: option for option in options.options}
        assert len(by_key) == 6
        step = screen.query_one("#step-car")
        assert not step.option("KX-204").free
        assert "busy BK-000004" in str(by_key["KX-204"].prompt)
        assert step.option("LM-310").free
        assert options.highlighted_option.id == "LM-310"  # first free
        hint = str(screen.query_one("#car-hint").render())
        assert "3 of 6 cars free" in hint


async def test_prefilled_from_a_grid_cell(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await open_wizard(pilot, car="RT-552", start=LATER)
        await press(pilot, "c", "a", "r")
        await press(pilot, "enter")
        assert screen.query_one("#start-date", Input).value == LATER.isoformat()
        await press(pilot, "enter", "enter")
        assert screen.step == "car"
        assert screen.query_one("#car-options", OptionList).highlighted_option.id == "RT-552"
        await press(pilot, "enter")
        assert screen.draft.car is not None and screen.draft.car.key == "RT-552"


async def test_new_customer_inline(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await open_wizard(pilot)
        await press(pilot, *"Zoe")
        await pilot.click("#new-customer")
        await settle(pilot)
        assert screen.query_one("#new-customer-name", Input).value == "Zoe"
        await press(
            pilot, "end", *" Quinn", "enter", *"zoe@example.com", "enter", *"+44 7700 900099"
        )
        await press(pilot, "enter")
        assert screen.step == "dates"
        assert screen.draft.customer is not None and screen.draft.customer.name == "Zoe Quinn"
    found = search_customers(desk, system_actor("test"), "zoe@example.com")
    assert [c.name for c in found] == ["Zoe Quinn"]


async def test_new_customer_errors_stay_on_the_form(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await open_wizard(pilot)
        await pilot.click("#new-customer")
        await settle(pilot)
        await press(pilot, *"Al", "enter", *"not-an-email", "enter", *"+44 1", "enter")
        assert screen.step == "customer"
        assert "not an e-mail address" in str(screen.query_one("#customer-error").render())
        # Every field kept; the cursor on the one at fault.
        email = screen.query_one("#new-customer-email", Input)
        assert app.focused is email and email.value == "not-an-email"
        assert screen.query_one("#new-customer-name", Input).value == "Al"
        assert screen.query_one("#new-customer-phone", Input).value == "+44 1"


def _other_terminal_books(desk: Desk, plate: str, code: str, start: date, days: int) -> str:
    """Book through a second connection to the same file, like another desk would."""
    other_db = open_database(desk.db.path)
    try:
        other = Desk(other_db, desk.settings, desk.clock)
        request = BookingRequest("erin@example.com", plate, code, start, days)
        return book(other, system_actor("other-terminal"), request).ref
    finally:
        other_db.close()


async def test_car_taken_by_another_terminal_returns_to_the_car_step(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await to_review(pilot, days=2)
        car, driver = screen.draft.car, screen.draft.driver
        assert car is not None and driver is not None
        other_driver = "DRV-03" if driver.key != "DRV-03" else "DRV-02"
        ref = _other_terminal_books(desk, car.key, other_driver, LATER, 1)
        before = bookings(desk).total
        await press(pilot, "enter")
        assert screen.step == "car"
        assert screen.draft.car is None
        error = str(screen.query_one("#car-error").render())
        assert error.startswith(f"Car {car.key} is already booked") and ref in error
        option = screen.query_one("#car-options", OptionList).get_option(car.key)
        assert not screen.query_one("#step-car").option(car.key).free
        assert ref in str(option.prompt)
        assert any("already booked" in n.message for n in app._notifications)
        # The driver stays chosen: another car goes straight back to the review.
        await press(pilot, "enter")
        assert screen.step == "review"
        assert screen.draft.driver == driver and screen.draft.car != car
        await press(pilot, "enter")
    assert bookings(desk).total == before + 1


async def test_driver_taken_by_another_terminal_returns_to_the_driver_step(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await to_review(pilot, days=2)
        car, driver = screen.draft.car, screen.draft.driver
        assert car is not None and driver is not None
        other_car = "ZE-901" if car.key != "ZE-901" else "VN-777"
        _other_terminal_books(desk, other_car, driver.key, LATER, 2)
        await press(pilot, "enter")
        assert screen.step == "driver"
        assert screen.draft.driver is None and screen.draft.car == car
        assert str(screen.query_one("#driver-error").render()).startswith(f"Driver {driver.key}")
        assert not screen.query_one("#step-driver").option(driver.key).free


async def to_car_step(pilot, start: date = TODAY, days: int = 2) -> BookingWizardScreen:
    screen = await open_wizard(pilot, start=start)
    await press(pilot, *"bob", "enter")
    await fill(pilot, "#day-count", str(days))
    await press(pilot, "enter")
    assert screen.step == "car"
    return screen


async def test_typing_on_the_car_step_filters_at_once(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await to_car_step(pilot, start=LATER)
        assert app.focused is screen.query_one("#car-filter", Input)
        await press(pilot, *"tesla")
        options = screen.query_one("#car-options", OptionList)
        assert [o.id for o in options.options] == ["ZE-901"]
        # Enter on the only match takes it, wherever the list's cursor was.
        await press(pilot, "enter")
        assert screen.step == "driver"
        assert screen.draft.car is not None and screen.draft.car.key == "ZE-901"
        assert app.focused is screen.query_one("#driver-filter", Input)


async def test_typing_in_the_list_goes_to_the_filter(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await to_car_step(pilot, start=LATER)
        options = screen.query_one("#car-options", OptionList)
        options.focus()
        await press(pilot, "down", *"vn")
        assert app.focused is screen.query_one("#car-filter", Input)
        assert screen.query_one("#car-filter", Input).value == "vn"
        assert [o.id for o in options.options] == ["VN-777"]


async def test_plates_match_as_clerks_type_them(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await to_car_step(pilot, start=LATER)
        await press(pilot, *"ze901")
        options = screen.query_one("#car-options", OptionList)
        assert [o.id for o in options.options] == ["ZE-901"]
        await fill(pilot, "#car-filter", "Ze 9")
        assert [o.id for o in options.options] == ["ZE-901"]


async def test_enter_on_a_busy_car_says_why_it_cannot_be_chosen(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await to_car_step(pilot)  # today: KX-204 is out with BK-000004
        await press(pilot, *"kx")
        await press(pilot, "enter")
        assert screen.step == "car" and screen.draft.car is None
        error = str(screen.query_one("#car-error").render())
        assert "KX-204 cannot be chosen" in error and "BK-000004" in error
        # The arrows reach a busy car too, and Enter there explains rather than picks.
        await fill(pilot, "#car-filter", "")
        await press(pilot, "up", "up", "up", "up", "up")
        highlighted = screen.query_one("#step-car").highlighted
        await press(pilot, "enter")
        if highlighted is not None and not highlighted.free:
            assert screen.step == "car"
            assert "cannot be chosen" in str(screen.query_one("#car-error").render())


async def test_a_chosen_car_busy_on_the_new_dates_is_dropped_with_a_message(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        screen = await to_review(pilot, days=2)
        car, driver = screen.draft.car, screen.draft.driver
        assert car is not None and driver is not None
        other_driver = "DRV-03" if driver.key != "DRV-03" else "DRV-02"
        # Free for the two days chosen; taken from the fifth day on.
        ref = _other_terminal_books(desk, car.key, other_driver, date(2026, 12, 25), 2)
        await press(pilot, "ctrl+r", "ctrl+r", "ctrl+r")
        assert screen.step == "dates"
        await press(pilot, "tab", "backspace", "7", "enter")
        assert screen.step == "car"
        assert screen.draft.car is None
        error = str(screen.query_one("#car-error").render())
        assert error.startswith(f"{car.key} is no longer free on these dates") and ref in error
        # The driver, free on the new dates, stays chosen.
        assert screen.draft.driver == driver
