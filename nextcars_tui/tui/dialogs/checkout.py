"""Checkout: take the full amount of an invoice by card, cash or transfer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, RadioButton, RadioSet, Static

from nextcars_tui.domain.statuses import PaymentMethod
from nextcars_tui.tui.base import DeskDialog

if TYPE_CHECKING:
    from nextcars_tui.services.views import InvoiceView


class CheckoutDialog(DeskDialog[str | None]):
    """Returns the chosen payment method, or None (nothing written) on Escape or Back.

    Opened only for an unpaid or overdue invoice; the checkout service checks again."""

    AUTO_FOCUS = "#checkout-method"

    def __init__(self, invoice: InvoiceView, amount: str) -> None:
        super().__init__()
        self.invoice = invoice
        self.amount = amount

    def compose(self) -> ComposeResult:
        invoice = self.invoice
        with Vertical(classes="dialog", id="checkout-dialog"):
            yield Static(f"Take payment for {invoice.ref}", classes="dialog-title")
            yield Static(
                f"{self.amount} · {invoice.customer_name} · booking {invoice.booking_ref}\n"
                f"The invoice is {invoice.status}, due {invoice.due:%a} {invoice.due.day} "
                f"{invoice.due:%b %Y}.",
                id="checkout-summary",
            )
            yield Label("Paid by")
            with RadioSet(id="checkout-method"):
                for number, method in enumerate(PaymentMethod):
                    yield RadioButton(
                        method.value.title(), value=number == 0, id=f"method-{method.value}"
                    )
            with Horizontal(classes="buttons"):
                yield Button("Back", id="checkout-back")
                yield Button(f"Take {self.amount}", variant="success", id="checkout-take")

    @property
    def method(self) -> str:
        pressed = self.query_one("#checkout-method", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return PaymentMethod.CARD.value
        return pressed.id.removeprefix("method-")

    @on(Button.Pressed, "#checkout-back")
    def _back(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#checkout-take")
    def _take(self) -> None:
        self.dismiss(self.method)
