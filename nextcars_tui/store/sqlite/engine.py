"""Opening the SQLite file: checks, pragmas, write transactions that lock before they read."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from nextcars_tui.domain.errors import StoreUnavailable
from nextcars_tui.store.backend import Backend, ChangeCounter
from nextcars_tui.store.errors import backstop_error
from nextcars_tui.store.files import create_database_file, private_file, sqlite_files
from nextcars_tui.store.sqlite.hot_path import WRITE_OPTION, SqliteHotPath, begin_on_driver

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000

PRAGMAS: tuple[str, ...] = (
    # This is money: every commit reaches the disk before the clerk sees "done".
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)


def use_wal(cursor: sqlite3.Cursor, *, only_if_new: bool = False) -> None:
    """WAL, so readers never block the writer. The journal mode is written into the file's
    header, so on connecting only a new file (no tables yet) is switched: a database is the
    desk's to change only once its schema has been recognised (see `SqliteBackend.adopt`),
    and a newer NextCars' or another application's must be left byte for byte as it was."""
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    if only_if_new and cursor.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        return
    cursor.execute("PRAGMA journal_mode=WAL")


def _install_pragmas(engine: Engine, *, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # pysqlite's own BEGIN handling is switched off so we can emit BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        for pragma in PRAGMAS:
            cursor.execute(pragma)
        if not read_only:
            use_wal(cursor, only_if_new=True)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock before their first read, so a check-then-insert
        # cannot interleave with another process; readers stay deferred and never block.
        # Sent straight to the driver, as the store's other statements are (store.hot_path):
        # through SQLAlchemy's execution it cost more than the BEGIN itself. A unit whose
        # first statements went straight to the driver has begun already (SqliteHotPath).
        begin_on_driver(connection, connection.connection.driver_connection)


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


def translate(exc: DBAPIError, path: Path | str) -> Exception:
    """Turn driver errors into desk errors; the clerk never sees 'database is locked'."""
    message = str(exc.orig) if exc.orig is not None else str(exc)
    known = backstop_error(message)
    if known is not None:
        return known
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


class DataVersion(ChangeCounter):
    """Holds one connection open: PRAGMA data_version changes when another connection commits."""

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False)

    def current(self) -> int:
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self._connection.close()


def read_only_uri(path: Path) -> str:
    """An SQLite URI that reads path and writes nothing, not even beside it. Without a -wal
    file no desk has the database open and the file is the whole database, so it is read as
    immutable (SQLite then makes no -wal or -shm either); with one, through the WAL others
    keep, which already exists."""
    immutable = "" if Path(f"{path}-wal").exists() else "&immutable=1"
    return f"file:{quote(str(path))}?mode=ro{immutable}"


class SqliteBackend(Backend):
    # A file has no server to drop an idle connection.
    keeps_connections = True

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.where = f"SQLite database {path}"
        if read_only:
            uri = read_only_uri(path)
            self.engine = create_engine(
                "sqlite://",
                creator=lambda: sqlite3.connect(
                    uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
                ),
                poolclass=NullPool,
            )
        else:
            # URL.create, not f"sqlite:///{path}": a '?' in the name would start a query
            # string and '%' would be decoded, so SQLite would open (and create,
            # world-readable) a different file from the one named and made 0600 above.
            self.engine = create_engine(
                URL.create("sqlite", database=str(path)),
                connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
            )
        _install_pragmas(self.engine, read_only=read_only)
        self.writer = self.engine.execution_options(**{WRITE_OPTION: True})
        # A deferred read transaction in WAL mode reads one snapshot until it ends.
        self.snapshot = self.engine
        self.hot = SqliteHotPath(self.engine.dialect)

    def translate(self, exc: DBAPIError) -> Exception:
        return translate(exc, self.path or "")

    def changes(self) -> ChangeCounter:
        return DataVersion(self.path or Path())

    def backup(self, target: str | Path) -> str:
        """SQLite's online backup API: a consistent copy, page by page, while others write,
        into a file written by the desk's one file writer (store.files)."""
        source = self.path or Path()
        with private_file(target, protected=sqlite_files(source)) as new:
            try:
                with (
                    closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)) as origin,
                    closing(sqlite3.connect(new.temporary)) as copy,
                ):
                    origin.backup(copy)
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"The backup of {source} failed: {exc}.") from None
        return f"Backed up {source} to {new.path} (SQLite online backup)."

    @contextmanager
    def schema_change(self, connection: Connection) -> Iterator[Callable[[], None]]:
        """SQLite rebuilds a table to change a constraint, which foreign keys would refuse
        (dropping the old table); they are switched off for the upgrade, as SQLite's manual
        prescribes (possible only outside a transaction), and every row is checked against
        them before the upgrade commits."""
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        driver.execute("PRAGMA foreign_keys=OFF")

        def check() -> None:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise StoreUnavailable(
                    f"The upgrade of {self.path} would leave {len(broken)} row(s) pointing at "
                    "nothing; it was rolled back and the database is unchanged."
                )

        try:
            yield check
        finally:
            driver.execute("PRAGMA foreign_keys=ON")

    def adopt(self) -> None:
        """The schema is this program's: an older file (or one restored in another journal
        mode) is switched to WAL, outside any transaction as SQLite requires."""
        source = self.path or Path()
        with closing(
            sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        ) as connection:
            use_wal(connection.cursor())


def open_sqlite(path: Path, *, create: bool, read_only: bool = False) -> SqliteBackend:
    """Open (and if asked, create) the file; raise StoreUnavailable with a clear reason.
    `read_only` opens it for reading only: nothing in it or beside it is created or changed."""
    path = path.expanduser().resolve()
    if path.exists():
        _check_file(path)
    elif create and not read_only:
        create_database_file(path)
    else:
        raise StoreUnavailable(f"There is no database at {path}; run 'nextcars init' first.")
    backend = SqliteBackend(path, read_only=read_only)
    try:
        with backend.engine.connect() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
    except DBAPIError as exc:
        backend.close()
        translated = backend.translate(exc)
        if translated is exc:
            raise
        raise translated from exc
    return backend
