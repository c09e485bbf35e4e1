"""Opening the SQLite file: checks, pragmas, write transactions that lock before they read."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

from nextcars_tui.domain.errors import Conflict, NotAllowed, StoreUnavailable
from nextcars_tui.store import tables  # noqa: F401  (registers the tables on the metadata)
from nextcars_tui.store.sqlite_ddl import APPEND_ONLY_MARKER, OVERLAP_MARKER, PRAGMAS, STATEMENTS
from nextcars_tui.store.unit_of_work import UnitOfWork

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000
_WRITE_OPTION = "nextcars_write"


def _install_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # pysqlite's own BEGIN handling is switched off so we can emit BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        for pragma in PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock before their first read, so a check-then-insert
        # cannot interleave with another process; readers stay deferred and never block.
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _check_file(path: Path) -> None:
    """Refuse anything that is not an SQLite file, and leave it untouched."""
    if path.is_dir():
        raise StoreUnavailable(f"{path} is a folder, not a database file.")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except PermissionError:
        raise StoreUnavailable(f"The database {path} cannot be read (permission denied).") from None
    if header and header != SQLITE_HEADER:
        raise StoreUnavailable(
            f"{path} is not an SQLite database (corrupt or some other file); it was left untouched."
        )


def _create_file(path: Path) -> None:
    """Create the file 0600 before SQLite does: it holds password hashes and customer data."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # Includes FileExistsError when a parent is a regular file, not a folder.
        reason = exc.strerror or str(exc)
        raise StoreUnavailable(
            f"Cannot create the folder for the database {path}: {reason}."
        ) from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it first; SQLite will open it
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise StoreUnavailable(f"Cannot create the database at {path}: {reason}.") from None
    os.close(fd)


def translate(exc: DBAPIError, path: Path | str) -> Exception:
    """Turn driver errors into desk errors; the clerk never sees 'database is locked'."""
    message = str(exc.orig) if exc.orig is not None else str(exc)
    if OVERLAP_MARKER in message:
        return Conflict("That car or driver is already booked for some of those days.")
    if APPEND_ONLY_MARKER in message:
        return NotAllowed("Payments and the audit log are never changed or removed.")
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return StoreUnavailable("The database stayed busy for too long; please try again.")
    if "readonly" in lowered or "read-only" in lowered:
        return StoreUnavailable(f"The database {path} is read-only; nothing was saved.")
    if "not a database" in lowered or "malformed" in lowered:
        return StoreUnavailable(f"The database {path} is damaged or not an SQLite file.")
    if "unable to open" in lowered or "disk i/o" in lowered:
        return StoreUnavailable(f"The database {path} cannot be opened: {message}.")
    return exc


def _reraise(exc: DBAPIError, path: Path) -> NoReturn:
    translated = translate(exc, path)
    if translated is exc:
        raise exc
    raise translated from exc


class Database:
    """One SQLite file shared by terminals, SSH sessions and the lifecycle worker."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path
        self._writer = engine.execution_options(**{_WRITE_OPTION: True})

    @contextmanager
    def write(self) -> Iterator[UnitOfWork]:
        """One user action: BEGIN IMMEDIATE, rolled back unless the caller commits."""
        with self._unit(self._writer) as uow:
            yield uow

    @contextmanager
    def read(self) -> Iterator[UnitOfWork]:
        """A deferred read transaction; it never takes the write lock."""
        with self._unit(self.engine) as uow:
            yield uow

    @contextmanager
    def _unit(self, bind: Engine) -> Iterator[UnitOfWork]:
        try:
            with Session(bind, expire_on_commit=False, autoflush=False) as session:
                yield UnitOfWork(session)
        except DBAPIError as exc:
            _reraise(exc, self.path)

    def data_version(self) -> DataVersion:
        """A cheap change detector for live refresh across processes."""
        return DataVersion(self.path)

    def create_schema(self) -> None:
        try:
            SQLModel.metadata.create_all(self.engine)
            with self.engine.begin() as connection:
                for statement in STATEMENTS:
                    connection.exec_driver_sql(statement)
        except DBAPIError as exc:
            _reraise(exc, self.path)

    def has_schema(self) -> bool:
        with self.engine.connect() as connection:
            found = connection.execute(
                text("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='booking'")
            ).scalar_one()
        return bool(found)

    def integrity_ok(self) -> bool:
        with self.engine.connect() as connection:
            return connection.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"

    def close(self) -> None:
        self.engine.dispose()


class DataVersion:
    """Holds one connection open: PRAGMA data_version changes when another connection commits."""

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False)

    def current(self) -> int:
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self._connection.close()


def open_database(path: Path, *, create: bool = True) -> Database:
    """Open (and if asked, create) the database file; raise StoreUnavailable with a clear reason."""
    path = path.expanduser().resolve()
    if path.exists():
        _check_file(path)
    elif create:
        _create_file(path)
    else:
        raise StoreUnavailable(f"There is no database at {path}; run 'nextcars init' first.")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    _install_pragmas(engine)
    database = Database(engine, path)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
    except DBAPIError as exc:
        engine.dispose()
        _reraise(exc, path)
    return database
