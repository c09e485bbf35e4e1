"""Seeding a PostgreSQL database for the benchmark: the SQLite seeder's rows, loaded with COPY.

The schema stays exactly as `create_schema` made it (indexes, EXCLUDE constraints and triggers
in place, so every row is checked as the desk's own would be); after each load the id sequences
are moved past the explicit ids, or the desk's nextval would hand out a number already taken,
and the tables are vacuumed and analysed, so the planner knows the history it plans over.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date, datetime

import psycopg

from nextcars_tui.bench.pg_target import conninfo
from nextcars_tui.bench.seed import (
    BOOKING_COLUMNS,
    FLEET_COLUMNS,
    INVOICE_COLUMNS,
    LEDGER_COLUMNS,
    Seeder,
)

_COLUMNS = {
    **FLEET_COLUMNS,
    "booking": BOOKING_COLUMNS,
    "invoice": INVOICE_COLUMNS,
    "ledger_entry": LEDGER_COLUMNS,
    "audit_entry": ("at", "actor", "action", "ref", "detail"),
}
_SEQUENCED = ("car", "driver", "customer", "booking", "invoice", "ledger_entry")


def _copy(conn: psycopg.Connection, table: str, rows: Sequence[tuple]) -> None:
    with conn.cursor().copy(f"COPY {table} ({', '.join(_COLUMNS[table])}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


class PgSeeder:
    """Adds a fleet, then bookings in stages, to one empty desk database on PostgreSQL."""

    def __init__(self, url: str, today: date, now: datetime) -> None:
        self._conninfo = conninfo(url)
        self._rows = Seeder(None, today, now)

    def seed_fleet(self) -> None:
        with psycopg.connect(self._conninfo) as conn:
            for table, rows in self._rows.fleet_rows().items():
                _copy(conn, table, rows)
            _move_sequences(conn)
        self._vacuum()

    def grow_to(self, bookings: int) -> tuple[int, float]:
        """Insert bookings until there are `bookings` in all (the benchmark's own included);
        returns the total and the seconds it took."""
        began = time.perf_counter()
        with psycopg.connect(self._conninfo) as conn:
            found = conn.execute("SELECT count(*), coalesce(max(id), 0) + 1 FROM booking")
            count, next_id = found.fetchone() or (0, 1)
            for batch in self._rows.batches(max(0, bookings - count), next_id):
                _copy(conn, "booking", batch.bookings)
                _copy(conn, "invoice", batch.invoices)
                _copy(conn, "ledger_entry", batch.entries)
                _copy(conn, "audit_entry", batch.audits)
            _move_sequences(conn)
            total = conn.execute("SELECT count(*) FROM booking").fetchone()
            assert total is not None
        self._vacuum()
        return int(total[0]), time.perf_counter() - began

    def _vacuum(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")


def _move_sequences(conn: psycopg.Connection) -> None:
    for table in _SEQUENCED:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} "
            "HAVING max(id) IS NOT NULL"
        )
