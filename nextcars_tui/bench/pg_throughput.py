"""Throughput on PostgreSQL: 8 processes booking at once, through the service and through raw
psycopg in turns.

Each booker is its own process (spawned, so nothing is shared but the server) with its own
desk and its own raw connection, and books on its own cars with its own drivers, so bookers
never wait for one another's row locks: what is measured is how many bookings the machine and
the server turn out. A barrier starts every phase on all bookers at once; each books for a fixed
time; the phases alternate service and raw, and each contender's figure is its median phase.
"""

from __future__ import annotations

import multiprocessing
import random
import statistics
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from nextcars_tui.bench.seed import (
    CARS,
    CUSTOMERS,
    DRIVERS,
    bench_settings,
    driver_code,
    email,
    plate,
)

BOOKERS = 8
KINDS = ("service", "raw")
WARM_UP = 10  # bookings per booker and contender before the first phase
BLOCK_DAYS = 15  # longer than the longest attempt (14 days), so blocks never overlap
STARTUP_TIMEOUT_S = 300  # spawning, importing and warming up 8 processes on 2 cores


@dataclass(frozen=True)
class Phase:
    kind: str
    bookings: int
    seconds: float  # from the first booker's start to the last one's end

    @property
    def per_second(self) -> float:
        return self.bookings / self.seconds


@dataclass(frozen=True)
class Throughput:
    bookers: int
    phases: tuple[Phase, ...]

    def per_second(self, kind: str) -> float:
        return statistics.median(p.per_second for p in self.phases if p.kind == kind)

    @property
    def raw_vs_service(self) -> float:
        return self.per_second("raw") / self.per_second("service")


def slot(booker: int, index: int, first_day: date) -> tuple[str, str, date, int]:
    """The booker's index-th car, driver and dates: its cars and drivers are those equal to
    it modulo BOOKERS, each used once per block of days, so no two slots overlap."""
    each = DRIVERS // BOOKERS
    block, turn = divmod(index, each)
    driver = BOOKERS * turn + booker + 1
    car = BOOKERS * ((turn + block) % (CARS // BOOKERS)) + booker + 1
    start = first_day + timedelta(days=BLOCK_DAYS * block)
    return plate(car), driver_code(driver), start, 1 + index % 14


def measure(url: str, first_day: date, seconds: float, rounds: int) -> Throughput:
    """`rounds` phases of each contender, `seconds` each, over slots from `first_day` on."""
    # Alternating who goes first: service, raw, raw, service, ...
    schedule = [kind for turn in range(rounds) for kind in KINDS[:: 1 if turn % 2 == 0 else -1]]
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(BOOKERS), context.Queue()
    bookers = [
        context.Process(
            target=_booker,
            args=(booker, url, first_day, schedule, seconds, barrier, results),
            daemon=True,
        )
        for booker in range(BOOKERS)
    ]
    for process in bookers:
        process.start()
    try:
        reports: dict[int, list[tuple[int, float, float]]] = {}
        for _ in range(BOOKERS * len(schedule)):
            report = results.get(timeout=STARTUP_TIMEOUT_S + seconds)
            if report[0] == "failed":
                raise RuntimeError(f"booker {report[1]} failed:\n{report[2]}")
            number, count, began, ended = report
            reports.setdefault(number, []).append((count, began, ended))
    finally:
        for process in bookers:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join()
    phases = tuple(
        Phase(
            kind,
            sum(count for count, _, _ in reports[number]),
            max(ended for _, _, ended in reports[number])
            - min(began for _, began, _ in reports[number]),
        )
        for number, kind in enumerate(schedule)
    )
    return Throughput(BOOKERS, phases)


def _booker(
    booker: int,
    url: str,
    first_day: date,
    schedule: Sequence[str],
    seconds: float,
    barrier: Any,
    results: Any,
) -> None:
    """One process: warm up both contenders, then book for `seconds` per phase of the schedule."""
    # Imported here, in the spawned process: the parent needs none of it to start bookers.
    from nextcars_tui.bench.raw_postgres import RawPgBooking
    from nextcars_tui.domain.roles import system_actor
    from nextcars_tui.services.booking import BookingRequest, book
    from nextcars_tui.services.desk import Desk
    from nextcars_tui.store import open_database

    settings, actor, rng = bench_settings(), system_actor("bench"), random.Random(booker)
    taken, db, raw = 0, None, None

    def one(desk: Desk, raw: RawPgBooking, kind: str) -> None:
        nonlocal taken
        car, driver, start, days = slot(booker, taken, first_day)
        taken += 1
        customer = email(rng.randrange(1, CUSTOMERS + 1))
        if kind == "service":
            book(desk, actor, BookingRequest(customer, car, driver, start, days))
        elif raw.book(customer, car, driver, start, days, actor.username) is None:
            raise RuntimeError(f"raw booking of {car} from {start} clashed")

    try:
        db = open_database(url)
        desk = Desk(db, settings)
        raw = RawPgBooking(
            url,
            invoice_due_days=settings.lifecycle.invoice_due_days,
            currency=settings.business.currency,
        )
        for kind in KINDS:
            for _ in range(WARM_UP):
                one(desk, raw, kind)
        for number, kind in enumerate(schedule):
            barrier.wait(timeout=STARTUP_TIMEOUT_S)
            began = time.monotonic()
            deadline, count = began + seconds, 0
            while time.monotonic() < deadline:
                one(desk, raw, kind)
                count += 1
            results.put((number, count, began, time.monotonic()))
    except BaseException:
        results.put(("failed", booker, traceback.format_exc()))
        barrier.abort()
    finally:
        if raw is not None:
            raw.close()
        if db is not None:
            db.close()
