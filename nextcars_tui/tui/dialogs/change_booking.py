"""Change a booking: its start, days, car, driver and job sheet in one go, through the service
that checks it like a new booking. A refusal keeps the dialog open, with the cursor on the
field at fault, read from the error's fields (never from its words).

As the clerk types, the dialog shows what the change would do (services.changes.preview_change,
the change's own transaction rolled back) and the cars or drivers free for the new dates
(services.availability.free_for_change); it decides nothing itself. Nothing typed is lost
without a question: Enter on the last field and Ctrl+S save, Escape and "Keep as is" ask
before throwing typed changes away."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.events import DescendantFocus
from textual.markup import escape
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from nextcars_tui.domain.errors import Conflict, DeskError, InvalidInput, ResourceKind
from nextcars_tui.domain.ledger import balance_words, signed_money
from nextcars_tui.domain.parsing import same_plate
from nextcars_tui.domain.statuses import status_words
from nextcars_tui.tui.base import DeskDialog
from nextcars_tui.tui.dialogs.confirm_run import ConfirmRunDialog
from nextcars_tui.tui.formatting import short_date, span
from nextcars_tui.tui.widgets.job_sheet import JobSheetFields, sheet_values

if TYPE_CHECKING:
    from nextcars_tui.services.availability import FreeForChange, ResourceOption
    from nextcars_tui.services.changes import ChangePreview, ChangeRequest
    from nextcars_tui.services.views import BookingView

# The parsers' field names (InvalidInput.field) for the booking's own fields → input ids.
_BOOKING_FIELDS = {
    "start date": "change-start",
    "number of days": "change-days",
    "plate": "change-car",
    "driver code": "change-driver",
}

Kind = Literal["car", "driver"]
# The fields whose free ones the pick list shows.
_PICKED_BY: dict[str, Kind] = {"change-car": "car", "change-driver": "driver"}


def _same_code(typed: str, current: str) -> bool:
    """A driver code typed with other case or spacing is still the same one."""
    return typed.strip().upper() == current.upper()


class ChangeBookingDialog(DeskDialog[Any]):
    """Closes with the changed BookingView once the service has written it; None (nothing
    written) on Escape or "Keep as is", after asking if anything was typed. Only the parts
    the clerk changed are sent."""

    AUTO_FOCUS = "#change-start"
    BINDINGS: ClassVar = [
        Binding("escape", "dismiss_dialog", "Back"),
        # Priority: a save from whichever field the cursor is in.
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("down", "pick(1)", "Next free", show=False),
        Binding("up", "pick(-1)", "Previous free", show=False),
    ]
    # How long typing must pause before the preview and the free cars are asked for again.
    PREVIEW_DELAY = 0.25

    class Changed(Message):
        def __init__(self, booking: BookingView) -> None:
            super().__init__()
            self.booking = booking

    class Previewed(Message):
        def __init__(self, preview: ChangePreview, request: ChangeRequest) -> None:
            super().__init__()
            self.preview = preview
            self.request = request

    class FreeFound(Message):
        def __init__(self, free: FreeForChange, dates: tuple[str, str]) -> None:
            super().__init__()
            self.free = free
            self.dates = dates

    def __init__(self, booking: BookingView) -> None:
        super().__init__()
        self.booking = booking
        self._writing = False
        self._answered = False
        self._timer: Timer | None = None
        # What the preview and the pick lists on screen were asked for.
        self._previewed: ChangeRequest | None = None
        self._free_dates: tuple[str, str] | None = None
        self._free: FreeForChange | None = None
        # Which pick list shows: the car's until the cursor goes to the driver.
        self._picking: Kind = "car"

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
            yield JobSheetFields(sheet_values(b), id="change-job", submit_last=True)
            yield Static("", id="change-picks-title")
            picks = OptionList(id="change-picks", compact=True)
            # Picked from the Car and Driver fields with ↑ ↓ (or the mouse), so Tab and
            # Enter keep going field to field.
            picks.can_focus = False
            yield picks
            yield Static("Nothing changed yet.", id="change-preview")
            yield Label("", id="change-message")
            with Horizontal(classes="buttons"):
                yield Button("Save change", variant="primary", id="change-save", compact=True)
                yield Button("Keep as is", id="change-keep", compact=True)

    def on_mount(self) -> None:
        self._ask_free()

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

    @property
    def typed_changes(self) -> bool:
        """Whether anything differs from the booking as it was opened."""
        from nextcars_tui.services.changes import ChangeRequest

        return self.request() != ChangeRequest()

    # -- Enter, Ctrl+S, Escape and Keep --------------------------------------------------

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """Enter moves field to field; on the last one (Notes) it saves."""
        event.stop()
        if event.input.id == JobSheetFields.input_id(JobSheetFields.ORDER[-1]):
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#change-keep")
    def _keep(self) -> None:
        self._leave()

    def action_dismiss_dialog(self) -> None:
        if not self._writing:
            self._leave()

    def _leave(self) -> None:
        """Close without writing; typed changes are thrown away only once the clerk says so."""
        if self._answered:
            return
        if not self.typed_changes:
            self._answer(None)
            return
        self.app.push_screen(
            ConfirmRunDialog(
                "Discard changes?",
                f"What you typed for {self.booking.ref} is not saved yet.",
                go_label="Discard changes",
                stay_label="Keep editing",
            ),
            self._discard_answered,
        )

    def _discard_answered(self, discard: bool | None) -> None:
        if discard:
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
        self._stop_timer()
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
        if group == "preview":
            # A newer question is on its way when the fields changed meanwhile.
            if self._previewed == self.request():
                self._preview(f"Would be refused: {escape(error.message)}")
            return
        if group == "free":
            self._show_free(None, f"Free cars and drivers: {escape(error.message)}")
            return
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
            self._stop_timer()
            self.dismiss(result)

    # -- the live preview and the free cars and drivers ----------------------------------

    @on(Input.Changed)
    def _typed(self, _event: Input.Changed) -> None:
        if self._writing or self._answered:
            return
        self._stop_timer()
        self._timer = self.set_timer(self.PREVIEW_DELAY, self._ask)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _ask(self) -> None:
        self._timer = None
        if self._writing or self._answered:
            return
        self._ask_free()
        self._ask_preview()

    def _ask_preview(self) -> None:
        from nextcars_tui.services.changes import ChangeRequest, preview_change

        request = self.request()
        if request == self._previewed:
            return
        self._previewed = request
        if request == ChangeRequest():
            self._preview("Nothing changed yet.")
            return
        self.call_service(
            preview_change,
            self.desk,
            self.actor,
            self.booking.ref,
            request,
            reply=lambda preview: self.Previewed(preview, request),
            group="preview",
        )

    @on(Previewed)
    def _previewed_now(self, message: Previewed) -> None:
        if message.request != self.request():
            return  # typed over meanwhile: the newer answer follows
        money = self.desk.money
        after = message.preview.booking
        days = f"{after.days} day{'s' if after.days != 1 else ''}"
        self._preview(
            f"After: {span(after.start, after.end)} (last day {short_date(after.last_day)})"
            f" · {days} · total {money(after.total_cents)}\n"
            f"Difference {signed_money(message.preview.difference_cents, money)} · "
            f"{balance_words(message.preview.balance_after_cents, money)} after the change"
        )

    def _preview(self, text: str) -> None:
        self.query_one("#change-preview", Static).update(text)

    def _ask_free(self) -> None:
        from nextcars_tui.services.availability import free_for_change

        dates = (self._value("change-start"), self._value("change-days"))
        if dates == self._free_dates:
            return
        self._free_dates = dates
        self.call_service(
            free_for_change,
            self.desk,
            self.actor,
            self.booking.ref,
            *dates,
            reply=lambda free: self.FreeFound(free, dates),
            group="free",
        )

    @on(FreeFound)
    def _free_found(self, message: FreeFound) -> None:
        if message.dates == self._free_dates:
            self._show_free(message.free)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """The pick list follows the cursor: free drivers beside Driver, cars beside Car."""
        kind = _PICKED_BY.get(event.widget.id or "")
        if kind is not None and kind != self._picking:
            self._picking = kind
            self._show_free(self._free)

    def _options(self) -> list[ResourceOption]:
        if self._free is None:
            return []
        return self._free.cars if self._picking == "car" else self._free.drivers

    def _show_free(self, free: FreeForChange | None, refusal: str | None = None) -> None:
        self._free = free
        title = self.query_one("#change-picks-title", Static)
        picks = self.query_one("#change-picks", OptionList)
        picks.clear_options()
        if free is None:
            title.update(refusal or "")
            return
        money = self.desk.money
        options = self._options()
        what = "cars" if self._picking == "car" else "drivers"
        days = span(free.dates.start, free.dates.end)
        title.update(
            f"Free {what} {days} ({len(options)}) · ↑ ↓ in the "
            f"{'Car' if self._picking == 'car' else 'Driver'} field to pick"
            if options
            else f"No {what} free {days}."
        )
        current = self.booking.car_plate if self._picking == "car" else self.booking.driver_code
        picks.add_options(
            Option(
                f"{escape(o.key):<10} {escape(o.label)} · {money(o.daily_cents)}/day"
                + (" · booked now" if o.key == current else ""),
                id=o.key,
            )
            for o in options
        )

    def action_pick(self, step: int) -> None:
        """↑ ↓ in Car or Driver move through the free ones and put the highlighted one in."""
        field = self.focused
        if not isinstance(field, Input) or field.id != f"change-{self._picking}":
            return
        picks = self.query_one("#change-picks", OptionList)
        if picks.option_count == 0:
            return
        now = picks.highlighted
        if now is None:
            picks.highlighted = 0 if step > 0 else picks.option_count - 1
        else:
            picks.highlighted = (now + step) % picks.option_count
        self._fill(picks.highlighted)

    @on(OptionList.OptionSelected, "#change-picks")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self._fill(event.option_index)

    def _fill(self, index: int | None) -> None:
        options = self._options()
        if index is None or not 0 <= index < len(options):
            return
        field = self.query_one(f"#change-{self._picking}", Input)
        field.value = options[index].key
        field.cursor_position = len(field.value)
