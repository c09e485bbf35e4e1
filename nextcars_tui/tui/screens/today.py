"""Today: pickups, returns, rentals in progress, holds about to expire, money due soon."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.formatting import span, status_text, time_left

if TYPE_CHECKING:
    from nextcars_tui.services.today import TodayBoard
    from nextcars_tui.services.views import BookingView

_BOOKING_COLUMNS = ("Ref", "Customer", "Car", "Driver", "Days", "Status")
_TABLES = ("pickups", "returns", "in-progress", "holds", "due-soon")


class TodayScreen(DeskScreen):
    """The staff and manager home."""

    BINDINGS: ClassVar = [
        Binding("n", "new_booking", "New booking"),
        Binding("r", "refresh", "Refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="today-summary")
        with TabbedContent(id="today-tabs"):
            for table_id, title in zip(
                _TABLES, ("Pickups", "Returns", "In progress", "Holds", "Due soon"), strict=True
            ):
                with TabPane(title, id=f"tab-{table_id}"):
                    yield DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        for table_id in ("pickups", "returns", "in-progress"):
            self.query_one(f"#{table_id}", DataTable).add_columns(*_BOOKING_COLUMNS)
        self.query_one("#holds", DataTable).add_columns(
            "Ref", "Customer", "Car", "Days", "Expires in"
        )
        self.query_one("#due-soon", DataTable).add_columns(
            "Invoice", "Booking", "Customer", "Amount", "Due"
        )
        super().on_mount()

    def reload(self) -> None:
        from nextcars_tui.services.today import today_board

        self.call_service(today_board, self.desk, self.actor, on_done=self._show, group="today")

    def _show(self, board: TodayBoard) -> None:
        self._fill_bookings("pickups", board.pickups)
        self._fill_bookings("returns", board.returns)
        self._fill_bookings("in-progress", board.in_progress)
        now = self.desk.now()
        holds = self.query_one("#holds", DataTable)
        holds.clear()
        for hold in board.holds:
            b = hold.booking
            holds.add_row(
                b.ref,
                b.customer_name,
                b.car_plate,
                span(b.start, b.end),
                time_left(hold.expires_at, now),
                key=b.ref,
            )
        due = self.query_one("#due-soon", DataTable)
        due.clear()
        for invoice in board.due_soon:
            due.add_row(
                invoice.ref,
                invoice.booking_ref,
                invoice.customer_name,
                self.desk.money(invoice.amount_cents),
                f"{invoice.due:%d %b}",
                key=invoice.booking_ref,
            )
        counts = (
            len(board.pickups),
            len(board.returns),
            len(board.in_progress),
            len(board.holds),
            len(board.due_soon),
        )
        tabs = self.query_one(TabbedContent)
        titles = ("Pickups", "Returns", "In progress", "Holds", "Due soon")
        for table_id, title, count in zip(_TABLES, titles, counts, strict=True):
            tabs.get_tab(f"tab-{table_id}").label = f"{title} {count}"
        overdue = board.overdue_count
        self.query_one("#today-summary", Static).update(
            f"{board.today:%A %d %B %Y} · {len(board.pickups)} pickups · "
            f"{len(board.returns)} returns · {len(board.holds)} holds · "
            + (f"[b red]{overdue} overdue invoices[/]" if overdue else "no overdue invoices")
        )

    def _fill_bookings(self, table_id: str, bookings: list[BookingView]) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        table.clear()
        for b in bookings:
            table.add_row(
                b.ref,
                b.customer_name,
                b.car_plate,
                f"{b.driver_code}",
                span(b.start, b.end),
                status_text(b.status.value),
                key=b.ref,
            )

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_screen("booking", ref=event.row_key.value)

    def action_new_booking(self) -> None:
        self.app.open_screen("new-booking")

    def action_refresh(self) -> None:
        self.reload()
