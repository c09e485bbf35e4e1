"""The booking path on sqlite3: one writer at a time, so max(id)+1 and no row locks."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from nextcars_tui.store.hot_path import HotPath, converted, driver_connection, notify, processors


@lru_cache(maxsize=128)
def _insert_plan(table: Table, dialect: Dialect) -> tuple[str, tuple[tuple[str, Any], ...]]:
    names = ", ".join(column.name for column in table.columns)
    marks = ", ".join("?" for _ in table.columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({marks})", processors(table, dialect)


class SqliteHotPath(HotPath):
    def unindexed(self, column: str) -> str:
        return f"+{column}"

    def plus_days(self, day: str, days: str) -> str:
        return f"date({day}, '+' || {days} || ' days')"

    def read_date(self, value: Any) -> date:
        # Stored as ISO text; date.fromisoformat is many times faster than the ORM's parser.
        return date.fromisoformat(value)

    def execute(self, session: Session, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        connection: sqlite3.Connection = driver_connection(session)
        values = tuple(params)
        notify(sql, values)
        try:
            return connection.execute(sql, values)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(sql, values, exc, sqlite3.Error) from exc

    def insert(self, session: Session, table: Table, values: Mapping[str, Any]) -> int:
        # A NULL INTEGER PRIMARY KEY is assigned by SQLite.
        sql, plan = _insert_plan(table, session.get_bind().dialect)
        cursor = self.execute(session, sql, converted(plan, values))
        return int(cursor.lastrowid or 0)

    def next_number(self, session: Session, table: Table) -> int:
        # Safe because every write transaction begins IMMEDIATE, holding the write lock.
        highest = self.execute(session, f"SELECT max(id) FROM {table.name}").fetchone()[0]
        return int(highest or 0) + 1

    def hold_resources(self, session: Session, car_id: int, driver_id: int) -> None:
        """Nothing to do: BEGIN IMMEDIATE already keeps every other writer out."""
