"""Opening a PostgreSQL database over psycopg 3: connection errors, driver errors, LISTEN."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import make_conninfo
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError

from nextcars_tui.domain.errors import Conflict, InvalidInput, StoreUnavailable
from nextcars_tui.store.backend import Backend, ChangeCounter
from nextcars_tui.store.errors import OVERLAP, backstop_error
from nextcars_tui.store.files import private_file
from nextcars_tui.store.postgres.hot_path import PostgresHotPath

# Every write statement's trigger notifies this channel (see the 0002 revision).
CHANGES_CHANNEL = "nextcars_changes"
CONNECT_TIMEOUT_S = 5
# A connection idle this long is checked before use (see _ping_after_idle).
PING_AFTER_IDLE_S = 1.0


def parse_url(text: str) -> URL:
    """postgresql://, postgresql+psycopg:// (and ?host=/socket/folder), always on psycopg 3."""
    try:
        url = make_url(text)
        url.port  # noqa: B018  (a port that is not a number raises ValueError only when read)
    except (ArgumentError, ValueError):
        raise InvalidInput("The database URL is not a valid postgresql:// URL.") from None
    if url.get_backend_name() != "postgresql" or url.get_driver_name() not in ("psycopg", ""):
        raise InvalidInput("A PostgreSQL database URL must start postgresql:// .")
    if not url.database:
        raise InvalidInput("The PostgreSQL URL names no database (postgresql://HOST/DBNAME).")
    return url.set(drivername="postgresql+psycopg")


def describe(url: URL) -> str:
    """Host, port and database for messages; the password never appears."""
    host = url.query.get("host") or url.host or os.environ.get("PGHOST") or "localhost"
    if isinstance(host, tuple):
        host = ",".join(host)
    port = url.port or os.environ.get("PGPORT") or 5432
    return f"PostgreSQL database {url.database} on {host}:{port}"


def _password(url: URL) -> str | None:
    """The password, from the URL's user part or its ?password= parameter."""
    if url.password is not None:
        return str(url.password)
    given = url.query.get("password")
    if isinstance(given, tuple):
        given = given[-1] if given else None
    return given


def _scrub(message: str, url: URL) -> str:
    first = " ".join(message.strip().splitlines()[0].split()) if message.strip() else "no answer"
    password = _password(url)
    if password:
        first = first.replace(password, "***")
    return first


def _connect_reason(message: str) -> str:
    lowered = message.lower()
    if "password authentication failed" in lowered:
        return "the password was refused"
    if "no password supplied" in lowered:
        return (
            "the server wants a password and none was given (in the URL, PGPASSWORD or ~/.pgpass)"
        )
    if "does not exist" in lowered and "database" in lowered:
        return "that database does not exist"
    if "connection refused" in lowered or "no such file or directory" in lowered:
        return "no server is answering there (is it running?)"
    if any(
        lost in lowered
        for lost in ("connection is lost", "closed the connection", "terminating connection")
    ):
        return "the server closed the connection (stopped or restarted)"
    if "timeout" in lowered or "timed out" in lowered:
        return "the server did not answer in time"
    return message


def _ping_after_idle(engine: Engine) -> None:
    """Before handing out a connection that sat idle, check the server still has it, and
    quietly take a new one if not (a server restarted under an open desk). Not on every
    checkout, as pool_pre_ping would: back-to-back work (a booking burst, a worker run) would
    pay a round trip each time for a check that only matters after a pause."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except psycopg.Error:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError() from None


class NotifyCounter(ChangeCounter):
    """Counts NOTIFYs on the changes channel over its own connection. A connection found lost
    is replaced at once (or on a later poll while the server is away), and that counts as a
    change, since commits may have been missed meanwhile."""

    def __init__(self, connect_args: tuple[Any, dict[str, Any]]) -> None:
        self._args = connect_args
        self._connection: psycopg.Connection | None = None
        self._count = 0

    def current(self) -> int:
        try:
            if self._connection is None or self._connection.closed:
                self._listen()
            assert self._connection is not None
            self._count += sum(1 for _ in self._connection.notifies(timeout=0))
        except psycopg.Error:
            lost = self._connection is not None
            self.close()
            if lost:  # the server may be back already (a restart): listen again now
                with contextlib.suppress(psycopg.Error):
                    self._listen()
        return self._count

    def _listen(self) -> None:
        cargs, cparams = self._args
        connection = psycopg.connect(*cargs, **cparams, autocommit=True)
        try:
            connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        except psycopg.Error:
            connection.close()
            raise
        self._connection = connection
        self._count += 1

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class PostgresBackend(Backend):
    def __init__(self, url: URL, *, read_only: bool = False) -> None:
        self.url = url
        self.where = describe(url)
        connect_args: dict[str, Any] = {
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "nextcars",
        }
        if read_only:
            # Every transaction of these sessions is read-only: the server refuses a write.
            connect_args["options"] = "-c default_transaction_read_only=on"
        self.engine = create_engine(url, connect_args=connect_args)
        _ping_after_idle(self.engine)
        self.writer = self.engine
        self.snapshot = self.engine.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        self.hot = PostgresHotPath(self.engine.dialect)

    def translate(self, exc: DBAPIError) -> Exception:
        original = exc.orig
        message = str(original) if original is not None else str(exc)
        known = backstop_error(message)
        if known is not None:
            return known
        if isinstance(original, pg_errors.ExclusionViolation):
            return Conflict(OVERLAP)
        if isinstance(original, pg_errors.UniqueViolation):
            # SQLite's single writer finds the row first; here two terminals can both miss it.
            return InvalidInput(
                "Another terminal has just added a record with the same key; nothing was saved."
            )
        if isinstance(original, (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)):
            return StoreUnavailable("Another terminal changed the same record; please try again.")
        if isinstance(original, pg_errors.ReadOnlySqlTransaction):
            return StoreUnavailable(f"The {self.where} is read-only; nothing was saved.")
        if isinstance(original, psycopg.OperationalError) or exc.connection_invalidated:
            reason = _connect_reason(_scrub(message, self.url))
            return StoreUnavailable(
                f"Lost the connection to the {self.where}: {reason}. Nothing was saved; "
                "try again when the server is back."
            )
        return exc

    def connect_args(self) -> tuple[Any, dict[str, Any]]:
        cargs, cparams = self.engine.dialect.create_connect_args(self.url)
        return tuple(cargs), dict(cparams, connect_timeout=CONNECT_TIMEOUT_S)

    def changes(self) -> ChangeCounter:
        return NotifyCounter(self.connect_args())

    def backup(self, target: str | Path) -> str:
        """pg_dump in its custom format (restore with pg_restore), into a file written by the
        desk's one file writer (store.files); the password, if any, travels in PGPASSWORD,
        never on the command line."""
        program = shutil.which("pg_dump")
        if program is None:
            raise StoreUnavailable("pg_dump is not installed; install the PostgreSQL client.")
        # Every connection setting but the password goes on the command line as a libpq
        # connection string (host, port, sslmode, ...); the password only in PGPASSWORD,
        # which other users cannot read from /proc as they can read the arguments.
        _cargs, params = self.connect_args()
        settings = {
            key: value
            for key, value in params.items()
            if key not in ("password", "context") and value is not None
        }
        environment = dict(os.environ)
        password = _password(self.url)
        if password is not None:
            environment["PGPASSWORD"] = password
        with private_file(target) as new:
            done = subprocess.run(
                [
                    program,
                    "--format=custom",
                    "--no-password",
                    f"--file={new.temporary}",
                    f"--dbname={make_conninfo(**settings)}",
                ],
                env=environment,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                reason = _scrub(done.stderr or "pg_dump failed", self.url)
                raise StoreUnavailable(f"The backup of the {self.where} failed: {reason}")
        return (
            f"Backed up the {self.where} to {new.path} with pg_dump (custom format; "
            "restore with pg_restore)."
        )


def open_postgres(text: str, *, read_only: bool = False) -> PostgresBackend:
    """Connect once to say clearly, at once, when the server or database cannot be reached;
    `read_only` sessions cannot change anything."""
    backend = PostgresBackend(parse_url(text), read_only=read_only)
    try:
        with backend.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1").scalar_one()
    except DBAPIError as exc:
        backend.close()
        message = _scrub(str(exc.orig) if exc.orig is not None else str(exc), backend.url)
        raise StoreUnavailable(
            f"Cannot connect to the {backend.where}: {_connect_reason(message)}."
        ) from None
    return backend
