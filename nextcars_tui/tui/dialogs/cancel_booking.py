"""Cancel a booking: ask why, say what happens to the invoice, and wait for a clear yes. When
a late fee is due, the clerk may waive it (with the reason said)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Static

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.domain.statuses import status_words
from nextcars_tui.domain.validation import MAX_REASON
from nextcars_tui.tui.base import DeskDialog
from nextcars_tui.tui.formatting import span

if TYPE_CHECKING:
    from nextcars_tui.services.views import BookingView


class CancelBookingDialog(DeskDialog[Any]):
    """Cancels through `cancel(reason, waive_fee)` once the clerk presses "Cancel booking",
    and closes with what it returned; None (nothing written) on Escape or "Keep booking". A
    refusal (a reason the parser refuses, a booking that changed meanwhile) is shown here,
    with the reason kept as typed. Without `cancel` it just returns the reason.

    `waived` is what cancelling with the fee waived would do; given, a "Waive the fee" box is
    offered and the consequence shown follows it."""

    AUTO_FOCUS = "#cancel-reason"

    class Cancelled(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    def __init__(
        self,
        booking: BookingView,
        cancel: Callable[[str, bool], Any] | None = None,
        *,
        consequence: str = "",
        waived: str | None = None,
    ) -> None:
        super().__init__()
        # What cancelling now does to the invoice (fee, refund due), said before the yes;
        # and with the fee waived, when there is a fee to waive.
        self.consequence = consequence
        self.waived = waived
        self._answered = False
        self._writing = False
        self.booking = booking
        self._cancel = cancel

    def compose(self) -> ComposeResult:
        b = self.booking
        with Vertical(classes="dialog", id="cancel-dialog"):
            yield Static(f"Cancel booking {b.ref}?", classes="dialog-title")
            yield Static(self._summary(waive=False), id="cancel-summary")
            if self.waived is not None:
                yield Checkbox("Waive the fee (say why below)", id="cancel-waive", compact=True)
            yield Label("Reason (kept in the booking's history)")
            yield Input(
                placeholder="e.g. customer changed plans",
                max_length=MAX_REASON,
                id="cancel-reason",
            )
            yield Label("", id="cancel-message")
            with Horizontal(classes="buttons"):
                yield Button("Keep booking", id="keep-booking")
                yield Button("Cancel booking", variant="error", id="confirm-cancel")

    def _summary(self, *, waive: bool) -> str:
        b = self.booking
        said = self.waived if waive and self.waived is not None else self.consequence
        return (
            f"{escape(b.customer_name)} · {escape(b.car_plate)} with {escape(b.driver_code)}"
            f" · {span(b.start, b.end)} ({status_words(b.status)})\n{escape(said)}"
        )

    @property
    def waive_fee(self) -> bool:
        boxes = self.query("#cancel-waive").results(Checkbox)
        return any(box.value for box in boxes)

    @on(Checkbox.Changed, "#cancel-waive")
    def _waive_changed(self, event: Checkbox.Changed) -> None:
        self.query_one("#cancel-summary", Static).update(self._summary(waive=event.value))

    @on(Button.Pressed, "#keep-booking")
    def _keep(self) -> None:
        self._answer(None)

    @on(Input.Submitted, "#cancel-reason")
    @on(Button.Pressed, "#confirm-cancel")
    def _confirm(self) -> None:
        reason = self.query_one("#cancel-reason", Input).value.strip()
        if not reason:
            self._refused("Say why, so the history explains it.")
            return
        if self._cancel is None:
            self._answer(reason)
            return
        if self._writing or self._answered:
            return
        self._writing = True
        self.query_one("#confirm-cancel", Button).disabled = True
        self.query_one("#cancel-message", Label).update("Cancelling…")
        self.call_service(
            self._cancel, reason, self.waive_fee, reply=self.Cancelled, group="cancel"
        )

    @on(Cancelled)
    def _done(self, message: Cancelled) -> None:
        self._answer(message.result)

    def service_failed(self, group: str, error: DeskError) -> None:
        self._writing = False
        self.query_one("#confirm-cancel", Button).disabled = False
        self._refused(error.message)

    def _refused(self, text: str) -> None:
        """Keep the reason as typed; say why; put the cursor back in it."""
        self.query_one("#cancel-message", Label).update(escape(text))
        self.set_focus(self.query_one("#cancel-reason", Input))

    def _answer(self, result: str | None) -> None:
        """Dismiss once: a second press or key before the dialog closes must not act twice."""
        if not self._answered:
            self._answered = True
            self.dismiss(result)

    def action_dismiss_dialog(self) -> None:
        if not self._writing:
            self._answer(None)
