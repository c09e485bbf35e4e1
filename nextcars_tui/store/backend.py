"""The seam between the engine-neutral store and one engine's specifics.

Everything that differs between SQLite and PostgreSQL sits behind `Backend`: opening the
engine, beginning a write, reading driver errors, noticing other processes' commits, the
statements sent to the driver (store.hot_path) and backups. Repositories and services see
only the result.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from nextcars_tui.store.hot_path import HotPath


class ChangeCounter(ABC):
    """A number that moves when another connection commits; cheap enough to poll."""

    @abstractmethod
    def current(self) -> int: ...

    @abstractmethod
    def close(self) -> None: ...


class Backend(ABC):
    engine: Engine
    # Engine whose transactions are writes (BEGIN IMMEDIATE on SQLite).
    writer: Engine
    # Engine whose transactions read one moment of the database throughout.
    snapshot: Engine
    hot: HotPath
    # For messages: the file, or the server and database; never a password.
    where: str
    # The SQLite file, None for a server.
    path: Path | None = None
    # Whether a connection may wait between units of work outside SQLAlchemy's pool, for the
    # next unit to take without a checkout (store.database): only where an idle connection
    # cannot go stale, so no check on checkout is skipped.
    keeps_connections: bool = False

    @abstractmethod
    def translate(self, exc: DBAPIError) -> Exception:
        """The desk error for a driver error, or `exc` itself when it means nothing known."""

    @abstractmethod
    def changes(self) -> ChangeCounter: ...

    @abstractmethod
    def backup(self, target: str | Path) -> str:
        """Write a consistent copy to `target` through the one file writer (store.files:
        created 0600, never over anything) while others keep writing; returns one line
        saying what was written."""

    @contextmanager
    def schema_change(self, connection: Connection) -> Iterator[Callable[[], None]]:
        """Around a schema upgrade on `connection`, before its transaction begins; yields a
        check to run just before the upgrade commits. Most engines need neither."""
        yield lambda: None

    def adopt(self) -> None:  # noqa: B027  (most engines need nothing)
        """Set up a database whose schema was just recognised as this program's (made,
        upgraded or found current); until then nothing in it may change."""

    def close(self) -> None:
        self.engine.dispose()
