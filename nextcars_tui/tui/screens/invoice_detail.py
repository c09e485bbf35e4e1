"""Invoice detail: the invoice, the booking it bills, its payments, and checkout."""

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
    booking_summary_card,
    invoice_card,
    payment_refusal,
)

if TYPE_CHECKING:
    from nextcars_tui.services.views import BookingDetail, InvoiceView

BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]


class InvoiceDetailScreen(TakesPayment, DeskScreen):
    """Checkout is offered only while the invoice is unpaid or overdue; otherwise the
    screen says why not. The checkout service enforces the same rule on every call."""

    TITLE = "Invoice"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = BREAKPOINTS
    BINDINGS: ClassVar = [
        Binding("t", "take_payment", "Take payment"),
        Binding("b", "open_booking", "Booking"),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref
        self.detail: BookingDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"{self.ref} · loading…", classes="screen-title", id="invoice-heading")
        with Grid(id="invoice-cards", classes="record-cards"):
            yield RecordCard("Invoice and payments", id="invoice-invoice")
            yield RecordCard("Booking", id="invoice-booking")
        yield Static("", id="invoice-payment-state")
        with VerticalScroll(id="invoice-history", classes="record-history"):
            yield Static("", id="invoice-history-log")
        with Horizontal(classes="record-actions", id="invoice-actions"):
            yield Button(
                "Take payment", id="invoice-pay", variant="success", compact=True, disabled=True
            )
            yield Button("Open booking", id="invoice-booking-open", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#invoice-history", VerticalScroll).border_title = "History"
        super().on_mount()

    def reload(self) -> None:
        from nextcars_tui.services.billing import invoice_detail

        self.call_service(
            invoice_detail,
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
            self.query_one("#invoice-heading", Static).update(error.message)

    def _show(self, detail: BookingDetail) -> None:
        self.detail = detail
        booking = detail.booking
        invoice = booking.invoice
        self.ref = invoice.ref
        money = self.desk.money
        zone = self.desk.settings.business.zone
        self.query_one("#invoice-heading", Static).update(
            Text.assemble(
                (f"{invoice.ref}  ", "bold"),
                status_text(invoice.status.value),
                (
                    f"  {money(invoice.amount_cents)} · bills {booking.ref} · "
                    f"{booking.customer_name}",
                    "not bold",
                ),
            )
        )
        self.query_one("#invoice-invoice", RecordCard).update(
            invoice_card(invoice, detail.payments, money, zone, issued=True)
        )
        self.query_one("#invoice-booking", RecordCard).update(booking_summary_card(booking, money))
        refusal = payment_refusal(invoice)
        state = self.query_one("#invoice-payment-state", Static)
        if refusal is None:
            days = (invoice.due - self.desk.today()).days
            when = (
                f"{-days} day{'s' if days != -1 else ''} past due"
                if days < 0
                else "due today"
                if days == 0
                else f"due in {days} day{'s' if days != 1 else ''}"
            )
            state.update(f"{money(invoice.amount_cents)} is owed, {when}. Take payment with t.")
        else:
            state.update(refusal)
        self.query_one("#invoice-history-log", Static).update(HistoryLog(detail.history, zone))
        button = self.query_one("#invoice-pay", Button)
        button.disabled = refusal is not None
        button.tooltip = refusal

    def record_invoice(self) -> InvoiceView | None:
        return None if self.detail is None else self.detail.booking.invoice

    @on(Button.Pressed, "#invoice-pay")
    def _pay_pressed(self) -> None:
        self.action_take_payment()

    @on(Button.Pressed, "#invoice-booking-open")
    def action_open_booking(self) -> None:
        if self.detail is None:
            return
        ref = self.detail.booking.ref
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 2 else None
        if type(below).__name__ == "BookingDetailScreen" and getattr(below, "ref", None) == ref:
            self.app.pop_screen()  # came from that booking: go back rather than stack another
        else:
            self.app.open_screen("booking", ref=ref)

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
