"""The job sheet on screen: its fields in the wizard and the change dialog (checked as typed
by the domain's own parser), and how a booking's job sheet reads on a card or a driver's list."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Input, Label

from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.job_sheet import JobSheet, parse_job_sheet
from nextcars_tui.domain.parsing import MAX_NOTES, MAX_PLACE

if TYPE_CHECKING:
    from nextcars_tui.services.views import BookingView, DriverJobView

# The parsers' field names (InvalidInput.field) → the request's names, in screen order.
FIELDS: dict[str, str] = {
    "pickup time": "pickup_time",
    "passengers": "passengers",
    "pickup place": "pickup",
    "drop-off place": "dropoff",
    "notes": "notes",
}
_LABELS = {
    "pickup_time": "Pickup time",
    "passengers": "Passengers",
    "pickup": "Pickup at",
    "dropoff": "Drop-off",
    "notes": "Notes",
}
_HINTS = {
    "pickup_time": "HH:MM",
    "passengers": "how many",
    "pickup": "e.g. Heathrow T5",
    "dropoff": "e.g. The Savoy",
    "notes": "flight, child seat…",
}
_LIMITS = {"pickup_time": 5, "passengers": 2, "pickup": MAX_PLACE, "dropoff": MAX_PLACE}


def sheet_values(booking: BookingView) -> dict[str, str]:
    """A booking's job sheet as the fields show it: '' where a part is not set."""
    return {
        name: "" if getattr(booking, name) is None else str(getattr(booking, name))
        for name in FIELDS.values()
    }


class JobSheetFields(Grid):
    """Pickup time, passengers, pickup and drop-off places, notes: all optional. A value the
    domain refuses marks its field (-invalid) as it is typed; `check()` says why."""

    DEFAULT_CSS = """
    JobSheetFields {
        grid-size: 4;
        grid-columns: 12 1fr 12 1fr;
        grid-rows: 1;
        grid-gutter: 0 1;
        height: auto;
        & > Label { color: $text-muted; }
        & > #job-notes { column-span: 3; }
        & > Input.-invalid { color: $text-error; text-style: bold underline; }
    }
    """

    ORDER: ClassVar = ("pickup_time", "passengers", "pickup", "dropoff", "notes")

    def __init__(
        self,
        values: dict[str, str] | None = None,
        *,
        id: str | None = None,
        submit_last: bool = False,
    ) -> None:
        super().__init__(id=id)
        self._initial = values or {}
        # Enter on the last field goes on to the container (the change dialog saves on it)
        # instead of moving the cursor on.
        self._submit_last = submit_last

    def compose(self) -> ComposeResult:
        for name in self.ORDER:
            yield Label(_LABELS[name])
            yield Input(
                self._initial.get(name, ""),
                placeholder=_HINTS[name],
                max_length=_LIMITS.get(name, MAX_NOTES),
                id=self.input_id(name),
                compact=True,
            )

    @staticmethod
    def input_id(name: str) -> str:
        return f"job-{name.replace('_', '-')}"

    def field(self, name: str) -> Input:
        return self.query_one(f"#{self.input_id(name)}", Input)

    @property
    def values(self) -> dict[str, str]:
        return {name: self.field(name).value for name in self.ORDER}

    def check(self) -> tuple[JobSheet | None, InvalidInput | None]:
        """The job sheet as typed, or the first refusal (its field marked)."""
        for name in self.ORDER:
            self.field(name).remove_class("-invalid")
        try:
            sheet = parse_job_sheet(**self.values)
        except InvalidInput as error:
            self.mark(error.field)
            return None, error
        return sheet, None

    def mark(self, parser_field: str | None) -> Input | None:
        """Mark the field a refusal names (by the parser's field name); None if not ours."""
        name = FIELDS.get(parser_field or "")
        if name is None:
            return None
        field = self.field(name)
        field.add_class("-invalid")
        return field

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        """Mark or clear the field as it is typed, without saying more than the mark."""
        name = next((n for n in self.ORDER if self.input_id(n) == event.input.id), None)
        if name is None:
            return
        try:
            parse_job_sheet(**{name: event.value})
        except InvalidInput:
            event.input.add_class("-invalid")
        else:
            event.input.remove_class("-invalid")

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """Enter moves on to the next field; from the last one, on to what follows (or, with
        `submit_last`, the Enter goes on to the container)."""
        if self._submit_last and event.input.id == self.input_id(self.ORDER[-1]):
            return
        event.stop()
        self.screen.focus_next()


def job_sheet_card(booking: BookingView) -> Text:
    """The booking's job sheet for its record: a label and value a line, or how to add one."""
    rows = [
        ("Pickup", " ".join(p for p in (booking.pickup_time, booking.pickup) if p)),
        ("Drop-off", booking.dropoff or ""),
        ("Passengers", "" if booking.passengers is None else str(booking.passengers)),
        ("Notes", booking.notes or ""),
    ]
    shown = [(label, value) for label, value in rows if value]
    if not shown:
        return Text("No job sheet yet: Change (e) adds pickup time, places, passengers.", "italic")
    text = Text()
    for number, (label, value) in enumerate(shown):
        text.append(f"{label:<11}", style="bold")
        text.append(value + ("\n" if number + 1 < len(shown) else ""))
    return text


def job_lines(booking: BookingView | DriverJobView) -> Text | None:
    """Where and for how many, then the notes, for a driver's list; None with no job sheet."""
    where = ""
    if booking.pickup and booking.dropoff:
        where = f"{booking.pickup} → {booking.dropoff}"
    elif booking.pickup or booking.dropoff:
        where = f"from {booking.pickup}" if booking.pickup else f"to {booking.dropoff}"
    parts = [where] if where else []
    if booking.passengers is not None:
        parts.append(f"{booking.passengers} passenger{'s' if booking.passengers != 1 else ''}")
    if not parts and not booking.notes:
        return None
    text = Text(" · ".join(parts))
    if booking.notes:
        text.append(("\n" if parts else "") + f"Notes: {booking.notes}", style="italic")
    return text
