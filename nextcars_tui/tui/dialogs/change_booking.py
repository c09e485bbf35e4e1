"""Change a booking: its start, days, car, driver and job sheet in one go, through the service
that checks it like a new booking. A refusal keeps the dialog open, with the cursor on the
field at fault, read from the error's fields (never from its words)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from nextcars_tui.domain.errors import Conflict, DeskError, InvalidInput, ResourceKind
from nextcars_tui.domain.parsing import same_plate
from nextcars_tui.domain.statuses import status_words
from nextcars_tui.tui.base import DeskDialog
from nextcars_tui.tui.formatting import span
from nextcars_tui.tui.widgets.job_sheet import JobSheetFields, sheet_values

if TYPE_CHECKING:
    from nextcars_tui.services.changes import ChangeRequest
    from nextcars_tui.services.views import BookingView

# The parsers' field names (InvalidInput.field) for the booking's own fields → input ids.
_BOOKING_FIELDS = {
    "start date": "change-start",
    "number of days": "change-days",
    "plate": "change-car",
    "driver code": "change-driver",
}


def _same_code(typed: str, current: str) -> bool:
    """A driver code typed with other case or spacing is still the same one."""
    return typed.strip().upper() == current.upper()


class ChangeBookingDialog(DeskDialog[Any]):
    """Closes with the changed BookingView once the service has written it; None (nothing
    written) on Escape or "Keep as is". Only the parts the clerk changed are sent."""

    AUTO_FOCUS = "#change-start"

    class Changed(Message):
        def __init__(self, booking: BookingView) -> None:
            super().__init__()
            self.booking = booking

    def __init__(self, booking: BookingView) -> None:
        super().__init__()
        self.booking = booking
        self._writing = False
        self._answered = False

    def compose(self) -> ComposeResult:
        b = self.booking
        with Vertical(classes="dialog", id="change-dialog"):
            yield Static(f"Change booking {b.ref}", classes="dialog-title")
            yield Static(
                f"{escape(b.customer_name)} · {escape(b.car_plate)} with {escape(b.driver_code)}"
                f" · {span(b.start, b.end)} ({status_words(b.status)})",
                id="change-summary",
            )
            with Grid(id="change-fields"):
                yield Label("Start")
                yield Input(b.start.isoformat(), id="change-start", compact=True)
                yield Label("Days")
                yield Input(str(b.days), id="change-days", compact=True, max_length=4)
                yield Label("Car")
                yield Input(b.car_plate, placeholder="plate", id="change-car", compact=True)
                yield Label("Driver")
                yield Input(b.driver_code, placeholder="code", id="change-driver", compact=True)
            yield JobSheetFields(sheet_values(b), id="change-job")
            yield Label("", id="change-message")
            with Horizontal(classes="buttons"):
                yield Button("Keep as is", id="change-keep", compact=True)
                yield Button("Save change", variant="primary", id="change-save", compact=True)

    @property
    def job_sheet(self) -> JobSheetFields:
        return self.query_one(JobSheetFields)

    def _value(self, input_id: str) -> str:
        return self.query_one(f"#{input_id}", Input).value

    def request(self) -> ChangeRequest:
        """What the clerk changed; every part left as it was is None (not sent)."""
        from nextcars_tui.services.changes import ChangeRequest

        b = self.booking
        start, days = self._value("change-start"), self._value("change-days")
        car, driver = self._value("change-car"), self._value("change-driver")
        before = sheet_values(b)
        sheet = {
            name: value
            for name, value in self.job_sheet.values.items()
            if value.strip() != before[name]
        }
        return ChangeRequest(
            start=None if start.strip() == b.start.isoformat() else start,
            days=None if days.strip() == str(b.days) else days,
            car_plate=None if same_plate(car, b.car_plate) else car,
            driver_code=None if _same_code(driver, b.driver_code) else driver,
            **sheet,
        )

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(Button.Pressed, "#change-keep")
    def _keep(self) -> None:
        self._answer(None)

    @on(Button.Pressed, "#change-save")
    def action_save(self) -> None:
        from nextcars_tui.services.changes import change_booking

        if self._writing or self._answered:
            return
        _sheet, refusal = self.job_sheet.check()
        if refusal is not None:
            self._refused(refusal)
            return
        self._writing = True
        self.query_one("#change-save", Button).disabled = True
        self.query_one("#change-message", Label).update("Saving…")
        self.call_service(
            change_booking,
            self.desk,
            self.actor,
            self.booking.ref,
            self.request(),
            reply=self.Changed,
            group="change",
        )

    @on(Changed)
    def _done(self, message: Changed) -> None:
        self._answer(message.booking)

    def service_failed(self, group: str, error: DeskError) -> None:
        self._writing = False
        self.query_one("#change-save", Button).disabled = False
        self._refused(error)

    def _refused(self, error: DeskError) -> None:
        """Keep everything as typed; say why; put the cursor on the field at fault."""
        self.query_one("#change-message", Label).update(escape(error.message))
        fault: Input | None = None
        if isinstance(error, Conflict):
            # The database's backstop may not know the kind: then the car, as the wizard does.
            kind = "driver" if error.resource_kind == ResourceKind.DRIVER else "car"
            fault = self.query_one(f"#change-{kind}", Input)
        elif isinstance(error, InvalidInput):
            input_id = _BOOKING_FIELDS.get(error.field or "")
            fault = (
                self.query_one(f"#{input_id}", Input)
                if input_id is not None
                else self.job_sheet.mark(error.field)
            )
        if fault is not None:
            self.set_focus(fault)

    def _answer(self, result: BookingView | None) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(result)

    def action_dismiss_dialog(self) -> None:
        if not self._writing:
            self._answer(None)
