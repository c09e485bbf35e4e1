"""Asks where to write an export, offering a sensible default file name."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from nextcars_tui.tui.base import DeskDialog


class ExportPathDialog(DeskDialog[str]):
    """Dismisses with the typed path, or None when abandoned; writing is the caller's job."""

    BINDINGS: ClassVar = [Binding("escape", "dismiss_dialog", "Cancel")]
    AUTO_FOCUS = "#export-path"

    def __init__(self, title: str, default_path: str) -> None:
        super().__init__()
        self._title = title
        self._default_path = default_path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Static(self._title, classes="screen-title")
            yield Static(
                "Write the CSV to this file; a relative path starts in the folder the desk "
                "was started from.",
                classes="form-note",
            )
            yield Input(value=self._default_path, id="export-path", compact=True)
            yield Label("", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="export-cancel", compact=True)
                yield Button("Export", variant="primary", id="export-save", compact=True)

    @on(Button.Pressed, "#export-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#export-save")
    @on(Input.Submitted, "#export-path")
    def _export(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.query_one("#form-error", Label).update("Type a file name to write to.")
            return
        self.dismiss(path)
