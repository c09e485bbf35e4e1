"""Asks before doing something that cannot be taken back: writing to many records at
once, or throwing away what was typed."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from nextcars_tui.tui.base import DeskDialog


class ConfirmRunDialog(DeskDialog[bool]):
    """Dismisses with True only when the user chose to go ahead; Escape or Cancel mean no."""

    BINDINGS: ClassVar = [Binding("escape", "dismiss_dialog", "Cancel")]
    AUTO_FOCUS = "#confirm-cancel"

    def __init__(
        self, title: str, message: str, go_label: str = "Run now", stay_label: str = "Cancel"
    ) -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._go_label = go_label
        self._stay_label = stay_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-run-dialog"):
            yield Static(self._title, classes="screen-title")
            yield Static(self._message, id="confirm-message")
            with Horizontal(classes="buttons"):
                yield Button(self._stay_label, id="confirm-cancel", compact=True)
                yield Button(self._go_label, variant="warning", id="confirm-go", compact=True)

    @on(Button.Pressed, "#confirm-cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#confirm-go")
    def _go(self) -> None:
        self.dismiss(True)
