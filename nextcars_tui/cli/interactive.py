"""The long-running commands: the desk itself and the headless lifecycle worker."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType

from nextcars_tui.cli.context import Context
from nextcars_tui.config import database_path, uses_sqlite
from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.roles import system_actor

# How often the main thread looks up from waiting; signals are handled in between.
_POLL_SECONDS = 0.2


def open_desk(ctx: Context, _args: argparse.Namespace) -> int:
    """Open the TUI; a missing database is first created with the demo data."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # A full-screen app on pipes would hang or spray escape codes.
        raise InvalidInput(
            "The NextCars desk needs a terminal; over SSH connect with 'ssh -t'. "
            "For scripts see 'nextcars --help'."
        )
    sqlite = uses_sqlite(ctx.settings)
    if (sqlite and not database_path(ctx.settings).exists()) or (
        not sqlite and ctx.database().is_empty()
    ):
        _create_demo(ctx)
    ctx.close()
    # The desk opens its own connections off its event loop, after sign-in is on screen;
    # an existing SQLite file is not opened here so the data layer does not delay the first
    # paint (a server is asked whether its database is empty: there is no file to look at).
    # Imported here so scripted commands never pay for (or depend on) loading Textual.
    from nextcars_tui.tui.app import run_desk

    run_desk(ctx.settings)
    return 0


def _create_demo(ctx: Context) -> None:
    from nextcars_tui.cli import output
    from nextcars_tui.services import demo

    desk = ctx.desk(create=True)
    demo.load_demo(desk, ctx.actor)
    print(f"Created {desk.db.where} with demo data.")
    output.console().print(output.sign_ins_table(demo.demo_sign_ins(desk)))


def worker(ctx: Context, _args: argparse.Namespace) -> int:
    """Run the lifecycle rules on the configured interval until SIGINT or SIGTERM."""
    from nextcars_tui.worker import LifecycleWorker

    desk = ctx.desk()
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    lifecycle_worker = LifecycleWorker(desk, actor=system_actor("worker"))
    lifecycle_worker.start()
    while not stop.wait(_POLL_SECONDS):
        pass
    logging.getLogger(__name__).info("stop requested; finishing the current run")
    lifecycle_worker.stop(timeout=30)
    return 0
