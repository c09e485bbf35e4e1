"""Availability grids: cars × days and drivers × days over a 14- or 31-day window."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.message import Message
from textual.widgets import Input, Static

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.domain.parsing import parse_date
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.formatting import span
from nextcars_tui.tui.widgets.availability_grid import STATE_NAMES, AvailabilityGrid
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from nextcars_tui.services.availability import Grid
    from nextcars_tui.services.views import BookingDetail, BookingView

WINDOWS = (14, 31)
# The window opens a couple of days before today, so rentals in progress show their start.
DAYS_BEFORE_TODAY = 2


def add_months(day: date, months: int) -> date:
    """The same day of another month, or that month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_title(start: date, days: int) -> str:
    """'29 Nov–29 Dec 2026', or '20 Dec 2026–19 Jan 2027' across New Year: the year once."""
    end = start + timedelta(days=days)
    shown = span(start, end)
    last = end - timedelta(days=1)
    return shown if start.year != last.year else f"{shown} {last:%Y}"


class GridScreen(DeskScreen):
    """What both grids share: the window, its moves, the filter and the cursor's status."""

    KIND: ClassVar[str] = "car"
    NOUN: ClassVar[str] = "Cars"
    FILTER_HINT: ClassVar[str] = "filter"
    AUTO_FOCUS = "AvailabilityGrid"

    BINDINGS: ClassVar = [
        Binding("comma", "shift_days(-1)", "−day", show=False),
        Binding("full_stop", "shift_days(1)", "+day", show=False),
        # The moves by week and month are in the grid's legend line; the footer keeps room
        # for the rest.
        Binding("less_than_sign", "shift_days(-7)", "−week", show=False),
        Binding("greater_than_sign", "shift_days(7)", "+week", show=False),
        Binding("left_square_bracket", "shift_months(-1)", "−month", show=False),
        Binding("right_square_bracket", "shift_months(1)", "+month", show=False),
        Binding("t", "to_today", "Today"),
        Binding("g", "focus_date", "Go to date"),
        Binding("w", "toggle_window", "14/31 days"),
        Binding("slash", "focus_filter", "Filter", key_display="/"),
        Binding("escape", "leave_input", "Grid", show=False),
    ]

    class GridLoaded(Message):
        def __init__(self, token: int, grid: Grid) -> None:
            super().__init__()
            self.token = token
            self.grid = grid

    class SummaryLoaded(Message):
        def __init__(self, ref: str, detail: BookingDetail) -> None:
            super().__init__()
            self.ref = ref
            self.booking = detail.booking

    def __init__(self, text: str = "", start: date | None = None, days: int = 31) -> None:
        super().__init__()
        self._text = text
        self._start = start
        self._days = days if days in WINDOWS else WINDOWS[-1]
        self._load_token = 0
        self._summaries: dict[str, BookingView] = {}
        self._cursor_day: date | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with Horizontal(id="grid-bar"):
            yield Static("", id="grid-title")
            yield Input(self._text, placeholder=self.FILTER_HINT, id="grid-filter", compact=True)
            yield Input(placeholder="go to date (g)", id="grid-date", compact=True)
        grid = AvailabilityGrid(id="availability-grid")
        grid.hint = ",. day  <> week  [] month"
        yield grid
        yield Static("Loading…", id="grid-status", classes="status-line")
        yield KeyFooter()

    @property
    def grid_widget(self) -> AvailabilityGrid:
        return self.query_one(AvailabilityGrid)

    @property
    def start(self) -> date:
        if self._start is None:
            today = self.desk.today()
            self._start = today - timedelta(days=DAYS_BEFORE_TODAY)
            self._cursor_day = self._cursor_day or today
        return self._start

    @property
    def days(self) -> int:
        return self._days

    # -- loading ----------------------------------------------------------------------

    def reload(self) -> None:
        from nextcars_tui.domain.errors import ResourceKind
        from nextcars_tui.services.availability import availability_grid

        self._load_token += 1
        token = self._load_token
        self._summaries.clear()
        self._show_title()
        self.call_service(
            availability_grid,
            self.desk,
            self.actor,
            ResourceKind(self.KIND),
            self.start,
            self.days,
            self._text,
            reply=partial(self.GridLoaded, token),
            group="grid",
        )

    @on(GridLoaded)
    def _loaded(self, message: GridLoaded) -> None:
        grid = message.grid
        if message.token != self._load_token:
            return  # an older window or filter answered late
        self.grid_widget.show_grid(grid, self.desk.today(), cursor_day=self._cursor_day)
        self._cursor_day = None
        if not grid.rows:
            self._status(f"No {self.NOUN.lower()} match {escape(repr(self._text))}.")

    def _show_title(self) -> None:
        self.query_one("#grid-title", Static).update(
            f"[b]{self.NOUN}[/] {window_title(self.start, self.days)}"
        )

    def _status(self, markup: str) -> None:
        self.query_one("#grid-status", Static).update(markup)

    # -- moving the window ------------------------------------------------------------

    def _move_to(self, start: date, cursor_day: date | None = None) -> None:
        self._start = start
        self._cursor_day = cursor_day
        self.reload()

    def action_shift_days(self, days: int) -> None:
        cursor = self.grid_widget.cursor_day
        self._move_to(self.start + timedelta(days=days), cursor and cursor + timedelta(days=days))

    def action_shift_months(self, months: int) -> None:
        cursor = self.grid_widget.cursor_day
        self._move_to(add_months(self.start, months), cursor and add_months(cursor, months))

    def action_to_today(self) -> None:
        today = self.desk.today()
        self._move_to(today - timedelta(days=DAYS_BEFORE_TODAY), today)

    def action_toggle_window(self) -> None:
        self._days = WINDOWS[(WINDOWS.index(self._days) + 1) % len(WINDOWS)]
        self._move_to(self.start, self.grid_widget.cursor_day)

    @on(AvailabilityGrid.EdgeReached)
    def _edge(self, event: AvailabilityGrid.EdgeReached) -> None:
        self.action_shift_days(event.days)

    def action_focus_date(self) -> None:
        self.query_one("#grid-date", Input).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#grid-filter", Input).focus()

    def action_leave_input(self) -> None:
        if isinstance(self.focused, Input):
            self.grid_widget.focus()
        elif len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def _typed_date(self, text: str) -> date:
        return parse_date(
            text,
            "date to go to",
            today=self.desk.today(),
            order=self.desk.settings.business.dates,
        )

    @on(Input.Changed, "#grid-date")
    def _read_back_date(self, event: Input.Changed) -> None:
        """The date as the desk reads it, while it is typed: 3/4 is not left to guesswork."""
        if not event.value.strip():
            self._describe_cursor()
            return
        try:
            day = self._typed_date(event.value)
        except DeskError as error:
            self._status(f"[$text-muted]{escape(error.message)}[/]")
            return
        self._status(f"Go to [b]{day:%a %-d %b %Y}[/] — Enter")

    @on(Input.Submitted, "#grid-date")
    def _go_to_date(self, event: Input.Submitted) -> None:
        try:
            day = self._typed_date(event.value)
        except DeskError as error:
            self._status(f"[$error]{escape(error.message)}[/]")
            return
        event.input.value = ""
        self._move_to(day, day)
        self.grid_widget.focus()

    @on(Input.Changed, "#grid-filter")
    def _filter(self, event: Input.Changed) -> None:
        if event.value.strip() != self._text.strip():
            self._text = event.value
            self.reload()

    @on(Input.Submitted, "#grid-filter")
    def _filter_done(self) -> None:
        self.grid_widget.focus()

    # -- the cell under the cursor ----------------------------------------------------

    @on(AvailabilityGrid.CursorMoved)
    def _cursor_moved(self, event: AvailabilityGrid.CursorMoved) -> None:
        if isinstance(event, AvailabilityGrid.CellChosen):
            return
        self._describe_cursor()

    def _describe_cursor(self) -> None:
        widget = self.grid_widget
        cell, day, key = widget.cursor_cell, widget.cursor_day, widget.cursor_key
        if cell is None or day is None or key is None:
            return
        when = f"{day:%a %-d %b %Y}"
        row = widget.rows[widget.cursor_row]
        if cell.ref is None and row.retired:
            self._status(f"{escape(key)} · {when} · retired: takes no new bookings")
            return
        if cell.ref is None:
            hint = "Enter starts a booking" if day >= self.desk.today() else "in the past"
            self._status(f"{escape(key)} · {when} · [$text-muted]free[/] — {hint}")
            return
        if cell.blocked:
            self._status(
                f"[b]{cell.ref}[/] blocked · {escape(key)} · {when} · "
                f"{escape(cell.block_reason or '')}"
            )
            return
        state = STATE_NAMES[cell.status]
        summary = self._summaries.get(cell.ref)
        if summary is None:
            self._status(f"[b]{cell.ref}[/] {state} · {escape(key)} · {when} — Enter opens it")
            self._fetch_summary(cell.ref)
            return
        # The amount before the names: at 80 columns the end of the line is what gets cut.
        self._status(
            f"[b]{summary.ref}[/] {state} · {span(summary.start, summary.end)} · "
            f"{self.desk.money(summary.total_cents)} · {escape(summary.customer_name)} · "
            f"{escape(summary.car_plate)} + {escape(summary.driver_name)} — Enter opens it"
        )

    def _fetch_summary(self, ref: str) -> None:
        from nextcars_tui.services.booking import booking_record

        self.call_service(
            booking_record,
            self.desk,
            self.actor,
            ref,
            reply=partial(self.SummaryLoaded, ref),
            group="grid-summary",
        )

    @on(SummaryLoaded)
    def _summary_loaded(self, message: SummaryLoaded) -> None:
        self._summaries[message.ref] = message.booking
        cell = self.grid_widget.cursor_cell
        if cell is not None and cell.ref == message.ref:
            self._describe_cursor()

    @on(AvailabilityGrid.CellChosen)
    def _chosen(self, event: AvailabilityGrid.CellChosen) -> None:
        if event.row is None or event.cell is None:
            return
        if event.cell.blocked:
            self.notify(
                f"{event.row.key} is blocked: {event.cell.block_reason} ({event.cell.ref}).",
                title="Off the road" if self.KIND == "car" else "Off duty",
                markup=False,
            )
        elif event.cell.ref is not None:
            self.app.open_screen("booking", ref=event.cell.ref)
        elif event.row.retired:
            self.notify(
                f"{event.row.key} is retired and takes no new bookings.",
                severity="warning",
                markup=False,
            )
        elif event.day < self.desk.today():
            self.notify("That day has passed; pick today or a later day.", severity="warning")
        else:
            self.app.open_screen("new-booking", start=event.day, **{self.KIND: event.row.key})


class CarGridScreen(GridScreen):
    """Cars × days."""

    KIND = "car"
    NOUN = "Cars"
    FILTER_HINT = "filter: plate, make, model"


class DriverGridScreen(GridScreen):
    """Drivers × days."""

    KIND = "driver"
    NOUN = "Drivers"
    FILTER_HINT = "filter: code, name, phone"
