"""Reading (and, for backstop tests, writing) a desk's database outside the store.

A plain SQLAlchemy connection per call, in autocommit, with none of the store's code: what it
sees is what was really committed. Values come back as SQLite stores them (dates and times as
text), so one expectation holds on both engines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection

from nextcars_tui.services.desk import Desk

# A desk's database as tests name it: the desk itself, a SQLite file, or a PostgreSQL URL.
Target = Desk | Path | str

# What the database's own backstop says when it refuses an overlap, on either engine: the
# SQLite trigger's marker, or the name of the PostgreSQL exclusion constraint.
OVERLAP_REFUSED = r"NEXTCARS_OVERLAP|occupancy_no_overlap"
APPEND_ONLY_REFUSED = "NEXTCARS_APPEND_ONLY"

_QMARK = re.compile(r"\?")


def url_of(target: Target) -> str:
    if isinstance(target, Desk):
        db = target.db
        if db.path is not None:
            return f"sqlite:///{db.path}"
        return db.engine.url.render_as_string(hide_password=False)
    if isinstance(target, Path):
        return f"sqlite:///{target}"
    return target if "://" in target else f"sqlite:///{target}"


def is_postgres(target: Target) -> bool:
    return url_of(target).startswith("postgresql")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


class RawConnection:
    """sqlite3's `execute(sql, params)` on either engine: `?` with a sequence, or `:name`
    with a mapping."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> RawResult:
        if isinstance(params, Mapping):
            bound = dict(params)
        else:
            names = iter(range(len(params)))
            sql = _QMARK.sub(lambda _m: f":p{next(names)}", sql)
            bound = {f"p{i}": value for i, value in enumerate(params)}
        result = self.connection.execute(text(sql), bound)
        rows = [tuple(_plain(v) for v in row) for row in result] if result.returns_rows else []
        return RawResult(rows)

    def tables(self) -> list[str]:
        return sorted(inspect(self.connection).get_table_names())


class RawResult:
    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._rows)

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._rows)


@contextmanager
def raw(target: Target) -> Iterator[RawConnection]:
    engine = create_engine(url_of(target), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.exec_driver_sql("PRAGMA busy_timeout=30000")
            yield RawConnection(connection)
    finally:
        engine.dispose()


def row_counts(target: Target) -> dict[str, int]:
    """Rows in every table of the database."""
    with raw(target) as connection:
        return {
            t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0]
            for t in connection.tables()
        }


def snapshot(target: Target) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to prove a refused call changed nothing at all."""
    with raw(target) as connection:
        return {
            t: connection.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()
            for t in connection.tables()
        }


def statuses(target: Target, ref: str) -> tuple[str, str]:
    """(booking status, invoice status) of one booking, read straight from the database."""
    with raw(target) as connection:
        row = connection.execute(
            "SELECT b.status, i.status FROM booking b JOIN invoice i ON i.booking_id = b.id "
            "WHERE b.ref = ?",
            (ref,),
        ).fetchone()
    assert row is not None, f"{ref} is not in the database"
    return row[0], row[1]
