"""The append-only audit log: who changed what, when, on which ref."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from nextcars_tui.store.hot_path import HotPath
from nextcars_tui.store.people import marks
from nextcars_tui.store.records import AuditRecord
from nextcars_tui.store.table_rows import TableRows
from nextcars_tui.store.tables import AuditEntry, table_of

_AUDIT = table_of(AuditEntry)


class AuditLog:
    def __init__(self, connection: Connection, hot: HotPath) -> None:
        self._connection = connection
        self._hot = hot
        self._rows = TableRows(connection, hot, _AUDIT, AuditRecord)

    def record(self, *, at: datetime, actor: str, action: str, ref: str, detail: str = "") -> None:
        """Written at once, in the caller's transaction: entries are never changed."""
        self._hot.insert(self._connection, _AUDIT, (None, at, actor, action, ref, detail))

    def record_many(self, entries: Sequence[AuditRecord]) -> None:
        """New entries (ids None) in one executemany."""
        self._rows.insert_many(entries)

    def for_refs(self, refs: Sequence[str]) -> list[AuditRecord]:
        if not refs:
            return []
        where = f"ref IN ({marks(len(refs))}) ORDER BY id"
        return self._rows.many(self._rows.select(where), list(refs))
