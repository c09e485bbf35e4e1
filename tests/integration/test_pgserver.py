"""The throw-away PostgreSQL server the engine tests run on: it starts, hands out databases that
keep the EXCLUDE backstop, and leaves no process or folder behind, even when its run is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy

from tests.conftest import MEASUREMENT_PROPERTY
from tests.pgserver import PgServer, is_running

REPO = Path(__file__).resolve().parents[2]
GONE_WITHIN = 20.0


def wait_until_gone(pid: int | None, folder: Path) -> None:
    deadline = time.monotonic() + GONE_WITHIN
    while (pid is not None and is_running(pid)) or folder.exists():
        assert time.monotonic() < deadline, f"server {pid} or {folder} still there"
        time.sleep(0.1)


def test_database_refuses_an_overlapping_stay(
    pg_server: PgServer, pg_database: str, record_property
):
    record_property(
        MEASUREMENT_PROPERTY,
        f"PostgreSQL test server: initdb {pg_server.timings['initdb']:.2f} s, "
        f"pg_ctl start {pg_server.timings['start']:.2f} s",
    )
    with pg_server.connect(pg_database) as conn:
        conn.execute("CREATE EXTENSION btree_gist")
        conn.execute(
            "CREATE TABLE stay (room int, a date, b date,"
            " EXCLUDE USING gist (room WITH =, daterange(a, b, '[)') WITH &&))"
        )
        insert = "INSERT INTO stay VALUES (%s, %s, %s)"
        conn.execute(insert, (1, "2025-03-01", "2025-03-04"))
        conn.execute(insert, (1, "2025-03-04", "2025-03-06"))  # starts the day the other ends
        conn.execute(insert, (2, "2025-03-02", "2025-03-05"))  # another room
        with pytest.raises(psycopg.errors.ExclusionViolation):
            conn.execute(insert, (1, "2025-03-03", "2025-03-05"))
        assert conn.execute("SELECT count(*) FROM stay").fetchone() == (3,)

    engine = sqlalchemy.create_engine(pg_server.url(pg_database))
    try:
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT current_database()")).scalar() == (
                pg_database
            )
    finally:
        engine.dispose()


def test_database_from_template_then_dropped(pg_server: PgServer, record_property):
    template = pg_server.create_database("template_stays")
    with pg_server.connect(template) as conn:
        conn.execute("CREATE EXTENSION btree_gist")
        conn.execute("CREATE TABLE stay (room int PRIMARY KEY)")
        conn.execute("INSERT INTO stay VALUES (7)")
    copies = [f"stays_{n}" for n in range(3)]
    took = []
    for name in copies:
        began = time.perf_counter()
        pg_server.create_database(name, template=template)
        took.append(time.perf_counter() - began)
    record_property(
        MEASUREMENT_PROPERTY,
        f"PostgreSQL CREATE DATABASE from a template: {min(took) * 1000:.0f} ms"
        f" (best of {len(took)}, worst {max(took) * 1000:.0f} ms)",
    )

    with pg_server.connect(copies[0]) as conn:
        assert conn.execute("SELECT room FROM stay").fetchall() == [(7,)]
        extension = "SELECT extname FROM pg_extension WHERE extname = 'btree_gist'"
        assert conn.execute(extension).fetchall() == [("btree_gist",)]

    with pg_server.connect(copies[0]) as session:
        for name in [*copies, template]:
            pg_server.drop_database(name)  # ends the session still connected to it
        with pytest.raises(psycopg.OperationalError):
            session.execute("SELECT 1")
    with pg_server.connect() as conn:
        names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    assert names.isdisjoint([*copies, template])


def test_stop_ends_the_server_and_its_sessions_and_removes_the_folder():
    server = PgServer().start()
    folder, pid = server.folder, server.postmaster_pid()
    assert folder is not None and pid is not None and is_running(pid)
    session = server.connect()
    try:
        server.stop()
    finally:
        session.close()
    assert not is_running(pid)
    assert not folder.exists()
    assert session.closed or session.broken


def test_a_killed_test_run_leaves_no_server_behind():
    started_then_sleeps = (
        "import time; from tests.pgserver import PgServer; server = PgServer().start();"
        " print(server.folder, server.postmaster_pid(), flush=True); time.sleep(300)"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", started_then_sleeps], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        folder, pid = child.stdout.readline().split()
        assert is_running(int(pid))
    finally:
        os.kill(child.pid, signal.SIGKILL)  # no atexit, no finally: only the watchdog is left
        child.wait()
    wait_until_gone(int(pid), Path(folder))
