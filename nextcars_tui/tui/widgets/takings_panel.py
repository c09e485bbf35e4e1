"""The till of one business day: payments, refunds and net per payment method and per clerk,
and the total the drawer and the card terminal should agree with."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from nextcars_tui.tui.formatting import money_cell
from nextcars_tui.tui.widgets.record_table import FittedTable, TableColumn

if TYPE_CHECKING:
    from nextcars_tui.services.business_reports import TakingsLine, TakingsReport

COLUMNS = (
    TableColumn("key", "", shrink=8),
    TableColumn("payments", "Payments"),
    TableColumn("refunds", "Refunds"),
    TableColumn("net", "Net"),
    TableColumn("count", "Entries"),
)


class TakingsPanel(Vertical):
    """Per method, then per clerk (one line for a staff member: their own), then the total."""

    DEFAULT_CSS = """
    TakingsPanel {
        height: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("Loading…", classes="section-title takings-title")
        yield FittedTable(classes="takings-methods")
        yield Static("By clerk", classes="section-title takings-clerks-title")
        yield FittedTable(classes="takings-clerks")
        yield Static("", classes="takings-total")

    def show(self, report: TakingsReport, money: Callable[[int], str]) -> None:
        whose = f" (your own: {report.clerk})" if report.clerk is not None else ""
        self.query_one(".takings-title", Static).update(
            f"Takings on {report.day:%a %d %b %Y}{whose}, by payment method"
        )
        for selector, noun, lines in (
            (".takings-methods", "Method", report.methods),
            (".takings-clerks", "Clerk", report.clerks),
        ):
            columns = (TableColumn("key", noun, shrink=8), *COLUMNS[1:])
            self.query_one(selector, FittedTable).show(columns, _rows(lines, money))
        total = report.total
        self.query_one(".takings-total", Static).update(
            Text.assemble(
                ("Total: ", "bold"),
                f"{money(total.payments_cents)} taken, {money(total.refunds_cents)} refunded, ",
                (f"net {money(total.net_cents)}", "bold"),
                f" ({total.count} {'entry' if total.count == 1 else 'entries'})",
            )
        )


def _rows(
    lines: list[TakingsLine], money: Callable[[int], str]
) -> list[tuple[str, dict[str, object]]]:
    return [
        (
            line.key,
            {
                "key": line.key,
                "payments": money_cell(money(line.figures.payments_cents)),
                "refunds": money_cell(money(line.figures.refunds_cents)),
                "net": money_cell(money(line.figures.net_cents)),
                "count": Text(str(line.figures.count), justify="right"),
            },
        )
        for line in lines
    ]
