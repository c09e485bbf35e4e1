"""The manager's numbers: utilisation of every car and driver, revenue billed and collected per
week or month, and today's takings, for a period picked at the top.

Every figure is on screen as text too (captions, tables), so a chart is never the only way to
read it. The chart library is imported with this module, which loads when the screen opens.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static, TabbedContent, TabPane

from nextcars_tui.domain.reporting import (
    Grouping,
    Period,
    Revenue,
    last_month,
    month_of,
    percent_text,
    year_of,
)
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.dialogs.export_path import ExportDialog
from nextcars_tui.tui.dialogs.report_period import PeriodDialog
from nextcars_tui.tui.formatting import count, money_cell
from nextcars_tui.tui.widgets.bar_chart import Bar, BarChart
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter
from nextcars_tui.tui.widgets.record_table import FittedTable, TableColumn
from nextcars_tui.tui.widgets.revenue_chart import BILLED_COLOUR, COLLECTED_COLOUR, RevenueChart
from nextcars_tui.tui.widgets.takings_panel import TakingsPanel

if TYPE_CHECKING:
    from datetime import date

    from nextcars_tui.services.business_reports import (
        RevenueReport,
        TakingsReport,
        UtilisationLine,
        UtilisationReport,
    )
    from nextcars_tui.services.exports import ExportResult


class Choice(StrEnum):
    """The periods offered at the top of the screen."""

    THIS_MONTH = "This month"
    LAST_MONTH = "Last month"
    THIS_YEAR = "This year"
    CUSTOM = "Custom…"


_CHOICE_IDS = {
    Choice.THIS_MONTH: "period-this-month",
    Choice.LAST_MONTH: "period-last-month",
    Choice.THIS_YEAR: "period-this-year",
    Choice.CUSTOM: "period-custom",
}
FULL_BAR = 1000  # tenths of a percent: a whole bar is 100 %
# The grand figures first; the kinds they are made of give way on a narrow terminal.
REVENUE_COLUMNS = (
    TableColumn("period", "Period"),
    TableColumn("billed", "Billed"),
    TableColumn("collected", "Collected"),
    TableColumn("charges", "Charges", drop=5),
    TableColumn("fees", "Fees", drop=3),
    TableColumn("adjustments", "Adjust.", drop=4),
    TableColumn("payments", "Payments", drop=2),
    TableColumn("refunds", "Refunds", drop=1),
)


class UtilisationLoaded(Message):
    def __init__(self, report: UtilisationReport) -> None:
        super().__init__()
        self.report = report


class RevenueLoaded(Message):
    def __init__(self, report: RevenueReport) -> None:
        super().__init__()
        self.report = report


class TakingsLoaded(Message):
    def __init__(self, report: TakingsReport) -> None:
        super().__init__()
        self.report = report


# The period keys share one footer entry ("m l y c Period"), so every key of the screen,
# Refresh and Help too, is shown whole at 80 columns.
_PERIOD_KEYS = Binding.Group("Period")


class ReportsScreen(DeskScreen):
    """Pick a period; read utilisation (idle cars first), revenue by week or month, and the
    takings of today. x writes what the open tab shows to a CSV file."""

    BINDINGS: ClassVar = [
        Binding("m", "period('This month')", "This month", group=_PERIOD_KEYS),
        Binding("l", "period('Last month')", "Last month", group=_PERIOD_KEYS),
        Binding("y", "period('This year')", "This year", group=_PERIOD_KEYS),
        Binding("c", "custom_period", "Custom period", group=_PERIOD_KEYS),
        Binding("w", "toggle_grouping", "Week/month"),
        Binding("x", "export", "Export CSV"),
        Binding("r", "refresh", "Refresh"),
        Binding("1", "tab('utilisation')", "Utilisation", show=False),
        Binding("2", "tab('revenue')", "Revenue", show=False),
        Binding("3", "tab('takings')", "Takings", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._choice = Choice.THIS_MONTH
        self._period: Period | None = None
        self._grouping = Grouping.MONTH
        self._utilisation: UtilisationReport | None = None
        self._revenue: RevenueReport | None = None
        self._takings: TakingsReport | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with Horizontal(id="report-periods"):
            for choice, button_id in _CHOICE_IDS.items():
                yield Button(choice.value, id=button_id, compact=True)
        yield Static("Loading…", id="report-summary", classes="status-line")
        with TabbedContent(id="report-tabs"):
            with TabPane("1 Utilisation", id="tab-utilisation"):
                yield Static("", id="utilisation-fleet")
                with Horizontal(id="utilisation-charts"):
                    for kind in ("cars", "drivers"):
                        with VerticalScroll(classes="utilisation-column"):
                            yield Static(
                                "", id=f"utilisation-{kind}-title", classes="section-title"
                            )
                            yield BarChart(id=f"utilisation-{kind}", full=FULL_BAR)
            with TabPane("2 Revenue", id="tab-revenue"):
                yield Static("", id="revenue-legend")
                yield RevenueChart(id="revenue-chart")
                yield FittedTable(id="revenue-table")
            with TabPane("3 Takings today", id="tab-takings"):
                yield TakingsPanel(id="report-takings")
        yield KeyFooter()

    @property
    def period(self) -> Period:
        """The period shown; until one is picked, this month (the business's)."""
        if self._period is None:
            self._period = month_of(self.desk.today())
        return self._period

    def reload(self) -> None:
        self._load_utilisation()
        self._load_revenue()
        self._load_takings()
        self._mark_choice()

    def _load_utilisation(self) -> None:
        from nextcars_tui.services.business_reports import utilisation_report

        first, last = self.period.first, self.period.last
        self.call_service(
            utilisation_report,
            self.desk,
            self.actor,
            first,
            last,
            reply=UtilisationLoaded,
            group="utilisation",
        )

    def _load_revenue(self) -> None:
        from nextcars_tui.services.business_reports import revenue_report

        first, last = self.period.first, self.period.last
        self.call_service(
            revenue_report,
            self.desk,
            self.actor,
            first,
            last,
            self._grouping,
            reply=RevenueLoaded,
            group="revenue",
        )

    def _load_takings(self) -> None:
        from nextcars_tui.services.business_reports import takings_report

        self.call_service(
            takings_report, self.desk, self.actor, reply=TakingsLoaded, group="takings"
        )

    # -- showing --------------------------------------------------------------------------

    @on(UtilisationLoaded)
    def _show_utilisation(self, message: UtilisationLoaded) -> None:
        if message.report.period != self.period:
            return  # an answer for a period picked before this one
        report = self._utilisation = message.report
        fleet = report.fleet
        self.query_one("#report-summary", Static).update(
            f"{self._choice.value if self._choice != Choice.CUSTOM else 'Period'}: "
            f"{_span(report.period)} · fleet {percent_text(fleet.percent_tenths)}% used"
        )
        self.query_one("#utilisation-fleet", Static).update(
            f"Fleet of {count(len(report.cars), 'car')}: {fleet.booked_days} car-days booked "
            f"of {fleet.available_days} not blocked ({fleet.blocked_days} blocked) = "
            f"{percent_text(fleet.percent_tenths)}%"
        )
        for kind, lines in (("cars", report.cars), ("drivers", report.drivers)):
            retired = " (* retired)" if any(line.retired for line in lines) else ""
            self.query_one(f"#utilisation-{kind}-title", Static).update(
                f"{kind.title()}, idle first{retired}"
            )
            self.query_one(f"#utilisation-{kind}", BarChart).bars = _utilisation_bars(lines)

    @on(RevenueLoaded)
    def _show_revenue(self, message: RevenueLoaded) -> None:
        if (message.report.period, message.report.grouping) != (self.period, self._grouping):
            return
        report = self._revenue = message.report
        money, total = self.desk.money, report.total
        by = report.grouping.value
        self.query_one("#revenue-legend", Static).update(
            Text.assemble(
                ("█ ", BILLED_COLOUR),
                f"billed {money(total.billed_cents)}   ",
                ("█ ", COLLECTED_COLOUR),
                f"collected {money(total.collected_cents)}   ",
                (f"by {by} (w: by {'month' if by == 'week' else 'week'})", "dim"),
            )
        )
        labels = _chart_labels(report)
        self.query_one(RevenueChart).show(
            labels,
            [line.figures.billed_cents for line in report.lines],
            [line.figures.collected_cents for line in report.lines],
            _whole_money(money),
        )
        rows = [
            (line.period, _revenue_cells(line.period, line.figures, money)) for line in report.lines
        ]
        rows.append(("total", _revenue_cells("Total", total, money)))
        self.query_one("#revenue-table", FittedTable).show(REVENUE_COLUMNS, rows)

    @on(TakingsLoaded)
    def _show_takings(self, message: TakingsLoaded) -> None:
        self._takings = message.report
        self.query_one(TakingsPanel).show(message.report, self.desk.money)

    def _mark_choice(self) -> None:
        for choice, button_id in _CHOICE_IDS.items():
            self.query_one(f"#{button_id}", Button).variant = (
                "primary" if choice == self._choice else "default"
            )

    # -- choosing -------------------------------------------------------------------------

    @on(Button.Pressed, "#report-periods Button")
    def _picked(self, event: Button.Pressed) -> None:
        chosen = next(c for c, button_id in _CHOICE_IDS.items() if button_id == event.button.id)
        if chosen == Choice.CUSTOM:
            self.action_custom_period()
        else:
            self.action_period(chosen.value)

    def action_period(self, name: str) -> None:
        choice = Choice(name)
        today = self.desk.today()
        periods: dict[Choice, Callable[[date], Period]] = {
            Choice.THIS_MONTH: month_of,
            Choice.LAST_MONTH: last_month,
            Choice.THIS_YEAR: year_of,
        }
        self._show_period(choice, periods[choice](today))

    def action_custom_period(self) -> None:
        self.app.push_screen(PeriodDialog(self.desk, self.period), self._custom_chosen)

    def _custom_chosen(self, period: Period | None) -> None:
        if period is not None:
            self._show_period(Choice.CUSTOM, period)

    def _show_period(self, choice: Choice, period: Period) -> None:
        self._choice, self._period = choice, period
        self._load_utilisation()
        self._load_revenue()
        self._mark_choice()

    def action_toggle_grouping(self) -> None:
        self._grouping = Grouping.WEEK if self._grouping == Grouping.MONTH else Grouping.MONTH
        self._load_revenue()

    def action_refresh(self) -> None:
        self.reload()

    def action_tab(self, name: str) -> None:
        self.query_one("#report-tabs", TabbedContent).active = f"tab-{name}"

    # -- exporting ------------------------------------------------------------------------

    def action_export(self) -> None:
        from nextcars_tui.services import business_reports as reports

        desk, actor = self.desk, self.actor
        shown = self.query_one(TabbedContent).active
        write: Callable[[str, bool], ExportResult]
        if shown == "tab-utilisation" and self._utilisation is not None:
            used, name = self._utilisation, f"utilisation-{_file_span(self._utilisation.period)}"

            def write(path: str, replace: bool) -> ExportResult:
                return reports.export_utilisation(desk, actor, used, path, force=replace)

        elif shown == "tab-revenue" and self._revenue is not None:
            revenue = self._revenue
            name = f"revenue-by-{revenue.grouping.value}-{_file_span(revenue.period)}"

            def write(path: str, replace: bool) -> ExportResult:
                return reports.export_revenue(desk, actor, revenue, path, force=replace)

        elif shown == "tab-takings" and self._takings is not None:
            till, name = self._takings, f"takings-{self._takings.day.isoformat()}"

            def write(path: str, replace: bool) -> ExportResult:
                return reports.export_takings(desk, actor, till, path, force=replace)

        else:
            self.notify("The report is still loading.", severity="warning")
            return
        self.app.push_screen(
            ExportDialog("Export the report to CSV", f"./{name}.csv", write), self._exported
        )

    def _exported(self, result: ExportResult | None) -> None:
        if result is not None:
            self.notify(
                f"Wrote {count(result.rows, 'row')} to {result.path}", title="Exported", timeout=10
            )


def _span(period: Period) -> str:
    if period.first.year == period.last.year:
        return f"{period.first:%d %b}–{period.last:%d %b %Y} ({count(period.days, 'day')})"
    return f"{period.first:%d %b %Y}–{period.last:%d %b %Y} ({count(period.days, 'day')})"


def _file_span(period: Period) -> str:
    return f"{period.first.isoformat()}-to-{period.last.isoformat()}"


def _utilisation_bars(lines: list[UtilisationLine]) -> tuple[Bar, ...]:
    """Least used first: the idle cars and drivers a manager looks for."""
    ordered = sorted(lines, key=lambda line: (line.figures.percent_tenths, line.key))
    return tuple(
        Bar(
            f"{line.key}*" if line.retired else line.key,
            line.figures.percent_tenths,
            _utilisation_caption(line),
        )
        for line in ordered
    )


def _utilisation_caption(line: UtilisationLine) -> str:
    figures = line.figures
    blocked = f" −{figures.blocked_days} off" if figures.blocked_days else ""
    return f"{percent_text(figures.percent_tenths):>5}% {figures.booked_days:>3} d{blocked}"


def _chart_labels(report: RevenueReport) -> list[str]:
    """Short names under the bars: 'W05' by week, 'Jan' by month (the screen's two), with the
    year ('Jan 27') when the periods span more than one."""
    years = {line.period[:4] for line in report.lines}
    labels = []
    for line in report.lines:
        year, rest = line.period[:4], line.period[5:]
        name = rest if report.grouping == Grouping.WEEK else _MONTHS[int(rest) - 1]
        labels.append(name if len(years) == 1 else f"{name} {year[2:]}")
    return labels


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _whole_money(money: Callable[[int], str]) -> Callable[[int], str]:
    """Tick labels without pence: the chart's ticks are round amounts."""
    return lambda cents: money(cents).removesuffix(".00")


def _revenue_cells(label: str, figures: Revenue, money: Callable[[int], str]) -> dict[str, object]:
    return {
        "period": Text(label, style="bold") if label == "Total" else label,
        "billed": money_cell(money(figures.billed_cents)),
        "collected": money_cell(money(figures.collected_cents)),
        "charges": money_cell(money(figures.charges_cents)),
        "fees": money_cell(money(figures.fees_cents)),
        "adjustments": money_cell(money(figures.adjustments_cents)),
        "payments": money_cell(money(figures.payments_cents)),
        "refunds": money_cell(money(figures.refunds_cents)),
    }
