"""SIGKILL a process that is booking, at random moments: the database stays whole."""

from __future__ import annotations

import random
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, cli_json
from tests.e2e.terminal import clean_environment

pytestmark = pytest.mark.e2e

ROUNDS = 5
READY_TIMEOUT = 60.0


def _start_writer(config: Path, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.booking_loop", str(config), str(seed)],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_environment(),
    )


def _wait_ready(writer: subprocess.Popen[str]) -> None:
    """Block until the writer has committed once (imports alone take longer than a round)."""
    assert writer.stdout is not None
    deadline = time.monotonic() + READY_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(writer.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=deadline - time.monotonic()):
                line = writer.stdout.readline()
                if line.strip() == "ready":
                    return
                if not line:
                    break
    writer.kill()
    _out, errors = writer.communicate(timeout=10)
    raise AssertionError(f"the writer never committed:\n{errors}")


def _kill(writer: subprocess.Popen[str]) -> int:
    """SIGKILL the writer; return how many changes it reported committed."""
    writer.send_signal(signal.SIGKILL)
    out, errors = writer.communicate(timeout=10)
    assert writer.returncode == -signal.SIGKILL, errors
    return sum(1 for line in out.splitlines() if line.startswith("booked "))


def test_sigkill_while_booking_leaves_a_whole_database(
    demo_desk: Path, nextcars_bin: Path, report: Callable[[str], None]
) -> None:
    database = demo_desk.parent / "data" / "nextcars.db"
    before = len(cli_json(nextcars_bin, demo_desk, "bookings"))
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    reported = 0
    for round_number in range(ROUNDS):
        writer = _start_writer(demo_desk, seed + round_number)
        try:
            _wait_ready(writer)
            time.sleep(rng.uniform(0.05, 0.5))
            reported += _kill(writer)
        finally:
            if writer.poll() is None:
                writer.kill()
                writer.wait(timeout=10)

    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)], f"seed {seed}"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        bookings = db.execute("SELECT count(*) FROM booking").fetchone()[0]
        without_invoice = db.execute(
            "SELECT b.ref FROM booking b LEFT JOIN invoice i ON i.booking_id = b.id"
            " WHERE i.id IS NULL"
        ).fetchall()
        orphan_invoices = db.execute(
            "SELECT i.ref FROM invoice i LEFT JOIN booking b ON b.id = i.booking_id"
            " WHERE b.id IS NULL"
        ).fetchall()
        doubled = db.execute(
            "SELECT booking_id FROM invoice GROUP BY booking_id HAVING count(*) > 1"
        ).fetchall()
        # An invoice's figures are kept with its entries in one transaction: a kill never
        # leaves one without the other.
        torn_ledger = db.execute(
            "SELECT i.ref FROM invoice i LEFT JOIN ledger_entry e ON e.invoice_id = i.id"
            " GROUP BY i.id, i.ref, i.amount_cents, i.paid_cents HAVING"
            " i.amount_cents <> COALESCE(SUM(CASE WHEN e.kind IN ('charge', 'fee', 'adjustment')"
            " THEN e.amount_cents ELSE 0 END), 0) OR i.paid_cents <> COALESCE(SUM(CASE"
            " WHEN e.kind = 'payment' THEN e.amount_cents"
            " WHEN e.kind = 'refund' THEN -e.amount_cents ELSE 0 END), 0)"
        ).fetchall()
        overlapping = db.execute(
            "SELECT a.ref, b.ref FROM booking a JOIN booking b ON a.id < b.id"
            " AND (a.car_id = b.car_id OR a.driver_id = b.driver_id)"
            " AND a.start_date < b.end_date AND b.start_date < a.end_date"
            " WHERE a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed')"
        ).fetchall()
    assert without_invoice == [], f"bookings without an invoice (seed {seed})"
    assert orphan_invoices == [], f"invoices without a booking (seed {seed})"
    assert doubled == []
    assert torn_ledger == [], f"invoices that are not their ledger's sums (seed {seed})"
    assert overlapping == [], f"active bookings overlap (seed {seed})"
    # Every change the writers reported was committed (the killed one may have committed one
    # more before it could say so), and the desk's own CLI still reads the file.
    assert bookings >= before + reported
    assert len(cli_json(nextcars_bin, demo_desk, "bookings")) == bookings
    report(f"kill mid-write: seed {seed}, {reported} bookings committed over {ROUNDS} SIGKILLs")
    assert reported >= ROUNDS, "the writers hardly wrote: the kills proved little"
