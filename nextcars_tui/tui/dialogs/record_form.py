"""The desk's one form dialog: it never loses what was typed.

Every dialog that asks for values and saves them is this class, so they all behave alike:
the first field has the focus when it opens; each field is checked with the same parser
the services use before anything is sent; a refusal (from a check or from the service)
keeps every field as typed, marks and focuses the field at fault and says why; and Enter
after an error only tries again — nothing but Cancel or Escape closes the form unsaved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static

from nextcars_tui.domain.errors import DeskError, InvalidInput
from nextcars_tui.tui.base import DeskDialog

if TYPE_CHECKING:
    from textual.widget import Widget

Values = dict[str, str]


@dataclass(frozen=True)
class FormField:
    """One line of a form: a text input, a masked password, or a choice when choices are
    given. `check` is the parser for the field's kind of value (it raises InvalidInput);
    `preview` says, as the clerk types, how the value is read (e.g. the date it means)."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    password: bool = False
    choices: tuple[str, ...] = ()
    read_only: bool = False
    check: Callable[[str], object] | None = None
    preview: Callable[[str], str] | None = None
    max_length: int = 0

    @property
    def widget_id(self) -> str:
        return "field-" + self.name.replace("_", "-")

    @property
    def editable(self) -> bool:
        return not self.read_only


class FormFault(InvalidInput):
    """A field's own check refused its value: the message, and which field it was."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class RecordFormDialog(DeskDialog[Any]):
    """Asks for the fields, runs save(values) in a thread worker and dismisses with its result.

    A DeskError from save is shown inside the dialog with every field kept; an error with a
    `field` attribute naming one of the form's fields puts the focus there.
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
    RecordFormDialog .form-row .field-preview {
        width: auto;
        max-width: 24;
        padding-left: 1;
        color: $text-muted;
    }
    RecordFormDialog .form-row Input.-invalid {
        background: $error 25%;
    }
    """
    BINDINGS: ClassVar = [
        Binding("escape", "dismiss_dialog", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    class Saved(Message):
        """save() returned: the dialog closes with its result."""

        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

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
        self._answered = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="record-form"):
            yield Static(escape(self._title), classes="screen-title")
            if self._note:
                yield Static(escape(self._note), classes="form-note")
            for field in self._fields:
                with Horizontal(classes="form-row"):
                    yield Label(field.label)
                    yield self._editor(field)
                    if field.preview is not None:
                        yield Label("", id=f"{field.widget_id}-preview", classes="field-preview")
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
                disabled=field.read_only,
            )
        return Input(
            value=field.value,
            placeholder=field.placeholder,
            password=field.password,
            disabled=field.read_only,
            max_length=field.max_length,
            id=field.widget_id,
            compact=True,
        )

    def on_mount(self) -> None:
        # The form opens ready to type into: the first field a person can change.
        first = self.first_field()
        if first is not None:
            self.set_focus(first)
        for field in self._fields:
            self._show_preview(field)

    def first_field(self) -> Widget | None:
        for field in self._fields:
            if field.editable:
                return self.editor(field.name)
        return None

    def editor(self, name: str) -> Widget:
        field = next(f for f in self._fields if f.name == name)
        return self.query_one(f"#{field.widget_id}")

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

    # -- as the clerk types ---------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.input.remove_class("-invalid")
        field = next((f for f in self._fields if f.widget_id == event.input.id), None)
        if field is not None:
            self._show_preview(field)

    def _show_preview(self, field: FormField) -> None:
        if field.preview is None:
            return
        text = self.values()[field.name]
        try:
            shown = field.preview(text) if text.strip() else ""
        except DeskError:
            shown = "?"
        self.query_one(f"#{field.widget_id}-preview", Label).update(escape(shown))

    # -- saving ---------------------------------------------------------------------------

    @on(Button.Pressed, "#form-cancel")
    def _cancel(self) -> None:
        self._answer(None)

    def action_dismiss_dialog(self) -> None:
        if not self._saving:
            self._answer(None)

    @on(Button.Pressed, "#form-save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        if self._saving or self._answered:
            return
        values = self.values()
        try:
            self._check(values)
        except FormFault as fault:
            self._refused(fault)
            return
        self._saving = True
        self.query_one("#form-save", Button).disabled = True
        self._error("Saving…")
        self.call_service(self._save, values, reply=self.Saved, group="form")

    def _check(self, values: Values) -> None:
        """Every field's own parser, in the order of the form; the first refusal wins."""
        for field in self._fields:
            if field.check is None or not field.editable:
                continue
            try:
                field.check(values[field.name])
            except InvalidInput as error:
                raise FormFault(field.name, error.message) from error

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self._answer(message.result)

    def service_failed(self, group: str, error: DeskError) -> None:
        self._saving = False
        self.query_one("#form-save", Button).disabled = False
        self._refused(error)

    def _refused(self, error: DeskError) -> None:
        """Keep every field; say why; put the cursor where the fault is."""
        self._error(error.message)
        at_fault = self._field_named(getattr(error, "field", None))
        target: Widget | None = None
        if at_fault is not None:
            target = self.editor(at_fault.name)
            target.add_class("-invalid")
        elif not isinstance(self.focused, Input | Select):
            target = self.first_field()
        if target is not None:
            self.set_focus(target)

    def _field_named(self, name: object) -> FormField | None:
        """The editable field an error names: by its name ('daily_rate') or as the parsers
        call it ('daily rate', 'e-mail')."""
        if not isinstance(name, str):
            return None
        wanted = name.strip().lower()
        for field in self._fields:
            if field.editable and wanted in (
                field.name,
                field.name.replace("_", " "),
                field.label.lower(),
            ):
                return field
        return None

    def _error(self, text: str) -> None:
        self.query_one("#form-error", Label).update(escape(text))

    def _answer(self, result: Any) -> None:
        """Dismiss once: a second press or key before the dialog closes must not act twice."""
        if not self._answered:
            self._answered = True
            self.dismiss(result)


def changed_only(before: Mapping[str, str], after: Values) -> dict[str, str]:
    """The fields whose text changed, so an edit touches only what the user touched."""
    return {
        name: value
        for name, value in after.items()
        if value.strip() != before.get(name, "").strip()
    }
