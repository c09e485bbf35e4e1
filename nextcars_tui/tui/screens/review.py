"""Manager review: balances still owed, aged by days past due, per bucket and per customer;
refunds owed back to customers as a group of their own."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.widgets import DataTable, Static

from nextcars_tui.domain.ageing import BUCKETS
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.dialogs.export_path import ExportDialog
from nextcars_tui.tui.formatting import count, money_cell, short_date, status_text
from nextcars_tui.tui.widgets.bar_chart import Bar, BarChart
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter
from nextcars_tui.tui.widgets.record_table import FittedTable, TableColumn

if TYPE_CHECKING:
    from nextcars_tui.services.exports import ExportResult
    from nextcars_tui.services.reports import AgeingLine, AgeingReport

# Who owes: names give way before amounts do.
CUSTOMER_COLUMNS = (
    TableColumn("customer", "Customer", shrink=8),
    TableColumn("invoices", "Inv"),
    TableColumn("owed", "Owed"),
)
# The chase list: amounts, due dates and statuses are never cut; the booking ref (Enter
# opens the booking) and the bucket (the days late say it) give way first.
INVOICE_COLUMNS = (
    TableColumn("invoice", "Invoice"),
    TableColumn("booking", "Booking", drop=2),
    TableColumn("customer", "Customer", shrink=10),
    TableColumn("due", "Due"),
    TableColumn("late", "Late"),
    TableColumn("bucket", "Bucket", drop=1),
    TableColumn("paid", "Paid"),
    TableColumn("balance", "Balance"),
    TableColumn("status", "Status"),
)
# Money owed back: not debt, so neither aged nor in the totals above.
REFUND_COLUMNS = (
    TableColumn("invoice", "Invoice"),
    TableColumn("booking", "Booking", drop=1),
    TableColumn("customer", "Customer", shrink=10),
    TableColumn("amount", "Amount"),
    TableColumn("paid", "Paid"),
    TableColumn("owed_back", "Owed back"),
)
# The buckets a manager chases first are drawn in the alert colour.
_ALERT_BUCKETS = frozenset(BUCKETS[3:])


class ReviewScreen(DeskScreen):
    """Balances due, oldest debt first, and refunds due; Enter opens the booking."""

    BINDINGS: ClassVar = [
        Binding("x", "export", "Export CSV"),
        Binding("c", "clear_filter", "All customers"),
        Binding("r", "refresh", "Refresh"),
    ]

    class ReportLoaded(Message):
        def __init__(self, report: AgeingReport) -> None:
            super().__init__()
            self.report = report

    def __init__(self) -> None:
        super().__init__()
        self._report: AgeingReport | None = None
        self._customer: str | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Loading…", id="review-summary", classes="status-line")
        with Horizontal(id="review-top"):
            with Vertical(id="review-buckets"):
                yield Static("Owed by days past due", classes="section-title")
                yield BarChart(id="ageing-chart")
            yield FittedTable(id="review-customers")
        yield FittedTable(id="review-invoices")
        with Vertical(id="review-refunds-box"):
            yield Static("", id="review-refunds-title", classes="section-title")
            yield FittedTable(id="review-refunds")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#review-invoices", DataTable).focus()

    def reload(self) -> None:
        from nextcars_tui.services.reports import ageing_report

        chosen = partial(ageing_report, customer_email=self._customer)
        self.call_service(chosen, self.desk, self.actor, reply=self.ReportLoaded, group="review")

    @on(ReportLoaded)
    def _show(self, message: ReportLoaded) -> None:
        report = message.report
        self._report = report
        if self._customer and all(c.email != self._customer for c in report.customers):
            self._customer = None
        self.query_one("#ageing-chart", BarChart).bars = tuple(
            Bar(
                bucket,
                report.bucket_cents[bucket],
                f"{self.desk.money(report.bucket_cents[bucket])} ({report.bucket_counts[bucket]})",
                alert=bucket in _ALERT_BUCKETS,
            )
            for bucket in BUCKETS
        )
        self.query_one("#review-customers", FittedTable).show(
            CUSTOMER_COLUMNS,
            [
                (
                    owes.email,
                    {
                        "customer": owes.name,
                        "invoices": Text(str(owes.invoices), justify="right"),
                        "owed": money_cell(self.desk.money(owes.cents)),
                    },
                )
                for owes in report.customers
            ],
        )
        self._fill_invoices()
        self._fill_refunds(report)

    def _fill_refunds(self, report: AgeingReport) -> None:
        money = self.desk.money
        self.query_one("#review-refunds-box").display = bool(report.refunds_due)
        self.query_one("#review-refunds-title", Static).update(
            f"Refunds due: {money(report.refunds_due_cents)} owed back on "
            f"{count(len(report.refunds_due), 'invoice')}"
        )
        self.query_one("#review-refunds", FittedTable).show(
            REFUND_COLUMNS,
            [
                (
                    invoice.booking_ref,
                    {
                        "invoice": invoice.ref,
                        "booking": invoice.booking_ref,
                        "customer": invoice.customer_name,
                        "amount": money_cell(money(invoice.amount_cents)),
                        "paid": money_cell(money(invoice.paid_cents)),
                        "owed_back": money_cell(money(-invoice.balance_cents)),
                    },
                )
                for invoice in report.refunds_due
            ],
        )

    def _shown_lines(self) -> list[AgeingLine]:
        # The report holds the first page of the chosen customer's lines, or of everyone's.
        return list(self._report.lines) if self._report is not None else []

    def _fill_invoices(self) -> None:
        report = self._report
        if report is None:
            return
        lines = self._shown_lines()
        self.query_one("#review-invoices", FittedTable).show(
            INVOICE_COLUMNS,
            [
                (
                    line.invoice.booking_ref,
                    {
                        "invoice": line.invoice.ref,
                        "booking": line.invoice.booking_ref,
                        "customer": line.invoice.customer_name,
                        "due": short_date(line.invoice.due),
                        "late": Text(
                            f"{line.days_late} d" if line.days_late else "—", justify="right"
                        ),
                        "bucket": line.bucket,
                        "paid": money_cell(self.desk.money(line.invoice.paid_cents)),
                        "balance": money_cell(self.desk.money(line.invoice.balance_cents)),
                        "status": status_text(line.invoice.status.value),
                    },
                )
                for line in lines
            ],
        )
        who = ""
        if self._customer is not None:
            owes = [c.cents for c in report.customers if c.email == self._customer]
            shown = owes[0] if owes else sum(line.invoice.balance_cents for line in lines)
            name = lines[0].invoice.customer_name if lines else self._customer
            who = f" · showing {escape(name)}: {self.desk.money(shown)} (c for all)"
        self.query_one("#review-summary", Static).update(
            f"Owed on {report.today:%a %d %b %Y}: {self.desk.money(report.total_cents)} "
            f"over {count(report.invoice_count, 'invoice')} · {report.past_due_count} past due"
            f"{who}"
        )

    @on(DataTable.RowSelected, "#review-invoices")
    @on(DataTable.RowSelected, "#review-refunds")
    def _open_booking(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_screen("booking", ref=event.row_key.value)

    @on(DataTable.RowSelected, "#review-customers")
    def _pick_customer(self, event: DataTable.RowSelected) -> None:
        email = event.row_key.value
        self._customer = None if email == self._customer else email
        self.reload()

    def action_clear_filter(self) -> None:
        self._customer = None
        self.reload()

    def action_refresh(self) -> None:
        self.reload()

    def action_export(self) -> None:
        if self._report is None:
            self.notify("The report is still loading.", severity="warning")
            return
        from nextcars_tui.services.reports import ageing_report, export_ageing

        desk, actor, customer = self.desk, self.actor, self._customer

        def write(path: str, replace: bool) -> ExportResult:
            # Every line shown, not only the first page the screen loaded.
            lines = ageing_report(desk, actor, customer_email=customer, limit=None).lines
            return export_ageing(desk, actor, lines, path, force=replace)

        default = f"./ageing-{self._report.today.isoformat()}.csv"
        self.app.push_screen(
            ExportDialog("Export the ageing list to CSV", default, write), self._exported
        )

    def _exported(self, result: ExportResult | None) -> None:
        if result is not None:
            self.notify(
                f"Wrote {count(result.rows, 'invoice')} to {result.path}",
                title="Exported",
                timeout=10,
                markup=False,
            )
