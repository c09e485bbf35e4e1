"""The append-only audit log: who changed what, when, on which ref."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from nextcars_tui.store.hot_path import HotPath
from nextcars_tui.store.tables import AuditEntry


class AuditLog:
    def __init__(self, session: Session, hot: HotPath) -> None:
        self._session = session
        self._hot = hot

    def record(self, *, at: datetime, actor: str, action: str, ref: str, detail: str = "") -> None:
        """Written at once, in the caller's transaction: entries are never read back or changed."""
        values = {"at": at, "actor": actor, "action": action, "ref": ref, "detail": detail}
        self._hot.insert(self._session, AuditEntry.__table__, values)  # type: ignore[attr-defined]

    def record_many(self, entries: Sequence[AuditEntry]) -> None:
        self._session.add_all(entries)

    def for_refs(self, refs: Sequence[str]) -> list[AuditEntry]:
        query = select(AuditEntry).where(col(AuditEntry.ref).in_(refs)).order_by(col(AuditEntry.id))
        return list(self._session.exec(query))
