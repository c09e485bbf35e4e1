"""Opening the SQLite file: permissions, pragmas, corrupt files, read-only places."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from deskkit import new_desk, request
from sqlalchemy import text

from nextcars_tui.domain.errors import StoreUnavailable
from nextcars_tui.services.booking import book
from nextcars_tui.store import open_database

# The SQLite file itself: its mode, pragmas, locking and what happens to bad files.
pytestmark = pytest.mark.sqlite_only


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_file_is_created_0600(tmp_path, staff):
    path = tmp_path / "fresh" / "nested" / "desk.db"
    old_umask = os.umask(0o022)  # a typical umask would otherwise give 0644
    try:
        desk = new_desk(path)
        book(desk, staff, request())
    finally:
        os.umask(old_umask)
    assert mode(path) == 0o600
    # SQLite gives the WAL and shared-memory files the database file's permissions.
    for side in (path.with_name("desk.db-wal"), path.with_name("desk.db-shm")):
        assert side.exists() and mode(side) == 0o600
    desk.db.close()


def test_an_existing_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "desk.db"
    new_desk(path, seed=False).db.close()
    path.chmod(0o640)
    open_database(path).close()
    assert mode(path) == 0o640


def test_connections_use_wal_full_sync_foreign_keys_and_a_busy_timeout(desk):
    with desk.db.engine.connect() as connection:

        def pragma(name):
            return connection.execute(text(f"PRAGMA {name}")).scalar_one()

        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000


def test_writes_take_the_write_lock_before_reading(desk):
    """A write unit of work holds RESERVED from its first statement: another writer waits."""
    import sqlite3

    with desk.db.write() as uow:
        uow.cars.count()  # only a read so far
        other = sqlite3.connect(desk.db.path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
    with desk.db.read() as uow:
        uow.cars.count()
        other = sqlite3.connect(desk.db.path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # a reader never blocks a writer
            other.execute("ROLLBACK")
        finally:
            other.close()


@pytest.mark.parametrize(
    "content",
    [
        b"plate,make,model\nAB12 CDE,Toyota,Corolla\n" * 50,
        b"\x00" * 4096,
        b"SQLite format 3\x00" + bytes(range(256)) * 40,  # right header, garbage after it
        b"SQLite format 2\x00" + b"\x01" * 4000,
    ],
    ids=["csv", "zeros", "sqlite-header-garbage", "wrong-header"],
)
def test_a_corrupt_or_foreign_file_is_refused_and_left_byte_identical(tmp_path, content):
    path = tmp_path / "desk.db"
    path.write_bytes(content)
    path.chmod(0o644)
    before = (path.read_bytes(), path.stat().st_mtime_ns, mode(path))
    with pytest.raises(StoreUnavailable, match=re.escape(str(path))):
        desk = new_desk(path)
        desk.db.close()
    assert (path.read_bytes(), path.stat().st_mtime_ns, mode(path)) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk.db"]


def test_a_folder_where_the_file_should_be_is_refused(tmp_path):
    (tmp_path / "desk.db").mkdir()
    with pytest.raises(StoreUnavailable, match="is a folder"):
        open_database(tmp_path / "desk.db")


def test_a_missing_file_is_not_created_when_creation_is_off(tmp_path):
    with pytest.raises(StoreUnavailable, match="nextcars init"):
        open_database(tmp_path / "desk.db", create=False)
    assert list(tmp_path.iterdir()) == []


def test_a_path_under_a_regular_file_is_unavailable(tmp_path):
    """No folder can be made there, whoever runs the test (root included)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file, not a folder")
    with pytest.raises(StoreUnavailable, match="Cannot create the folder"):
        open_database(blocker / "desk.db")
    assert blocker.read_text() == "a file, not a folder"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux procfs")
def test_a_read_only_location_is_unavailable_even_for_root():
    """procfs refuses new files to every user, root included."""
    with pytest.raises(StoreUnavailable, match="Cannot create the database"):
        open_database(Path("/proc/self/nextcars-desk.db"))


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Make files and folders unwritable for whoever runs the test.

    Permission bits do not stop root, so as root the immutable attribute is used instead.
    """
    as_root = os.geteuid() == 0
    if as_root and shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: nothing can make a path read-only")
    done: list[Path] = []
    try:
        for path in paths:
            if as_root:
                result = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
                if result.returncode != 0:
                    pytest.skip(f"chattr +i is not available here: {result.stderr!r}")
            else:
                path.chmod(0o500 if path.is_dir() else 0o400)
            done.append(path)
        yield
    finally:
        for path in reversed(done):
            if as_root:
                subprocess.run(["chattr", "-i", str(path)], check=True)
            else:
                path.chmod(0o700 if path.is_dir() else 0o600)


@pytest.mark.parametrize("what", ["file", "file-and-folder"])
def test_an_existing_database_on_a_read_only_path_is_unavailable(tmp_path, staff, what):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "desk.db"
    new_desk(path).db.close()  # closed cleanly: no WAL left beside it
    before = path.read_bytes()
    locked = (path, folder) if what == "file-and-folder" else (path,)
    with read_only(*locked), pytest.raises(StoreUnavailable, match=r"read-only|cannot be opened"):
        desk = new_desk(path, seed=False)
        try:
            book(desk, staff, request())
        finally:
            desk.db.close()
    assert path.read_bytes() == before
