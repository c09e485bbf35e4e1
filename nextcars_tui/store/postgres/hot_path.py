"""The store's statements on psycopg: ids from sequences, the car and driver rows locked."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import psycopg
from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError

from nextcars_tui.store.hot_path import HotPath, converted, driver_connection, notify


@lru_cache(maxsize=256)
def _native(sql: str) -> str:
    """The store's `?` placeholders in psycopg's style (no statement holds a literal '?')."""
    return sql.replace("%", "%%").replace("?", "%s")


@lru_cache(maxsize=128)
def _insert_sql(table: Table, with_id: bool) -> str:
    # Without an id the column is left out, so its sequence assigns one (NULL would fail).
    columns = list(table.columns)[0 if with_id else 1 :]
    names = ", ".join(column.name for column in columns)
    marks = ", ".join("%s" for _ in columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({marks}) RETURNING id"


def _first(cursor: psycopg.Cursor) -> int:
    found = cursor.fetchone()
    assert found is not None, "the statement returns one row"
    return int(found[0])


class PostgresHotPath(HotPath):
    # In id order, so two transactions locking overlapping sets queue instead of deadlocking.
    lock_rows = " ORDER BY id FOR UPDATE"

    def execute(
        self, connection: Connection, sql: str, params: Sequence[Any] = ()
    ) -> psycopg.Cursor:
        return self._run(connection, _native(sql), tuple(params))

    def _run(self, connection: Connection, sql: str, values: tuple[Any, ...]) -> psycopg.Cursor:
        driver: psycopg.Connection = driver_connection(connection)
        notify(sql, values)
        try:
            return driver.execute(sql, values)
        except psycopg.Error as exc:
            raise DBAPIError.instance(sql, values, exc, psycopg.Error) from exc

    def executemany(self, connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        driver: psycopg.Connection = driver_connection(connection)
        native = _native(sql)
        try:
            with driver.cursor() as cursor:
                cursor.executemany(native, rows)
        except psycopg.Error as exc:
            raise DBAPIError.instance(native, rows, exc, psycopg.Error) from exc

    def insert(self, connection: Connection, table: Table, values: Sequence[Any]) -> int:
        with_id = values[0] is not None
        skip = 0 if with_id else 1
        wanted = converted(self.plan(table)[skip:], values[skip:])
        return _first(self._run(connection, _insert_sql(table, with_id), tuple(wanted)))

    def next_number(self, connection: Connection, table: Table) -> int:
        # A sequence never hands one number to two transactions; a rolled-back booking
        # leaves a gap, which refs tolerate.
        sql = f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id'))"
        return _first(self._run(connection, sql, ()))

    def hold(
        self, connection: Connection, car_ids: Sequence[int], driver_ids: Sequence[int]
    ) -> None:
        # NO KEY UPDATE still lets other transactions insert rows that refer to these ones.
        for table, ids in (("car", car_ids), ("driver", driver_ids)):
            for resource_id in sorted(set(ids)):
                self._run(
                    connection,
                    f"SELECT 1 FROM {table} WHERE id = %s FOR NO KEY UPDATE",
                    (resource_id,),
                )
