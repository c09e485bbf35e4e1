"""What every command shares: the settings loaded once, the database and the acting user."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING

from nextcars_tui.config import Settings, database_target, load_settings
from nextcars_tui.domain.roles import Actor, system_actor

if TYPE_CHECKING:
    from nextcars_tui.services.desk import Desk
    from nextcars_tui.store import Database


@dataclass
class Context:
    settings: Settings
    # The audit log records every CLI change as made by 'system:cli'.
    actor: Actor = field(default_factory=lambda: system_actor("cli"))
    _db: Database | None = field(default=None, init=False, repr=False)
    _schema_checked: bool = field(default=False, init=False, repr=False)

    def desk(self, *, create: bool = False) -> Desk:
        """Open the database once; only `init` and opening the desk may create the file or
        the schema, so a mistyped path in a script fails instead of quietly starting an empty
        database."""
        # Imported on first use so commands that need no database never load the data layer.
        from nextcars_tui.services.desk import Desk

        db = self.database(create=create)
        # Checked even when `database()` opened it first (the desk asks whether a server's
        # database is empty before it makes the demo there).
        if not self._schema_checked:
            try:
                if create:
                    db.create_schema()
                else:
                    # An empty database (a new server database, a touched file) is not
                    # quietly made into a desk by `book` or `import` either.
                    db.require_current()
            except BaseException:
                self.close()
                raise
            self._schema_checked = True
        return Desk(db, self.settings)

    def database(self, *, create: bool = False, read_only: bool = False) -> Database:
        """The database opened once, its schema not checked (for `db` and `backup`);
        `read_only` for a command that only looks (`db status`)."""
        from nextcars_tui.store import open_database

        if self._db is None:
            self._db = open_database(
                database_target(self.settings), create=create, read_only=read_only
            )
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._schema_checked = False


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
