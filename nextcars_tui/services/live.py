"""Cheap detection of commits made by other processes, for live refresh."""

from __future__ import annotations

from nextcars_tui.services.desk import Desk


class ChangeWatcher:
    """Polls the store's change counter (SQLite's data_version, PostgreSQL's NOTIFYs): it
    moves only when another connection commits."""

    def __init__(self, desk: Desk) -> None:
        self._version = desk.db.changes()
        self._last = self._version.current()

    def changed(self) -> bool:
        current = self._version.current()
        if current == self._last:
            return False
        self._last = current
        return True

    def close(self) -> None:
        self._version.close()
