"""Today: the run sheet (pickups and returns in pickup-time order, with where, for whom and
the balance to collect) of today or, a key away, of any day before or after it; rentals in
progress, holds about to expire, money due soon, and the money of the day: deposits and
payments taken, refunds owed back."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from nextcars_tui.tui.dialogs.export_path import ExportDialog
from nextcars_tui.tui.formatting import (
    count,
    days_away,
    money_cell,
    short_date,
    span,
    status_text,
    time_left,
)
from nextcars_tui.tui.screens.one_day import OneDayScreen
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter
from nextcars_tui.tui.widgets.record_table import FittedTable, Rows, TableColumn

if TYPE_CHECKING:
    from nextcars_tui.services.run_sheet_document import SavedRunSheet
    from nextcars_tui.services.today import TodayBoard
    from nextcars_tui.services.views import BookingView

_BOOKING_COLUMNS = (
    TableColumn("ref", "Ref"),
    TableColumn("customer", "Customer", shrink=10),
    TableColumn("car", "Car"),
    TableColumn("driver", "Driver"),
    TableColumn("days", "Dates"),
    TableColumn("status", "Status"),
)
# A run-sheet job: time, ref, whom and the balance always; at 80 columns the phone, drop-off,
# driver and passengers give way (highest `drop` first) and the places shorten, and the line
# under the table says everything about the highlighted job.
JOB_COLUMNS = (
    TableColumn("time", "Time"),
    TableColumn("ref", "Ref"),
    TableColumn("customer", "Customer", shrink=8),
    TableColumn("phone", "Phone", drop=5),
    TableColumn("pickup", "From", shrink=6),
    TableColumn("dropoff", "To", shrink=6, drop=4),
    TableColumn("passengers", "Pax", drop=2),
    TableColumn("car", "Car"),
    TableColumn("driver", "Driver", drop=3),
    TableColumn("balance", "Balance"),
)
_JOB_TABLES = ("pickups", "returns")
_HOLD_COLUMNS = (
    TableColumn("ref", "Ref"),
    TableColumn("customer", "Customer", shrink=10),
    TableColumn("car", "Car"),
    TableColumn("days", "Dates"),
    TableColumn("expires", "Expires in"),
)
_DUE_COLUMNS = (
    TableColumn("invoice", "Invoice"),
    TableColumn("booking", "Booking", drop=1),
    TableColumn("customer", "Customer", shrink=10),
    TableColumn("balance", "Balance"),
    TableColumn("due", "Due"),
)
_TABLES = ("pickups", "returns", "in-progress", "holds", "due-soon")


def job_rows(jobs: list[BookingView], money: Callable[[int], str]) -> Rows:
    """The run sheet's jobs as table rows, keyed by booking ref."""
    return [
        (
            job.ref,
            {
                "time": job.pickup_time or "—",
                "ref": job.ref,
                "customer": job.customer_name,
                "phone": job.customer_phone,
                "pickup": job.pickup or "",
                "dropoff": job.dropoff or "",
                "passengers": "" if job.passengers is None else str(job.passengers),
                "car": job.car_plate,
                "driver": job.driver_code,
                "balance": money_cell(money(job.invoice.balance_cents)),
            },
        )
        for job in jobs
    ]


class TodayScreen(OneDayScreen):
    """The staff and manager home."""

    BINDINGS: ClassVar = [
        # Ctrl+N does the same from every screen; this one-key shortcut stays out of the footer.
        Binding("n", "new_booking", "New booking", show=False),
        Binding("ctrl+n", "new_booking", "New booking"),
        *OneDayScreen.DAY_BINDINGS,
        Binding("r", "refresh", "Refresh"),
        # The run sheet shown, which the title names: "PDF" says enough, and fits 80 columns.
        Binding("p", "save_run_sheet", "PDF"),
        Binding("ctrl+o", "app.sign_out", "Sign out"),
    ]

    class BoardLoaded(Message):
        def __init__(self, board: TodayBoard) -> None:
            super().__init__()
            self.board = board

    def __init__(self) -> None:
        super().__init__()
        self._jobs: dict[str, BookingView] = {}

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Loading…", id="today-summary")
        with TabbedContent(id="today-tabs"):
            for table_id, title in zip(
                _TABLES, ("Pickups", "Returns", "In progress", "Holds", "Due soon"), strict=True
            ):
                with TabPane(title, id=f"tab-{table_id}"):
                    yield FittedTable(id=table_id)
        yield Static("", id="job-line")
        yield KeyFooter()

    def reload(self) -> None:
        from nextcars_tui.services.today import today_board

        self.call_service(
            today_board, self.desk, self.actor, self.day, reply=self.BoardLoaded, group="today"
        )

    @on(BoardLoaded)
    def _show(self, message: BoardLoaded) -> None:
        board = message.board
        sheet = board.run_sheet
        if sheet.day != (board.today if self.day is None else self.day):
            return  # a late answer for a day the clerk has already moved away from
        self.title = f"Run sheet {short_date(sheet.day)}"
        self._jobs = {job.ref: job for job in (*sheet.pickups, *sheet.returns)}
        self._fill_jobs("pickups", sheet.pickups)
        self._fill_jobs("returns", sheet.returns)
        self._fill_bookings("in-progress", board.in_progress)
        now = self.desk.now()
        self.query_one("#holds", FittedTable).show(
            _HOLD_COLUMNS,
            [
                (
                    hold.booking.ref,
                    {
                        "ref": hold.booking.ref,
                        "customer": hold.booking.customer_name,
                        "car": hold.booking.car_plate,
                        "days": span(hold.booking.start, hold.booking.end),
                        "expires": time_left(hold.expires_at, now),
                    },
                )
                for hold in board.holds
            ],
        )
        self.query_one("#due-soon", FittedTable).show(
            _DUE_COLUMNS,
            [
                (
                    invoice.booking_ref,
                    {
                        "invoice": invoice.ref,
                        "booking": invoice.booking_ref,
                        "customer": invoice.customer_name,
                        "balance": money_cell(self.desk.money(invoice.balance_cents)),
                        "due": short_date(invoice.due),
                    },
                )
                for invoice in board.due_soon
            ],
        )
        counts = (
            len(sheet.pickups),
            len(sheet.returns),
            len(board.in_progress),
            len(board.holds),
            len(board.due_soon),
        )
        tabs = self.query_one(TabbedContent)
        titles = ("Pickups", "Returns", "In progress", "Holds", "Due soon")
        for table_id, title, number in zip(_TABLES, titles, counts, strict=True):
            tabs.get_tab(f"tab-{table_id}").label = f"{title} {number}"
        self.query_one("#today-summary", Static).update(self._summary(board))

        self._describe_job()

    def _summary(self, board: TodayBoard) -> str:
        """The sheet's day and its counts; then what stands now, said to be today's when
        the sheet is of another day, so its holds and money are not read as that day's."""
        sheet, today = board.run_sheet, board.today
        jobs = f"{count(len(sheet.pickups), 'pickup')} · {count(len(sheet.returns), 'return')}"
        overdue = board.overdue_count
        late = f"[b red]{count(overdue, 'overdue invoice')}[/]" if overdue else "none overdue"
        now = f"{count(len(board.holds), 'hold')} · {late}"
        money, cash = self.desk.money, board.money
        refunds = (
            f"[b]{count(cash.refunds_due, 'refund')} due: {money(cash.refunds_due_cents)}[/]"
            if cash.refunds_due
            else "no refunds due"
        )
        taken = f"{cash.payments}, {money(cash.payments_cents)} · {refunds}"
        if sheet.day == today:
            return (
                f"{today:%A %d %B %Y} · {jobs} · {now}\nDeposits and payments taken today: {taken}"
            )
        return (
            f"{sheet.day:%A %d %B %Y} ({days_away(today, sheet.day)}) · {jobs}\n"
            f"Today: {now} · payments taken {taken}"
        )

    def _fill_jobs(self, table_id: str, jobs: list[BookingView]) -> None:
        self.query_one(f"#{table_id}", FittedTable).show(
            JOB_COLUMNS, job_rows(jobs, self.desk.money)
        )

    def _describe_job(self) -> None:
        """The highlighted job of the open run-sheet tab in full, so nothing a narrow table
        leaves out is out of reach; empty on the other tabs."""
        line = self.query_one("#job-line", Static)
        active = self.query_one(TabbedContent).active.removeprefix("tab-")
        table = self.query_one(f"#{active}", FittedTable)
        job = None
        if active in _JOB_TABLES and table.row_count:
            key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
            job = self._jobs.get(key.value or "")
        line.display = job is not None
        if job is None:
            return
        where = " → ".join(escape(place) for place in (job.pickup, job.dropoff) if place)
        people = "" if job.passengers is None else f" · {count(job.passengers, 'passenger')}"
        balance = job.invoice.balance_cents
        owed = (
            f"{self.desk.money(-balance)} owed back"
            if balance < 0
            else f"{self.desk.money(balance)} to collect"
        )
        # Figures and keys first, the places (free text, however long) last: a line that
        # runs out of room loses the end of an address, never an amount.
        line.update(
            f"[b]{job.ref}[/] {job.pickup_time or 'no pickup time'} · [b]{owed}[/] · "
            f"{escape(job.car_plate)} {escape(job.car_name)} · "
            f"{escape(job.driver_code)} {escape(job.driver_name)} · "
            f"{escape(job.customer_name)} {escape(job.customer_phone)}{people}"
            + (f" · {where}" if where else "")
        )

    @on(DataTable.RowHighlighted)
    def _job_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._describe_job()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, _event: TabbedContent.TabActivated) -> None:
        self._describe_job()

    def _fill_bookings(self, table_id: str, bookings: list[BookingView]) -> None:
        self.query_one(f"#{table_id}", FittedTable).show(
            _BOOKING_COLUMNS,
            [
                (
                    b.ref,
                    {
                        "ref": b.ref,
                        "customer": b.customer_name,
                        "car": b.car_plate,
                        "driver": b.driver_code,
                        "days": span(b.start, b.end),
                        "status": status_text(b.status.value),
                    },
                )
                for b in bookings
            ],
        )

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_screen("booking", ref=event.row_key.value)

    def action_new_booking(self) -> None:
        self.app.open_screen("new-booking")

    def action_refresh(self) -> None:
        self.reload()

    def action_save_run_sheet(self) -> None:
        """The run sheet of the day shown as a PDF for the drivers' room (the same as
        `nextcars today --date DAY --pdf`), through the export dialog: never over a file
        without asking."""
        # Imported here: the PDF library is slow to load and most sessions never print.
        from nextcars_tui.services.run_sheet_document import save_run_sheet_pdf

        desk, actor, day = self.desk, self.actor, self.shown_day()

        def write(path: str, replace: bool) -> SavedRunSheet:
            return save_run_sheet_pdf(desk, actor, day, path, force=replace)

        self.app.push_screen(
            ExportDialog(
                f"Save the run sheet of {day:%a} {day.day} {day:%b} as PDF",
                f"./run-sheet-{day.isoformat()}.pdf",
                write,
            ),
            self._saved_run_sheet,
        )

    def _saved_run_sheet(self, saved: SavedRunSheet | None) -> None:
        if saved is not None:
            pages = count(saved.pages, "page")
            self.notify(f"Wrote the run sheet to {saved.path} ({pages}).", markup=False)
