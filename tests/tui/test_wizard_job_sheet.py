"""The wizard and issue 9: a blocked car is dimmed with its block's reason and cannot be
chosen; the review step's optional job sheet goes into the booking, and bad job-sheet input
is shown at its field with nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Button, Input

from nextcars_tui.domain.errors import NotFound
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.booking import booking_detail
from nextcars_tui.tui.screens.booking_detail import BookingDetailScreen
from nextcars_tui.tui.screens.wizard import BookingWizardScreen
from nextcars_tui.tui.widgets.wizard_steps import ResourceStep, ReviewStep
from tests.tui.deskdata import add_jobs_and_block
from tests.tui.roles_kit import enter_as, fill, go, screen_text, settle

SYSTEM = system_actor("tests")
# The test desk has nine bookings: the wizard's would be the tenth.
NEXT_REF = "BK-000010"


async def to_review(pilot) -> ReviewStep:
    """Bob, today for two days, the first free car (LM-310) and driver (DRV-04)."""
    await enter_as(pilot, "staff")
    for keys in (("ctrl+n",), ("b", "o", "b"), ("enter",), ("tab", "2", "enter"), ("enter",)):
        await pilot.press(*keys)
        await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, BookingWizardScreen)
    assert pilot.app.screen.step == "review"
    return pilot.app.screen.query_one(ReviewStep)


async def confirm(pilot) -> None:
    pilot.app.screen.query_one("#confirm-booking", Button).press()
    await settle(pilot)


async def test_a_blocked_car_is_dimmed_with_its_reason_and_cannot_be_chosen(make_app, desk):
    add_jobs_and_block(desk)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        await go(pilot, "new-booking", start=date(2026, 12, 8), customer="bob@example.com")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert app.screen.step == "car"
        assert "RT-552" in screen_text(app) and "blocked: MOT 7–9 Dec" in screen_text(app)
        await pilot.press("r", "t")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.step == "car"
        error = str(app.screen.query_one("#car-error").render())
        assert "RT-552 cannot be chosen: it is blocked 7–9 Dec (BL-000001: MOT)" in error
        blocked = app.screen.query_one("#step-car", ResourceStep).option("RT-552")
        assert blocked is not None and blocked.block_reason == "MOT"


async def test_the_job_sheet_goes_into_the_booking(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_review(pilot)
        await fill(pilot, "#job-pickup-time", "7:45")
        await fill(pilot, "#job-passengers", "4")
        await fill(pilot, "#job-pickup", "St Pancras")
        await fill(pilot, "#job-dropoff", "Oxford")
        await fill(pilot, "#job-notes", "Eurostar 9O 12")
        await confirm(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
    made = booking_detail(desk, SYSTEM, NEXT_REF).booking
    assert (made.pickup_time, made.passengers, made.pickup, made.dropoff, made.notes) == (
        "07:45",
        4,
        "St Pancras",
        "Oxford",
        "Eurostar 9O 12",
    )


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("#job-pickup-time", "25:00", "not a time of day"),
        # LM-310 has five seats; the service says so, and the wizard shows it at the field.
        ("#job-passengers", "6", "the car has 5 seats"),
    ],
    ids=["time", "passengers"],
)
async def test_bad_job_sheet_input_is_shown_at_its_field_and_nothing_is_written(
    make_app, desk, field, typed, said
):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        review = await to_review(pilot)
        await fill(pilot, field, typed)
        await confirm(pilot)
        assert isinstance(app.screen, BookingWizardScreen) and app.screen.step == "review"
        box = review.query_one(field, Input)
        assert box.has_class("-invalid") and app.focused is box
        assert said in str(review.query_one("#review-error").render())
    with pytest.raises(NotFound):
        booking_detail(desk, SYSTEM, NEXT_REF)
