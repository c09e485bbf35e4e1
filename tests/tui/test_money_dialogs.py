"""Money from the desk: part payments, refusals kept in the dialog, refunds offered only when
something was paid, Adjust only for managers, and the cancellation fee said before the yes.
Every outcome is checked through a service read, not only on screen."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Button, Checkbox, Input, Label, Static

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.domain.ledger import EntryKind
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.billing import pay
from nextcars_tui.services.booking import booking_detail, cancel
from nextcars_tui.services.desk import Desk
from nextcars_tui.tui.app import NextCarsApp
from nextcars_tui.tui.dialogs.cancel_booking import CancelBookingDialog
from nextcars_tui.tui.dialogs.money import AdjustDialog, PaymentDialog, RefundDialog
from nextcars_tui.tui.screens.booking_detail import BookingDetailScreen
from tests.tui.recordkit import messages, open_as, plain, settle
from tests.tui.roles_kit import enter_as, screen_text, type_text

SYSTEM = system_actor("tests")


def card(app, widget_id: str) -> str:
    return plain(app.screen.query_one(f"#{widget_id}", Static))


def dialog_message(app) -> str:
    return str(app.screen.query_one("#money-message", Label).render())


async def type_amount(pilot, amount: str) -> None:
    field = pilot.app.screen.query_one("#money-amount", Input)
    field.value = ""
    field.focus()
    await type_text(pilot, amount)


def kinds(desk: Desk, ref: str) -> list[tuple[EntryKind, int]]:
    return [(e.kind, e.amount_cents) for e in booking_detail(desk, SYSTEM, ref).entries]


async def test_a_part_payment_leaves_the_balance_and_makes_it_partly_paid(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000006")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, PaymentDialog)
        await type_amount(pilot, "200")
        await pilot.click("#method-card")
        await pilot.click("#money-write")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        invoice = booking_detail(desk, SYSTEM, "BK-000006").booking.invoice
        assert (invoice.status, invoice.paid_cents, invoice.balance_cents) == (
            "partly_paid",
            20000,
            28800,
        )
        shown = card(app, "booking-invoice")
        assert "Partly paid" in shown and "Paid    £200.00" in shown
        assert "Balance £288.00" in shown
        statement = card(app, "booking-statement")
        assert "Payment by card" in statement and "-£200.00" in statement
        assert "£288.00" in statement  # the running balance after the payment
        assert "Took £200.00 on INV-000006: £288.00 owed (partly paid)." in messages(app)
        # More can be taken, and the dialog now offers the balance left.
        assert not app.screen.query_one("#booking-pay", Button).disabled
        await pilot.press("t")
        await settle(pilot)
        assert app.screen.query_one("#money-amount", Input).value == "288.00"


async def test_an_overpayment_is_refused_in_the_dialog_and_nothing_is_written(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000006")
        before = booking_detail(desk, SYSTEM, "BK-000006")
        await pilot.press("t")
        await settle(pilot)
        dialog = app.screen
        await type_amount(pilot, "500.00")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "a payment of £500.00 is more than that" in dialog_message(app)
        assert dialog.query_one("#money-amount", Input).value == "500.00"  # kept as typed
        await type_amount(pilot, "12,50")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog and "comma" in dialog_message(app)
        assert booking_detail(desk, SYSTEM, "BK-000006") == before


async def test_a_payment_refused_by_the_service_stays_in_the_dialog(make_app, desk):
    """The dialog checks the invoice as shown; another clerk's payment meanwhile is caught by
    the service, under its lock, and said in the dialog."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000006")
        await pilot.press("t")
        await settle(pilot)
        dialog = app.screen
        pay(desk, SYSTEM, "INV-000006", "400.00", "cash")  # the other terminal
        await pilot.click("#money-write")  # the whole £488.00, as pre-filled
        await settle(pilot)
        assert app.screen is dialog
        assert "£88.00 due" in dialog_message(app) and "Nothing was taken" in dialog_message(app)
        assert dialog.query_one("#money-amount", Input).value == "488.00"
        assert not dialog.query_one("#money-write", Button).disabled  # may be corrected
    payments = [k for k in kinds(desk, "BK-000006") if k[0] == EntryKind.PAYMENT]
    assert payments == [(EntryKind.PAYMENT, 40000)]


async def test_refund_is_offered_only_once_something_was_paid(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000006")
        assert not app.screen.query_one("#booking-refund", Button).display
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)  # no dialog: nothing was paid
        pay(desk, SYSTEM, "INV-000006", "150.00", "card")
        app.data_changed()
        await settle(pilot)
        assert app.screen.query_one("#booking-refund", Button).display
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, RefundDialog)
        # Nothing is owed back, so the dialog does not guess an amount.
        assert app.screen.query_one("#money-amount", Input).value == ""
        await type_amount(pilot, "200")
        await pilot.press("enter")
        await settle(pilot)
        assert "a refund of £200.00 is more than that" in dialog_message(app)
        await type_amount(pilot, "50")
        await pilot.click("#method-cash")
        app.screen.query_one("#money-reason", Input).value = "deposit lowered"
        await pilot.click("#money-write")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        invoice = booking_detail(desk, SYSTEM, "BK-000006").booking.invoice
        assert (invoice.paid_cents, invoice.balance_cents) == (10000, 38800)
        assert "Refund by cash (deposit lowered)" in card(app, "booking-statement")
        assert "Refunded £50.00 on INV-000006: £388.00 owed (partly paid)." in messages(app)


@pytest.mark.parametrize("username, offered", [("manager", True), ("staff", False)])
async def test_adjust_is_for_managers_only(make_app, desk, username, offered):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, username, "booking", ref="BK-000006")
        assert app.screen.query_one("#booking-adjust", Button).display is offered
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AdjustDialog) is offered
        if not offered:
            return
        await type_amount(pilot, "-20")
        await pilot.press("enter")
        await settle(pilot)
        assert "Say why" in dialog_message(app)  # a correction always has a reason
        assert kinds(desk, "BK-000006") == [(EntryKind.CHARGE, 23800), (EntryKind.CHARGE, 25000)]
        app.screen.query_one("#money-reason", Input).value = "loyalty discount"
        await pilot.click("#money-write")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        assert kinds(desk, "BK-000006")[-1] == (EntryKind.ADJUSTMENT, -2000)
        assert "Adjusted INV-000006 by -£20.00: now £468.00" in messages(app)[-1]
        assert "(loyalty discount)" in card(app, "booking-statement")


@pytest.fixture
def fee_app(desk: Desk) -> NextCarsApp:
    """The test desk with a late-cancellation fee: 10 % within 100 hours of the start."""
    billing = replace(desk.settings.billing, cancel_fee_percent=10, cancel_fee_hours=100)
    settings = replace(desk.settings, billing=billing)
    fee_desk = Desk(desk.db, settings, desk.clock)
    return NextCarsApp(
        settings, desk=fee_desk, clock=desk.clock, run_worker_thread=False, live_interval=None
    )


async def test_the_cancel_dialog_states_the_fee_before_cancelling(fee_app, desk):
    app = fee_app
    async with app.run_test(size=(80, 24)) as pilot:
        # Paid £795.00, starting Sat 5 Dec: 87 hours away, so the fee applies.
        await open_as(pilot, "staff", "booking", ref="BK-000007")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, CancelBookingDialog)
        summary = plain(app.screen.query_one("#cancel-summary", Static))
        assert "a fee of £79.50 (10% of £795.00) is charged" in summary
        assert "£715.50 paid will be owed back (refund due)" in summary
        assert booking_detail(desk, SYSTEM, "BK-000007").booking.status == "confirmed"
        await type_text(pilot, "flight")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        invoice = booking_detail(desk, SYSTEM, "BK-000007").booking.invoice
        assert (invoice.status, invoice.amount_cents, invoice.balance_cents) == (
            "refund_due",
            7950,
            -71550,
        )
        assert (
            "BK-000007 is cancelled with a fee of £79.50; "
            "INV-000007: £715.50 owed back (refund due)."
        ) in messages(app)
        # What is owed back is what the refund dialog offers.
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, RefundDialog)
        assert app.screen.query_one("#money-amount", Input).value == "715.50"


async def test_a_refund_due_from_an_earlier_cancel_shows_in_the_statement(make_app, desk):
    pay(desk, SYSTEM, "INV-000008", "100.00", "card")
    cancel(desk, SYSTEM, "BK-000008", "plans changed")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "invoice", ref="INV-000008")
        statement = card(app, "invoice-statement")
        assert "charges reversed" in statement and "-£378.00" in statement
        assert "-£100.00" in statement  # the balance after: owed back
        assert "Refund due £100.00" in card(app, "invoice-invoice")
        assert "£100.00 owed back (refund due): refund it with f." in card(
            app, "invoice-payment-state"
        )
        assert app.screen.query_one("#invoice-pay", Button).disabled
        assert app.screen.query_one("#invoice-refund", Button).display


async def test_today_says_what_was_taken_today_and_what_is_owed_back(make_app, desk):
    pay(desk, SYSTEM, "INV-000004", "250.00", "card")
    pay(desk, SYSTEM, "INV-000008", "100.00", "cash")
    cancel(desk, SYSTEM, "BK-000008", "plans changed")  # its £100.00 is owed back
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_as(pilot, "staff")
        # Yesterday's checkout of INV-000007 is not today's money.
        assert (
            "Deposits and payments taken today: 2, £350.00 · 1 refund due: £100.00"
            in screen_text(app)
        )


async def test_a_refund_beyond_what_is_owed_back_shows_the_debt_and_asks_why(make_app, desk):
    pay(desk, SYSTEM, "INV-000006", "150.00", "cash")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000006")
        await pilot.press("f")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RefundDialog)
        # Paid back the way the customer last paid.
        assert dialog.method == "cash"
        await type_amount(pilot, "100.5")
        await settle(pilot)
        after = plain(dialog.query_one("#money-after", Static)).strip()
        assert after == "This refund leaves £438.50 owed: a correction, so say why."
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog_message(app) == (
            "A refund of £100.50 would leave £438.50 owed; type a reason to record it as a "
            "correction."
        )
        assert app.focused is dialog.query_one("#money-reason", Input)
        assert kinds(desk, "BK-000006")[-1] == (EntryKind.PAYMENT, 15000)  # nothing written
        await type_text(pilot, "charged twice")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        assert kinds(desk, "BK-000006")[-1] == (EntryKind.REFUND, 10050)
        assert "Refund by cash (charged twice)" in card(app, "booking-statement")


async def test_a_long_refusal_wraps_whole_in_the_dialog_at_80x24(make_app, desk):
    pay(desk, SYSTEM, "INV-000006", "150.00", "card")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000006")
        await pilot.press("f")
        await settle(pilot)
        await type_amount(pilot, "100")
        await pilot.press("enter")
        await settle(pilot)
        # The dialog's rows, between its borders: the refusal is there whole, over two lines.
        rows = [line.split("█")[1] for line in screen_text(app).splitlines() if "█" in line]
        said = " ".join(" ".join(rows).split())
        assert (
            "A refund of £100.00 would leave £438.00 owed; type a reason to record it as a "
            "correction."
        ) in said
        assert any("Back" in row and "Refund" in row for row in rows)  # the buttons fit too


async def test_the_cancel_dialog_offers_to_waive_the_fee(fee_app, desk):
    app = fee_app
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000007")
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CancelBookingDialog)
        waive = dialog.query_one("#cancel-waive", Checkbox)
        assert "a fee of £79.50" in plain(dialog.query_one("#cancel-summary", Static))
        waive.value = True
        await settle(pilot)
        summary = " ".join(plain(dialog.query_one("#cancel-summary", Static)).split())
        assert "No cancellation fee: the late fee of £79.50 is waived." in summary
        assert "£795.00 paid will be owed back (refund due)" in summary
        # The whole dialog, the box and both buttons included, fits 80×24.
        text = screen_text(app)
        assert "Waive the fee" in text and "Keep booking" in text and "Cancel booking" in text
        dialog.query_one("#cancel-reason", Input).value = "wrong customer"
        dialog.query_one("#confirm-cancel", Button).press()
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        invoice = booking_detail(desk, SYSTEM, "BK-000007").booking.invoice
        assert (invoice.status, invoice.amount_cents, invoice.balance_cents) == (
            "refund_due",
            0,
            -79500,
        )
        assert "BK-000007 is cancelled with no fee" in messages(app)[-1]


async def test_no_waiver_is_offered_when_there_is_no_fee(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000008")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, CancelBookingDialog)
        assert not app.screen.query("#cancel-waive")


LONG_REFUSAL = (
    "Booking BK-000008 changed while this dialog was open: another clerk took a payment of "
    "£120.00 and the balance is now £258.00, so nothing was written; look again and retry."
)


@pytest.mark.parametrize(
    ("key", "dialog_class", "group", "message_id"),
    [
        ("t", PaymentDialog, "money", "#money-message"),
        ("x", CancelBookingDialog, "cancel", "#cancel-message"),
    ],
)
async def test_a_refusal_from_the_service_wraps_whole_at_80x24(
    make_app, key, dialog_class, group, message_id
):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "booking", ref="BK-000008")
        await pilot.press(key)
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, dialog_class)
        dialog.service_failed(group, DeskError(LONG_REFUSAL))
        await settle(pilot)
        shown = dialog.query_one(message_id, Label)
        assert shown.size.height >= 2  # wrapped, not cut to one line
        rows = [line.split("█")[1] for line in screen_text(app).splitlines() if "█" in line]
        assert LONG_REFUSAL in " ".join(" ".join(rows).split())
