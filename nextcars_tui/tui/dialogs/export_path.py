"""Asks where to write an export and writes it, through the desk's one form dialog: a file
that cannot be written keeps the dialog open with the path as typed, and an existing file is
replaced only after the clerk confirms it (Replace, on the same path)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.widgets import Button

from nextcars_tui.domain.errors import DeskError, FileAlreadyExists
from nextcars_tui.tui.dialogs.record_form import FormField, RecordFormDialog, Values

R = TypeVar("R")


class ExportDialog(RecordFormDialog, Generic[R]):
    """Dismisses with what `write` returned once written (an ExportResult, a saved invoice),
    or None when abandoned.

    `write(path, replace)` writes the file; it raises FileAlreadyExists for an existing file
    unless `replace`, which the dialog passes only for the path the clerk confirmed."""

    def __init__(self, title: str, default_path: str, write: Callable[[str, bool], R]) -> None:
        self._write = write
        self._confirmed: str | None = None
        field = FormField("path", "File", default_path, placeholder="e.g. ./owed.csv")
        super().__init__(
            title,
            [field],
            self._save_to,
            save_label="Export",
            note="A relative path starts in the folder the desk was started from. "
            "The file is readable by you only.",
        )

    def _save_to(self, values: Values) -> Any:
        path = values["path"].strip()
        return self._write(path, path == self._confirmed)

    def service_failed(self, group: str, error: DeskError) -> None:
        super().service_failed(group, error)
        if isinstance(error, FileAlreadyExists):
            self._confirmed = self.values()["path"].strip()
            self._error(f"{error.path} already exists. Export again to replace it.")
            self.query_one("#form-save", Button).label = "Replace"

    def on_input_changed(self) -> None:
        # Another path: the confirmation was for the old one.
        if self._confirmed is not None and self.values()["path"].strip() != self._confirmed:
            self._confirmed = None
            self.query_one("#form-save", Button).label = "Export"
