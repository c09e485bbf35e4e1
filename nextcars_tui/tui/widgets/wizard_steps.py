"""The booking wizard's steps: each owns its fields and says what was chosen by message;
the wizard screen calls the services and moves between steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Protocol

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from nextcars_tui.domain.dates import DateRange, parse_date, parse_days
from nextcars_tui.domain.errors import DeskError

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
    """Start date and day count, checked as typed, with the end date spelled out."""

    class Accepted(Message):
        def __init__(self, dates: DateRange) -> None:
            super().__init__()
            self.dates = dates

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="wizard-step")
        self._today = date.min
        self._max_days = 1

    def compose(self) -> ComposeResult:
        yield Static("When? The car is collected on the start date.", classes="step-hint")
        with Horizontal(id="date-fields"):
            yield Label("Start", classes="field-label")
            yield Input(placeholder="YYYY-MM-DD", id="start-date")
            yield Label("Days", classes="field-label")
            yield Input(placeholder="1", id="day-count", type="integer")
        yield Static("", id="dates-summary")
        yield StepError(id="dates-error")

    def configure(self, today: date, max_days: int, start: date | None, days: int = 1) -> None:
        self._today = today
        self._max_days = max_days
        self.query_one("#start-date", Input).value = (start or today).isoformat()
        self.query_one("#day-count", Input).value = str(days)
        self.check()

    def check(self) -> DateRange | None:
        """The dates typed so far, or None with the reason shown inline."""
        start_text = self.query_one("#start-date", Input).value
        days_text = self.query_one("#day-count", Input).value
        summary = self.query_one("#dates-summary", Static)
        try:
            start = parse_date(start_text)
            days = parse_days(days_text, self._max_days)
            if start < self._today:
                raise DeskError(f"{long_date(start)} is in the past; today is {self._today}.")
        except DeskError as error:
            summary.update("")
            self.query_one("#dates-error", StepError).show(error.message)
            return None
        dates = DateRange(start, days)
        self.query_one("#dates-error", StepError).show("")
        plural = "day" if days == 1 else "days"
        summary.update(
            f"[b]{long_date(start)}[/] → last day [b]{long_date(dates.last_day)}[/]"
            f" · {days} {plural}\n[$text-muted]The car is back on {long_date(dates.end)}.[/]"
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
        if dates is not None:
            self.post_message(self.Accepted(dates))


class ResourceStep(Vertical):
    """Every car (or driver) for the chosen dates: free ones selectable, busy ones dimmed
    with the booking that holds them."""

    class Chosen(Message):
        def __init__(self, kind: str, option: ResourceOption) -> None:
            super().__init__()
            self.kind = kind
            self.option = option

    def __init__(self, kind: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="wizard-step")
        self.kind = kind
        self._options: list[ResourceOption] = []
        self._money: Callable[[int], str] = str
        self._chosen: str | None = None

    def compose(self) -> ComposeResult:
        noun = "car" if self.kind == "car" else "driver"
        hint = "plate, make, model" if self.kind == "car" else "code, name"
        yield Static(f"Which {noun}?", id=f"{self.kind}-hint", classes="step-hint")
        yield Input(placeholder=f"filter: {hint}", id=f"{self.kind}-filter", compact=True)
        yield OptionList(id=f"{self.kind}-options")
        yield StepError(id=f"{self.kind}-error")

    @property
    def option_list(self) -> OptionList:
        return self.query_one(f"#{self.kind}-options", OptionList)

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
        noun = "cars" if self.kind == "car" else "drivers"
        self.query_one(f"#{self.kind}-hint", Static).update(
            f"[b]{free} of {len(options)} {noun} free[/] for {dates} "
            "[$text-muted](dimmed: busy, with the booking that holds them)[/]"
        )
        self._fill()

    def _fill(self) -> None:
        needle = self.query_one(f"#{self.kind}-filter", Input).value.strip().lower()
        shown = [
            option
            for option in self._options
            if not needle or needle in option.key.lower() or needle in option.label.lower()
        ]
        per_day = "/day"
        prompts = []
        for option in shown:
            label = option.label if len(option.label) <= 30 else option.label[:29] + "…"
            head = f"{option.key:<8} {label:<30} "
            if option.free:
                tail = f"{self._money(option.daily_cents)}{per_day}"
            else:
                tail = f"busy {option.clash_ref} {option.clash_days}"
            prompts.append(Option(escape(head + tail), id=option.key, disabled=not option.free))
        option_list = self.option_list
        option_list.set_options(prompts)
        keys = [option.key for option in shown]
        if self._chosen in keys:
            option_list.highlighted = keys.index(self._chosen)
        else:
            first_free = next((i for i, option in enumerate(shown) if option.free), None)
            option_list.highlighted = first_free

    @property
    def highlighted(self) -> ResourceOption | None:
        option = self.option_list.highlighted_option
        if option is None or option.disabled:
            return None
        return next((o for o in self._options if o.key == option.id), None)

    def show_error(self, message: str) -> None:
        self.query_one(f"#{self.kind}-error", StepError).show(message)

    def focus_first(self) -> None:
        self.option_list.focus()

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self._fill()

    @on(Input.Submitted)
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.option_list.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.accept()

    def accept(self) -> None:
        if self.option_list.loading:
            return  # the list on screen is for other dates; wait for the fresh one
        option = self.highlighted
        if option is None:
            noun = "car" if self.kind == "car" else "driver"
            self.show_error(f"Choose a free {noun}; the dimmed ones are booked on these dates.")
            return
        self.post_message(self.Chosen(self.kind, option))


class ReviewStep(Vertical):
    """The price breakdown and the one button that writes."""

    def compose(self) -> ComposeResult:
        yield Static("", id="review-body")
        yield Button("Confirm booking", variant="success", id="confirm-booking")
        yield StepError(id="review-error")

    def show(self, body: str) -> None:
        self.query_one("#review-body", Static).update(body)
        self.show_error("")

    def show_error(self, message: str) -> None:
        self.query_one("#review-error", StepError).show(message)

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
    car_cents = dates.days * car.daily_cents
    driver_cents = dates.days * driver.daily_cents
    plural = "day" if dates.days == 1 else "days"
    rows = [
        ("Car", f"{dates.days} {plural} × {fmt(car.daily_cents)}", fmt(car_cents)),
        ("Driver", f"{dates.days} {plural} × {fmt(driver.daily_cents)}", fmt(driver_cents)),
    ]
    total = fmt(car_cents + driver_cents)
    width = max(len(total), *(len(amount) for _, _, amount in rows))
    lines = [
        f"[b]Customer[/]  {escape(customer.name)} · {customer.email} · {escape(customer.phone)}",
        f"[b]Dates[/]     {long_date(dates.start)} → {long_date(dates.last_day)} "
        f"({dates.days} {plural}; back {long_date(dates.end)})",
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
