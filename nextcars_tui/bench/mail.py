"""The outbox's costs: what queuing a confirmation adds to the booking it belongs to (booked and
confirmed through the services, with the message queued and without, interleaved in one run),
and how long `mail send` takes to hand 100 queued messages to a local SMTP server."""

from __future__ import annotations

import socket
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from nextcars_tui.config import MailSettings, Settings
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services import booking as booking_service
from nextcars_tui.services.booking import BookingRequest, book, confirm
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.mail import send_due
from nextcars_tui.services.outbox import email_invoice
from nextcars_tui.store import CarRecord, CustomerRecord, DriverRecord, open_database

ACTOR = system_actor("bench")
FLEET = 50
MESSAGES = 100
# Targets: the figures.
QUEUE_SHARE_TARGET = 10.0
SEND_TARGET_S = 5.0


@dataclass(frozen=True)
class MailFigures:
    with_queue_ms: float
    # The queueing call itself, inside the booking's transaction (its commit not included).
    queue_call_ms: float
    without_queue_ms: float
    rounds: int
    send_s: float | None
    sent: int
    skipped: str = ""

    @property
    def added_percent(self) -> float:
        return 100 * (self.with_queue_ms - self.without_queue_ms) / self.without_queue_ms

    @property
    def call_percent(self) -> float:
        return 100 * self.queue_call_ms / self.without_queue_ms


def _desk(path: Path, settings: Settings) -> Desk:
    db = open_database(path)
    db.create_schema()
    desk = Desk(db, settings)
    with db.write() as uow:
        for i in range(FLEET):
            uow.cars.insert(
                CarRecord(
                    id=None,
                    plate=f"MB{i:02d} NCS",
                    make="Skoda",
                    model="Superb",
                    seats=5,
                    daily_rate_cents=8_900,
                )
            )
            uow.drivers.insert(
                DriverRecord(
                    id=None,
                    code=f"MB-{i:02d}",
                    name=f"Driver {i}",
                    phone="+44 20 7946 0000",
                    daily_fee_cents=6_000,
                )
            )
            uow.customers.insert(
                CustomerRecord(
                    id=None,
                    email=f"bench{i:02d}@example.com",
                    name=f"Customer {i}",
                    phone="+44 20 7946 0001",
                )
            )
        uow.commit()
    return desk


@contextmanager
def _queueing(on: bool, spent: list[float]) -> Iterator[None]:
    """Confirmations queued as the desk queues them (the time inside the call added to
    `spent`), or not at all: the booking alone."""
    real = booking_service.notify_confirmed

    def timed(*args: Any) -> None:
        began = time.perf_counter()
        real(*args)
        spent.append(time.perf_counter() - began)

    def skipped(*_args: Any) -> None:
        return None

    # The booking module's own name for the hook, which its confirm() calls.
    setattr(booking_service, "notify_confirmed", timed if on else skipped)  # noqa: B010
    try:
        yield
    finally:
        setattr(booking_service, "notify_confirmed", real)  # noqa: B010


def _booker(desk: Desk) -> Callable[[], float]:
    """Book and confirm on the next free car, driver and day; returns the seconds taken."""
    counter = iter(range(10**6))
    today = desk.today()

    def one() -> float:
        n = next(counter)
        i = n % FLEET
        request = BookingRequest(
            f"bench{i:02d}@example.com",
            f"MB{i:02d} NCS",
            f"MB-{i:02d}",
            today + timedelta(days=1 + n // FLEET),
            1,
        )
        began = time.perf_counter()
        confirm(desk, ACTOR, book(desk, ACTOR, request).ref)
        return time.perf_counter() - began

    return one


def measure(console: Console, folder: Path, settings: Settings, rounds: int) -> MailFigures:
    desk = _desk(folder / "mail-bench.db", settings)
    try:
        one = _booker(desk)
        for _ in range(5):  # warm up: imports, statement caches
            one()
        timed: dict[bool, list[float]] = {True: [], False: []}
        spent: list[float] = []
        # Alternating one by one, so load from elsewhere falls on both alike.
        for _ in range(rounds * 10):
            for on in (True, False):
                with _queueing(on, spent):
                    timed[on].append(one())
        send_s, sent, skipped = _send(desk)
        return MailFigures(
            with_queue_ms=1000 * statistics.median(timed[True]),
            queue_call_ms=1000 * statistics.median(spent),
            without_queue_ms=1000 * statistics.median(timed[False]),
            rounds=rounds * 10,
            send_s=send_s,
            sent=sent,
            skipped=skipped,
        )
    finally:
        desk.db.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _send(desk: Desk) -> tuple[float | None, int, str]:
    """100 invoices handed to an aiosmtpd server on 127.0.0.1 by one `mail send`."""
    try:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Sink
    except ImportError:
        return None, 0, "aiosmtpd is not installed (pip install -e '.[test]')"
    port = _free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mailing = replace(
            desk,
            settings=replace(
                desk.settings,
                mail=MailSettings(
                    smtp_url=f"smtp://127.0.0.1:{port}", from_address="desk@example.com"
                ),
            ),
        )
        send_due(mailing, ACTOR)  # the confirmations queued while booking, out of the way
        for _ in range(MESSAGES):
            email_invoice(mailing, ACTOR, "INV-000001")
        began = time.perf_counter()
        result = send_due(mailing, ACTOR)
        return time.perf_counter() - began, result.sent, ""
    finally:
        controller.stop()


def report(console: Console, figures: MailFigures) -> None:
    table = Table(title="Mail: the outbox", title_justify="left")
    for column in ("Figure", "Measured", "Target"):
        table.add_column(column)
    share = figures.added_percent
    table.add_row(
        f"book + confirm, confirmation queued (median of {figures.rounds})",
        f"{figures.with_queue_ms:.2f} ms",
        "",
    )
    table.add_row("book + confirm, nothing queued", f"{figures.without_queue_ms:.2f} ms", "")
    table.add_row(
        "queuing adds, end to end (difference of medians; commit included)",
        f"[{'green' if share <= QUEUE_SHARE_TARGET else 'red'}]{share:.1f} %[/]",
        f"≤ {QUEUE_SHARE_TARGET:.0f} %",
    )
    call = figures.call_percent
    table.add_row(
        "the queueing call itself (inside the transaction)",
        f"{1000 * figures.queue_call_ms:.0f} µs = "
        f"[{'green' if call <= QUEUE_SHARE_TARGET else 'red'}]{call:.1f} %[/]",
        f"≤ {QUEUE_SHARE_TARGET:.0f} %",
    )
    if figures.send_s is None:
        table.add_row(f"mail send, {MESSAGES} messages", f"skipped: {figures.skipped}", "")
    else:
        ok = figures.send_s < SEND_TARGET_S and figures.sent == MESSAGES
        table.add_row(
            f"mail send, {MESSAGES} messages to 127.0.0.1 (one invoice e-mailed "
            f"{MESSAGES} times: its PDF drawn once)",
            f"[{'green' if ok else 'red'}]{figures.send_s:.2f} s[/] ({figures.sent} sent)",
            f"< {SEND_TARGET_S:.0f} s",
        )
    console.print(table)
