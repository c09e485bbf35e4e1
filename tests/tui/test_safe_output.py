"""Stored text on the desk's screens: planted with raw SQL (tests/poison.py), it reaches the
terminal with its control characters as visible placeholders (the app's line filter, the one
exit of every widget's lines), and its square brackets as typed, never as markup (the cancel
and payment dialogs, the record, the driver's jobs). The driver's real terminal over tmux is
in tests/e2e/test_safe_terminal.py."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.widgets import Static, TabbedContent

from nextcars_tui.tui.dialogs.cancel_booking import CancelBookingDialog
from nextcars_tui.tui.dialogs.money import PaymentDialog
from nextcars_tui.tui.inert_output import INERT_TEXT
from tests.poison import (
    NAME_SHOWN,
    NOTES,
    PLACE_SHOWN,
    STEERING,
    plant_customer_name,
    plant_job_sheet,
)
from tests.tui.recordkit import open_as, plain, settle
from tests.tui.roles_kit import enter_as, screen_lines, screen_text

# BK-000008 (pending, Alice Brown) and its invoice; BK-000004 is driver1's job.
BOOKING, CUSTOMER = "BK-000008", "alice@example.com"


# Widgets lay out text with Rich, which drops a BEL (and reads a newline as a line break)
# before anything reaches the terminal; every escape sequence arrives as visible text.
SHOWN_START = "Ann␛]0;PWNED"
assert NAME_SHOWN.startswith(SHOWN_START)


def customer_of(desk, ref: str) -> str:
    from tests.integration.rawdb import raw

    with raw(desk) as connection:
        row = connection.execute(
            "SELECT c.email FROM booking b JOIN customer c ON c.id = b.customer_id WHERE b.ref = ?",
            (ref,),
        ).fetchone()
    assert row is not None
    return str(row[0])


def assert_inert(text: str) -> None:
    leaked = [ch for ch in STEERING if ch in text]
    assert leaked == [], f"{leaked!r} reached the terminal"


def test_the_filter_shows_controls_as_placeholders_and_keeps_the_line_width():
    style = Style(bold=True)
    line = [Segment("│ Ann\x1b[2J Lee\u202e   ", style), Segment("│")]
    width = Segment.get_line_length(line)
    shown = INERT_TEXT.apply(line, Color(0, 0, 0))
    assert "".join(segment.text for segment in shown) == "│ Ann␛[2J Lee�  │"[:width]
    assert Segment.get_line_length(shown) == width
    assert shown[0].style == style
    # A line without anything to make inert is passed on as it was: no copy, no cost.
    plain_line = [Segment("│ Ann Lee │")]
    assert INERT_TEXT.apply(plain_line, Color(0, 0, 0)) is plain_line


async def test_the_cancel_dialog_shows_a_planted_name_as_typed(make_app, desk):
    plant_customer_name(desk, customer_of(desk, BOOKING))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref=BOOKING)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, CancelBookingDialog)
        summary = plain(app.screen.query_one("#cancel-summary", Static))
        # The brackets as typed: markup in data is never read as style.
        assert "[b]Bold[/b]" in summary
        text = screen_text(app)
        assert_inert(text)
        assert SHOWN_START in text


async def test_the_payment_dialog_shows_a_planted_name_as_typed(make_app, desk):
    plant_customer_name(desk, customer_of(desk, BOOKING))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref=BOOKING)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, PaymentDialog)
        summary = plain(app.screen.query_one("#money-summary", Static))
        assert "[b]Bold[/b]" in summary
        assert_inert(screen_text(app))


async def test_the_booking_record_and_list_show_planted_text_inert(make_app, desk):
    plant_customer_name(desk, customer_of(desk, BOOKING))
    plant_job_sheet(desk, BOOKING)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_as(pilot, "staff", "booking", ref=BOOKING)
        text = screen_text(app)
        assert_inert(text)
        assert SHOWN_START in text
        assert "[b]Bold[/b]" in text
        app.screen.query_one("#booking-ledger", TabbedContent).active = "tab-booking-job"
        await settle(pilot)
        assert_inert(screen_text(app))
        assert any("Gate 4␛]0;PWNED␛]52;c;" in line for line in screen_lines(app))
        await open_as(pilot, "staff", "bookings")
        assert_inert(screen_text(app))


async def test_a_drivers_jobs_show_planted_text_inert(make_app, desk):
    plant_job_sheet(desk, "BK-000004", notes=NOTES)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "driver1")
        assert_inert(screen_text(app))
        assert any("Heathrow␛[2J T5" in line for line in screen_lines(app)), PLACE_SHOWN
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "AssignmentDialog"
        text = screen_text(app)
        assert_inert(text)
        assert "Gate 4␛]0;PWNED␛]52;c;" in text
