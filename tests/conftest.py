"""Run-wide hooks. They live at the top of tests/ because under pytest-xdist the controller
loads only top-level conftest files, and the summary is printed by the controller."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

# pg_server and pg_database: a real, throw-away PostgreSQL server (tests/pgserver.py).
pytest_plugins = ["tests.pgfixtures"]

# Figures measured by tests (printed at the end of the run, not only with -s). They travel
# as user properties of the test reports, which pytest-xdist sends back from its workers.
MEASUREMENT_PROPERTY = "measurement"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for test_report in reports
        for name, value in getattr(test_report, "user_properties", ())
        if name == MEASUREMENT_PROPERTY
    ]
    if lines:
        terminalreporter.section("measurements")
        # A property noted in setup rides on the call and teardown reports as well.
        for line in dict.fromkeys(lines):
            terminalreporter.write_line(line)


# The run's temporary files (each test's database, the throw-away PostgreSQL clusters, the
# terminals' folders) live in memory where the machine has a tmpfs: the product still asks
# SQLite for a synced commit after every write, but a tmpfs answers at once, so the suite
# waits on its own work rather than the disk's. Power loss, the one thing a sync guards
# against that a tmpfs loses, is not something a test can cause.
MEMORY_FOLDER = Path("/dev/shm")
TEMP_ROOT_KEY = pytest.StashKey[Path]()
# What the run replaced, put back at its end: mutmut runs pytest again in the same process.
FORMER_TEMP_KEY = pytest.StashKey[tuple[str | None, str | None]]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # The controller chooses, before xdist starts its workers (they inherit TMPDIR and are
    # handed their basetemp inside it); a run given --basetemp keeps it.
    if hasattr(config, "workerinput") or config.option.basetemp:
        return
    if not (MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK)):
        return
    root = Path(tempfile.mkdtemp(prefix="nextcars-tests-", dir=MEMORY_FOLDER))
    # Others may pass through (the PostgreSQL server runs as its own user) but not list it.
    root.chmod(0o711)
    config.stash[TEMP_ROOT_KEY] = root
    config.stash[FORMER_TEMP_KEY] = (os.environ.get("TMPDIR"), tempfile.tempdir)
    os.environ["TMPDIR"] = str(root)
    tempfile.tempdir = str(root)


def pytest_unconfigure(config: pytest.Config) -> None:
    root = config.stash.get(TEMP_ROOT_KEY, None)
    if root is None:
        return
    shutil.rmtree(root, ignore_errors=True)
    environment, tempdir = config.stash[FORMER_TEMP_KEY]
    if environment is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = environment
    tempfile.tempdir = tempdir
