"""Cancel a booking: ask why, say what happens to the invoice, and wait for a clear yes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from nextcars_tui.domain.validation import MAX_REASON
from nextcars_tui.tui.base import DeskDialog
from nextcars_tui.tui.formatting import span
from nextcars_tui.tui.widgets.booking_record import cancel_consequence

if TYPE_CHECKING:
    from nextcars_tui.services.views import BookingView


class CancelBookingDialog(DeskDialog[str | None]):
    """Returns the reason once the clerk presses "Cancel booking"; None (nothing written)
    on Escape or "Keep booking". The service still decides whether the cancel is allowed."""

    AUTO_FOCUS = "#cancel-reason"

    def __init__(self, booking: BookingView) -> None:
        super().__init__()
        self._answered = False
        self.booking = booking

    def compose(self) -> ComposeResult:
        b = self.booking
        with Vertical(classes="dialog", id="cancel-dialog"):
            yield Static(f"Cancel booking {b.ref}?", classes="dialog-title")
            yield Static(
                f"{b.customer_name} · {b.car_plate} with {b.driver_code} · "
                f"{span(b.start, b.end)} ({b.status})\n{cancel_consequence(b)}",
                id="cancel-summary",
            )
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

    @on(Button.Pressed, "#keep-booking")
    def _keep(self) -> None:
        self._answer(None)

    @on(Input.Submitted, "#cancel-reason")
    @on(Button.Pressed, "#confirm-cancel")
    def _confirm(self) -> None:
        reason = self.query_one("#cancel-reason", Input).value.strip()
        if not reason:
            self.query_one("#cancel-message", Label).update("Say why, so the history explains it.")
            self.query_one("#cancel-reason", Input).focus()
            return
        self._answer(reason)

    def _answer(self, result: str | None) -> None:
        """Dismiss once: a second press or key before the dialog closes must not act twice."""
        if not self._answered:
            self._answered = True
            self.dismiss(result)

    def action_dismiss_dialog(self) -> None:
        self._answer(None)
