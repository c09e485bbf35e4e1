"""Booking detail: every part of the record, and confirm, cancel and take payment from it —
each checked through a service read, and each refusal shown as a notification. The money
dialogs themselves are in test_money_dialogs."""

from __future__ import annotations

import re

from textual import events
from textual.widgets import Button, Input, Label, Static

from nextcars_tui.domain.ledger import EntryKind
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.booking import booking_detail
from nextcars_tui.tui.dialogs.cancel_booking import CancelBookingDialog
from nextcars_tui.tui.dialogs.money import PaymentDialog
from nextcars_tui.tui.screens.booking_detail import BookingDetailScreen
from nextcars_tui.tui.screens.invoice_detail import InvoiceDetailScreen
from tests.tui.recordkit import messages, open_as, plain, settle
from tests.tui.roles_kit import screen_lines, type_text

SYSTEM = system_actor("tests")


def card(app, card_id: str) -> str:
    return plain(app.screen.query_one(f"#{card_id}", Static))


def history_actions(app) -> list[str]:
    """The actions the history shows, in the order they happened, checked against the record
    the screen loaded; the screen lists them newest first."""
    shown = card(app, "booking-history-log")
    actions = [entry.action for entry in app.screen.detail.history]
    assert all(action in shown for action in actions)
    # Each entry's line starts with its time; the action follows it, or its actor then it.
    entries = [line.split() for line in shown.splitlines() if re.match(r"\d+ \w{3} \d{4} ", line)]
    listed = [next(word for word in words[4:6] if word in actions) for words in entries]
    assert listed == actions[::-1], shown
    return actions


def button(app, button_id: str) -> Button:
    return app.screen.query_one(f"#{button_id}", Button)


async def test_shows_every_part_of_a_pending_booking(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="bk-6")
        assert isinstance(app.screen, BookingDetailScreen)
        heading = card(app, "booking-heading")
        assert "BK-000006" in heading and "Pending" in heading
        customer = card(app, "booking-customer")
        for part in ("Bob Green", "bob@example.com", "+44 7700 900002"):
            assert part in customer
        car_driver = card(app, "booking-car-driver")
        for part in ("ZE-901", "Tesla Model 3", "DRV-03", "Chloe Martin", "+44 20 7946 0103"):
            assert part in car_driver
        price = card(app, "booking-price")
        for part in ("Tue 1 Dec → Wed 2 Dec", "2 days", "2 × £119.00", "£238.00"):
            assert part in price
        for part in ("2 × £125.00", "+ £250.00", "= £488.00"):
            assert part in price
        invoice = card(app, "booking-invoice")
        for part in ("INV-000006  Unpaid  £488.00", "Thu 17 Dec 2026", "payment can be taken"):
            assert part in invoice
        statement = card(app, "booking-statement")
        for part in ("Car ZE-901: 2 day(s) × 119.00", "£238.00", "£250.00", "£488.00"):
            assert part in statement
        assert "system:tests" in statement and "1 Dec 07:00" in statement  # who and when
        assert history_actions(app) == ["booked"]
        assert not button(app, "booking-confirm").disabled
        # It starts today: a rental under way is ended early, not cancelled.
        assert button(app, "booking-cancel").disabled
        assert "started on 2026-12-01" in str(button(app, "booking-cancel").tooltip)
        assert not button(app, "booking-pay").disabled
        assert not button(app, "booking-refund").display  # nothing paid, nothing to refund


async def test_a_paid_booking_shows_its_payment_and_offers_no_checkout(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000007")
        invoice = card(app, "booking-invoice")
        for part in (
            "INV-000007",
            "Paid  £795.00",
            "Paid    £795.00",
            "Balance £0.00",
            "nothing to take",
        ):
            assert part in invoice
        statement = card(app, "booking-statement")
        for part in ("Payment by transfer", "-£795.00", "£0.00"):
            assert part in statement
        assert button(app, "booking-refund").display  # something was paid
        assert history_actions(app) == ["booked", "confirmed", "paid"]
        pay = button(app, "booking-pay")
        assert pay.disabled and pay.tooltip == "Invoice INV-000007 is paid; nothing to take."
        assert button(app, "booking-confirm").disabled
        # The state forbids taking money: t is not offered, and pressing it opens nothing.
        assert "t Pay" not in screen_lines(app)[-1]
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)  # no checkout dialog


async def test_confirm_a_pending_booking(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000006")
        await pilot.press("c")
        await settle(pilot)
        assert booking_detail(desk, SYSTEM, "BK-000006").booking.status == "confirmed"
        assert "Confirmed" in card(app, "booking-heading")
        assert button(app, "booking-confirm").disabled
        assert "BK-000006 is confirmed." in messages(app)


async def test_cancel_with_a_reason(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000008")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, CancelBookingDialog)
        summary = plain(app.screen.query_one("#cancel-summary", Static))
        assert "No cancellation fee." in summary
        assert "Invoice INV-000008 becomes void" in summary
        await pilot.press("enter")  # no reason yet: the dialog asks for one
        assert isinstance(app.screen, CancelBookingDialog)
        assert "Say why" in str(app.screen.query_one("#cancel-message", Label).render())
        await type_text(pilot, "moved")
        await pilot.click("#confirm-cancel")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        detail = booking_detail(desk, SYSTEM, "BK-000008")
        assert detail.booking.status == "cancelled"
        assert detail.booking.cancel_reason == "moved"
        assert detail.booking.invoice.status == "void"
        assert "Cancelled" in card(app, "booking-heading")
        assert button(app, "booking-cancel").disabled
        assert "BK-000008 is cancelled with no fee; INV-000008: nothing owed (void)." in (
            messages(app)
        )
        assert "charges reversed" in card(app, "booking-statement")


async def test_escape_and_back_buttons_write_nothing(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000008")
        before = booking_detail(desk, SYSTEM, "BK-000008")
        await pilot.press("x")
        await settle(pilot)
        await type_text(pilot, "why")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        await pilot.press("x")
        await settle(pilot)
        await pilot.click("#keep-booking")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, PaymentDialog)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.click("#money-back")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        assert booking_detail(desk, SYSTEM, "BK-000008") == before


async def test_take_payment_marks_the_invoice_paid(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000006")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, PaymentDialog)
        assert app.screen.query_one("#money-amount", Input).value == "488.00"
        await pilot.click("#method-cash")
        take = app.screen.query_one("#money-write", Button)
        take.press()
        take.press()  # a double press takes one payment and closes only the dialog
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        detail = booking_detail(desk, SYSTEM, "BK-000006")
        assert detail.booking.invoice.status == "paid"
        payments = [e for e in detail.entries if e.kind == EntryKind.PAYMENT]
        assert [(p.amount_cents, p.method, p.by) for p in payments] == [(48800, "cash", "staff")]
        assert detail.booking.status == "confirmed"  # paying confirms a pending hold
        assert "Payment by cash" in card(app, "booking-statement")
        assert "Balance £0.00" in card(app, "booking-invoice")
        assert "Took £488.00 on INV-000006: nothing owed (paid)." in messages(app)
        assert button(app, "booking-pay").disabled


async def test_errors_are_notifications_not_tracebacks(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000004")
        before = booking_detail(desk, SYSTEM, "BK-000004")
        # Confirm is neither shown nor bound for a confirmed booking; asked past the UI, the
        # service refuses it.
        app.screen.action_confirm()
        await settle(pilot)
        assert (
            "Booking BK-000004 is confirmed; only a pending booking can be confirmed."
            in messages(app)
        )
        assert booking_detail(desk, SYSTEM, "BK-000004") == before
        # Forcing the cancel of a completed booking past the UI: the service refuses it.
        app.open_screen("booking", ref="BK-000002")
        await settle(pilot)
        completed = booking_detail(desk, SYSTEM, "BK-000002")
        await app.screen.run_action("cancel_booking('forced')")
        await settle(pilot)
        assert "Booking BK-000002 is completed and cannot be cancelled." in messages(app)
        assert booking_detail(desk, SYSTEM, "BK-000002") == completed
        app.open_screen("booking", ref="BK-999999")
        await settle(pilot)
        assert "No booking BK-999999." in messages(app)
        assert "No booking BK-999999." in card(app, "booking-heading")
        await pilot.press("c", "x", "t")
        await settle(pilot)
        app.open_screen("booking", ref="not a ref")
        await settle(pilot)
        assert any("is not a booking reference" in text for text in messages(app))
        # The app is still running and answering keys.
        await pilot.press("escape")
        assert isinstance(app.screen, BookingDetailScreen)


async def test_invoice_key_opens_the_invoice_and_back(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000004")
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceDetailScreen)
        assert app.screen.ref == "INV-000004"
        await pilot.press("b")  # came from that booking: goes back instead of stacking
        assert isinstance(app.screen, BookingDetailScreen)
        assert len(app.screen_stack) == 3


async def test_a_refused_reason_keeps_the_cancel_dialog_and_the_reason(make_app, desk):
    """The cancel used to close the dialog before the service checked the reason, so a
    refused one was lost with it; now the refusal shows in the dialog."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000008")
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        reason = dialog.query_one("#cancel-reason", Input)
        reason.post_message(events.Paste("moved\x1b[2J"))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog and app.is_running
        assert reason.value == "moved\x1b[2J"
        assert app.focused is reason
        assert str(dialog.query_one("#cancel-message", Label).render()) not in ("", "Cancelling…")
        assert booking_detail(desk, SYSTEM, "BK-000008").booking.status == "pending"
        reason.value = "moved"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
    assert booking_detail(desk, SYSTEM, "BK-000008").booking.status == "cancelled"


def footer_line(app) -> str:
    return screen_lines(app)[-1]


async def test_at_80_columns_every_allowed_action_is_in_the_footer_and_forbidden_ones_not(
    make_app,
):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        # Paid and confirmed: nothing to confirm or take; still change, cancel, refund.
        await open_as(pilot, "manager", "booking", ref="BK-000007")
        footer = footer_line(app)
        for key in ("e Change", "x Cancel", "f Refund", "a Adjust", "i Invoice", "esc Back"):
            assert key in footer, footer
        assert "Confirm" not in footer and "Pay" not in footer
        assert not button(app, "booking-confirm").display
        assert not button(app, "booking-pay").display
        shown = [b for b in app.screen.query("#booking-actions Button") if b.display]
        row = screen_lines(app)[-2]
        assert all(str(b.label) in row for b in shown), row  # none cut, Change included
        # Pressing a hidden key does nothing: the booking stays confirmed, nothing opens.
        await pilot.press("c", "t")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)


async def test_the_record_tabs_are_reachable_by_number(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000007")
        tabs = app.screen.query_one("#booking-ledger")
        for key, pane in (
            ("2", "tab-booking-history"),
            ("3", "tab-booking-job"),
            ("1", "tab-booking-statement"),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert tabs.active == pane
