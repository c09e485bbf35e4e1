"""Bookings: every booking, filtered, sorted and paged in SQL, one page on screen at a time."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import DataTable, Input, Select, Static

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.domain.statuses import BookingStatus
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.formatting import money_cell, span, status_text
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter
from nextcars_tui.tui.widgets.paging import PAGE_BINDINGS, PageKeys, Paging
from nextcars_tui.tui.widgets.record_table import FittedTable, TableColumn

if TYPE_CHECKING:
    from nextcars_tui.services.views import BookingView, Page

SEARCH_DELAY = 0.3  # seconds of quiet typing before the list is fetched again


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: str | None = None  # BookingFilter.sort key, or None when SQL cannot sort by it
    drop: int = 0  # left out on a narrow terminal, highest first (see TableColumn)
    shrink: int = 0  # a name that may be shortened with "…" down to this width


# What a clerk needs to tell bookings apart stays at any width; the rest comes with room.
COLUMNS: tuple[Column, ...] = (
    Column("ref", "Ref", "ref"),
    Column("status", "Status", "status"),
    Column("customer", "Customer", "customer", shrink=10),
    Column("email", "E-mail", drop=9, shrink=16),
    Column("car", "Car", "car"),
    Column("model", "Model", drop=7, shrink=10),
    Column("driver", "Driver", "driver", drop=1),
    Column("driver-name", "Driver name", drop=8, shrink=10),
    Column("dates", "Dates", "start"),
    Column("days", "Days", drop=5),
    Column("total", "Total", "total"),
    Column("invoice", "Invoice", drop=6),
)
SORTS: tuple[str, ...] = tuple(c.sort for c in COLUMNS if c.sort)
SORT_NAMES = {c.sort: c.label.lower() for c in COLUMNS if c.sort}
STATUS_CHOICES: list[tuple[str, str]] = [
    ("All statuses", ""),
    *((s.value.title(), s.value) for s in BookingStatus),
]


class BookingsScreen(PageKeys, DeskScreen):
    """Filter by status and by text over ref, customer, plate and driver; sort by any
    column the database can sort; page through with n/p or PgDn/PgUp at the page's end."""

    TITLE = "Bookings"
    AUTO_FOCUS = "#bookings-table"
    PAGE_SIZE: ClassVar[int] = 50
    BINDINGS: ClassVar = [
        Binding("slash", "focus_search", "Search"),
        Binding("s", "cycle_sort", "Sort"),
        Binding("o", "flip_order", "Order"),
        *PAGE_BINDINGS,
        Binding("r", "refresh", "Refresh", show=False),
        Binding("escape", "back", "Back"),
    ]

    class PageLoaded(Message):
        def __init__(self, generation: int, page: Page[BookingView]) -> None:
            super().__init__()
            self.generation = generation
            self.page = page

    # What the list shows: a status ("" for all) and an order (sort key, descending). Each
    # change starts again from the first page.
    status_filter: reactive[str] = reactive("", init=False)
    order: reactive[tuple[str, bool]] = reactive(("start", True), init=False)

    def __init__(self, text: str = "", status: str = "") -> None:
        super().__init__()
        self.search_text = text
        self.set_reactive(BookingsScreen.status_filter, status)
        # Latest start first: what a clerk looks for is upcoming or under way, not 2019.
        self.set_reactive(BookingsScreen.order, ("start", True))
        self.paging = Paging(size=self.PAGE_SIZE)
        self.bookings: list[BookingView] = []
        self._generation = 0
        self._caption = ""
        self._search_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with Horizontal(classes="filters", id="bookings-filters"):
            yield Select(
                STATUS_CHOICES,
                value=self.status_filter,
                allow_blank=False,
                id="bookings-status-filter",
            )
            yield Input(
                self.search_text,
                placeholder="/ search ref, customer, e-mail, plate, driver",
                id="bookings-search",
            )
        yield FittedTable(id="bookings-table")
        yield Static("Loading…", classes="status-line", id="bookings-caption")
        yield KeyFooter()

    # -- data -------------------------------------------------------------------------

    def reload(self) -> None:
        from nextcars_tui.services.listings import BookingFilter, list_bookings

        self._generation += 1
        generation = self._generation
        self.query_one("#bookings-caption", Static).update(
            f"{self._caption} · loading…" if self._caption else "Loading…"
        )
        wanted = BookingFilter(
            statuses=(BookingStatus(self.status_filter),) if self.status_filter else (),
            text=self.search_text.strip(),
            sort=self.sort,
            descending=self.descending,
            limit=self.paging.size,
            offset=self.paging.offset,
        )

        self.call_service(
            list_bookings,
            self.desk,
            self.actor,
            wanted,
            reply=partial(self.PageLoaded, generation),
        )

    @on(PageLoaded)
    def _show(self, message: PageLoaded) -> None:
        if message.generation != self._generation:
            return  # an answer to filters or a sort that have changed since
        page = message.page
        if self.paging.settle(page.total):
            self.reload()  # rows vanished under this page: fetch the last page that exists
            return
        self.bookings = page.items
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#bookings-table", FittedTable)
        columns: list[TableColumn] = []
        for column in COLUMNS:
            label = Text(column.label)
            if column.sort == self.sort:
                label.append(" ▼" if self.descending else " ▲", style="bold")
            columns.append(TableColumn(column.key, label, column.drop, column.shrink))
        money = self.desk.money
        rows = [
            (
                b.ref,
                {
                    "ref": b.ref,
                    "status": status_text(b.status.value),
                    "customer": b.customer_name,
                    "email": b.customer_email,
                    "car": b.car_plate,
                    "model": b.car_name,
                    "driver": b.driver_code,
                    "driver-name": b.driver_name,
                    "dates": span(b.start, b.end),
                    "days": Text(str(b.days), justify="right"),
                    "total": money_cell(money(b.total_cents)),
                    "invoice": status_text(b.invoice.status.value),
                },
            )
            for b in self.bookings
        ]
        table.show(columns, rows)
        order = "descending" if self.descending else "ascending"
        self._caption = (
            f"{self.paging.caption(len(self.bookings))} · sorted by {SORT_NAMES[self.sort]} "
            f"({order}) · Enter opens"
        )
        self.query_one("#bookings-caption", Static).update(self._caption)

    def service_failed(self, group: str, error: DeskError) -> None:
        self.app.show_error(error)
        self._fill()

    def paged_table(self) -> DataTable[object]:
        return self.query_one("#bookings-table", DataTable)

    # -- filters ----------------------------------------------------------------------

    @on(Select.Changed, "#bookings-status-filter")
    def _status_chosen(self, event: Select.Changed) -> None:
        status = "" if event.value is Select.NULL else str(event.value)
        self.status_filter = status

    @on(Input.Changed, "#bookings-search")
    def _typed(self, event: Input.Changed) -> None:
        if event.value == self.search_text:
            return  # the initial value (e.g. from the palette) is already in the first fetch
        self.search_text = event.value
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._search_now)

    @on(Input.Submitted, "#bookings-search")
    def _submitted(self) -> None:
        self._search_now()
        self.query_one("#bookings-table", DataTable).focus()

    def _search_now(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        self.paging.first()
        self.reload()

    def action_focus_search(self) -> None:
        self.query_one("#bookings-search", Input).focus()

    # -- sorting ----------------------------------------------------------------------

    @on(DataTable.HeaderSelected, "#bookings-table")
    def _header_pressed(self, event: DataTable.HeaderSelected) -> None:
        column = next(c for c in COLUMNS if c.key == event.column_key.value)
        if column.sort is None:
            self.notify(f"The list cannot be sorted by {column.label.lower()}.", timeout=3)
            return
        self.sort_by(column.sort, not self.descending if column.sort == self.sort else False)

    def action_cycle_sort(self) -> None:
        following = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.sort_by(following, False)

    def action_flip_order(self) -> None:
        self.sort_by(self.sort, not self.descending)

    def sort_by(self, sort: str, descending: bool) -> None:
        self.order = (sort, descending)

    @property
    def sort(self) -> str:
        return self.order[0]

    @property
    def descending(self) -> bool:
        return self.order[1]

    def watch_status_filter(self) -> None:
        self.paging.first()
        self.reload()

    def watch_order(self) -> None:
        self.paging.first()
        self.reload()

    # -- opening and leaving ----------------------------------------------------------

    @on(DataTable.RowSelected, "#bookings-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_screen("booking", ref=event.row_key.value)

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        if not isinstance(self.focused, DataTable):
            self.query_one("#bookings-table", DataTable).focus()
        elif len(self.app.screen_stack) > 2:
            self.app.pop_screen()
