"""A small form dialog that saves through a service and stays open to show what was wrong."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.tui.base import DeskDialog

Values = dict[str, str]


@dataclass(frozen=True)
class FormField:
    """One line of a form: a text input, a masked password, or a choice when choices are given."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    password: bool = False
    choices: tuple[str, ...] = ()
    read_only: bool = False

    @property
    def widget_id(self) -> str:
        return "field-" + self.name.replace("_", "-")


class RecordFormDialog(DeskDialog[Any]):
    """Asks for the fields, runs save(values) in a thread worker and dismisses with its result.

    A DeskError from save is shown inside the dialog, so nothing typed is lost.
    """

    DEFAULT_CSS = """
    RecordFormDialog .form-row {
        height: auto;
        margin-bottom: 1;
    }
    RecordFormDialog .form-row Label {
        width: 16;
        padding-right: 1;
    }
    RecordFormDialog .form-row Input, RecordFormDialog .form-row Select {
        width: 1fr;
    }
    """
    BINDINGS: ClassVar = [
        Binding("escape", "dismiss_dialog", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(
        self,
        title: str,
        fields: list[FormField],
        save: Callable[[Values], Any],
        *,
        save_label: str = "Save",
        note: str = "",
    ) -> None:
        super().__init__()
        self._title = title
        self._fields = fields
        self._save = save
        self._save_label = save_label
        self._note = note
        self._saving = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="record-form"):
            yield Static(self._title, classes="screen-title")
            if self._note:
                yield Static(self._note, classes="form-note")
            for field in self._fields:
                with Horizontal(classes="form-row"):
                    yield Label(field.label)
                    yield self._editor(field)
            yield Label("", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="form-cancel", compact=True)
                yield Button(self._save_label, variant="primary", id="form-save", compact=True)

    @staticmethod
    def _editor(field: FormField) -> Input | Select[str]:
        if field.choices:
            return Select(
                [(choice, choice) for choice in field.choices],
                value=field.value if field.value in field.choices else field.choices[0],
                allow_blank=False,
                id=field.widget_id,
                compact=True,
            )
        return Input(
            value=field.value,
            placeholder=field.placeholder,
            password=field.password,
            disabled=field.read_only,
            id=field.widget_id,
            compact=True,
        )

    def values(self) -> Values:
        """What is in the form now, by field name."""
        values: Values = {}
        for field in self._fields:
            widget = self.query_one(f"#{field.widget_id}")
            if isinstance(widget, Select):
                values[field.name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                values[field.name] = widget.value
        return values

    @on(Button.Pressed, "#form-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#form-save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        if self._saving:
            return
        self._saving = True
        self.query_one("#form-save", Button).disabled = True
        self._error("Saving…")
        self.call_service(
            self._save, self.values(), on_done=self._saved, on_error=self._failed, group="form"
        )

    def _saved(self, result: Any) -> None:
        self.dismiss(result)

    def _failed(self, error: DeskError) -> None:
        self._saving = False
        self.query_one("#form-save", Button).disabled = False
        self._error(error.message)

    def _error(self, text: str) -> None:
        self.query_one("#form-error", Label).update(text)


def changed_only(before: Mapping[str, str], after: Values) -> dict[str, str]:
    """The fields whose text changed, so an edit touches only what the user touched."""
    return {
        name: value
        for name, value in after.items()
        if value.strip() != before.get(name, "").strip()
    }
