"""Statements sent straight to the driver connection of a unit of work: every write the store
makes, and the reads of the booking, change and payment paths.

Each statement sent through SQLAlchemy costs 30-100 µs of Python before the database sees it
(an ORM flush several times that), against a few µs for the statement itself, so the store
writes through the driver directly: inside the same transaction, on the same connection,
converting values with SQLAlchemy's own bind processors so rows are stored exactly as the
schema's types store them. Rows read here become records (store.records) positionally. Driver
errors are wrapped as SQLAlchemy's, so the store translates them as it does every other error.

This module holds what both engines share; `store.sqlite.hot_path` and
`store.postgres.hot_path` speak to their drivers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Column, Connection, Table
from sqlalchemy.engine import Dialect

R = TypeVar("R")
Observer = Callable[[str, tuple[Any, ...]], None]
Convert = Callable[[Any], Any]
# Diagnostics (store.diagnostics) listen here; empty in normal running.
observers: list[Observer] = []


class Cursor(Protocol):
    """What both drivers' cursors offer the repositories."""

    def fetchone(self) -> Any: ...

    def __iter__(self) -> Any: ...


def driver_connection(connection: Connection) -> Any:
    """The driver connection under a unit of work's connection, its transaction begun (as
    SQLAlchemy begins it: BEGIN IMMEDIATE for a SQLite writer) if it has not been yet."""
    if not connection.in_transaction():
        connection.begin()
    return connection.connection.driver_connection


def notify(sql: str, values: tuple[Any, ...]) -> None:
    for observer in observers:
        observer(sql, values)


# Keyed by dialect too: one per engine, and tests open many engines, hence the bound.
@lru_cache(maxsize=512)
def _processor(column: Any, dialect: Dialect) -> Convert | None:
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def converted(plan: Sequence[Convert | None], values: Sequence[Any]) -> list[Any]:
    """Values as the driver receives them, each by its column's processor."""
    return [
        value if convert is None or value is None else convert(value)
        for convert, value in zip(plan, values, strict=True)
    ]


@lru_cache(maxsize=64)
def columns_of(table: Table) -> str:
    """`table.column, ...` for every column of the table, in table order (as records hold
    them)."""
    return ", ".join(f"{table.name}.{column.name}" for column in table.columns)


class Loader(Generic[R]):
    """Builds records of one type from the driver's values for all of a table's columns, in
    table order, converting only the columns the driver returns in another form."""

    __slots__ = ("_conversions", "_record")

    def __init__(
        self, record: Callable[..., R], conversions: tuple[tuple[int, Convert], ...]
    ) -> None:
        self._record = record
        self._conversions = conversions

    def __call__(self, values: Sequence[Any]) -> R:
        if not self._conversions:
            return self._record(*values)
        fields = list(values)
        for index, convert in self._conversions:
            value = fields[index]
            if value is not None:
                fields[index] = convert(value)
        return self._record(*fields)


class HotPath(ABC):
    """The store's statements for one engine. SQL is written with `?` placeholders."""

    # Appended to a SELECT whose rows the transaction goes on to change: empty where the
    # transaction holds the whole database already.
    lock_rows: str = ""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._loaders: dict[tuple[Table, Callable[..., Any]], Loader[Any]] = {}
        self._plans: dict[Table, tuple[Convert | None, ...]] = {}
        self._writers: dict[Column[Any], Convert | None] = {}

    @property
    def locks_rows(self) -> bool:
        """Whether other writers may change rows this transaction read before locking them
        (False where every write transaction holds the whole database from its start)."""
        return bool(self.lock_rows)

    def unindexed(self, column: str) -> str:
        """The column in a WHERE term that must not pick an index (SQLite's unary +)."""
        return column

    def plus_days(self, day: str, days: str) -> str:
        """SQL for the date `days` days after the date `day` (both SQL expressions)."""
        return f"({day} + {days})"

    def loader(self, table: Table, record: Callable[..., R]) -> Loader[R]:
        """How to build `record`s from the driver's values for the table's columns."""
        key = (table, record)
        found = self._loaders.get(key)
        if found is None:
            conversions = tuple(
                (index, convert)
                for index, column in enumerate(table.columns)
                if (convert := self.reader(column)) is not None
            )
            found = self._loaders[key] = Loader(record, conversions)
        return found

    def writer(self, column: Column[Any]) -> Convert | None:
        """How a Python value of this column goes to the driver (None: as it is)."""
        return _processor(column, self.dialect)

    def plan(self, table: Table) -> tuple[Convert | None, ...]:
        """Each column's writer, in table order."""
        found = self._plans.get(table)
        if found is None:
            found = self._plans[table] = tuple(self._writer(column) for column in table.columns)
        return found

    def _writer(self, column: Column[Any]) -> Convert | None:
        """`writer`, made once per column."""
        if column not in self._writers:
            self._writers[column] = self.writer(column)
        return self._writers[column]

    def reader(self, column: Column[Any]) -> Convert | None:
        """How a value of this column comes from the driver as Python (None: as it is)."""
        processor: Convert | None = column.type.dialect_impl(self.dialect).result_processor(
            self.dialect, None
        )
        return processor

    def commit(self, connection: Connection) -> None:
        """Commit the unit of work's transaction."""
        connection.commit()

    def roll_back(self, connection: Connection) -> None:
        """Roll back what the unit of work did not commit (nothing if it committed)."""
        if connection.in_transaction():
            connection.rollback()

    @abstractmethod
    def execute(self, connection: Connection, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """Run one statement in the connection's transaction (beginning it if needed)."""

    @abstractmethod
    def executemany(self, connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters, in the connection's transaction."""

    @abstractmethod
    def insert(self, connection: Connection, table: Table, values: Sequence[Any]) -> int:
        """INSERT one row (values for every column, in table order); an id of None is
        assigned by the database. Returns the row's id."""

    def insert_many(
        self, connection: Connection, table: Table, rows: Sequence[Sequence[Any]]
    ) -> None:
        """INSERT rows (values for every column, in table order) whose ids the database
        assigns, in one executemany."""
        if not rows:
            return
        keys = [column.key for column in table.columns][1:]
        plan = self.plan(table)[1:]
        sql = (
            f"INSERT INTO {table.name} ({', '.join(table.columns[key].name for key in keys)}) "
            f"VALUES ({', '.join('?' for _ in keys)})"
        )
        self.executemany(connection, sql, [converted(plan, values[1:]) for values in rows])

    @abstractmethod
    def next_number(self, connection: Connection, table: Table) -> int:
        """The id the next row of `table` takes, safe against concurrent writers."""

    def hold(  # noqa: B027  (nothing to do where the transaction holds the whole database)
        self, connection: Connection, car_ids: Sequence[int], driver_ids: Sequence[int]
    ) -> None:
        """Keep other writers off these cars and drivers until the transaction ends, so a
        clash check and the writes that follow see the same holds: cars before drivers,
        each in id order, so two writers holding overlapping sets queue instead of
        deadlocking."""

    def update(
        self, connection: Connection, table: Table, row_id: int, values: Mapping[str, Any]
    ) -> None:
        """UPDATE these columns of one row, by id, converting values as the schema's types do."""
        assignments = ", ".join(f"{table.columns[key].name} = ?" for key in values)
        params = [self.bind(table.columns[key], value) for key, value in values.items()]
        self.execute(
            connection, f"UPDATE {table.name} SET {assignments} WHERE id = ?", [*params, row_id]
        )

    def read_date(self, value: Any) -> date:
        """A DATE column's value as the driver returns it, as a date (a few columns read
        without a Loader, for many rows)."""
        return value

    def bind(self, column: Column[Any], value: Any) -> Any:
        """A Python value as the driver receives it for this column (a date as ISO text on
        SQLite)."""
        processor = self._writer(column)
        return processor(value) if processor is not None and value is not None else value
