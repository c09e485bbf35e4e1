"""Row locks for read-then-write units of work.

Lock order, everywhere: car, driver, booking, invoice, user. Two writers that take locks in
one order can only queue behind each other, never wait on each other (no deadlock).
"""

from __future__ import annotations

from typing import Any


def locked(query: Any, lock: bool) -> Any:
    """FOR UPDATE, re-reading an object the session already holds. SQLite ignores the
    clause: its write transactions hold the whole file from their first statement."""
    if not lock:
        return query
    return query.with_for_update().execution_options(populate_existing=True)
