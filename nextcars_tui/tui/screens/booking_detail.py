"""Booking detail: the single operational record, and the actions a clerk takes from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Static, TabbedContent, TabPane

from nextcars_tui.domain.changes import change_refusal
from nextcars_tui.tui.formatting import status_text
from nextcars_tui.tui.messages import RecordWritten
from nextcars_tui.tui.screens.record import RecordScreen
from nextcars_tui.tui.widgets.booking_record import (
    HistoryLog,
    RecordCard,
    StatementTable,
    after_cancel,
    cancel_consequence,
    cancel_refusal,
    car_driver_card,
    confirm_refusal,
    customer_card,
    dates_price_card,
    invoice_card,
    short_time,
)
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.job_sheet import job_sheet_card
from nextcars_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from nextcars_tui.services.views import BookingDetail, BookingView


class BookingDetailScreen(RecordScreen):
    """Customer, car, driver, dates, price, invoice, its statement and the history of one
    booking.

    Buttons are enabled only when the record's state allows the action, but every action
    goes through the services, which check again: the record may have changed elsewhere.
    """

    TITLE = "Booking"
    HEADING_ID = "booking-heading"
    PAY_BUTTON_ID = "booking-pay"
    REFUND_BUTTON_ID = "booking-refund"
    ADJUST_BUTTON_ID = "booking-adjust"
    # Short words, and only the keys the booking's state allows (check_action): at 80
    # columns every action of the screen, Back included, is in the footer whole.
    BINDINGS: ClassVar = [
        Binding("e", "change", "Change"),
        Binding("c", "confirm", "Confirm"),
        Binding("x", "cancel", "Cancel"),
        Binding("t", "take_payment", "Pay"),
        Binding("f", "refund", "Refund"),
        Binding("a", "adjust", "Adjust"),
        Binding("i", "open_invoice", "Invoice"),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("escape", "back", "Back"),
        *RecordScreen.TAB_BINDINGS,
    ]

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static(f"{self.ref} · loading…", classes="screen-title", id="booking-heading")
        with Grid(id="booking-cards", classes="record-cards"):
            yield RecordCard("Customer", id="booking-customer")
            yield RecordCard("Car and driver", id="booking-car-driver")
            yield RecordCard("Dates and price", id="booking-price")
            yield RecordCard("Invoice", id="booking-invoice")
        # Statement and history share the rest of the screen, so both fit 80×24.
        with TabbedContent(id="booking-ledger", classes="record-ledger"):
            with (
                TabPane("Statement", id="tab-booking-statement"),
                VerticalScroll(classes="record-statement"),
            ):
                yield Static("", id="booking-statement")
            with (
                TabPane("History", id="tab-booking-history"),
                VerticalScroll(classes="record-history"),
            ):
                yield Static("", id="booking-history-log")
            with (
                TabPane("Job sheet", id="tab-booking-job"),
                VerticalScroll(classes="record-statement"),
            ):
                yield Static("", id="booking-job")
        with Horizontal(classes="record-actions", id="booking-actions"):
            yield Button("Confirm", id="booking-confirm", compact=True, disabled=True)
            yield Button(
                "Cancel booking",
                id="booking-cancel",
                variant="error",
                compact=True,
                disabled=True,
            )
            yield Button(
                "Take payment",
                id="booking-pay",
                variant="success",
                compact=True,
                disabled=True,
            )
            yield Button("Refund", id="booking-refund", variant="warning", compact=True)
            yield Button("Adjust", id="booking-adjust", compact=True)
            yield Button("Invoice", id="booking-invoice-open", compact=True)
            yield Button("Change", id="booking-change", compact=True, disabled=True)
        yield KeyFooter(compact=True)

    # -- data -------------------------------------------------------------------------

    def detail_service(self) -> Callable[..., BookingDetail]:
        from nextcars_tui.services.booking import booking_record

        return booking_record

    def show_detail(self, detail: BookingDetail) -> None:
        b = detail.booking
        self.ref = b.ref
        money = self.desk.money
        zone = self.desk.settings.business.zone
        heading = Text.assemble((f"{b.ref}  ", "bold"), status_text(b.status.value))
        if b.cancel_reason:
            heading.append(f" — {b.cancel_reason}", style="italic")
        heading.append(
            f"  · booked {short_time(b.created_at, zone)} by {b.created_by}", style="not bold"
        )
        self.query_one("#booking-heading", Static).update(heading)
        self.query_one("#booking-customer", RecordCard).update(customer_card(b))
        self.query_one("#booking-car-driver", RecordCard).update(car_driver_card(b))
        self.query_one("#booking-price", RecordCard).update(dates_price_card(b, money))
        self.query_one("#booking-invoice", RecordCard).update(invoice_card(b.invoice, money, zone))
        self.query_one("#booking-statement", Static).update(
            StatementTable(detail.entries, money, zone, self.desk.today().year)
        )
        self.query_one("#booking-history-log", Static).update(HistoryLog(detail.history, zone))
        self.query_one("#booking-job", Static).update(job_sheet_card(b))
        self._offer_actions(b)

    def _refusals(self, b: BookingView) -> dict[str, str | None]:
        """Why each booking action is refused in the booking's state (domain rules), or None."""
        return {
            "confirm": confirm_refusal(b),
            "cancel": cancel_refusal(b, self.desk.today()),
            "change": change_refusal(b.ref, b.status),
        }

    def _offer_actions(self, b: BookingView) -> None:
        """Show what the record's state allows; a refused action's button is disabled (its
        tooltip says why) and left out of the row, as its key is left out of the footer."""
        for action, refusal in self._refusals(b).items():
            button = self.query_one(f"#booking-{action}", Button)
            button.disabled = refusal is not None
            button.tooltip = refusal
            button.display = refusal is None
        self.offer_money_actions(b.invoice)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys the booking's state forbids are not offered (False hides them)."""
        if self.detail is not None and action in ("confirm", "cancel", "change"):
            return self._refusals(self.detail.booking)[action] is None
        return super().check_action(action, parameters)

    # -- actions ----------------------------------------------------------------------

    @on(Button.Pressed, "#booking-confirm")
    def action_confirm(self) -> None:
        """Confirm without payment; the service refuses anything but a pending booking."""
        from nextcars_tui.services.booking import confirm

        self.call_service(
            confirm,
            self.desk,
            self.actor,
            self.ref,
            reply=lambda view: RecordWritten(f"{view.ref} is confirmed."),
            group="write",
        )

    @on(Button.Pressed, "#booking-cancel")
    def action_cancel(self) -> None:
        from nextcars_tui.tui.dialogs.cancel_booking import CancelBookingDialog

        if self.detail is None:
            return
        refusal = cancel_refusal(self.detail.booking, self.desk.today())
        if refusal is not None:
            self.notify(refusal, title="Nothing to cancel", severity="warning")
            return
        from nextcars_tui.services.booking import cancel, cancel_outcome_of

        desk, actor, ref = self.desk, self.actor, self.ref

        def cancel_with(reason: str, waive_fee: bool) -> BookingView:
            return cancel(desk, actor, ref, reason, waive_fee=waive_fee)

        booking = self.detail.booking
        outcome = cancel_outcome_of(desk, booking)
        consequence = cancel_consequence(booking, outcome, desk.money)
        # A fee the clerk may let off: offered with what waiving it would leave.
        waived = (
            cancel_consequence(
                booking, cancel_outcome_of(desk, booking, waive_fee=True), desk.money
            )
            if outcome.fee_cents
            else None
        )
        self.app.push_screen(
            CancelBookingDialog(booking, cancel_with, consequence=consequence, waived=waived),
            self._cancel_answered,
        )

    def _cancel_answered(self, view: BookingView | None) -> None:
        if view is not None:
            self.post_message(RecordWritten(after_cancel(view, self.desk.money)))

    def action_cancel_booking(self, reason: str) -> None:
        """The write behind the cancel dialog; the service decides whether it is allowed."""
        from nextcars_tui.services.booking import cancel

        self.call_service(
            cancel,
            self.desk,
            self.actor,
            self.ref,
            reason,
            reply=lambda view: RecordWritten(after_cancel(view, self.desk.money)),
            group="write",
        )

    @on(Button.Pressed, "#booking-invoice-open")
    def action_open_invoice(self) -> None:
        if self.detail is None:
            return
        self.open_record("invoice", "InvoiceDetailScreen", self.detail.booking.invoice.ref)

    @on(Button.Pressed, "#booking-change")
    def action_change(self) -> None:
        """Open the change dialog; the service decides again whether the change is allowed."""
        from nextcars_tui.tui.dialogs.change_booking import ChangeBookingDialog

        if self.detail is None:
            return
        refusal = change_refusal(self.ref, self.detail.booking.status)
        if refusal is not None:
            self.notify(refusal, title="Nothing to change", severity="warning")
            return
        self.app.push_screen(ChangeBookingDialog(self.detail.booking), self._change_answered)

    def _change_answered(self, view: BookingView | None) -> None:
        if view is not None:
            self.post_message(RecordWritten(f"{view.ref} is changed."))
