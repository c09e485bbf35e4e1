"""What the booking and invoice detail screens share: one BookingDetail loaded by ref,
an error line when it cannot be shown, money (take payment, refund, adjust), and stepping
between the two records."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.widgets import Button, Static, TabbedContent, TabPane

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.domain.roles import Permission
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.dialogs.money import (
    AdjustDialog,
    MoneyAnswer,
    MoneyDialog,
    PaymentDialog,
    RefundDialog,
    amount_field,
)
from nextcars_tui.tui.messages import RecordWritten
from nextcars_tui.tui.widgets.booking_record import balance_words

if TYPE_CHECKING:
    from nextcars_tui.services.views import BookingDetail, InvoiceView


class RecordScreen(DeskScreen):
    """Subclasses say which service loads them, which ids hold their heading and buttons,
    and how to show a loaded detail.

    Money actions are offered only when the invoice's state allows them (Refund only when
    something was paid, Adjust only to managers), but each goes through a service that
    checks again: the record may have changed elsewhere."""

    # Textual declares it a ClassVar already; re-declaring it here confuses type checkers.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012
    # The record's tabs (statement, history, job sheet) by number, as the fleet's.
    TAB_BINDINGS: ClassVar = [
        Binding(str(n), f"show_tab({n})", f"Tab {n}", show=False) for n in (1, 2, 3)
    ]
    HEADING_ID: ClassVar[str]
    PAY_BUTTON_ID: ClassVar[str]
    REFUND_BUTTON_ID: ClassVar[str]
    ADJUST_BUTTON_ID: ClassVar[str]

    class DetailLoaded(Message):
        def __init__(self, detail: BookingDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref
        self.detail: BookingDetail | None = None

    def detail_service(self) -> Callable[..., BookingDetail]:
        raise NotImplementedError

    def show_detail(self, detail: BookingDetail) -> None:
        raise NotImplementedError

    def reload(self) -> None:
        self.call_service(
            self.detail_service(),
            self.desk,
            self.actor,
            self.ref,
            reply=self.DetailLoaded,
            group="detail",
        )

    @on(DetailLoaded)
    def _show(self, message: DetailLoaded) -> None:
        self.detail = message.detail
        self.show_detail(message.detail)

    def service_failed(self, group: str, error: DeskError) -> None:
        self.app.show_error(error)
        if group == "detail" and self.detail is None:
            self.query_one(f"#{self.HEADING_ID}", Static).update(escape(error.message))

    def record_invoice(self) -> InvoiceView | None:
        """The invoice on screen, or None while the record is loading."""
        return None if self.detail is None else self.detail.booking.invoice

    # -- money --------------------------------------------------------------------------

    def may_adjust(self) -> bool:
        """Adjust is for managers; whoever the screens belong to while the desk is locked."""
        actor = self.app.actor or self.app.screens_owner
        return actor is not None and actor.can(Permission.ADJUST)

    def offer_money_actions(self, invoice: InvoiceView) -> None:
        """Take payment is disabled (its tooltip says why) when nothing is due; Refund shows
        only when something was paid, Adjust only to managers."""
        refusal = invoice.payment_refusal(self.desk.money)
        pay = self.query_one(f"#{self.PAY_BUTTON_ID}", Button)
        pay.disabled = refusal is not None
        pay.tooltip = refusal
        pay.display = refusal is None
        self.query_one(f"#{self.REFUND_BUTTON_ID}", Button).display = invoice.refundable
        self.query_one(f"#{self.ADJUST_BUTTON_ID}", Button).display = self.may_adjust()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys the invoice's state or the user's role forbid are not offered."""
        if action == "take_payment":
            invoice = self.record_invoice()
            return invoice is None or invoice.payment_refusal(self.desk.money) is None
        if action == "refund":
            invoice = self.record_invoice()
            return invoice is not None and invoice.refundable
        if action == "adjust":
            return self.may_adjust()
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {
            self.PAY_BUTTON_ID: self.action_take_payment,
            self.REFUND_BUTTON_ID: self.action_refund,
            self.ADJUST_BUTTON_ID: self.action_adjust,
        }
        chosen = actions.get(event.button.id or "")
        if chosen is not None:
            chosen()

    def on_record_written(self, message: RecordWritten) -> None:
        """A write went through: say so, and let every open screen reload."""
        message.stop()
        self.notify(message.summary, title="Done", markup=False)
        self.app.data_changed()

    def action_take_payment(self) -> None:
        from nextcars_tui.services.billing import pay

        invoice = self.record_invoice()
        if invoice is None:
            return
        refusal = invoice.payment_refusal(self.desk.money)
        if refusal is not None:
            self.notify(refusal, title="No payment to take", severity="warning")
            return
        desk, actor = self.desk, self.actor

        def write(answer: MoneyAnswer) -> InvoiceView:
            return pay(desk, actor, invoice.ref, answer.amount, answer.method or "")

        def said(after: InvoiceView) -> str:
            taken = desk.money(after.paid_cents - invoice.paid_cents)
            return f"Took {taken} on {after.ref}: {balance_words(after, desk.money)}."

        dialog = PaymentDialog(
            invoice, write, money=desk.money, amount=amount_field(invoice.balance_cents)
        )
        self._open_money_dialog(dialog, said)

    def action_refund(self) -> None:
        from nextcars_tui.services.billing import refund

        invoice = self.record_invoice()
        if invoice is None:
            return
        refusal = invoice.refund_refusal(self.desk.money)
        if refusal is not None:
            self.notify(refusal, title="Nothing to refund", severity="warning")
            return
        desk, actor = self.desk, self.actor

        def write(answer: MoneyAnswer) -> InvoiceView:
            method = answer.method or ""
            return refund(desk, actor, invoice.ref, answer.amount, method, answer.reason)

        def said(after: InvoiceView) -> str:
            back = desk.money(invoice.paid_cents - after.paid_cents)
            return f"Refunded {back} on {after.ref}: {balance_words(after, desk.money)}."

        # What is owed back is the likely refund, paid back the way the customer last paid;
        # otherwise the clerk says how much.
        owed_back = -invoice.balance_cents
        method = None if self.detail is None else self.detail.last_payment_method
        dialog = RefundDialog(
            invoice, write, money=desk.money, amount=amount_field(owed_back), method=method
        )
        self._open_money_dialog(dialog, said)

    def action_adjust(self) -> None:
        from nextcars_tui.services.billing import adjust

        invoice = self.record_invoice()
        if invoice is None or not self.may_adjust():
            return
        desk, actor = self.desk, self.actor

        def write(answer: MoneyAnswer) -> InvoiceView:
            return adjust(desk, actor, invoice.ref, answer.amount, answer.reason)

        def said(after: InvoiceView) -> str:
            change = desk.money(after.amount_cents - invoice.amount_cents)
            return (
                f"Adjusted {after.ref} by {change}: now {desk.money(after.amount_cents)}, "
                f"{balance_words(after, desk.money)}."
            )

        self._open_money_dialog(AdjustDialog(invoice, write, money=desk.money), said)

    def _open_money_dialog(self, dialog: MoneyDialog, said: Callable[[InvoiceView], str]) -> None:
        def answered(after: InvoiceView | None) -> None:
            if after is not None:
                self.post_message(RecordWritten(said(after)))

        self.app.push_screen(dialog, answered)

    def open_record(self, name: str, screen_class: str, ref: str) -> None:
        """Open the other record; if we came from it, go back rather than stack another."""
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 2 else None
        if type(below).__name__ == screen_class and getattr(below, "ref", None) == ref:
            self.app.pop_screen()
        else:
            self.app.open_screen(name, ref=ref)

    def action_refresh(self) -> None:
        self.reload()

    def action_show_tab(self, number: int) -> None:
        tabs = self.query_one(TabbedContent)
        panes = list(tabs.query(TabPane))
        if 0 < number <= len(panes) and panes[number - 1].id:
            tabs.active = panes[number - 1].id or ""

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
