"""The desk's database on either engine: units of work, schema checks, backups."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import NoReturn

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from nextcars_tui.domain.errors import StoreUnavailable
from nextcars_tui.store import (
    schema,
    tables,  # noqa: F401  (registers the tables on the metadata)
)
from nextcars_tui.store.backend import Backend, ChangeCounter
from nextcars_tui.store.schema import SchemaKind, SchemaState
from nextcars_tui.store.unit_of_work import UnitOfWork

POSTGRES_SCHEMES = ("postgresql://", "postgresql+psycopg://")
# Connections kept per engine between units of work (Backend.keeps_connections): one for the
# thread doing the desk's work and one for a worker beside it.
KEPT_CONNECTIONS = 2


class Database:
    """One database shared by terminals, SSH sessions and the lifecycle worker."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.engine: Engine = backend.engine
        # The SQLite file; None on a server.
        self.path: Path | None = backend.path
        # What to call the database in messages: the file, or server and database name.
        self.where = backend.where
        # The unit every write() and read() of this thread joins inside single_transaction().
        self._joined = threading.local()
        # Per engine, connections whose unit of work has ended, for the next unit to take:
        # a checkout from SQLAlchemy's pool and back costs more than a payment's statements.
        self._kept: dict[Engine, list[Connection]] = {}
        self._closed = False

    def write(self) -> AbstractContextManager[UnitOfWork]:
        """One user action, rolled back unless the caller commits. On SQLite it holds the
        write lock from the start (BEGIN IMMEDIATE); on PostgreSQL the repositories lock
        the rows they hand out for change, in one order (car, driver, booking, invoice,
        user), so two writers queue instead of deadlocking."""
        return self._unit(self.backend.writer, writing=True)

    def read(self) -> AbstractContextManager[UnitOfWork]:
        """A read transaction; it never blocks writers."""
        return self._unit(self.engine, writing=False)

    def snapshot(self) -> AbstractContextManager[UnitOfWork]:
        """A read transaction that sees one moment of the database throughout, however long
        it runs and whatever others commit meanwhile (for checks over many tables)."""
        return self._unit(self.backend.snapshot, writing=False)

    @contextmanager
    def single_transaction(self) -> Iterator[None]:
        """Everything this thread does through write() and read() inside the block is one
        write transaction, committed when the block ends and rolled back if it raises (or the
        process dies): for work made of many service calls that must land whole, such as
        loading the demo. Other writers wait meanwhile, so keep it for set-up work."""
        if getattr(self._joined, "uow", None) is not None:
            raise RuntimeError("single_transaction() does not nest")
        with self._unit(self.backend.writer, writing=True) as outer:
            self._joined.uow = outer.joined()
            try:
                yield
                outer.commit()
            finally:
                self._joined.uow = None

    @contextmanager
    def _unit(self, bind: Engine, *, writing: bool) -> Iterator[UnitOfWork]:
        joined: UnitOfWork | None = getattr(self._joined, "uow", None)
        if joined is not None:
            try:
                yield joined
            except DBAPIError as exc:
                self._reraise(exc)
            return
        try:
            connection = self._connect(bind)
            try:
                yield UnitOfWork(connection, self.backend.hot, writing=writing)
            finally:
                self._release(bind, connection)
        except DBAPIError as exc:
            self._reraise(exc)

    def _connect(self, bind: Engine) -> Connection:
        """A kept connection of this engine, or one from its pool."""
        kept = self._kept.get(bind)
        if kept:
            try:
                return kept.pop()
            except IndexError:  # another thread took the last one meanwhile
                pass
        return bind.connect()

    def _release(self, bind: Engine, connection: Connection) -> None:
        """End a unit's connection: what it did not commit is rolled back, and it is kept for
        the next unit or given back to the pool."""
        if self._closed or not self.backend.keeps_connections or connection.invalidated:
            connection.close()  # rolls back what was not committed
            return
        try:
            self.backend.hot.roll_back(connection)
        except BaseException:
            connection.close()
            raise
        kept = self._kept.setdefault(bind, [])
        if connection.closed or len(kept) >= KEPT_CONNECTIONS:
            connection.close()
        else:
            kept.append(connection)

    def _reraise(self, exc: DBAPIError) -> NoReturn:
        translated = self.backend.translate(exc)
        if translated is exc:
            raise exc
        raise translated from exc

    def changes(self) -> ChangeCounter:
        """A cheap change detector for live refresh across processes and machines."""
        return self.backend.changes()

    # -- schema ---------------------------------------------------------------------

    def schema_state(self) -> SchemaState:
        try:
            return schema.state(self.engine)
        except DBAPIError as exc:
            self._reraise(exc)

    def is_empty(self) -> bool:
        return self.schema_state().kind == SchemaKind.EMPTY

    def create_schema(self) -> None:
        """Make an empty database the latest schema; accept one already at it; refuse (and
        leave untouched) one that is older, newer or another application's."""
        found = self.schema_state()
        if found.kind == SchemaKind.EMPTY:
            self._upgrade()
        elif found.kind != SchemaKind.CURRENT:
            raise StoreUnavailable(schema_problem(found, self.where))
        self._adopt()

    def schema_lag(self) -> str | None:
        """What to do about an older schema ('run nextcars db upgrade'), or None when it is
        current; a database that is not this program's (empty, foreign, newer) is refused."""
        found = self.schema_state()
        if found.kind == SchemaKind.CURRENT:
            return None
        if found.kind == SchemaKind.OLDER:
            return schema_problem(found, self.where)
        raise StoreUnavailable(schema_problem(found, self.where))

    def require_current(self) -> None:
        """Refuse, untouched, a database whose schema is not exactly this program's: empty
        (only `init` and the first desk create it), older, newer or another application's."""
        found = self.schema_state()
        if found.kind != SchemaKind.CURRENT:
            raise StoreUnavailable(schema_problem(found, self.where))
        self._adopt()

    def upgrade(self) -> str | None:
        """Bring an older schema to the latest; on SQLite write a backup beside the file
        first. Returns where the backup went, if one was written."""
        found = self.schema_state()
        if found.kind in (SchemaKind.NEWER, SchemaKind.FOREIGN):
            raise StoreUnavailable(schema_problem(found, self.where))
        if found.kind == SchemaKind.CURRENT:
            self._adopt()
            return None
        copy: Path | None = None
        if found.kind == SchemaKind.OLDER and self.path is not None:
            if not os.access(self.path, os.W_OK):
                # Said before the copy is made: a copy for an upgrade that cannot run is litter.
                raise StoreUnavailable(f"The {self.where} is read-only; nothing was saved.")
            copy = _free_name(self.path, f"before-{found.head}")
            self.backend.backup(copy)
        try:
            self._upgrade()
        except BaseException:
            # Nothing was upgraded (the upgrade is one transaction), so the copy taken for
            # it is not needed: an upgrade that cannot write leaves nothing behind.
            if copy is not None:
                copy.unlink(missing_ok=True)
            raise
        self._adopt()
        return None if copy is None else str(copy)

    def _upgrade(self) -> None:
        try:
            schema.upgrade(self.backend.writer, self.backend.schema_change)
        except DBAPIError as exc:
            self._reraise(exc)

    def _adopt(self) -> None:
        try:
            self.backend.adopt()
        except DBAPIError as exc:
            self._reraise(exc)

    def backup(self, target: str | Path) -> str:
        return self.backend.backup(target)

    def close(self) -> None:
        self._closed = True  # a unit still running gives its connection back to the pool
        for kept in self._kept.values():
            while kept:
                kept.pop().close()
        self.backend.close()


def schema_problem(found: SchemaState, where: str) -> str:
    if found.kind == SchemaKind.EMPTY:
        return f"The {where} holds no NextCars tables yet; run 'nextcars init' first."
    if found.kind == SchemaKind.OLDER:
        return (
            f"The {where} has schema revision {found.current}; this program needs "
            f"{found.head}. Run 'nextcars db upgrade' first (it writes a backup)."
        )
    if found.kind == SchemaKind.NEWER:
        return (
            f"The {where} was made by a newer NextCars (schema revision {found.current}; "
            f"this program knows up to {found.head}); it was left untouched."
        )
    return f"The {where} holds tables of another application; it was left untouched."


def _free_name(path: Path, label: str) -> Path:
    """`nextcars.db.before-0002.bak`, or with a number when that exists already."""
    candidate = path.with_name(f"{path.name}.{label}.bak")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.{label}-{number}.bak")
    return candidate


def open_database(target: Path | str, *, create: bool = True, read_only: bool = False) -> Database:
    """Open a SQLite file (a path or sqlite:/// URL; created if asked) or a PostgreSQL
    database (a postgresql:// URL); raise StoreUnavailable with a clear reason. A
    `read_only` database is only looked at: no file is created or changed, no row written."""
    if isinstance(target, str) and target.startswith(POSTGRES_SCHEMES):
        from nextcars_tui.store.postgres.engine import open_postgres

        return Database(open_postgres(target, read_only=read_only))
    from nextcars_tui.store.sqlite.engine import open_sqlite

    path = Path(target.removeprefix("sqlite:///")) if isinstance(target, str) else target
    return Database(open_sqlite(path, create=create, read_only=read_only))
