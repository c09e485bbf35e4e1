"""Units of work one after another take the connection the last one ended with, where the
engine allows it (store.database, Backend.keeps_connections): each unit still begins clean,
with nothing of an earlier unit left behind, and closing the database closes them all. A
unit's statements go straight to the driver or through SQLAlchemy, in any order, and land
(or roll back) together."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from deskkit import START
from sqlalchemy import insert

from nextcars_tui.store import Database, UnitOfWork, database
from nextcars_tui.store.database import KEPT_CONNECTIONS
from nextcars_tui.store.tables import AuditEntry, table_of

_AUDIT = table_of(AuditEntry)


def audit_refs(db: Database) -> list[str]:
    with db.read() as uow:
        found = uow.audit.for_refs(["KEPT-1", "KEPT-2", "MIX-1", "MIX-2", "MIX-3", "MIX-4"])
        return [entry.ref for entry in found]


def assert_write_lock_free(db: Database) -> None:
    """Another process could take the write lock at once: nothing was left holding it."""
    other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def through_sqlalchemy(uow: UnitOfWork, ref: str) -> None:
    values = {"at": START, "actor": "a", "action": "mixed", "ref": ref, "detail": ""}
    uow._connection.execute(insert(_AUDIT), values)


def test_a_unit_commits_what_it_sent_either_way_in_any_order(desk):
    db = desk.db
    with db.write() as uow:  # straight to the driver first
        uow.audit.record(at=START, actor="a", action="mixed", ref="MIX-1")
        through_sqlalchemy(uow, "MIX-2")
        uow.commit()
    with db.write() as uow:  # through SQLAlchemy first
        through_sqlalchemy(uow, "MIX-3")
        uow.audit.record(at=START, actor="a", action="mixed", ref="MIX-4")
        uow.commit()
    with db.write() as uow:  # both ways, never committed
        uow.audit.record(at=START, actor="a", action="tried", ref="KEPT-1")
        through_sqlalchemy(uow, "KEPT-2")
    assert audit_refs(db) == ["MIX-1", "MIX-2", "MIX-3", "MIX-4"]


def test_a_unit_left_without_commit_leaves_nothing_for_the_next(desk):
    db = desk.db
    with pytest.raises(RuntimeError, match="clerk gave up"), db.write() as uow:
        uow.audit.record(at=START, actor="a", action="tried", ref="KEPT-1")
        raise RuntimeError("clerk gave up")
    with db.write() as uow:  # not committed either: rolled back at the end
        uow.audit.record(at=START, actor="a", action="tried", ref="KEPT-1")
    with db.write() as uow:
        uow.audit.record(at=START, actor="a", action="done", ref="KEPT-2")
        uow.commit()
    assert audit_refs(db) == ["KEPT-2"]


def test_the_pool_has_the_connection_back_unless_the_engine_keeps_it(desk, engine):
    """On PostgreSQL every unit goes through the pool's checkout, so a connection that sat
    idle is checked with the server first (store.postgres.engine)."""
    db = desk.db
    with db.read() as uow:
        uow.settings.get("kept")
    with db.write() as uow:
        uow.settings.get("kept")
        uow.commit()
    kept = 2 if engine == "sqlite" else 0  # one read, one write engine
    assert db.engine.pool.checkedout() == kept


@pytest.mark.sqlite_only
def test_a_kept_connection_holds_no_lock_and_closing_the_database_closes_it(desk, engine):
    db = desk.db
    with pytest.raises(RuntimeError), db.write() as uow:
        uow.audit.record(at=START, actor="a", action="tried", ref="KEPT-1")
        raise RuntimeError("clerk gave up")
    with db.write() as uow:
        driver = uow._connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection) and not driver.in_transaction
    assert_write_lock_free(db)
    db.close()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        driver.execute("SELECT 1")


@pytest.mark.sqlite_only
def test_units_at_once_each_have_their_own_connection_and_few_are_kept(desk, engine):
    db = desk.db
    inside = threading.Barrier(KEPT_CONNECTIONS + 2)
    drivers: list[object] = []

    # Readers (deferred) run side by side; writers would queue on the file's lock.
    def reader() -> None:
        with db.read() as uow:
            drivers.append(uow._connection.connection.driver_connection)
            inside.wait(timeout=30)

    threads = [threading.Thread(target=reader) for _ in range(KEPT_CONNECTIONS + 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len({id(driver) for driver in drivers}) == KEPT_CONNECTIONS + 2
    # The units ended one by one: the first few are kept, the others went back to the pool.
    assert db.engine.pool.checkedout() == KEPT_CONNECTIONS


@pytest.mark.sqlite_only
@pytest.mark.parametrize("first", ["driver", "sqlalchemy"])
def test_a_write_holds_the_write_lock_from_its_first_statement_either_way(desk, engine, first):
    db = desk.db
    other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
    try:
        with db.write() as uow:
            if first == "driver":
                uow.audit.record(at=START, actor="a", action="tried", ref="KEPT-1")
            else:
                through_sqlalchemy(uow, "KEPT-1")
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the unit has ended
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert audit_refs(db) == []


@pytest.mark.sqlite_only
def test_a_unit_whose_connection_is_not_kept_still_rolls_back_and_lets_go(
    desk, engine, monkeypatch
):
    monkeypatch.setattr(database, "KEPT_CONNECTIONS", 0)
    db = desk.db
    with db.write() as uow:  # straight to the driver only, never committed
        uow.audit.record(at=START, actor="a", action="tried", ref="KEPT-1")
    assert db.engine.pool.checkedout() == 0
    assert_write_lock_free(db)
    assert audit_refs(db) == []
