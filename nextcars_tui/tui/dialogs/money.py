"""Money on an invoice: take a payment, pay a refund, or (managers) adjust what it is for.

Each dialog asks for an amount and writes through the function it is given, in a worker;
it closes with the invoice as the write left it. A refusal (a malformed amount, more than
the balance, a record that changed meanwhile) is shown in the dialog with what was typed
kept, so the clerk corrects it rather than starting again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static
from textual.widgets.button import ButtonVariant

from nextcars_tui.domain import rules
from nextcars_tui.domain.errors import DeskError, InvalidInput
from nextcars_tui.domain.ledger import balance_words, correction_refusal, refund_correction
from nextcars_tui.domain.money import cents_to_text
from nextcars_tui.domain.parsing import MAX_REASON, parse_adjustment, parse_positive_amount
from nextcars_tui.domain.statuses import PaymentMethod, status_words
from nextcars_tui.tui.base import DeskDialog

if TYPE_CHECKING:
    from nextcars_tui.services.views import InvoiceView


@dataclass(frozen=True)
class MoneyAnswer:
    """What the clerk typed: the amount as text (the service parses it again), the method
    for payments and refunds, the reason where one is asked."""

    amount: str
    method: str | None = None
    reason: str | None = None


Write = Callable[[MoneyAnswer], "InvoiceView"]


class MoneyDialog(DeskDialog["InvoiceView | None"]):
    """Returns the invoice after the write, or None (nothing written) on Escape or Back.

    Before writing, the dialog asks the domain whether the amount is allowed on the invoice
    as shown; the service asks again on the invoice as it is, under its lock."""

    AUTO_FOCUS = "#money-amount"
    HEADING: ClassVar[str]
    VERB: ClassVar[str]
    VARIANT: ClassVar[ButtonVariant] = "success"
    METHOD_LABEL: ClassVar[str | None] = None
    REASON_LABEL: ClassVar[str | None] = None
    REASON_REQUIRED: ClassVar[bool] = False
    AMOUNT_HINT: ClassVar[str] = "e.g. 120.00"

    class Written(Message):
        def __init__(self, invoice: InvoiceView) -> None:
            super().__init__()
            self.invoice = invoice

    def __init__(
        self,
        invoice: InvoiceView,
        write: Write,
        *,
        money: Callable[[int], str],
        amount: str = "",
        method: PaymentMethod | None = None,
    ) -> None:
        super().__init__()
        self.invoice = invoice
        self.money = money
        self._write = write
        self._amount = amount
        # The method ticked at first (the first one unless the caller knows better).
        self._method = method or PaymentMethod.CARD
        self._answered = False
        self._writing = False

    def compose(self) -> ComposeResult:
        invoice, money = self.invoice, self.money
        owed = (
            f"refund due {money(-invoice.balance_cents)}"
            if invoice.balance_cents < 0
            else f"balance {money(invoice.balance_cents)}"
        )
        with Vertical(classes="dialog money-dialog", id="money-dialog"):
            yield Static(f"{self.HEADING} {invoice.ref}", classes="dialog-title")
            yield Static(
                f"{escape(invoice.customer_name)} · booking {invoice.booking_ref} · "
                f"{status_words(invoice.status)}\n"
                f"For {money(invoice.amount_cents)} · paid {money(invoice.paid_cents)} · {owed}",
                id="money-summary",
            )
            yield Label("Amount")
            yield Input(
                self._amount,
                placeholder=self.AMOUNT_HINT,
                max_length=16,
                compact=True,
                id="money-amount",
            )
            if self.METHOD_LABEL:
                yield Label(self.METHOD_LABEL)
                with RadioSet(id="money-method", compact=True):
                    for method in PaymentMethod:
                        yield RadioButton(
                            method.value.title(),
                            value=method == self._method,
                            id=f"method-{method.value}",
                        )
            if self.REASON_LABEL:
                yield Label(self.REASON_LABEL)
                yield Input(max_length=MAX_REASON, compact=True, id="money-reason")
            yield Static(self._after(self._amount), id="money-after")
            yield Label("", id="money-message")
            with Horizontal(classes="buttons"):
                yield Button("Back", id="money-back")
                yield Button(self.VERB, variant=self.VARIANT, id="money-write")

    # -- what the clerk typed ---------------------------------------------------------

    @property
    def amount_text(self) -> str:
        return self.query_one("#money-amount", Input).value.strip()

    @property
    def method(self) -> str | None:
        if not self.METHOD_LABEL:
            return None
        pressed = self.query_one("#money-method", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return PaymentMethod.CARD.value
        return pressed.id.removeprefix("method-")

    @property
    def reason(self) -> str | None:
        if not self.REASON_LABEL:
            return None
        return self.query_one("#money-reason", Input).value.strip() or None

    def parse(self, text: str) -> int:
        """The amount in cents; raises InvalidInput as the service would."""
        return parse_positive_amount(text, "amount")

    def refusal(self, cents: int) -> str | None:
        """Why the domain would refuse this amount on the invoice as shown, or None."""
        raise NotImplementedError

    def reason_refusal(self, cents: int) -> str | None:
        """Why this amount cannot be written without a reason, or None."""
        if self.REASON_REQUIRED and self.reason is None:
            return "Say why, so the statement explains it."
        return None

    def after_words(self, cents: int) -> str:
        """What the invoice would be left at after this amount; empty where not said."""
        return ""

    def _after(self, text: str) -> str:
        try:
            cents = self.parse(text.strip())
        except InvalidInput:
            return ""
        return escape(self.after_words(cents))

    @on(Input.Changed, "#money-amount")
    def _amount_changed(self, event: Input.Changed) -> None:
        self.query_one("#money-after", Static).update(self._after(event.value))

    # -- writing ----------------------------------------------------------------------

    @on(Input.Submitted)
    @on(Button.Pressed, "#money-write")
    def _submit(self) -> None:
        if self._writing or self._answered:
            return
        try:
            cents = self.parse(self.amount_text)
        except InvalidInput as error:
            self._refused(error.message, "#money-amount")
            return
        refusal = self.refusal(cents)
        if refusal is not None:
            self._refused(refusal, "#money-amount")
            return
        missing = self.reason_refusal(cents)
        if missing is not None:
            self._refused(missing, "#money-reason")
            return
        self._writing = True
        self.query_one("#money-write", Button).disabled = True
        self.query_one("#money-message", Label).update("Writing…")
        answer = MoneyAnswer(self.amount_text, self.method, self.reason)
        self.call_service(self._write, answer, reply=self.Written, group="money")

    @on(Written)
    def _done(self, message: Written) -> None:
        self._answer(message.invoice)

    def service_failed(self, group: str, error: DeskError) -> None:
        self._writing = False
        self.query_one("#money-write", Button).disabled = False
        on_reason = isinstance(error, InvalidInput) and error.field == "reason"
        field = "#money-reason" if on_reason and self.REASON_LABEL else "#money-amount"
        self._refused(error.message, field)

    def _refused(self, text: str, field: str) -> None:
        """Keep what was typed; say why; put the cursor back where the fix goes."""
        self.query_one("#money-message", Label).update(escape(text))
        self.set_focus(self.query_one(field, Input))

    @on(Button.Pressed, "#money-back")
    def _back(self) -> None:
        if not self._writing:
            self._answer(None)

    def _answer(self, result: InvoiceView | None) -> None:
        """Dismiss once: a second press or key before the dialog closes must not act twice."""
        if not self._answered:
            self._answered = True
            self.dismiss(result)

    def action_dismiss_dialog(self) -> None:
        if not self._writing:
            self._answer(None)


class PaymentDialog(MoneyDialog):
    """Take part or all of the balance; more than the balance is refused, never kept."""

    HEADING = "Take payment for"
    VERB = "Take payment"
    METHOD_LABEL = "Paid by"

    def refusal(self, cents: int) -> str | None:
        return self.invoice.payment_refusal(self.money, cents)


class RefundDialog(MoneyDialog):
    """Pay money back: never more than was paid. The balance the refund leaves is shown as
    the amount is typed; beyond what is owed back it is a correction, which needs a reason
    (domain.ledger.correction_refusal). The reason is kept on the statement."""

    HEADING = "Refund on"
    VERB = "Refund"
    VARIANT = "warning"
    METHOD_LABEL = "Paid back by"
    REASON_LABEL = "Reason (on the statement; needed for a correction)"

    def refusal(self, cents: int) -> str | None:
        return self.invoice.refund_refusal(self.money, cents)

    def reason_refusal(self, cents: int) -> str | None:
        return correction_refusal(
            self.invoice.balance_cents, cents, self.reason, self.money, ask="type a reason"
        )

    def after_words(self, cents: int) -> str:
        left = balance_words(self.invoice.balance_cents + cents, self.money)
        if refund_correction(self.invoice.balance_cents, cents):
            return f"This refund leaves {left}: a correction, so say why."
        return f"This refund leaves {left}."


class AdjustDialog(MoneyDialog):
    """A manager's signed correction to what the invoice is for, with a mandatory reason."""

    HEADING = "Adjust"
    VERB = "Adjust"
    VARIANT = "primary"
    REASON_LABEL = "Reason (required, shown on the statement)"
    REASON_REQUIRED = True
    AMOUNT_HINT = "-15.00 lowers the invoice, 15.00 raises it"

    def parse(self, text: str) -> int:
        return parse_adjustment(text, "amount")

    def refusal(self, cents: int) -> str | None:
        return rules.adjustment_refusal(
            self.invoice.ref, self.invoice.amount_cents, cents, money=self.money
        )


def amount_field(cents: int) -> str:
    """An amount as the clerk would type it into the dialog: '288.00'."""
    return cents_to_text(cents) if cents > 0 else ""
