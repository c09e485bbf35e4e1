"""Checkout: take the full amount of an invoice by card, cash or transfer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, RadioButton, RadioSet, Static

from nextcars_tui.domain.statuses import PaymentMethod
from nextcars_tui.tui.base import DeskDialog
from nextcars_tui.tui.messages import RecordWritten
from nextcars_tui.tui.widgets.booking_record import payment_refusal

if TYPE_CHECKING:
    from nextcars_tui.services.views import InvoiceView


class CheckoutDialog(DeskDialog[str | None]):
    """Returns the chosen payment method, or None (nothing written) on Escape or Back.

    Opened only for an unpaid or overdue invoice; the checkout service checks again."""

    AUTO_FOCUS = "#checkout-method"

    def __init__(self, invoice: InvoiceView, amount: str) -> None:
        super().__init__()
        self._answered = False
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
        self._answer(None)

    @on(Button.Pressed, "#checkout-take")
    def _take(self) -> None:
        self._answer(self.method)

    def _answer(self, result: str | None) -> None:
        """Dismiss once: a second press or key before the dialog closes must not act twice."""
        if not self._answered:
            self._answered = True
            self.dismiss(result)

    def action_dismiss_dialog(self) -> None:
        self._answer(None)


# Type checkers see the screen the mixin is mixed into; at run time it is a plain mixin.
if TYPE_CHECKING:
    from nextcars_tui.tui.base import DeskScreen as _ScreenBase
else:
    _ScreenBase = object


class TakesPayment(_ScreenBase):
    """Mixin for a screen showing a record with an invoice: t opens the checkout dialog, or
    says why there is nothing to take; action_checkout is the write, and the checkout
    service checks the invoice again whatever the screen offered."""

    def record_invoice(self) -> InvoiceView | None:
        """The invoice on screen, or None while the record is loading."""
        raise NotImplementedError

    def on_record_written(self, message: RecordWritten) -> None:
        """A write went through: say so, and let every open screen reload."""
        message.stop()
        self.notify(message.summary, title="Done")
        self.app.data_changed()

    def action_take_payment(self) -> None:
        invoice = self.record_invoice()
        if invoice is None:
            return
        refusal = payment_refusal(invoice, self.desk.money)
        if refusal is not None:
            self.notify(refusal, title="No payment to take", severity="warning")
            return
        amount = self.desk.money(invoice.balance_cents)
        self.app.push_screen(CheckoutDialog(invoice, amount), self._method_chosen)

    def _method_chosen(self, method: str | None) -> None:
        if method is not None:
            self.action_checkout(method)

    def action_checkout(self, method: str) -> None:
        from nextcars_tui.services.billing import checkout

        invoice = self.record_invoice()
        if invoice is None:
            return
        ref = invoice.ref
        self.call_service(
            checkout,
            self.desk,
            self.actor,
            ref,
            method,
            reply=lambda _view: RecordWritten(f"{ref} is paid by {method}."),
            group="write",
        )
