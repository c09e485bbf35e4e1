"""What the store sends to SQLite, for benchmarks and query-plan checks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from nextcars_tui.store import hot_path
from nextcars_tui.store.database import Database

Statement = tuple[str, tuple[Any, ...]]


@contextmanager
def recorded_statements(db: Database) -> Iterator[list[Statement]]:
    """Collect every single-row statement (SQL and bound values) the store sends in the block,
    through SQLAlchemy or straight to the driver (store.hot_path)."""
    statements: list[Statement] = []

    def _record(
        _conn: Any, _cursor: Any, sql: str, parameters: Any, _context: Any, executemany: bool
    ) -> None:
        if not executemany:
            statements.append((sql, tuple(parameters or ())))

    def _record_direct(sql: str, parameters: tuple[Any, ...]) -> None:
        statements.append((sql, parameters))

    event.listen(db.engine, "before_cursor_execute", _record)
    hot_path.observers.append(_record_direct)
    try:
        yield statements
    finally:
        hot_path.observers.remove(_record_direct)
        event.remove(db.engine, "before_cursor_execute", _record)


def query_plan(db: Database, statement: Statement) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN of one recorded statement, one indented line per step."""
    sql, params = statement
    depth, lines = {0: 0}, []
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * (depth[node] - 1) + detail)
    return lines


def full_reads(plan: Sequence[str]) -> list[str]:
    """The plan lines that read a whole table (not a one-row subquery the plan made itself)."""
    made = {line.split()[1] for line in plan if line.split()[0] in ("CO-ROUTINE", "MATERIALIZE")}
    return [
        line
        for line in plan
        if line.split()[0] == "SCAN" and line.split()[1] not in made | {"CONSTANT"}
    ]
