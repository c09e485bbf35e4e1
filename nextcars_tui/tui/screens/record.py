"""What the booking and invoice detail screens share: one BookingDetail loaded by ref,
an error line when it cannot be shown, payment, and stepping between the two records."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.dialogs.checkout import TakesPayment

if TYPE_CHECKING:
    from nextcars_tui.services.views import BookingDetail, InvoiceView


class RecordScreen(TakesPayment, DeskScreen):
    """Subclasses say which service loads them, which ids hold their heading and history,
    and how to show a loaded detail."""

    # Textual declares it a ClassVar already; re-declaring it here confuses type checkers.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012
    HEADING_ID: ClassVar[str]
    HISTORY_ID: ClassVar[str]
    PAY_BUTTON_ID: ClassVar[str]

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

    def on_mount(self) -> None:
        self.query_one(f"#{self.HISTORY_ID}", VerticalScroll).border_title = "History"
        super().on_mount()

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
            self.query_one(f"#{self.HEADING_ID}", Static).update(error.message)

    def record_invoice(self) -> InvoiceView | None:
        return None if self.detail is None else self.detail.booking.invoice

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == self.PAY_BUTTON_ID:
            self.action_take_payment()

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

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
