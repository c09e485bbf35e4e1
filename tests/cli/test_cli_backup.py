"""`nextcars backup FILE`: a consistent copy while another terminal keeps booking, private
from its first byte, never over an existing file; on PostgreSQL a pg_dump custom-format file
that the README's pg_restore recipe turns back into a working desk.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

from nextcars_tui.config import CONFIG_ENV, DB_ENV
from tests.cli.clikit import PASSWORD, DeskFiles, invoke, postgres_url, write_config
from tests.integration.rawdb import raw
from tests.pgserver import PgServer

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 60
WRITES_BEFORE, WRITES_AFTER = 3, 3


@contextmanager
def busy_writer(files: DeskFiles) -> Iterator[subprocess.Popen[str]]:
    """tests/cli/busy_writer.py in a child process, booking and paying until stopped."""
    env = {k: v for k, v in os.environ.items() if k not in (DB_ENV, CONFIG_ENV)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.cli.busy_writer", str(files.config)],
        cwd=REPO,  # this checkout's code, not whatever is installed
        env=env | {"PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield child
    finally:
        try:
            _out, err = child.communicate(timeout=TIMEOUT)  # closes its stdin: stop
        except subprocess.TimeoutExpired:
            child.kill()
            raise
        assert child.returncode == 0, err


def wait_for_writes(child: subprocess.Popen[str], count: int) -> None:
    assert child.stdout is not None
    for _ in range(count):
        line = child.stdout.readline()
        assert line.startswith("BK-"), f"the writer stopped: {line!r}"


def consistency_problems(url: str) -> list[str]:
    """What a torn copy would show: a booking without its invoice, an invoice whose figures
    are not what its ledger entries add up to, an invoice or entry whose parent is missing."""
    queries = {
        "booking without exactly one invoice": (
            "SELECT b.ref FROM booking b LEFT JOIN invoice i ON i.booking_id = b.id "
            "GROUP BY b.id, b.ref HAVING count(i.id) <> 1"
        ),
        "invoice without its booking": (
            "SELECT i.ref FROM invoice i LEFT JOIN booking b ON b.id = i.booking_id "
            "WHERE b.id IS NULL"
        ),
        "invoice whose figures are not its ledger's sums": (
            "SELECT i.ref FROM invoice i LEFT JOIN ledger_entry e ON e.invoice_id = i.id "
            "GROUP BY i.id, i.ref, i.amount_cents, i.paid_cents HAVING "
            "i.amount_cents <> COALESCE(SUM(CASE WHEN e.kind IN ('charge', 'fee', 'adjustment') "
            "THEN e.amount_cents ELSE 0 END), 0) OR i.paid_cents <> COALESCE(SUM(CASE "
            "WHEN e.kind = 'payment' THEN e.amount_cents WHEN e.kind = 'refund' "
            "THEN -e.amount_cents ELSE 0 END), 0)"
        ),
        "paid invoice without a payment": (
            "SELECT i.ref FROM invoice i WHERE i.status = 'paid' AND i.amount_cents > 0 AND NOT "
            "EXISTS (SELECT 1 FROM ledger_entry e WHERE e.invoice_id = i.id AND e.kind = 'payment')"
        ),
        "ledger entry without its invoice": (
            "SELECT e.id FROM ledger_entry e LEFT JOIN invoice i ON i.id = e.invoice_id "
            "WHERE i.id IS NULL"
        ),
        "booking without its audit entry": (
            "SELECT b.ref FROM booking b WHERE NOT EXISTS "
            "(SELECT 1 FROM audit_entry a WHERE a.ref = b.ref AND a.action = 'booked')"
        ),
    }
    with raw(url) as connection:
        return [
            f"{problem}: {row[0]}"
            for problem, sql in queries.items()
            for row in connection.execute(sql).fetchall()
        ]


def booking_count(url: str) -> int:
    with raw(url) as connection:
        return int(connection.execute("SELECT count(*) FROM booking").fetchall()[0][0])


def assert_opens_as_a_desk(url: str, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The copy is a desk this program accepts (schema current), listing every booking."""
    with monkeypatch.context() as patch:
        patch.setenv(DB_ENV, url)
        listed = invoke("bookings", "--json")
    assert listed.code == 0, listed.err
    bookings: list[dict[str, Any]] = json.loads(listed.out)
    assert len(bookings) == booking_count(url)
    return bookings


def assert_private(path: Path) -> None:
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def restore(server: PgServer, dump: Path, role: str) -> str:
    """The README's recipe: a new, empty database the desk's role owns (`createdb --owner`),
    then pg_restore into it as that role. Returns the URL the desk then uses."""
    database = server.create_database(f"restored_{uuid.uuid4().hex[:8]}")
    with server.connect() as conn:
        conn.execute(f'ALTER DATABASE "{database}" OWNER TO {role}')
    url = postgres_url(server, database, user=role)
    done = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url}", dump],
        env=os.environ | {"PGPASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return postgres_url(server, database, PASSWORD, role)


def test_a_backup_taken_while_another_terminal_books_is_consistent_and_private(
    desk_files: DeskFiles, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
):
    (desk_files.folder / "backups").mkdir()
    target = desk_files.folder / "backups" / "nightly.bak"
    with busy_writer(desk_files) as writer:
        wait_for_writes(writer, WRITES_BEFORE)
        before = booking_count(desk_files.url)
        result = invoke("backup", str(target))
        # Still writing: the backup held nobody up. Counted in the database, not the pipe,
        # whose lines may have been printed while the backup ran.
        done = booking_count(desk_files.url)
        while booking_count(desk_files.url) < done + WRITES_AFTER:
            wait_for_writes(writer, 1)
    after = booking_count(desk_files.url)
    assert result.code == 0, result.err
    assert str(target) in result.out
    assert_private(target)
    if desk_files.engine == "postgresql":
        assert "pg_dump" in result.out
        server: PgServer = request.getfixturevalue("pg_server")
        copy_url = restore(server, target, request.getfixturevalue("password_role"))
    else:
        with closing(sqlite3.connect(target)) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        copy_url = f"sqlite:///{target}"
    assert consistency_problems(copy_url) == []
    assert before <= booking_count(copy_url) <= done < after
    assert_opens_as_a_desk(copy_url, monkeypatch)


def test_a_backup_never_writes_over_a_file_or_into_a_folder_name(desk_files: DeskFiles):
    existing = desk_files.folder / "yesterday.bak"
    existing.write_bytes(b"yesterday's backup")
    refused = invoke("backup", str(existing))
    assert refused.code == 2
    assert f"{existing} already exists" in refused.error_line
    assert existing.read_bytes() == b"yesterday's backup"
    folder = desk_files.folder / "backups"
    folder.mkdir()
    into_folder = invoke("backup", str(folder))
    assert into_folder.code == 2
    assert "is a folder" in into_folder.error_line
    assert list(folder.iterdir()) == []


@pytest.mark.postgres_only
def test_pg_dump_gets_the_password_from_the_environment_never_the_arguments(
    desk_files: DeskFiles,
    pg_server: PgServer,
    password_role: str,
    monkeypatch: pytest.MonkeyPatch,
):
    """Other users can read a process's arguments (ps, /proc/PID/cmdline), not its
    environment. The server asks this role for its password, so the dump working proves
    pg_dump received it."""
    database = desk_files.url.rsplit("/", 1)[1]
    write_config(desk_files.folder, postgres_url(pg_server, database, PASSWORD, password_role))
    started: list[tuple[list[str], dict[str, str]]] = []
    run = subprocess.run

    def spy(argv: list[str], *args: Any, **kwargs: Any) -> Any:
        started.append((list(argv), dict(kwargs.get("env") or {})))
        return run(argv, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    target = desk_files.folder / "nightly.dump"
    result = invoke("backup", str(target))
    monkeypatch.undo()
    assert result.code == 0, result.err
    assert PASSWORD not in result.out + result.err
    [(argv, env)] = [(argv, env) for argv, env in started if Path(argv[0]).name == "pg_dump"]
    assert not any(PASSWORD in arg for arg in argv), argv
    assert f"user={password_role}" in " ".join(argv)
    assert env["PGPASSWORD"] == PASSWORD
    assert_private(target)
    listed = subprocess.run(
        ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert "TABLE DATA public booking" in listed.stdout
