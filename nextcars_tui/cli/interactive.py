"""The long-running commands: the desk itself and the headless lifecycle worker."""

from __future__ import annotations

import argparse
import glob
import logging
import os
import signal
import sys
import threading
from pathlib import Path
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
    if uses_sqlite(ctx.settings):
        path = database_path(ctx.settings)
        if not path.exists():
            _create_demo_file(ctx, path)
    elif ctx.database().is_empty() or _demo_interrupted(ctx):
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
    output.print_line(f"Created {desk.db.where} with demo data.")
    output.show(output.sign_ins_table(demo.demo_sign_ins(desk)))


def _demo_interrupted(ctx: Context) -> bool:
    from nextcars_tui.services import demo

    return demo.was_interrupted(ctx.desk())


def _create_demo_file(ctx: Context, path: Path) -> None:
    """Build the demo in a file beside the database and move it into place only when it is
    complete: a desk killed while creating it leaves no half-made database to open next
    time, only a partial file that the next start removes."""
    from nextcars_tui.cli import output
    from nextcars_tui.services import demo
    from nextcars_tui.services.desk import open_desk

    _remove_stale_partials(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}{_PARTIAL}")
    desk = open_desk(ctx.settings, create=True, target=partial)
    try:
        demo.load_demo(desk, ctx.actor)
        sign_ins = demo.demo_sign_ins(desk)
    finally:
        desk.db.close()
    try:
        _move_into_place(partial, path)
    except FileExistsError:
        output.print_line(f"Another desk created {path} meanwhile; opening that one.")
        return
    finally:
        partial.unlink(missing_ok=True)
    output.print_line(f"Created SQLite database {path} with demo data.")
    output.show(output.sign_ins_table(sign_ins))


_PARTIAL = ".demo-partial"


def _move_into_place(partial: Path, path: Path) -> None:
    """link, not rename: never replaces a database another desk made meanwhile. Where the
    file system has no hard links, rename after a last look."""
    try:
        os.link(partial, path)
    except FileExistsError:
        raise
    except OSError:
        if path.exists():
            raise FileExistsError(path) from None
        os.rename(partial, path)


def _remove_stale_partials(path: Path) -> None:
    """Partial demo files of desks that were killed while making them."""
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*{_PARTIAL}*"):
        pid = leftover.name.removeprefix(f".{path.name}.").split(".", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            leftover.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
