"""Statements sent straight to the driver connection of a unit of work, for the booking path.

Booking is the desk's hot path. Each statement sent through SQLAlchemy costs 30-100 µs of
Python before the database sees it (an ORM flush several times that), against a few µs for the
statement itself, so the handful of statements a booking needs go to the driver directly:
inside the same transaction, on the same connection, converting values with SQLAlchemy's
own bind processors so rows are stored exactly as the ORM stores them. Driver errors are
wrapped as SQLAlchemy's, so the store translates them as it does every other error.

This module holds what both engines share; `store.sqlite.hot_path` and
`store.postgres.hot_path` speak to their drivers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from sqlalchemy import Column, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import class_mapper
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlmodel import Session, SQLModel

_Model = TypeVar("_Model", bound=SQLModel)
Observer = Callable[[str, tuple[Any, ...]], None]
# Diagnostics (store.diagnostics) listen here; empty in normal running.
observers: list[Observer] = []
_KEY = "nextcars_driver_connection"


class Cursor(Protocol):
    """What both drivers' cursors offer the repositories."""

    def fetchone(self) -> Any: ...

    def __iter__(self) -> Any: ...


def driver_connection(session: Session) -> Any:
    """The driver connection of the session's current transaction, beginning one if needed;
    remembered per transaction, since asking SQLAlchemy costs more than most statements."""
    transaction = session.get_transaction()
    remembered = session.info.get(_KEY)
    if transaction is None or remembered is None or remembered[0] is not transaction:
        connection = session.connection().connection.driver_connection
        remembered = session.info[_KEY] = (session.get_transaction(), connection)
    return remembered[1]


def notify(sql: str, values: tuple[Any, ...]) -> None:
    for observer in observers:
        observer(sql, values)


# Keyed by dialect too: one per engine, and tests open many engines, hence the bound.
@lru_cache(maxsize=512)
def _processor(column: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def processors(table: Table, dialect: Dialect) -> tuple[tuple[str, Any], ...]:
    return tuple((column.key, _processor(column, dialect)) for column in table.columns)


def converted(plan: Iterable[tuple[str, Any]], values: Mapping[str, Any]) -> list[Any]:
    """Column values as the driver receives them, in the plan's order."""
    params = []
    for key, processor in plan:
        value = values.get(key)
        params.append(processor(value) if processor is not None and value is not None else value)
    return params


@lru_cache(maxsize=512)
def _result_processor(column: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    return column.type.dialect_impl(dialect).result_processor(dialect, None)


def written(instance: SQLModel, values: Mapping[str, Any]) -> None:
    """Let an object hold values just written to its row, without counting as changed."""
    for key, value in values.items():
        set_committed_value(instance, key, value)


def loaded(model: type[_Model], values: Sequence[Any], session: Session) -> _Model:
    """A row() of `model` from the driver's values for all its columns, in table order,
    converted as SQLAlchemy converts what it loads (ISO text to dates on SQLite)."""
    dialect = session.get_bind().dialect
    table: Table = model.__table__  # type: ignore[attr-defined]
    fields = {}
    for column, value in zip(table.columns, values, strict=True):
        processor = _result_processor(column, dialect)
        fields[column.key] = processor(value) if processor is not None else value
    return row(model, **fields)


def columns_of(model: type[SQLModel]) -> str:
    """`table.column, ...` for every column of the model's table, in table order (loaded())."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return ", ".join(f"{table.name}.{column.name}" for column in table.columns)


def row(model: type[_Model], /, **values: Any) -> _Model:
    """An object of `model` holding these values, built the way SQLAlchemy builds the objects
    it loads: without __init__, which routes every field through change tracking and costs
    ten times as much. For rows read or written here; never add one to a session."""
    instance: _Model = class_mapper(model).class_manager.new_instance()
    instance_state(instance).dict.update(values)
    return instance


class HotPath(ABC):
    """The booking path's statements for one engine. SQL is written with `?` placeholders."""

    # Appended to a SELECT whose rows the transaction goes on to change: empty where the
    # transaction holds the whole database already.
    lock_rows: str = ""

    def unindexed(self, column: str) -> str:
        """The column in a WHERE term that must not pick an index (SQLite's unary +)."""
        return column

    def plus_days(self, day: str, days: str) -> str:
        """SQL for the date `days` days after the date `day` (both SQL expressions)."""
        return f"({day} + {days})"

    @abstractmethod
    def execute(self, session: Session, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """Run one statement in the session's transaction (beginning it if needed)."""

    @abstractmethod
    def insert(self, session: Session, table: Table, values: Mapping[str, Any]) -> int:
        """INSERT one row; an id left out is assigned by the database. Returns the row's id."""

    @abstractmethod
    def next_number(self, session: Session, table: Table) -> int:
        """The id the next row of `table` takes, safe against concurrent writers."""

    @abstractmethod
    def hold_resources(self, session: Session, car_id: int, driver_id: int) -> None:
        """Keep other writers off this car and driver until the transaction ends, so the
        clash check and the insert see the same bookings."""

    def hold_many(
        self, session: Session, car_ids: Sequence[int], driver_ids: Sequence[int]
    ) -> None:
        """hold_resources for several cars and drivers at once: cars before drivers, each in
        id order, so two writers holding overlapping sets queue instead of deadlocking."""
        for car_id in sorted(set(car_ids)):
            self.hold_resources_of(session, "car", car_id)
        for driver_id in sorted(set(driver_ids)):
            self.hold_resources_of(session, "driver", driver_id)

    def hold_resources_of(self, session: Session, table: str, resource_id: int) -> None:  # noqa: B027
        """Hold one car or driver row (see hold_resources); nothing where the transaction
        holds the whole database already."""

    def update(
        self, session: Session, table: Table, row_id: int, values: Mapping[str, Any]
    ) -> None:
        """UPDATE these columns of one row, by id, converting values as the ORM would."""
        assignments = ", ".join(f"{key} = ?" for key in values)
        params = [self.bind(session, table.columns[key], value) for key, value in values.items()]
        self.execute(
            session, f"UPDATE {table.name} SET {assignments} WHERE id = ?", [*params, row_id]
        )

    def read_date(self, value: Any) -> date:
        """A DATE column's value as the driver returns it, as a date (a few columns read
        without loaded(), for many rows)."""
        return value

    def bind(self, session: Session, column: Column[Any], value: Any) -> Any:
        """A Python value as the driver receives it for this column (a date as ISO text on
        SQLite)."""
        processor = _processor(column, session.get_bind().dialect)
        return processor(value) if processor is not None and value is not None else value
