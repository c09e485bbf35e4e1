"""Invoice detail: the invoice, the booking it bills, its statement, and its money actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static, TabbedContent, TabPane

from nextcars_tui.tui.dialogs.export_path import ExportDialog
from nextcars_tui.tui.formatting import count, status_text
from nextcars_tui.tui.screens.record import RecordScreen
from nextcars_tui.tui.widgets.booking_record import (
    HistoryLog,
    RecordCard,
    StatementTable,
    balance_words,
    booking_summary_card,
    invoice_card,
)
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from nextcars_tui.services.invoice_document import SavedInvoice
    from nextcars_tui.services.outbox import OutboxView
    from nextcars_tui.services.views import BookingDetail, InvoiceView


class InvoiceDetailScreen(RecordScreen):
    """Take payment is offered only while a balance is due, Refund only when something was
    paid; otherwise the screen says why not. The services enforce the same rules."""

    TITLE = "Invoice"
    HEADING_ID = "invoice-heading"
    PAY_BUTTON_ID = "invoice-pay"
    REFUND_BUTTON_ID = "invoice-refund"
    ADJUST_BUTTON_ID = "invoice-adjust"
    BINDINGS: ClassVar = [
        # Short words: at 80 columns every key of the screen fits the footer whole.
        Binding("t", "take_payment", "Pay"),
        Binding("f", "refund", "Refund"),
        Binding("a", "adjust", "Adjust"),
        Binding("b", "open_booking", "Booking"),
        Binding("p", "save_pdf", "Save PDF"),
        Binding("m", "email_invoice", "E-mail"),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("escape", "back", "Back"),
        *RecordScreen.TAB_BINDINGS,
    ]

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static(f"{self.ref} · loading…", classes="screen-title", id="invoice-heading")
        with Grid(id="invoice-cards", classes="record-cards"):
            yield RecordCard("Invoice", id="invoice-invoice")
            yield RecordCard("Booking", id="invoice-booking")
        yield Static("", id="invoice-payment-state")
        with TabbedContent(id="invoice-ledger", classes="record-ledger"):
            with (
                TabPane("Statement", id="tab-invoice-statement"),
                VerticalScroll(classes="record-statement"),
            ):
                yield Static("", id="invoice-statement")
            with (
                TabPane("History", id="tab-invoice-history"),
                VerticalScroll(classes="record-history"),
            ):
                yield Static("", id="invoice-history-log")
        with Horizontal(classes="record-actions", id="invoice-actions"):
            yield Button(
                "Take payment", id="invoice-pay", variant="success", compact=True, disabled=True
            )
            yield Button("Refund", id="invoice-refund", variant="warning", compact=True)
            yield Button("Adjust", id="invoice-adjust", compact=True)
            yield Button("Open booking", id="invoice-booking-open", compact=True)
        yield KeyFooter(compact=True)

    def detail_service(self) -> Callable[..., BookingDetail]:
        from nextcars_tui.services.billing import invoice_detail

        return invoice_detail

    def show_detail(self, detail: BookingDetail) -> None:
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
            invoice_card(invoice, money, zone, issued=True)
        )
        self.query_one("#invoice-booking", RecordCard).update(booking_summary_card(booking, money))
        self.query_one("#invoice-payment-state", Static).update(self._state(invoice))
        self.query_one("#invoice-statement", Static).update(
            StatementTable(detail.entries, money, zone, self.desk.today().year)
        )
        self.query_one("#invoice-history-log", Static).update(HistoryLog(detail.history, zone))
        self.offer_money_actions(invoice)

    def _state(self, invoice: InvoiceView) -> str:
        """One line on what can be done with the money now, and when it is due."""
        money = self.desk.money
        refusal = invoice.payment_refusal(money)
        if refusal is None:
            days = (invoice.due - self.desk.today()).days
            when = (
                f"{count(-days, 'day')} past due"
                if days < 0
                else "due today"
                if days == 0
                else f"due in {count(days, 'day')}"
            )
            return f"{money(invoice.balance_cents)} is owed, {when}. Take payment with t."
        if invoice.balance_cents < 0:
            return f"{balance_words(invoice, money)}: refund it with f."
        return refusal

    @on(Button.Pressed, "#invoice-booking-open")
    def action_open_booking(self) -> None:
        if self.detail is None:
            return
        self.open_record("booking", "BookingDetailScreen", self.detail.booking.ref)

    def action_save_pdf(self) -> None:
        if self.detail is None:
            return
        # Imported here: the PDF library is slow to load and most sessions never print.
        from nextcars_tui.services.invoice_document import save_invoice_pdf

        desk, actor, ref = self.desk, self.actor, self.ref

        def write(path: str, replace: bool) -> SavedInvoice:
            return save_invoice_pdf(desk, actor, ref, path, force=replace)

        self.app.push_screen(
            ExportDialog(f"Save invoice {ref} as PDF", f"./{ref}.pdf", write), self._saved_pdf
        )

    def action_email_invoice(self) -> None:
        """Queue the invoice, with its PDF, to the customer; the worker or cron sends it."""
        if self.detail is None:
            return
        from nextcars_tui.services.outbox import email_invoice

        self.call_service(
            email_invoice,
            self.desk,
            self.actor,
            self.ref,
            reply=self.InvoiceEmailed,
            group="write",
        )

    class InvoiceEmailed(Message):
        def __init__(self, queued: OutboxView) -> None:
            super().__init__()
            self.queued = queued

    @on(InvoiceEmailed)
    def _emailed(self, message: InvoiceEmailed) -> None:
        queued = message.queued
        self.notify(
            f"Invoice {queued.invoice} is queued to {queued.to} (message {queued.id}).",
            title="E-mail",
            timeout=10,
        )
        self.reload()

    def _saved_pdf(self, saved: SavedInvoice | None) -> None:
        if saved is not None:
            self.notify(
                f"Wrote {saved.ref} to {saved.path}",
                title="Invoice saved",
                timeout=10,
                markup=False,
            )
