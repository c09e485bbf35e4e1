"""The store's statements on sqlite3: one writer at a time, so max(id)+1 and no row locks."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, Connection, Date, Table
from sqlalchemy.exc import DBAPIError

from nextcars_tui.store.hot_path import Convert, HotPath, converted, driver_connection, notify
from nextcars_tui.store.types import UTCDateTime


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


def _utc_text(moment: datetime) -> str:
    """An aware datetime as SQLAlchemy stores a UTCDateTime on SQLite: naive UTC,
    '2026-03-10 07:30:15.123456' (the microseconds always written)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass an aware one")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class SqliteHotPath(HotPath):
    def unindexed(self, column: str) -> str:
        return f"+{column}"

    def plus_days(self, day: str, days: str) -> str:
        return f"date({day}, '+' || {days} || ' days')"

    def writer(self, column: Column[Any]) -> Convert | None:
        # The text SQLAlchemy's processors write for dates and moments, without their
        # per-value formatting dictionaries (several µs a value, several values a write).
        fallback = super().writer(column)
        if fallback is None:
            return None
        if isinstance(column.type, UTCDateTime):
            return _fast(fallback, datetime, _utc_text)
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

    def execute(
        self, connection: Connection, sql: str, params: Sequence[Any] = ()
    ) -> sqlite3.Cursor:
        driver: sqlite3.Connection = driver_connection(connection)
        values = tuple(params)
        notify(sql, values)
        try:
            return driver.execute(sql, values)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(sql, values, exc, sqlite3.Error) from exc

    def executemany(self, connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        driver: sqlite3.Connection = driver_connection(connection)
        try:
            driver.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(sql, rows, exc, sqlite3.Error) from exc

    def insert(self, connection: Connection, table: Table, values: Sequence[Any]) -> int:
        # A NULL INTEGER PRIMARY KEY is assigned by SQLite.
        cursor = self.execute(connection, _insert_sql(table), converted(self.plan(table), values))
        return int(cursor.lastrowid or 0)

    def next_number(self, connection: Connection, table: Table) -> int:
        # Safe because every write transaction begins IMMEDIATE, holding the write lock.
        highest = self.execute(connection, f"SELECT max(id) FROM {table.name}").fetchone()[0]
        return int(highest or 0) + 1
