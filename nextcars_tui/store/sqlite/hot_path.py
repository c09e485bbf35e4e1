"""The store's statements on sqlite3: one writer at a time, so max(id)+1 and no row locks."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, Connection, Date, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from nextcars_tui.store.hot_path import Convert, HotPath, notify
from nextcars_tui.store.types import UTCDateTime

# The execution option of the engine whose transactions are writes.
WRITE_OPTION = "nextcars_write"


def begin_statement(connection: Connection) -> str:
    """Writers take the write lock before their first read, so a check-then-insert cannot
    interleave with another process; readers stay deferred and never block."""
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    return "BEGIN IMMEDIATE" if immediate else "BEGIN"


def _on_driver(statement: str, call: Callable[[], object]) -> None:
    """A transaction statement sent to the driver, its error wrapped as SQLAlchemy's are."""
    try:
        call()
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, (), exc, sqlite3.Error) from exc


def begin_on_driver(connection: Connection, driver: sqlite3.Connection) -> None:
    """BEGIN [IMMEDIATE] straight to the driver, unless its transaction is open already;
    the store's observers see it as they see every statement."""
    if driver.in_transaction:
        return
    begin = begin_statement(connection)
    notify(begin, ())
    _on_driver(begin, lambda: driver.execute(begin))


def _driver(connection: Connection) -> sqlite3.Connection:
    # pysqlite's DBAPI connection is the driver's own (driver_connection is the same object,
    # reached through two more properties).
    driver: Any = connection.connection.dbapi_connection
    return driver


def _in_transaction(connection: Connection) -> sqlite3.Connection:
    """The driver connection under a unit of work's connection, its transaction begun.

    Begun here, on the driver, when the unit's first statement comes this way: through
    SQLAlchemy's Connection.begin() (and its commit) a transaction cost more Python than a
    payment's statements. SQLAlchemy then has no transaction of its own, which is why a
    unit commits and rolls back through the hot path (commit, roll_back); a Core statement
    later in the unit has SQLAlchemy begin one, and the BEGIN it would send is left out
    (store.sqlite.engine)."""
    driver = _driver(connection)
    begin_on_driver(connection, driver)
    return driver


@lru_cache(maxsize=128)
def _insert_sql(table: Table) -> str:
    names = ", ".join(column.name for column in table.columns)
    marks = ", ".join("?" for _ in table.columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({marks})"


def _utc_moment(text: str) -> datetime:
    """A stored UTCDateTime ('2026-03-10 07:30:15.123456', naive UTC) as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _fast(fallback: Convert, exact: type, write: Convert) -> Convert:
    """`write` for values of exactly this type, SQLAlchemy's `fallback` (its checks, its
    errors) for anything else."""

    def convert(value: Any) -> Any:
        return write(value) if type(value) is exact else fallback(value)

    return convert


class _UtcText:
    """An aware datetime as SQLAlchemy stores a UTCDateTime on SQLite: naive UTC,
    '2026-03-10 07:30:15.123456' (the microseconds always written). The last moment's text
    is remembered, as a write stamps each of its rows with one moment."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[datetime | None, str] = (None, "")

    def __call__(self, moment: datetime) -> str:
        last = self._last  # one read: another thread may replace it meanwhile
        if last[0] is moment:
            return last[1]
        if moment.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware one")
        text = moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        self._last = (moment, text)
        return text


class SqliteHotPath(HotPath):
    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect)
        # One for every moment column, so a write's rows share the last moment's text.
        self._moment_text = _UtcText()
        self._sparse: dict[Table, tuple[tuple[int, Convert], ...]] = {}

    def unindexed(self, column: str) -> str:
        return f"+{column}"

    def plus_days(self, day: str, days: str) -> str:
        return f"date({day}, '+' || {days} || ' days')"

    def _conversions(self, table: Table) -> tuple[tuple[int, Convert], ...]:
        """(index, writer) of the table's columns a value is converted for: most are sent as
        they are, and a row of many columns need not be walked for its few dates."""
        found = self._sparse.get(table)
        if found is None:
            plan = self.plan(table)
            found = tuple((i, convert) for i, convert in enumerate(plan) if convert is not None)
            self._sparse[table] = found
        return found

    def writer(self, column: Column[Any]) -> Convert | None:
        # The text SQLAlchemy's processors write for dates and moments, without their
        # per-value formatting dictionaries (several µs a value, several values a write).
        fallback = super().writer(column)
        if fallback is None:
            return None
        if isinstance(column.type, UTCDateTime):
            return _fast(fallback, datetime, self._moment_text)
        if isinstance(column.type, Date):
            return _fast(fallback, date, date.isoformat)
        return fallback

    def reader(self, column: Column[Any]) -> Convert | None:
        # Dates and moments are stored as ISO text; fromisoformat is many times faster than
        # the parsers SQLAlchemy's result processors use.
        if isinstance(column.type, UTCDateTime):
            return _utc_moment
        if isinstance(column.type, Date):
            return date.fromisoformat
        return super().reader(column)

    def read_date(self, value: Any) -> date:
        return date.fromisoformat(value)

    def commit(self, connection: Connection) -> None:
        if connection.in_transaction():
            connection.commit()  # SQLAlchemy's transaction is the driver's
            return
        driver = _driver(connection)
        if driver.in_transaction:
            _on_driver("COMMIT", driver.commit)

    def roll_back(self, connection: Connection) -> None:
        if connection.in_transaction():
            connection.rollback()
            return
        driver = _driver(connection)
        if driver.in_transaction:
            _on_driver("ROLLBACK", driver.rollback)

    def execute(
        self, connection: Connection, sql: str, params: Sequence[Any] = ()
    ) -> sqlite3.Cursor:
        driver = _in_transaction(connection)
        values = tuple(params)
        notify(sql, values)
        try:
            return driver.execute(sql, values)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(sql, values, exc, sqlite3.Error) from exc

    def executemany(self, connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        driver = _in_transaction(connection)
        try:
            driver.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(sql, rows, exc, sqlite3.Error) from exc

    def insert(self, connection: Connection, table: Table, values: Sequence[Any]) -> int:
        # A NULL INTEGER PRIMARY KEY is assigned by SQLite.
        if len(values) != len(table.columns):
            raise ValueError(
                f"{len(values)} values for the {len(table.columns)} columns of {table}"
            )
        row = list(values)
        for index, convert in self._conversions(table):
            value = row[index]
            if value is not None:
                row[index] = convert(value)
        cursor = self.execute(connection, _insert_sql(table), row)
        return int(cursor.lastrowid or 0)

    def next_number(self, connection: Connection, table: Table) -> int:
        # Safe because every write transaction begins IMMEDIATE, holding the write lock.
        highest = self.execute(connection, f"SELECT max(id) FROM {table.name}").fetchone()[0]
        return int(highest or 0) + 1
