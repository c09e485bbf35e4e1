"""The real `python -m nextcars_tui` in child processes: every exit code with one-line errors
and no tracebacks, and the worker stopping on SIGINT and SIGTERM.

Children start together and are awaited together: interpreter start-up dominates their time.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from datetime import timedelta

import pytest

from tests.cli.clikit import DeskFiles, nextcars_command, start_nextcars, write_config
from tests.cli.test_cli_booking import FREE_CAR, FREE_DRIVER, book_args, today

TIMEOUT = 120
# Child processes on a copied SQLite file; the contract itself is tested on both engines
# in-process (test_cli_booking.py, test_cli_admin.py).
pytestmark = pytest.mark.sqlite_only


def finish(child: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = child.communicate(timeout=TIMEOUT)
    return child.returncode, out, err


def assert_error(result: tuple[int, str, str], code: int, fragment: str) -> None:
    returncode, out, err = result
    assert returncode == code, err
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]


def _copy(files: DeskFiles, name: str, db_bytes: bytes | None = None) -> DeskFiles:
    folder = files.folder / name
    folder.mkdir()
    if db_bytes is None:
        shutil.copy(files.db, folder / "nextcars.db")
    else:
        (folder / "nextcars.db").write_bytes(db_bytes)
    return DeskFiles(folder, write_config(folder), f"sqlite:///{folder / 'nextcars.db'}")


def test_every_exit_code_from_the_real_command(desk_files: DeskFiles):
    start = today() + timedelta(days=3)
    completed = desk_files.rows("SELECT ref FROM booking WHERE status = 'completed' LIMIT 1")[0][0]
    ref, plate, clash_start = desk_files.rows(
        "SELECT b.ref, c.plate, b.start_date FROM booking b JOIN car c ON c.id = b.car_id "
        "WHERE b.status = 'confirmed' AND b.start_date > ? LIMIT 1",
        today().isoformat(),
    )[0]
    corrupt_bytes = b"SQLite format 3\x00" + b"\xff" * 4096
    corrupt = _copy(desk_files, "corrupt", corrupt_bytes)
    before = desk_files.counts()
    children = {
        "ok": start_nextcars(desk_files, *book_args(start), "--json"),
        "invalid": start_nextcars(desk_files, *book_args(start, "0")),
        "conflict": start_nextcars(desk_files, *book_args(str(clash_start), "1", car=str(plate))),
        "not allowed": start_nextcars(desk_files, "confirm", str(completed)),
        "not found": start_nextcars(desk_files, "checkout", "INV-999999", "--method", "card"),
        "corrupt": start_nextcars(corrupt, "bookings", "--json"),
    }
    results = {name: finish(child) for name, child in children.items()}

    code, out, err = results["ok"]
    assert (code, err) == (0, "")
    booked = json.loads(out)
    assert (booked["car"], booked["driver"], booked["status"]) == (FREE_CAR, FREE_DRIVER, "pending")
    assert_error(results["invalid"], 2, "at least one day")
    assert_error(results["conflict"], 3, f"({ref})")
    assert_error(results["not allowed"], 4, "only a pending booking can be confirmed")
    assert_error(results["not found"], 5, "No invoice INV-999999")
    assert_error(results["corrupt"], 1, "damaged or not an SQLite file")
    after = desk_files.counts()
    assert after["booking"] == before["booking"] + 1  # only the successful booking
    assert corrupt.db.read_bytes() == corrupt_bytes


def test_the_worker_runs_until_sigint_or_sigterm(desk_files: DeskFiles):
    desk_files.config.write_text(
        desk_files.config.read_text() + "\n[lifecycle]\ninterval_seconds = 1\n"
    )
    logs = {name: desk_files.folder / f"{name}.log" for name in ("SIGINT", "SIGTERM")}
    children = {}
    for name, log in logs.items():
        with log.open("w") as handle:
            children[name] = subprocess.Popen(
                nextcars_command("worker"),
                env=desk_files.env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=handle,
            )
    deadline = time.monotonic() + TIMEOUT
    for name, log in logs.items():
        # At least two runs: the one at start and one on the schedule.
        while log.read_text().count("lifecycle run:") < 2:
            assert children[name].poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        children[name].send_signal(getattr(signal, name))
    for name, child in children.items():
        assert child.wait(timeout=TIMEOUT) == 0
        text = logs[name].read_text()
        assert "lifecycle worker started" in text
        assert "lifecycle worker stopped" in text
        assert "Traceback" not in text
