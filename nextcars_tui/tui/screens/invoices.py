"""Invoices: every invoice by due date, filtered by status and paged in SQL."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Select, Static

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.domain.statuses import OWING_INVOICE_STATUSES, InvoiceStatus, status_label
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.formatting import money_cell, short_date, status_text
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter
from nextcars_tui.tui.widgets.paging import PAGE_BINDINGS, PageKeys, Paging
from nextcars_tui.tui.widgets.record_table import FittedTable, TableColumn

if TYPE_CHECKING:
    from nextcars_tui.services.views import InvoiceView, Page

# "Owed" is the chase list: every invoice with a balance due (unpaid, part paid, overdue).
STATUS_CHOICES: list[tuple[str, str]] = [
    ("All statuses", ""),
    ("Owed (balance due)", "owed"),
    *((status_label(s), s.value) for s in InvoiceStatus),
]
OWED = OWING_INVOICE_STATUSES
# Paid, balance, due date and status stay at any width; the booking is one key away (b),
# the days late are in the status, and the amount is paid + balance.
COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("ref", "Invoice"),
    TableColumn("status", "Status"),
    TableColumn("booking", "Booking", drop=4),
    TableColumn("customer", "Customer", shrink=8),
    TableColumn("email", "E-mail", drop=6),
    TableColumn("amount", "Amount", drop=2),
    TableColumn("paid", "Paid"),
    TableColumn("balance", "Balance"),
    TableColumn("issued", "Issued", drop=5),
    TableColumn("due", "Due"),
    TableColumn("late", "Late", drop=3),
)


class InvoicesScreen(PageKeys, DeskScreen):
    """Enter opens the invoice; b opens the booking it bills."""

    TITLE = "Invoices"
    AUTO_FOCUS = "#invoices-table"
    PAGE_SIZE: ClassVar[int] = 50
    BINDINGS: ClassVar = [
        Binding("b", "open_booking", "Booking"),
        *PAGE_BINDINGS,
        Binding("r", "refresh", "Refresh", show=False),
        Binding("escape", "back", "Back"),
    ]

    class PageLoaded(Message):
        def __init__(self, generation: int, page: Page[InvoiceView]) -> None:
            super().__init__()
            self.generation = generation
            self.page = page

    # The status shown ("" for all, "owed" for a balance due); a change starts again
    # from the first page.
    status_filter: reactive[str] = reactive("", init=False)

    def __init__(self, status: str = "") -> None:
        super().__init__()
        self.set_reactive(InvoicesScreen.status_filter, status)
        self.paging = Paging(size=self.PAGE_SIZE)
        self.invoices: list[InvoiceView] = []
        self._generation = 0
        self._caption = ""

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with Horizontal(classes="filters", id="invoices-filters"):
            yield Select(
                STATUS_CHOICES,
                value=self.status_filter,
                allow_blank=False,
                id="invoices-status-filter",
            )
        yield FittedTable(id="invoices-table")
        yield Static("Loading…", classes="status-line", id="invoices-caption")
        yield KeyFooter()

    def _statuses(self) -> list[InvoiceStatus] | None:
        if not self.status_filter:
            return None
        if self.status_filter == "owed":
            return list(OWED)
        return [InvoiceStatus(self.status_filter)]

    def reload(self) -> None:
        from nextcars_tui.services.billing import list_invoices

        self._generation += 1
        generation = self._generation
        self.query_one("#invoices-caption", Static).update(
            f"{self._caption} · loading…" if self._caption else "Loading…"
        )

        fetch = partial(
            list_invoices,
            statuses=self._statuses(),
            limit=self.paging.size,
            offset=self.paging.offset,
        )
        self.call_service(fetch, self.desk, self.actor, reply=partial(self.PageLoaded, generation))

    @on(PageLoaded)
    def _show(self, message: PageLoaded) -> None:
        if message.generation != self._generation:
            return  # an answer to filters that have changed since
        page = message.page
        if self.paging.settle(page.total):
            self.reload()
            return
        self.invoices = page.items
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#invoices-table", FittedTable)
        money = self.desk.money
        zone = self.desk.settings.business.zone
        today = self.desk.today()
        rows: list[tuple[str, dict[str, object]]] = []
        for invoice in self.invoices:
            due = Text(short_date(invoice.due))
            late = Text("", justify="right")
            if invoice.payable and invoice.due < today:
                due.stylize("bold")
                late.append(f"{(today - invoice.due).days} d", "bold")
            cells: dict[str, object] = {
                "ref": invoice.ref,
                "status": status_text(invoice.status.value),
                "booking": invoice.booking_ref,
                "customer": invoice.customer_name,
                "email": invoice.customer_email,
                "amount": money_cell(money(invoice.amount_cents)),
                "paid": money_cell(money(invoice.paid_cents)),
                "balance": money_cell(money(invoice.balance_cents)),
                "issued": short_date(invoice.issued_at.astimezone(zone).date()),
                "due": due,
                "late": late,
            }
            rows.append((invoice.ref, cells))
        table.show(COLUMNS, rows)
        self._caption = (
            f"{self.paging.caption(len(self.invoices))} · by due date · "
            "Enter opens · b booking · n/p page"
        )
        self.query_one("#invoices-caption", Static).update(self._caption)

    def service_failed(self, group: str, error: DeskError) -> None:
        self.app.show_error(error)
        self._fill()

    def paged_table(self) -> DataTable[object]:
        return self.query_one("#invoices-table", DataTable)

    def selected_invoice(self) -> InvoiceView | None:
        table = self.query_one("#invoices-table", DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return next((i for i in self.invoices if i.ref == row_key.value), None)

    @on(Select.Changed, "#invoices-status-filter")
    def _status_chosen(self, event: Select.Changed) -> None:
        status = "" if event.value is Select.NULL else str(event.value)
        self.status_filter = status

    def watch_status_filter(self) -> None:
        self.paging.first()
        self.reload()

    @on(DataTable.RowSelected, "#invoices-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_screen("invoice", ref=event.row_key.value)

    def action_open_booking(self) -> None:
        invoice = self.selected_invoice()
        if invoice is not None:
            self.app.open_screen("booking", ref=invoice.booking_ref)

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        if not isinstance(self.focused, DataTable):
            self.query_one("#invoices-table", DataTable).focus()
        elif len(self.app.screen_stack) > 2:
            self.app.pop_screen()
