"""The benchmark's PostgreSQL section: one booking through the service beside raw psycopg
sending the same statements, as the history grows, then 8 concurrent bookers of each.

One database (see `pg_target` for where it comes from) is filled in stages: at each history
size, booking attempts through the service and through the baseline alternate, rotating who
goes first, so that load from elsewhere on the machine falls on both alike; over the largest
history the throughput of 8 processes booking at once (`pg_throughput`).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import psycopg
from rich.console import Console
from rich.table import Table

from nextcars_tui.bench.core import ACTOR, SizeFigures, Timing
from nextcars_tui.bench.pg_target import conninfo
from nextcars_tui.bench.pg_throughput import Throughput
from nextcars_tui.bench.pg_throughput import measure as measure_throughput
from nextcars_tui.bench.raw_postgres import RawPgBooking
from nextcars_tui.bench.seed import (
    ATTEMPTS_FROM,
    CUSTOMERS,
    DRIVERS,
    FreeSlots,
    bench_settings,
    email,
)
from nextcars_tui.bench.seed_postgres import PgSeeder
from nextcars_tui.config import Settings
from nextcars_tui.services.booking import BookingRequest, book
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import open_database

# Targets from the one-write-path issue (1.5x before it): a booking through the service at
# most 1.3x raw psycopg; 8 bookers at once at least 0.8x raw psycopg's bookings per second.
MAX_VS_RAW = 1.3
MIN_THROUGHPUT_VS_RAW = 0.8
WARM_UP = 20  # per contender and size: connections, prepared statements, caches
KINDS = ("service", "raw")
_SERVER_SETTINGS = ("server_version", "fsync", "synchronous_commit", "shared_buffers")


@dataclass
class PgFigures:
    where: str
    server: dict[str, str] = field(default_factory=dict)
    # 1-minute load average and cores at the end: these figures are mostly waits, which a
    # busy machine lengthens, the service's (one more round trip, more CPU) the most.
    load: tuple[float, int] = (0.0, 0)
    sizes: list[SizeFigures] = field(default_factory=list)
    throughput: Throughput | None = None


class Bench:
    """The desk and the baseline over one database, booking into free slots."""

    def __init__(self, url: str, settings: Settings) -> None:
        self.db = open_database(url)
        self.db.create_schema()
        self.desk = Desk(self.db, settings)
        self.raw = RawPgBooking(
            url,
            invoice_due_days=settings.lifecycle.invoice_due_days,
            currency=settings.business.currency,
        )
        self.slots, self.rng = FreeSlots(self.desk.today()), random.Random(7)
        self.reset()

    def reset(self) -> None:
        self.samples: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in KINDS}

    def attempt(self, kind: str) -> None:
        plate, code, start, days = self.slots.take()
        customer = email(self.rng.randrange(1, CUSTOMERS + 1))
        wall, cpu = time.perf_counter(), time.thread_time()
        if kind == "service":
            book(self.desk, ACTOR, BookingRequest(customer, plate, code, start, days))
        elif self.raw.book(customer, plate, code, start, days, ACTOR.username) is None:
            raise RuntimeError(f"raw attempt on {plate} from {start} clashed")
        walls, cpus = self.samples[kind]
        walls.append(time.perf_counter() - wall)
        cpus.append(time.thread_time() - cpu)

    def rounds(self, count: int) -> None:
        for turn in range(count):
            for kind in KINDS[turn % 2 :] + KINDS[: turn % 2]:
                self.attempt(kind)

    def first_free_day(self) -> date:
        """A day after every slot taken so far: where the concurrent bookers begin."""
        blocks = self.slots.issued // DRIVERS + 1
        return self.desk.today() + timedelta(days=ATTEMPTS_FROM + 15 * blocks)

    def close(self) -> None:
        self.raw.close()
        self.db.close()


def measure(
    console: Console,
    url: str,
    where: str,
    sizes: Sequence[int],
    attempts: int,
    seconds: float,
    rounds: int,
) -> PgFigures:
    """Fill the database to each size in turn and time attempts there; then the throughput
    of concurrent bookers over the largest history."""
    figures = PgFigures(where)
    bench = Bench(url, bench_settings())
    try:
        figures.server = _server_settings(url)
        seeder = PgSeeder(url, bench.desk.today(), bench.desk.now())
        seeder.seed_fleet()
        for size in sorted(sizes):
            total, seed_s = seeder.grow_to(size)
            console.print(f"PostgreSQL: seeded {total:,} bookings in {seed_s:.1f} s")
            bench.rounds(WARM_UP)
            bench.reset()
            bench.rounds(attempts)
            timings = {kind: Timing.of(*bench.samples[kind]) for kind in KINDS}
            figures.sizes.append(SizeFigures(total, seed_s, timings))
        first_day = bench.first_free_day()
    finally:
        bench.close()
    if rounds > 0:
        figures.throughput = measure_throughput(url, first_day, seconds, rounds)
    figures.load = (os.getloadavg()[0], os.cpu_count() or 1)
    return figures


def _server_settings(url: str) -> dict[str, str]:
    with psycopg.connect(conninfo(url)) as conn:
        shown = {name: conn.execute(f"SHOW {name}").fetchone() for name in _SERVER_SETTINGS}
    return {name: str(row[0]) if row else "?" for name, row in shown.items()}


def _verdict(ok: bool) -> str:
    return "[bold green]PASS[/]" if ok else "[bold red]MISS[/]"


def report(console: Console, figures: PgFigures) -> None:
    server = figures.server
    console.print(
        f"[bold]PostgreSQL {server.get('server_version', '?')}[/], {figures.where}; "
        f"fsync {server.get('fsync')}, synchronous_commit {server.get('synchronous_commit')}, "
        f"shared_buffers {server.get('shared_buffers')}; load average {figures.load[0]:.1f} "
        f"on {figures.load[1]} cores",
        highlight=False,
    )
    table = Table(title="PostgreSQL: one booking, ms (CPU = time on the booking thread)")
    for heading in ("bookings", "seeded s", "service", "p95", "CPU", "raw psycopg", "p95", "CPU",
                    "service/raw"):  # fmt: skip
        table.add_column(heading, justify="right")
    for size in figures.sizes:
        service, raw = size.timings["service"], size.timings["raw"]
        table.add_row(
            f"{size.bookings:,}", f"{size.seed_s:.1f}",
            f"{service.median_ms:.2f}", f"{service.p95_ms:.2f}", f"{service.cpu_ms:.2f}",
            f"{raw.median_ms:.2f}", f"{raw.p95_ms:.2f}", f"{raw.cpu_ms:.2f}",
            f"{size.vs_baseline:.2f}x",
        )  # fmt: skip
    console.print(table)
    flow = figures.throughput
    if flow is not None:
        phases = Table(title=f"PostgreSQL: {flow.bookers} bookers at once, distinct cars and "
                             "drivers, bookings per second")  # fmt: skip
        for heading in ("contender", "median", "phases"):
            phases.add_column(heading, justify="right")
        for kind in ("service", "raw"):
            runs = [f"{p.per_second:.0f}" for p in flow.phases if p.kind == kind]
            phases.add_row(kind, f"{flow.per_second(kind):.0f}", " ".join(runs))
        console.print(phases)
        console.print(f"raw psycopg books {flow.raw_vs_service:.2f}x as many per second")
    targets = Table(title="PostgreSQL targets")
    for heading in ("target", "measured", "verdict"):
        targets.add_column(heading)
    for size in figures.sizes:
        targets.add_row(
            f"service ≤ {MAX_VS_RAW}x raw psycopg at {size.bookings:,}",
            f"{size.vs_baseline:.2f}x",
            _verdict(size.vs_baseline <= MAX_VS_RAW),
        )
    if flow is not None:
        share = 1 / flow.raw_vs_service
        targets.add_row(
            f"{flow.bookers} bookers: service ≥ {MIN_THROUGHPUT_VS_RAW}x raw's bookings a second",
            f"{share:.2f}x",
            _verdict(share >= MIN_THROUGHPUT_VS_RAW),
        )
    console.print(targets)
