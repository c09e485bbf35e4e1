"""`nextcars report utilisation|revenue|takings`: the manager's figures as tables, JSON or CSV.

The JSON keys are the scripting contract (README); money is integer cents, percentages have
one decimal."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from rich.table import Table

from nextcars_tui.cli import output
from nextcars_tui.cli.context import Context
from nextcars_tui.domain.errors import FileAlreadyExists, InvalidInput
from nextcars_tui.domain.reporting import Grouping, Period, Revenue, Takings, Utilisation
from nextcars_tui.domain.reporting import percent_text as percent
from nextcars_tui.services import business_reports as reports
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.exports import ExportResult

Money = Callable[[int], str]


def _dates(desk: Desk, args: argparse.Namespace) -> tuple[date, date]:
    return desk.parse_date(args.first, "--from"), desk.parse_date(args.last, "--to")


def _write_csv(write: Callable[[Path], ExportResult], target: str) -> ExportResult:
    """A report's CSV through the one export writer; never over an existing file."""
    try:
        return write(Path(target))
    except FileAlreadyExists as exists:
        raise InvalidInput(
            f"{exists.path} already exists; choose another name (a report never replaces a file).",
            field="path",
        ) from None


def _finish(result: ExportResult | None, as_json: bool) -> int:
    if result is not None and not as_json:
        output.print_lines([f"Wrote {result.rows} rows to {result.path}."])
    return 0


def _title(period: Period) -> str:
    return (
        f"{period.first:%a %d %b %Y} to {period.last:%a %d %b %Y} "
        f"({period.days} day{'s' if period.days != 1 else ''})"
    )


# -- Utilisation -------------------------------------------------------------------------------


def utilisation_json(figures: Utilisation) -> dict[str, Any]:
    return {
        "booked_days": figures.booked_days,
        "blocked_days": figures.blocked_days,
        "utilisation_percent": figures.percent,
    }


def utilisation(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    report = reports.utilisation_report(desk, ctx.actor, *_dates(desk, args))
    period = report.period
    written = None
    if args.csv:
        written = _write_csv(
            lambda path: reports.export_utilisation(desk, ctx.actor, report, path), args.csv
        )
    if args.json:
        output.print_json(
            {
                "from": period.first.isoformat(),
                "to": period.last.isoformat(),
                "days": period.days,
                "cars": [
                    {"plate": line.key, **utilisation_json(line.figures)} for line in report.cars
                ],
                "drivers": [
                    {"code": line.key, **utilisation_json(line.figures)} for line in report.drivers
                ],
                "fleet": utilisation_json(report.fleet),
            }
        )
    else:
        for noun, lines in (("Car", report.cars), ("Driver", report.drivers)):
            output.show(_utilisation_table(f"{noun}s, {_title(period)}", noun, lines))
        fleet = report.fleet
        output.print_lines(
            [
                f"Fleet ({len(report.cars)} cars): {fleet.booked_days} days booked, "
                f"{fleet.blocked_days} blocked, {percent(fleet.percent_tenths)}% of the "
                f"{fleet.available_days} car-days not blocked."
            ]
        )
    return _finish(written, args.json)


def _utilisation_table(title: str, noun: str, lines: list[reports.UtilisationLine]) -> Table:
    table = _table(title, (noun, "Booked", "Blocked", "Available", "Utilisation"))
    for line in lines:
        figures = line.figures
        table.add_row(
            f"{line.key} (retired)" if line.retired else line.key,
            str(figures.booked_days),
            str(figures.blocked_days),
            str(figures.available_days),
            f"{percent(figures.percent_tenths)}%",
        )
    return table


# -- Revenue -----------------------------------------------------------------------------------


def revenue_json(figures: Revenue) -> dict[str, int]:
    return {
        "charges_cents": figures.charges_cents,
        "fees_cents": figures.fees_cents,
        "adjustments_cents": figures.adjustments_cents,
        "payments_cents": figures.payments_cents,
        "refunds_cents": figures.refunds_cents,
        "billed_cents": figures.billed_cents,
        "collected_cents": figures.collected_cents,
    }


def revenue(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    grouping = Grouping(args.by)
    report = reports.revenue_report(desk, ctx.actor, *_dates(desk, args), grouping)
    period = report.period
    written = None
    if args.csv:
        written = _write_csv(
            lambda path: reports.export_revenue(desk, ctx.actor, report, path), args.csv
        )
    if args.json:
        output.print_json(
            {
                "from": period.first.isoformat(),
                "to": period.last.isoformat(),
                "by": grouping.value,
                "periods": [
                    {"period": line.period, **revenue_json(line.figures)} for line in report.lines
                ],
                "total": revenue_json(report.total),
            }
        )
    else:
        output.show(_revenue_table(report, desk.money))
    return _finish(written, args.json)


def _revenue_table(report: reports.RevenueReport, money: Money) -> Table:
    table = _table(
        f"Revenue by {report.grouping.value}, {_title(report.period)}",
        ("Period", "Charges", "Fees", "Adjust.", "Billed", "Payments", "Refunds", "Collected"),
    )

    def cells(figures: Revenue) -> list[str]:
        return [
            money(cents)
            for cents in (
                figures.charges_cents,
                figures.fees_cents,
                figures.adjustments_cents,
                figures.billed_cents,
                figures.payments_cents,
                figures.refunds_cents,
                figures.collected_cents,
            )
        ]

    for line in report.lines:
        table.add_row(line.period, *cells(line.figures))
    table.add_section()
    table.add_row("Total", *cells(report.total), style="bold")
    table.caption = "Billed = charges + fees + adjustments; collected = payments − refunds."
    table.caption_justify = "left"
    return table


# -- Takings -----------------------------------------------------------------------------------


def takings_json(figures: Takings) -> dict[str, int]:
    return {
        "payments_cents": figures.payments_cents,
        "refunds_cents": figures.refunds_cents,
        "net_cents": figures.net_cents,
        "count": figures.count,
    }


def takings(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    day = desk.parse_date(args.date, "--date") if args.date else None
    report = reports.takings_report(desk, ctx.actor, day)
    if args.json:
        output.print_json(
            {
                "date": report.day.isoformat(),
                "methods": [
                    {"method": line.key, **takings_json(line.figures)} for line in report.methods
                ],
                "clerks": [
                    {"user": line.key, **takings_json(line.figures)} for line in report.clerks
                ],
                "total": takings_json(report.total),
            }
        )
        return 0
    when = f"{report.day:%a %d %b %Y}"
    output.show(_takings_table(f"Takings on {when} by method", "Method", report.methods, desk))
    output.show(_takings_table("By clerk", "Clerk", report.clerks, desk))
    total = report.total
    output.print_lines(
        [
            f"Total: {desk.money(total.payments_cents)} taken, "
            f"{desk.money(total.refunds_cents)} refunded, net {desk.money(total.net_cents)} "
            f"({total.count} entr{'y' if total.count == 1 else 'ies'})."
        ]
    )
    return 0


def _takings_table(title: str, noun: str, lines: list[reports.TakingsLine], desk: Desk) -> Table:
    table = _table(title, (noun, "Payments", "Refunds", "Net", "Entries"))
    for line in lines:
        figures = line.figures
        table.add_row(
            line.key,
            desk.money(figures.payments_cents),
            desk.money(figures.refunds_cents),
            desk.money(figures.net_cents),
            str(figures.count),
        )
    return table


def _table(title: str, columns: tuple[str, ...]) -> Table:
    """The first column names the line; the figures are right-aligned so digits line up."""
    table = Table(title=title, title_justify="left", header_style="bold")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right", no_wrap=True)
    return table
