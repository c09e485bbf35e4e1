"""Booking detail: the single operational record, and the actions a clerk takes from it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Static

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.dialogs.checkout import TakesPayment
from nextcars_tui.tui.formatting import status_text
from nextcars_tui.tui.widgets.booking_record import (
    HistoryLog,
    RecordCard,
    cancel_refusal,
    car_driver_card,
    confirm_refusal,
    customer_card,
    dates_price_card,
    invoice_card,
    payment_refusal,
    short_time,
)

if TYPE_CHECKING:
    from nextcars_tui.services.views import BookingDetail, BookingView, InvoiceView

BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]


class BookingDetailScreen(TakesPayment, DeskScreen):
    """Customer, car, driver, dates, price, invoice, payments and history of one booking.

    Buttons are enabled only when the record's state allows the action, but every action
    goes through the services, which check again: the record may have changed elsewhere.
    """

    TITLE = "Booking"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = BREAKPOINTS
    BINDINGS: ClassVar = [
        Binding("c", "confirm", "Confirm"),
        Binding("x", "cancel", "Cancel booking"),
        Binding("t", "take_payment", "Take payment"),
        Binding("i", "open_invoice", "Invoice"),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref
        self.detail: BookingDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"{self.ref} · loading…", classes="screen-title", id="booking-heading")
        with Grid(id="booking-cards", classes="record-cards"):
            yield RecordCard("Customer", id="booking-customer")
            yield RecordCard("Car and driver", id="booking-car-driver")
            yield RecordCard("Dates and price", id="booking-price")
            yield RecordCard("Invoice and payments", id="booking-invoice")
        with VerticalScroll(id="booking-history", classes="record-history"):
            yield Static("", id="booking-history-log")
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
            yield Button("Invoice", id="booking-invoice-open", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#booking-history", VerticalScroll).border_title = "History"
        super().on_mount()

    # -- data -------------------------------------------------------------------------

    def reload(self) -> None:
        from nextcars_tui.services.booking import booking_detail

        self.call_service(
            booking_detail,
            self.desk,
            self.actor,
            self.ref,
            on_done=self._show,
            on_error=self._not_shown,
            group="detail",
        )

    def _not_shown(self, error: DeskError) -> None:
        self.app.show_error(error)
        if self.detail is None:
            self.query_one("#booking-heading", Static).update(error.message)

    def _show(self, detail: BookingDetail) -> None:
        self.detail = detail
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
        self.query_one("#booking-invoice", RecordCard).update(
            invoice_card(b.invoice, detail.payments, money, zone)
        )
        self.query_one("#booking-history-log", Static).update(HistoryLog(detail.history, zone))
        self._offer_actions(b)

    def _offer_actions(self, b: BookingView) -> None:
        """Enable what the record's state allows; a disabled button says why in its tooltip."""
        today = self.desk.today()
        for button_id, refusal in (
            ("#booking-confirm", confirm_refusal(b)),
            ("#booking-cancel", cancel_refusal(b, today)),
            ("#booking-pay", payment_refusal(b.invoice)),
        ):
            button = self.query_one(button_id, Button)
            button.disabled = refusal is not None
            button.tooltip = refusal

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
            on_done=lambda view: self.record_written(f"{view.ref} is confirmed."),
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
        self.app.push_screen(CancelBookingDialog(self.detail.booking), self._cancel_answered)

    def _cancel_answered(self, reason: str | None) -> None:
        if reason is not None:
            self.action_cancel_booking(reason)

    def action_cancel_booking(self, reason: str) -> None:
        """The write behind the cancel dialog; the service decides whether it is allowed."""
        from nextcars_tui.services.booking import cancel

        self.call_service(
            cancel,
            self.desk,
            self.actor,
            self.ref,
            reason,
            on_done=lambda view: self.record_written(
                f"{view.ref} is cancelled; {view.invoice.ref} is {view.invoice.status}."
            ),
            group="write",
        )

    def record_invoice(self) -> InvoiceView | None:
        return None if self.detail is None else self.detail.booking.invoice

    @on(Button.Pressed, "#booking-pay")
    def _pay_pressed(self) -> None:
        self.action_take_payment()

    @on(Button.Pressed, "#booking-invoice-open")
    def action_open_invoice(self) -> None:
        if self.detail is None:
            return
        ref = self.detail.booking.invoice.ref
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 2 else None
        if type(below).__name__ == "InvoiceDetailScreen" and getattr(below, "ref", None) == ref:
            self.app.pop_screen()  # came from that invoice: go back rather than stack another
        else:
            self.app.open_screen("invoice", ref=ref)

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
