"""What every command shares: the settings loaded once, the database and the acting user."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING

from nextcars_tui.config import Settings, load_settings
from nextcars_tui.domain.roles import Actor, system_actor

if TYPE_CHECKING:
    from nextcars_tui.services.desk import Desk
    from nextcars_tui.store import Database


class UsageError(Exception):
    """A bad command line; reported as one 'error:' line, exit code 2."""


@dataclass
class Context:
    settings: Settings
    # The audit log records every CLI change as made by 'system:cli'.
    actor: Actor = field(default_factory=lambda: system_actor("cli"))
    _db: Database | None = field(default=None, init=False, repr=False)
    _desk: Desk | None = field(default=None, init=False, repr=False)

    def desk(self, *, create: bool = False) -> Desk:
        """The Desk over the database opened once; only `init` and opening the desk may
        create the file or the schema, so a mistyped path in a script fails instead of
        quietly starting an empty database (services.desk.open_desk, as every caller)."""
        # Imported on first use so commands that need no database never load the data layer.
        from nextcars_tui.services.desk import desk_on

        if self._desk is None:
            # A database opened first by `database()` (the desk asks whether a server's
            # database is empty before making the demo there) is checked all the same.
            db = self.database(create=create)
            self._db = None
            self._desk = desk_on(db, self.settings, create=create)
        return self._desk

    def database(self, *, create: bool = False, read_only: bool = False) -> Database:
        """The database opened once, its schema not checked (for `db` and `backup`);
        `read_only` for a command that only looks (`db status`, `db check`)."""
        from nextcars_tui.services.desk import open_store

        if self._desk is not None:
            return self._desk.db
        if self._db is None:
            self._db = open_store(self.settings, create=create, read_only=read_only)
        return self._db

    def close(self) -> None:
        for db in (self._db, self._desk.db if self._desk is not None else None):
            if db is not None:
                db.close()
        self._db = self._desk = None


Handler = Callable[[argparse.Namespace], int]


def with_context(command: Callable[[Context, argparse.Namespace], int]) -> Handler:
    """Adapt a command to the parser's `handler(args) -> exit code` convention: settings are
    loaded once, from --config, and the database is closed however the command ends."""

    @wraps(command)
    def handler(args: argparse.Namespace) -> int:
        ctx = Context(load_settings(args.config))
        try:
            return command(ctx, args)
        finally:
            ctx.close()

    return handler
