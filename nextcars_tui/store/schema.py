"""Which revision a database's schema is at, and bringing it to the latest through Alembic."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FIRST_REVISION = "0001"
# The tables the first release created (without Alembic); such a database is at 0001.
FIRST_RELEASE_TABLES = frozenset(
    {
        "customer",
        "car",
        "driver",
        "booking",
        "invoice",
        "payment",
        "app_user",
        "audit_entry",
        "desk_setting",
    }
)

# Tables every NextCars keeps, whatever later revisions change around them.
LASTING_TABLES = frozenset({"booking", "app_user"})


class SchemaKind(StrEnum):
    EMPTY = "empty"
    CURRENT = "current"
    OLDER = "older"
    NEWER = "newer"
    FOREIGN = "foreign"


@dataclass(frozen=True)
class SchemaState:
    kind: SchemaKind
    # The database's revision (None when empty or not NextCars'), and the program's.
    current: str | None
    head: str


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    return str(_script().get_current_head())


def _known(revision: str) -> bool:
    return any(script.revision == revision for script in _script().walk_revisions())


def state(engine: Engine) -> SchemaState:
    latest = head()
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" in tables:
            current = MigrationContext.configure(connection).get_current_revision()
        else:
            current = None
    if current is None:
        if not tables - {"alembic_version"}:
            return SchemaState(SchemaKind.EMPTY, None, latest)
        if tables >= FIRST_RELEASE_TABLES:
            return SchemaState(SchemaKind.OLDER, FIRST_REVISION, latest)
        return SchemaState(SchemaKind.FOREIGN, None, latest)
    if current == latest:
        return SchemaState(SchemaKind.CURRENT, current, latest)
    if not _known(current):
        # Other applications keep their schema with Alembic too: a revision we do not know
        # is a newer NextCars only beside tables a NextCars of any age has.
        if not tables >= LASTING_TABLES:
            return SchemaState(SchemaKind.FOREIGN, None, latest)
        return SchemaState(SchemaKind.NEWER, current, latest)
    return SchemaState(SchemaKind.OLDER, current, latest)


Guard = Callable[[Connection], AbstractContextManager[Callable[[], None]]]


def upgrade(engine: Engine, guard: Guard) -> None:
    """Run every revision after the database's own, in one transaction; a first-release
    database (no version table) is recorded as 0001 first, in the same transaction. The
    engine's guard (Backend.schema_change) wraps it and checks it before it commits."""
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        connection.rollback()
        with guard(connection) as check:
            config = _config(connection)
            if "alembic_version" not in tables and tables >= FIRST_RELEASE_TABLES:
                with connection.begin():
                    # One outer transaction, which Alembic joins instead of committing.
                    command.stamp(config, FIRST_REVISION)
                    command.upgrade(config, "head")
                    check()
            else:
                with connection.begin():
                    command.upgrade(config, "head")
                    check()
