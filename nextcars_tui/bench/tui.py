"""TUI benchmarks over a seeded database: `python -m nextcars_tui.bench.tui [--db PATH]`.

Two hot paths of the desk, each timed as query plus render, in a headless Textual app:

- the cars × days grid (500 cars × 31 days) moving its window by a week: the
  availability query, handing the grid to the widget, and drawing every visible line
  through Textual's own line renderer (target under 150 ms, with blocks present: the seed
  blocks every 12th car and every 15th driver for some days of the weeks moved over);
- the booking wizard's car step for the whole fleet: the free-or-busy query, filling the
  option list, and drawing its visible lines (target under 100 ms);
- the Today screen: its whole board (the run sheet of the day's pickups and returns, rentals
  in progress, holds, money due) read, and the pickups table filled and drawn (target under
  150 ms; the run sheet reads only the day's bookings, through the start-date index).

The database is the benchmark's 1,000,000-booking history (see `seed`); it is only read.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from textual.app import App, ComposeResult
from textual.widget import Widget

from nextcars_tui.bench.startup import measure_startup
from nextcars_tui.clock import system_clock
from nextcars_tui.config import Settings
from nextcars_tui.domain.dates import DateRange
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.availability import (
    ResourceKind,
    availability_grid,
    resource_options,
)
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.today import today_board
from nextcars_tui.store import open_database
from nextcars_tui.tui.screens.today import JOB_COLUMNS, job_rows
from nextcars_tui.tui.widgets.availability_grid import AvailabilityGrid
from nextcars_tui.tui.widgets.record_table import FittedTable
from nextcars_tui.tui.widgets.wizard_steps import ResourceStep

# Launch to a usable sign-in screen beside a minimal Textual app (1.5x before the one-write-
# path issue).
STARTUP_MAX_RATIO = 1.3
GRID_TARGET_MS = 150.0
CAR_STEP_TARGET_MS = 100.0
TODAY_TARGET_MS = 150.0
DEFAULT_DATABASES = (Path("/tmp/nextcars-bench-1m.db"),)
ACTOR = system_actor("bench-tui")
SIZE = (200, 50)


@dataclass(frozen=True)
class Timings:
    """One figure: total milliseconds per round, and the query's share of each."""

    name: str
    target_ms: float
    samples_ms: list[float]
    query_ms: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def median_query_ms(self) -> float:
        return statistics.median(self.query_ms)

    @property
    def worst_ms(self) -> float:
        return max(self.samples_ms)

    @property
    def ok(self) -> bool:
        return self.median_ms < self.target_ms


class _Harness(App[None]):
    """Just the widget under test, full screen, as the desk would lay it out."""

    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self._widget = widget

    def compose(self) -> ComposeResult:
        yield self._widget


def _draw(widget: Widget) -> int:
    """Render every visible line the way the compositor does, with no cached lines."""
    widget._styles_cache.clear()
    strips = widget.render_lines(widget.size.region)
    return sum(len(strip) for strip in strips)


Samples = tuple[list[float], list[float]]


def _run(widget: Widget, rounds: Callable[[], Samples]) -> Samples:
    async def go() -> Samples:
        async with _Harness(widget).run_test(size=SIZE) as pilot:
            await pilot.pause()
            samples = rounds()
            await pilot.pause()
            return samples

    return asyncio.run(go())


def grid_week_moves(desk: Desk, start: date, moves: int = 12) -> Timings:
    """The cars grid (31 days) moved a week at a time: query + show + draw, per move."""
    widget = AvailabilityGrid()

    def rounds() -> Samples:
        totals, queries = [], []
        today = desk.today()
        for move in range(moves + 1):
            began = time.perf_counter()
            grid = availability_grid(
                desk, ACTOR, ResourceKind.CAR, start + timedelta(weeks=move), 31
            )
            queried = time.perf_counter()
            widget.show_grid(grid, today)
            _draw(widget)
            if move:  # the first one warms caches and is not counted
                totals.append((time.perf_counter() - began) * 1000)
                queries.append((queried - began) * 1000)
        return totals, queries

    name = "grid: 500 cars × 31 days, window +1 week"
    return Timings(name, GRID_TARGET_MS, *_run(widget, rounds))


def car_step(desk: Desk, start: date, rounds_count: int = 12) -> Timings:
    """The wizard's car step for 3-day rentals: free-or-busy query + fill + draw."""
    step = ResourceStep("car")

    def rounds() -> Samples:
        totals, queries = [], []
        option_list = step.option_list
        for attempt in range(rounds_count + 1):
            dates = DateRange(start + timedelta(days=attempt), 3)
            began = time.perf_counter()
            options = resource_options(desk, ACTOR, ResourceKind.CAR, dates)
            queried = time.perf_counter()
            step.show_options(options, dates, None, desk.money)
            _draw(option_list)
            if attempt:
                totals.append((time.perf_counter() - began) * 1000)
                queries.append((queried - began) * 1000)
        return totals, queries

    name = "wizard car step: whole fleet, 3 days"
    return Timings(name, CAR_STEP_TARGET_MS, *_run(step, rounds))


def today_screen(desk: Desk, rounds_count: int = 12) -> Timings:
    """The Today screen's board: every query behind it, then the run sheet's pickups put in
    their table and drawn."""
    table = FittedTable()

    def rounds() -> Samples:
        totals, queries = [], []
        for attempt in range(rounds_count + 1):
            began = time.perf_counter()
            board = today_board(desk, ACTOR)
            queried = time.perf_counter()
            table.show(JOB_COLUMNS, job_rows(board.run_sheet.pickups, desk.money))
            _draw(table)
            if attempt:
                totals.append((time.perf_counter() - began) * 1000)
                queries.append((queried - began) * 1000)
        return totals, queries

    name = "Today: board with the run sheet, pickups drawn"
    return Timings(name, TODAY_TARGET_MS, *_run(table, rounds))


@dataclass(frozen=True)
class Counts:
    bookings: int
    cars: int
    blocks: int  # in force over the days the grid moves across (car and driver blocks)


def counts(path: Path, start: date, end: date) -> Counts:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        bookings = conn.execute("SELECT count(*) FROM booking").fetchone()[0]
        cars = conn.execute("SELECT count(*) FROM car").fetchone()[0]
        blocks = conn.execute(
            "SELECT count(*) FROM block WHERE removed_at IS NULL "
            "AND start_date < ? AND end_date > ?",
            (end.isoformat(), start.isoformat()),
        ).fetchone()[0]
    finally:
        conn.close()
    return Counts(bookings, cars, blocks)


def _grid_span(start: date, moves: int) -> tuple[date, date]:
    """The days the grid shows over all its moves."""
    return start, start + timedelta(weeks=moves, days=31)


def report(console: Console, path: Path, found: Counts, rows: list[Timings]) -> None:
    table = Table(
        title=f"TUI over {found.bookings:,} bookings and {found.cars} cars, "
        f"{found.blocks} blocks in the grid's weeks ({path.name})"
    )
    for column in ("what", "median ms", "of which query", "worst ms", "target ms", ""):
        table.add_column(column, justify="left" if column == "what" else "right")
    for row in rows:
        table.add_row(
            row.name,
            f"{row.median_ms:.1f}",
            f"{row.median_query_ms:.1f}",
            f"{row.worst_ms:.1f}",
            f"< {row.target_ms:.0f}",
            "[green]ok[/]" if row.ok else "[red]slow[/]",
        )
    console.print(table)


def startup_row(console: Console, path: Path, folder: Path, runs: int = 5) -> None:
    """Launch-to-sign-in of the desk on this database beside a minimal Textual app."""
    config = folder / "bench-nextcars.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{path}"\n', encoding="utf-8")
    figures = measure_startup(config, runs)
    verdict = "PASS" if figures.ratio <= STARTUP_MAX_RATIO else "MISS"
    console.print(
        f"launch to sign-in screen (median of {runs}, 80×24 pty): desk {figures.desk_ms:.0f} ms, "
        f"minimal Textual app with two inputs and a button {figures.minimal_ms:.0f} ms, "
        f"ratio {figures.ratio:.2f}x (target ≤ {STARTUP_MAX_RATIO}x) {verdict}"
    )


def run_section(console: Console, path: Path, folder: Path, rounds: int = 12) -> None:
    """The TUI section of `python -m nextcars_tui.bench`: figures printed, never asserted."""
    database = open_database(path, create=False)
    try:
        desk = Desk(database, Settings(), system_clock)
        start = desk.today() - timedelta(days=14)
        rows = [
            grid_week_moves(desk, start, rounds),
            car_step(desk, desk.today(), rounds),
            today_screen(desk, rounds),
        ]
    finally:
        database.close()
    report(console, path, counts(path, *_grid_span(start, rounds)), rows)
    startup_row(console, path, folder)


def _find_database(given: Path | None) -> Path | None:
    if given is not None:
        return given
    return next((path for path in DEFAULT_DATABASES if path.exists()), None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nextcars_tui.bench.tui", description=__doc__)
    parser.add_argument(
        "--db",
        type=Path,
        help="a seeded database (python -m nextcars_tui.bench --keep PATH makes one)",
    )
    parser.add_argument("--rounds", type=int, default=12, help="timed rounds per figure")
    args = parser.parse_args(argv)
    path = _find_database(args.db)
    if path is None or not path.exists():
        parser.error("no seeded database; make one with python -m nextcars_tui.bench --keep PATH")
    database = open_database(path, create=False)
    try:
        desk = Desk(database, Settings(), system_clock)
        start = desk.today() - timedelta(days=14)
        rows = [
            grid_week_moves(desk, start, args.rounds),
            car_step(desk, desk.today(), args.rounds),
            today_screen(desk, args.rounds),
        ]
    finally:
        database.close()
    console = Console(width=None if sys.stdout.isatty() else 120)
    report(console, path, counts(path, *_grid_span(start, args.rounds)), rows)
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
