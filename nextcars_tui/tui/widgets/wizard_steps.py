"""The booking wizard's steps: each owns its fields and says what was chosen by message;
the wizard screen calls the services and moves between steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, ClassVar, Protocol

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from nextcars_tui.domain.dates import DateRange
from nextcars_tui.domain.errors import DeskError
from nextcars_tui.domain.parsing import (
    DateOrder,
    check_booking_start,
    date_forms,
    parse_date,
    parse_days,
)
from nextcars_tui.domain.pricing import Quote
from nextcars_tui.tui.formatting import count
from nextcars_tui.tui.widgets.job_sheet import JobSheetFields

if TYPE_CHECKING:
    from nextcars_tui.services.availability import ResourceOption
    from nextcars_tui.services.fleet import CustomerView


class WizardStep(Protocol):
    """What the wizard asks of every step: focus its first field, and go on (Enter/Next)."""

    def focus_first(self) -> None: ...

    def accept(self) -> None: ...


def long_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


class StepError(Static):
    """A step's error line; empty (and taking no room) when all is well."""

    DEFAULT_CSS = """
    StepError {
        color: $error;
        height: auto;
        display: none;
        &.-shown { display: block; }
    }
    """

    def show(self, message: str) -> None:
        self.update(escape(message))
        self.set_class(bool(message), "-shown")


class DatesStep(Vertical):
    """Start date and day count, checked as typed: the date each field is read as is shown
    beside it, and the whole span below."""

    class Accepted(Message):
        def __init__(self, dates: DateRange) -> None:
            super().__init__()
            self.dates = dates

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="wizard-step")
        self._today = date.min
        self._max_days = 1
        self._order = DateOrder.DMY
        self._horizon_days = 730
        self._fault: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("When? The car is collected on the start date.", id="dates-hint")
        with Horizontal(id="date-fields"):
            yield Label("Start", classes="field-label")
            yield Input(placeholder="YYYY-MM-DD", id="start-date")
            yield Label("", id="start-date-preview", classes="field-preview")
            yield Label("Days", classes="field-label")
            yield Input(placeholder="1", id="day-count")
        yield Static("", id="dates-summary")
        yield StepError(id="dates-error")

    def configure(
        self,
        today: date,
        max_days: int,
        start: date | None,
        days: int = 1,
        *,
        order: DateOrder = DateOrder.DMY,
        horizon_days: int = 730,
    ) -> None:
        self._today = today
        self._max_days = max_days
        self._order = order
        self._horizon_days = horizon_days
        self.query_one("#dates-hint", Static).update(
            f"When? The car is collected on the start date: {date_forms(order)}."
        )
        self.query_one("#start-date", Input).value = (start or today).isoformat()
        self.query_one("#day-count", Input).value = str(days)
        self.check()

    @property
    def typed(self) -> tuple[str, str]:
        """The start and day count as typed."""
        return (
            self.query_one("#start-date", Input).value,
            self.query_one("#day-count", Input).value,
        )

    def check(self) -> DateRange | None:
        """The dates typed so far, or None with the reason shown inline."""
        start_text, days_text = self.typed
        summary = self.query_one("#dates-summary", Static)
        preview = self.query_one("#start-date-preview", Label)
        self._fault = "#start-date"
        preview.update("?")
        try:
            start = parse_date(start_text, "start date", today=self._today, order=self._order)
            preview.update(long_date(start))
            check_booking_start(start, today=self._today, horizon_days=self._horizon_days)
            self._fault = "#day-count"
            days = parse_days(days_text, self._max_days)
            dates = DateRange(start, days)
        except DeskError as error:
            summary.update("")
            self.query_one("#dates-error", StepError).show(error.message)
            return None
        self._fault = None
        self.query_one("#dates-error", StepError).show("")
        summary.update(
            f"[b]{long_date(start)}[/] → last day [b]{long_date(dates.last_day)}[/]"
            f" · {count(days, 'day')}\n"
            f"[$text-muted]The car is back on {long_date(dates.end)}.[/]"
        )
        return dates

    def focus_first(self) -> None:
        self.query_one("#start-date", Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.check()

    @on(Input.Submitted, "#start-date")
    def _to_days(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#day-count", Input).focus()

    @on(Input.Submitted, "#day-count")
    def _accept(self, event: Input.Submitted) -> None:
        event.stop()
        self.accept()

    def accept(self) -> None:
        dates = self.check()
        if dates is None:
            # Enter on a bad value keeps everything and puts the cursor on the field at fault.
            if self._fault is not None:
                self.query_one(self._fault, Input).focus()
            return
        self.post_message(self.Accepted(dates))


def _squeezed(text: str) -> str:
    """A plate or code as clerks type it: case, spaces and dashes do not matter."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


class ResourceStep(Vertical):
    """Every car (or driver) for the chosen dates: free ones to choose, busy ones dimmed
    with the booking that holds them. The cursor starts in the filter: typing narrows the
    list at once, the arrows move through it, Enter takes the highlighted one (or the only
    match); Enter on a busy one says why it cannot be chosen."""

    BINDINGS: ClassVar = [
        Binding("down", "move('down')", "Next", show=False),
        Binding("up", "move('up')", "Previous", show=False),
        Binding("pagedown", "move('page_down')", "Page down", show=False),
        Binding("pageup", "move('page_up')", "Page up", show=False),
    ]

    class Chosen(Message):
        def __init__(self, kind: str, option: ResourceOption) -> None:
            super().__init__()
            self.kind = kind
            self.option = option

    def __init__(self, kind: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="wizard-step")
        self.kind = kind
        self._options: list[ResourceOption] = []
        self._shown: list[ResourceOption] = []
        self._money: Callable[[int], str] = str
        self._chosen: str | None = None

    @property
    def noun(self) -> str:
        return "car" if self.kind == "car" else "driver"

    def compose(self) -> ComposeResult:
        hint = "plate, make, model" if self.kind == "car" else "code, name"
        yield Static(f"Which {self.noun}?", id=f"{self.kind}-hint", classes="step-hint")
        yield Input(
            placeholder=f"type to filter: {hint}",
            id=f"{self.kind}-filter",
            compact=True,
            select_on_focus=False,
        )
        yield OptionList(id=f"{self.kind}-options")
        yield StepError(id=f"{self.kind}-error")

    @property
    def option_list(self) -> OptionList:
        return self.query_one(f"#{self.kind}-options", OptionList)

    @property
    def filter_input(self) -> Input:
        return self.query_one(f"#{self.kind}-filter", Input)

    def show_options(
        self,
        options: list[ResourceOption],
        dates: DateRange,
        chosen: str | None,
        money: Callable[[int], str],
    ) -> None:
        self._options = options
        self._money = money
        self._chosen = chosen
        free = sum(option.free for option in options)
        self.query_one(f"#{self.kind}-hint", Static).update(
            f"[b]{free} of {count(len(options), self.noun)} free[/] for {dates} "
            "[$text-muted](dimmed: busy, with the booking or block that holds them)[/]"
        )
        self._fill()

    def _fill(self) -> None:
        needle = self.filter_input.value.strip().lower()
        squeezed = _squeezed(needle)
        shown = [
            option
            for option in self._options
            if not needle
            or needle in option.label.lower()
            or (squeezed and squeezed in _squeezed(option.key))
        ]
        self._shown = shown
        prompts = []
        for option in shown:
            label = option.label if len(option.label) <= 30 else option.label[:29] + "…"
            head = f"{option.key:<8} {label:<30} "
            if option.free:
                tail = f"{self._money(option.daily_cents)}/day"
                prompts.append(Option(escape(head + tail), option.key))
            else:
                # Dimmed, and marked in words too, so it reads without colour.
                prompts.append(Option(Text(head + busy_text(option), style="dim"), option.key))
        option_list = self.option_list
        option_list.set_options(prompts)
        keys = [option.key for option in shown]
        if self._chosen in keys:
            option_list.highlighted = keys.index(self._chosen)
        else:
            first_free = next((i for i, option in enumerate(shown) if option.free), None)
            option_list.highlighted = (
                first_free if first_free is not None else (0 if shown else None)
            )

    def option(self, key: str) -> ResourceOption | None:
        return next((o for o in self._options if o.key == key), None)

    @property
    def highlighted(self) -> ResourceOption | None:
        """The option under the cursor, free or busy."""
        option = self.option_list.highlighted_option
        if option is None:
            return None
        return self.option(option.id or "")

    def show_error(self, message: str) -> None:
        self.query_one(f"#{self.kind}-error", StepError).show(message)

    def focus_first(self) -> None:
        self.filter_input.focus()

    def action_move(self, how: str) -> None:
        """Move the list's cursor while typing in the filter."""
        options = self.option_list
        moves = {
            "up": options.action_cursor_up,
            "down": options.action_cursor_down,
            "page_up": options.action_page_up,
            "page_down": options.action_page_down,
        }
        moves[how]()

    def on_key(self, event: events.Key) -> None:
        """Typing with the cursor in the list goes to the filter, as if it were there."""
        if self.option_list.has_focus and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            field = self.filter_input
            field.focus()
            field.insert_text_at_cursor(event.character)

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self._fill()

    @on(Input.Submitted)
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.accept()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.accept()

    def accept(self) -> None:
        if self.option_list.loading:
            return  # the list on screen is for other dates; wait for the fresh one
        if len(self._shown) == 1:
            option: ResourceOption | None = self._shown[0]
        else:
            option = self.highlighted
        if option is None:
            typed = self.filter_input.value.strip()
            if typed:
                self.show_error(f"No {self.noun} matches {typed!r}; clear the filter to see all.")
            else:
                self.show_error(f"Choose a free {self.noun} from the list.")
            return
        if not option.free:
            held = (
                f"blocked {option.clash_days} ({option.clash_ref}: {option.block_reason})"
                if option.block_reason is not None
                else f"booked {option.clash_days} ({option.clash_ref})"
            )
            self.show_error(
                f"{option.key} cannot be chosen: it is {held}. Choose a free {self.noun}."
            )
            return
        self.post_message(self.Chosen(self.kind, option))


def busy_text(option: ResourceOption) -> str:
    """Why a car or driver cannot be chosen, in words: the block's reason, or the booking."""
    if option.block_reason is not None:
        return f"blocked: {option.block_reason} {option.clash_days}"
    return f"busy {option.clash_ref} {option.clash_days}"


class ReviewStep(VerticalScroll):
    """The price breakdown, the optional job sheet and the one button that writes."""

    def compose(self) -> ComposeResult:
        yield Static("", id="review-body")
        yield Static(
            "Job sheet [$text-muted](optional; Shift+Tab to fill in)[/]", id="review-job-title"
        )
        yield JobSheetFields(id="review-job")
        yield Button("Confirm booking", variant="success", id="confirm-booking", compact=True)
        yield StepError(id="review-error")

    @property
    def job_sheet(self) -> JobSheetFields:
        return self.query_one(JobSheetFields)

    def show(self, body: str) -> None:
        self.query_one("#review-body", Static).update(body)
        self.show_error("")

    def show_error(self, message: str, field: str | None = None) -> None:
        """Say why; a refusal that names a job-sheet field marks it and takes the cursor there."""
        self.query_one("#review-error", StepError).show(message)
        marked = self.job_sheet.mark(field)
        if marked is not None:
            marked.focus()

    def focus_first(self) -> None:
        self.query_one("#confirm-booking", Button).focus()

    def accept(self) -> None:
        self.query_one("#confirm-booking", Button).press()


def review_text(
    *,
    customer: CustomerView,
    dates: DateRange,
    car: ResourceOption,
    driver: ResourceOption,
    money: Callable[[int], str],
    due: date,
) -> str:
    """The review as content markup: who, when, what, and days × rate = total."""
    fmt = money
    quote = Quote(dates.days, car.daily_cents, driver.daily_cents)
    car_cents, driver_cents = quote.car_cents, quote.driver_cents
    days = count(dates.days, "day")
    rows = [
        ("Car", f"{days} × {fmt(car.daily_cents)}", fmt(car_cents)),
        ("Driver", f"{days} × {fmt(driver.daily_cents)}", fmt(driver_cents)),
    ]
    total = fmt(quote.total_cents)
    width = max(len(total), *(len(amount) for _, _, amount in rows))
    lines = [
        f"[b]Customer[/]  {escape(customer.name)} · {escape(customer.email)} · "
        f"{escape(customer.phone)}",
        f"[b]Dates[/]     {long_date(dates.start)} → {long_date(dates.last_day)} "
        f"({days}; back {long_date(dates.end)})",
        f"[b]Car[/]       {escape(car.key)} {escape(car.label)}",
        f"[b]Driver[/]    {escape(driver.key)} {escape(driver.label)}",
        "",
    ]
    for what, sum_text, amount in rows:
        lines.append(f"{what:<10}{sum_text:<26}{amount:>{width}}")
    lines.append(" " * 36 + "─" * width)
    lines.append(f"[b]{'Total':<36}{total:>{width}}[/]")
    lines.append("")
    lines.append(f"Invoice due [b]{long_date(due)}[/] [$text-muted](unpaid until checkout)[/]")
    return "\n".join(lines)
