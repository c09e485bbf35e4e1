"""The manager's reports over the largest history: a month's and a year's utilisation and
revenue, and one day's takings, as the Reports screen and `nextcars report` ask for them."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from rich.console import Console
from rich.table import Table

from nextcars_tui.domain.reporting import Grouping, Period, last_month, year_of
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.business_reports import (
    revenue_report,
    takings_report,
    utilisation_report,
)
from nextcars_tui.services.desk import Desk
from nextcars_tui.store.diagnostics import full_reads, query_plan, recorded_statements

# Targets from the reports issue, over 1M bookings and about 3M ledger entries.
MAX_MONTH_MS, MAX_YEAR_MS, MAX_TAKINGS_MS = 300.0, 1000.0, 50.0
ACTOR = system_actor("bench")
# name -> (the report as the desk asks for it, its target in ms)
Reads = dict[str, tuple[Callable[[], object], float]]


@dataclass(frozen=True)
class ReportFigures:
    month: Period
    year: Period
    day: date
    # name -> (median ms, target ms)
    timings: dict[str, tuple[float, float]]
    plans: dict[str, list[str]]


def measure(desk: Desk, rounds: int = 5) -> ReportFigures:
    """Last month and last calendar year (wholly in the seeded history), and a weekday of
    last month, each report timed `rounds` times: the median."""
    today = desk.today()
    month, year = last_month(today), year_of(date(today.year - 1, 1, 1))
    day = month.first + timedelta(days=14)
    reads: Reads = {
        "utilisation, a month": (
            lambda: utilisation_report(desk, ACTOR, month.first, month.last),
            MAX_MONTH_MS,
        ),
        "revenue by week, a month": (
            lambda: revenue_report(desk, ACTOR, month.first, month.last, Grouping.WEEK),
            MAX_MONTH_MS,
        ),
        "utilisation, a year": (
            lambda: utilisation_report(desk, ACTOR, year.first, year.last),
            MAX_YEAR_MS,
        ),
        "revenue by month, a year": (
            lambda: revenue_report(desk, ACTOR, year.first, year.last),
            MAX_YEAR_MS,
        ),
        "takings of a day": (lambda: takings_report(desk, ACTOR, day), MAX_TAKINGS_MS),
    }
    samples: dict[str, list[float]] = {name: [] for name in reads}
    for _ in range(rounds):
        for name, (read, _target) in reads.items():
            began = time.perf_counter()
            read()
            samples[name].append((time.perf_counter() - began) * 1000)
    timings = {
        name: (statistics.median(samples[name]), target) for name, (_read, target) in reads.items()
    }
    return ReportFigures(month, year, day, timings, _plans(desk, reads))


def _plans(
    desk: Desk, reads: dict[str, tuple[Callable[[], object], float]]
) -> dict[str, list[str]]:
    """SQLite's plan of every SELECT the reports send, with the values they bound."""
    with recorded_statements(desk.db) as statements:
        for read, _target in reads.values():
            read()
    return {
        " ".join(sql.split()): query_plan(desk.db, (sql, params))
        for sql, params in statements
        if sql.lstrip().upper().startswith("SELECT")
    }


def report(console: Console, figures: ReportFigures, bookings: int, entries: int) -> None:
    table = Table(
        title=f"Reports over {bookings:,} bookings and {entries:,} ledger entries, median ms "
        f"(month {figures.month.first:%b %Y}, year {figures.year.first.year}, "
        f"day {figures.day.isoformat()})"
    )
    for heading in ("report", "ms", "target", "verdict"):
        table.add_column(heading, justify="right")
    for name, (ms, target) in figures.timings.items():
        verdict = "[bold green]PASS[/]" if ms < target else "[bold red]MISS[/]"
        table.add_row(name, f"{ms:.1f}", f"< {target:.0f}", verdict)
    console.print(table)
    console.print("[bold]Report query plans[/] (red: reads a whole table)")
    for sql, plan in figures.plans.items():
        console.print(f"[cyan]{sql[:200]}[/]", highlight=False)
        flagged = full_reads(plan)
        for line in plan:
            style = "red" if line in flagged else "green"
            console.print(f"    [{style}]{line}[/]", highlight=False)
