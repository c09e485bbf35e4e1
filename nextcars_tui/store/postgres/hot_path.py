"""The booking path on psycopg: ids from sequences, the car and driver rows locked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import psycopg
from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from nextcars_tui.store.hot_path import HotPath, converted, driver_connection, notify, processors


@lru_cache(maxsize=256)
def _native(sql: str) -> str:
    """The store's `?` placeholders in psycopg's style (no statement holds a literal '?')."""
    return sql.replace("%", "%%").replace("?", "%s")


@lru_cache(maxsize=128)
def _insert_plan(
    table: Table, dialect: Dialect, with_id: bool
) -> tuple[str, tuple[tuple[str, Any], ...]]:
    # Without an id the column is left out, so its sequence assigns one (NULL would fail).
    plan = tuple((key, p) for key, p in processors(table, dialect) if with_id or key != "id")
    names = ", ".join(table.columns[key].name for key, _ in plan)
    marks = ", ".join("%s" for _ in plan)
    return f"INSERT INTO {table.name} ({names}) VALUES ({marks}) RETURNING id", plan


def _first(cursor: psycopg.Cursor) -> int:
    found = cursor.fetchone()
    assert found is not None, "the statement returns one row"
    return int(found[0])


class PostgresHotPath(HotPath):
    # In id order, so two transactions locking overlapping sets queue instead of deadlocking.
    lock_rows = " ORDER BY id FOR UPDATE"

    def execute(self, session: Session, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        return self._run(session, _native(sql), tuple(params))

    def _run(self, session: Session, sql: str, values: tuple[Any, ...]) -> psycopg.Cursor:
        connection: psycopg.Connection = driver_connection(session)
        notify(sql, values)
        try:
            return connection.execute(sql, values)
        except psycopg.Error as exc:
            raise DBAPIError.instance(sql, values, exc, psycopg.Error) from exc

    def insert(self, session: Session, table: Table, values: Mapping[str, Any]) -> int:
        sql, plan = _insert_plan(table, session.get_bind().dialect, values.get("id") is not None)
        return _first(self._run(session, sql, tuple(converted(plan, values))))

    def next_number(self, session: Session, table: Table) -> int:
        # A sequence never hands one number to two transactions; a rolled-back booking
        # leaves a gap, which refs tolerate.
        sql = f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id'))"
        return _first(self._run(session, sql, ()))

    def hold_resources(self, session: Session, car_id: int, driver_id: int) -> None:
        # Always car before driver, so two bookers can never wait on each other. NO KEY
        # UPDATE still lets other transactions insert rows that refer to these ones.
        self._run(session, "SELECT 1 FROM car WHERE id = %s FOR NO KEY UPDATE", (car_id,))
        self._run(session, "SELECT 1 FROM driver WHERE id = %s FOR NO KEY UPDATE", (driver_id,))

    def hold_resources_of(self, session: Session, table: str, resource_id: int) -> None:
        if table not in ("car", "driver"):
            raise ValueError(f"not a resource table: {table}")
        self._run(session, f"SELECT 1 FROM {table} WHERE id = %s FOR NO KEY UPDATE", (resource_id,))
