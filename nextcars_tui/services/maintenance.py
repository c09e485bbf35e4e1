"""Looking after the database itself: its schema revision, upgrades and backups."""

from __future__ import annotations

from dataclasses import dataclass

from nextcars_tui.domain.errors import FileAlreadyExists, InvalidInput
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.store import Database


@dataclass(frozen=True)
class SchemaReport:
    where: str
    state: str
    current: str | None
    latest: str


@dataclass(frozen=True)
class UpgradeReport:
    where: str
    before: str | None
    after: str
    # The copy written beside a SQLite file first; None on PostgreSQL or when nothing ran.
    backup: str | None


def schema_status(db: Database, actor: Actor) -> SchemaReport:
    actor.require(Permission.MAINTAIN_DATABASE)
    found = db.schema_state()
    return SchemaReport(db.where, found.kind.value, found.current, found.head)


def upgrade(db: Database, actor: Actor) -> UpgradeReport:
    """Bring the schema to the latest revision; the only command that changes a schema."""
    actor.require(Permission.MAINTAIN_DATABASE)
    before = db.schema_state()
    copy = db.upgrade()
    return UpgradeReport(db.where, before.current, before.head, copy)


def backup(db: Database, actor: Actor, target: str) -> str:
    """A consistent copy of the database in a new file, written by the one file writer
    (store.files): never over an existing file, never into a folder it would create."""
    actor.require(Permission.MAINTAIN_DATABASE)
    try:
        return db.backup(target)
    except FileAlreadyExists as exists:
        raise InvalidInput(
            f"{exists.path} already exists; a backup is never written over a file, so choose "
            "a new name.",
            field="path",
        ) from None
