"""Statements run straight on the sqlite3 connection of a unit of work, for the booking path.

Booking is the desk's hot path. Each statement sent through SQLAlchemy costs 30-100 µs of
Python before SQLite sees it (an ORM flush several times that), against a few µs for the
statement itself, so the handful of statements a booking needs go to the driver directly:
inside the same transaction, on the same connection, converting values with SQLAlchemy's
own bind processors so rows are stored exactly as the ORM stores them. Driver errors are
wrapped as SQLAlchemy's, so the store translates them as it does every other error.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Column, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import class_mapper
from sqlalchemy.orm.attributes import instance_state
from sqlmodel import Session, SQLModel

_Model = TypeVar("_Model", bound=SQLModel)
Observer = Callable[[str, tuple[Any, ...]], None]
# Diagnostics (store.diagnostics) listen here; empty in normal running.
observers: list[Observer] = []
_KEY = "nextcars_driver_connection"


def _driver_connection(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection of the session's current transaction, beginning one if needed;
    remembered per transaction, since asking SQLAlchemy costs more than most statements."""
    transaction = session.get_transaction()
    remembered = session.info.get(_KEY)
    if transaction is None or remembered is None or remembered[0] is not transaction:
        connection = session.connection().connection.driver_connection
        remembered = session.info[_KEY] = (session.get_transaction(), connection)
    return remembered[1]  # type: ignore[no-any-return]


def execute(session: Session, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
    """Run one statement in the session's transaction (beginning it if needed)."""
    connection = _driver_connection(session)
    values = tuple(params)
    for observer in observers:
        observer(sql, values)
    try:
        return connection.execute(sql, values)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, values, exc, sqlite3.Error) from exc


# Keyed by dialect too: one per engine, and tests open many engines, hence the bound.
@lru_cache(maxsize=512)
def _processor(column: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def bind(session: Session, column: Column[Any], value: Any) -> Any:
    """A Python value as the driver receives it for this column (a date as its ISO text)."""
    processor = _processor(column, session.get_bind().dialect)
    return processor(value) if processor is not None and value is not None else value


@lru_cache(maxsize=128)
def _insert_plan(table: Table, dialect: Dialect) -> tuple[str, tuple[tuple[str, Any], ...]]:
    names = ", ".join(column.name for column in table.columns)
    marks = ", ".join("?" for _ in table.columns)
    processors = tuple((column.key, _processor(column, dialect)) for column in table.columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({marks})", processors


def insert(session: Session, table: Table, values: Mapping[str, Any]) -> int:
    """INSERT one row; a column left out is NULL (an INTEGER PRIMARY KEY is then assigned).
    Returns the row's id."""
    sql, processors = _insert_plan(table, session.get_bind().dialect)
    params = []
    for key, processor in processors:
        value = values.get(key)
        params.append(processor(value) if processor is not None and value is not None else value)
    cursor = execute(session, sql, params)
    return int(cursor.lastrowid or 0)


def row(model: type[_Model], /, **values: Any) -> _Model:
    """An object of `model` holding these values, built the way SQLAlchemy builds the objects
    it loads: without __init__, which routes every field through change tracking and costs
    ten times as much. For rows read or written here; never add one to a session."""
    instance: _Model = class_mapper(model).class_manager.new_instance()
    instance_state(instance).dict.update(values)
    return instance
