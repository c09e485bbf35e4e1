"""Alembic owns the schema: the first revision is the first release's schema exactly, upgrades
keep every row and read the same, and the tables in code match what the revisions build."""

from __future__ import annotations

import shutil
import stat
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from deskkit import FakeClock, make_settings, snapshot
from rawdb import OVERLAP_REFUSED, raw
from sqlalchemy import CheckConstraint, create_engine, inspect
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from nextcars_tui.config import CONFIG_ENV, DB_ENV
from nextcars_tui.domain.errors import AccountLocked, Conflict, StoreUnavailable
from nextcars_tui.domain.roles import Actor, Role, system_actor
from nextcars_tui.services import auth, billing, listings, preferences, reports
from nextcars_tui.services.booking import BookingRequest, book, booking_detail
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import Database, open_database, schema
from nextcars_tui.store.schema import SchemaKind
from tests import schemakit
from tests.cli.clikit import invoke
from tests.pgserver import PgServer

HEAD = schema.head()
# The objects revision 0002 adds on PostgreSQL: live refresh across machines.
NOTIFIED_TABLES = ("app_user", "booking", "car", "customer", "driver", "invoice", "payment")


# --- building databases on either engine ---------------------------------------------------


@pytest.fixture
def new_target(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[], str]]:
    """Factory: where a new, empty database of this run's engine lives (a URL)."""
    server: PgServer | None = request.getfixturevalue("pg_server") if engine != "sqlite" else None
    made: list[str] = []

    def factory() -> str:
        name = f"mig_{uuid.uuid4().hex[:12]}"
        if server is None:
            return f"sqlite:///{tmp_path / f'{name}.db'}"
        made.append(server.create_database(name))
        return server.url(name)

    yield factory
    for name in made:
        assert server is not None
        server.drop_database(name)


def create_latest(url: str) -> None:
    db = open_database(url)
    try:
        db.create_schema()
    finally:
        db.close()


def rows_without_version(url: str) -> dict[str, list[tuple[object, ...]]]:
    rows = snapshot(url)
    rows.pop(schemakit.VERSION_TABLE, None)
    return rows


# --- reading through the services -------------------------------------------------------------

MANAGER = Actor(username="manager", role=Role.MANAGER, user_id=1)
DRIVER = Actor(username="driver1", role=Role.DRIVER, user_id=4, driver_id=1)
CUSTOMER = Actor(username="customer", role=Role.CUSTOMER, user_id=5, customer_id=1)


def open_desk(target: str | Path) -> Desk:
    return Desk(open_database(target), make_settings(), FakeClock(schemakit.NOW))


def service_reads(desk: Desk) -> dict[str, Any]:
    """What the desk's screens and commands show of every booking, invoice, payment, user,
    audit entry and setting."""
    bookings = listings.list_bookings(desk, MANAGER, listings.BookingFilter(limit=500))
    invoices = billing.list_invoices(desk, MANAGER, limit=500)
    return {
        "bookings": (bookings.items, bookings.total),
        "details": [booking_detail(desk, MANAGER, ref) for ref in schemakit.BOOKING_REFS],
        "invoices": (invoices.items, invoices.total),
        "invoice details": [
            billing.invoice_detail(desk, MANAGER, ref) for ref in schemakit.INVOICE_REFS
        ],
        "users": auth.list_users(desk, MANAGER),
        "customer's own": listings.my_bookings(desk, CUSTOMER),
        "driver's own": listings.my_assignments(desk, DRIVER),
        "themes": [preferences.load_theme(desk, actor) for actor in (MANAGER, DRIVER)],
        "ageing": reports.ageing_report(desk, MANAGER),
    }


def reads_of_copy(path: Path, folder: Path) -> dict[str, Any]:
    """service_reads of a copy of a SQLite file, so the original stays as it is."""
    folder.mkdir()
    copy = folder / path.name
    shutil.copyfile(path, copy)
    desk = open_desk(copy)
    try:
        return service_reads(desk)
    finally:
        desk.db.close()


def check_release1_reads(reads: dict[str, Any]) -> None:
    """The reads show the rows schemakit wrote (so comparing two of them proves something)."""
    bookings, total = reads["bookings"]
    assert total == len(schemakit.BOOKINGS)
    assert {b.status.value for b in bookings} == {"pending", "confirmed", "completed", "cancelled"}
    invoices, _ = reads["invoices"]
    assert {i.status.value for i in invoices} == {"unpaid", "overdue", "paid", "void", "refunded"}
    assert sum(len(detail.payments) for detail in reads["details"]) == 4
    assert all(detail.history for detail in reads["details"])
    locked = {user.username: user.locked_until for user in reads["users"]}
    assert locked["staff2"] == schemakit.LOCKED_UNTIL
    assert {b.ref for b in reads["customer's own"]} == {"BK-000001", "BK-000005", "BK-000008"}
    assert reads["themes"] == ["gruvbox", None]
    # The first detail, field by field, as the release stored it.
    first = reads["details"][0]
    assert first.booking.start == date(2026, 2, 2)
    assert first.booking.invoice.amount_cents == 3 * (8_900 + 6_000)
    assert first.payments[0].method == "card"


# --- 1. the first release's schema ---------------------------------------------------------


@pytest.mark.sqlite_only
def test_revision_0001_is_exactly_the_schema_the_first_release_made(tmp_path):
    pinned = schemakit.create_release1_file(tmp_path / "release1.db")
    migrated = tmp_path / "alembic.db"
    schemakit.migrate(f"sqlite:///{migrated}", schema.FIRST_REVISION)

    built = schemakit.without_version_table(schemakit.sqlite_schema(migrated))
    assert built == schemakit.sqlite_schema(pinned)
    assert schemakit.version_of(f"sqlite:///{migrated}") == schema.FIRST_REVISION
    # The pinned schema has every table, index and trigger the first release had.
    kinds = [kind for kind, _name in built]
    assert (kinds.count("table"), kinds.count("trigger")) == (9, 8)


@pytest.mark.sqlite_only
def test_a_first_release_database_is_recognised_as_revision_0001(tmp_path):
    path = schemakit.build_release1_desk(tmp_path / "nextcars.db")
    db = open_database(path, create=False)
    try:
        found = db.schema_state()
    finally:
        db.close()
    assert (found.kind, found.current, found.head) == (SchemaKind.OLDER, "0001", HEAD)


@pytest.mark.sqlite_only
def test_db_upgrade_of_a_first_release_desk_keeps_every_row_and_reads_the_same(
    tmp_path, engine, monkeypatch, cheap_hashing
):
    path = schemakit.build_release1_desk(tmp_path / "nextcars.db")
    schema_before = schemakit.sqlite_schema(path)
    rows_before = snapshot(path)
    assert all(rows_before.values()), "every table of the old desk has rows"
    reads_before = reads_of_copy(path, tmp_path / "pristine")
    check_release1_reads(reads_before)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.setenv(DB_ENV, str(path))

    result = invoke("db", "upgrade")

    assert result.code == 0, result.err
    assert f"from 0001 to {HEAD}" in result.out
    backups = [p for p in tmp_path.iterdir() if p.name.startswith("nextcars.db.")]
    assert len(backups) == 1, backups
    backup = backups[0]
    assert str(backup) in result.out
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    # The backup is the desk as it was, schema and rows.
    assert schemakit.sqlite_schema(backup) == schema_before
    assert snapshot(backup) == rows_before

    assert schemakit.version_of(f"sqlite:///{path}") == HEAD
    assert rows_without_version(f"sqlite:///{path}") == rows_before
    expected_schema = dict(schema_before)
    del expected_schema[("index", schemakit.DROPPED_INDEX)]
    upgraded_schema = schemakit.without_version_table(schemakit.sqlite_schema(path))
    added = {key for key in upgraded_schema if key not in expected_schema}
    assert added == {("index", name) for name in ADDED_INDEXES}
    assert {key: upgraded_schema[key] for key in expected_schema} == expected_schema
    with raw(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA journal_mode").fetchall() == [("wal",)]

    desk = open_desk(path)
    try:
        assert service_reads(desk) == reads_before
        # The users still sign in with their passwords, and the lock still holds.
        assert auth.sign_in(desk, "manager", schemakit.PASSWORDS["manager"]).role == Role.MANAGER
        with pytest.raises(AccountLocked):
            auth.sign_in(desk, "staff2", schemakit.PASSWORDS["staff2"])
    finally:
        desk.db.close()

    status = invoke("db", "status")
    assert status.code == 0, status.err
    assert f"Current revision: {HEAD} (current)" in status.out
    assert invoke("bookings", "--json").code == 0


@pytest.mark.sqlite_only
def test_a_second_upgrade_changes_nothing_and_writes_no_backup(tmp_path):
    path = schemakit.build_release1_desk(tmp_path / "nextcars.db")
    db = open_database(path, create=False)
    try:
        first = db.upgrade()
    finally:
        db.close()
    assert first is not None and Path(first).name == f"nextcars.db.before-{HEAD}.bak"
    after_first = path.read_bytes()
    db = open_database(path, create=False)
    try:
        assert db.upgrade() is None
    finally:
        db.close()
    assert path.read_bytes() == after_first
    assert [p.name for p in tmp_path.iterdir() if ".bak" in p.name] == [Path(first).name]


# --- an older revision through Alembic, on both engines --------------------------------------


def test_upgrading_revision_0001_with_rows_keeps_them_and_matches_a_new_database(
    new_target, engine
):
    old = new_target()
    schemakit.migrate(old, schema.FIRST_REVISION)
    counts = schemakit.fill_url(old)
    rows_before = rows_without_version(old)
    assert {table: len(rows) for table, rows in rows_before.items()} == counts

    db = open_database(old)
    try:
        assert db.schema_state().kind == SchemaKind.OLDER
        copy = db.upgrade()
        assert db.schema_state().kind == SchemaKind.CURRENT
    finally:
        db.close()

    assert (copy is not None) == (engine == "sqlite")
    assert schemakit.version_of(old) == HEAD
    assert rows_without_version(old) == rows_before
    upgraded = schemakit.catalog(old)
    assert not any(name == schemakit.DROPPED_INDEX for _kind, name in upgraded)
    # An upgraded database is indistinguishable from one made new at the latest revision.
    fresh = new_target()
    create_latest(fresh)
    assert schemakit.version_of(fresh) == HEAD
    assert upgraded == schemakit.catalog(fresh)
    if engine == "postgresql":
        triggers = {name for kind, name in upgraded if kind == "trigger"}
        assert {f"{t}.{t}_notify_change" for t in NOTIFIED_TABLES} <= triggers
        assert ("function", "nextcars_notify_change") in upgraded
        assert ("constraint", "booking.booking_car_no_overlap") in upgraded
        assert ("constraint", "booking.booking_driver_no_overlap") in upgraded


# KX21 ABC with DRV-02, 16-17 March: both free. KX21 ABC on 12 March: BK-000006 has it.
free_request = BookingRequest(
    "ben.carter@example.com", "KX21 ABC", "DRV-02", schemakit.TODAY + timedelta(days=6), 2
)
clashing_request = BookingRequest(
    "chloe.diaz@example.com", "KX21 ABC", "DRV-03", schemakit.TODAY + timedelta(days=2), 1
)


def test_an_upgraded_desk_books_and_still_refuses_overlaps(new_target, engine):
    url = new_target()
    schemakit.migrate(url, schema.FIRST_REVISION)
    schemakit.fill_url(url)
    desk = open_desk(url)
    staff = Actor(username="staff", role=Role.STAFF, user_id=2)
    try:
        desk.db.upgrade()
        changes = desk.db.changes()
        seen = changes.current()
        made = book(desk, staff, free_request)
        # Numbers carry on from the old rows.
        assert made.ref == schemakit.booking_ref(len(schemakit.BOOKINGS) + 1)
        # BK-000006 holds KX21 ABC 11-14 March: the old rows still block the car, for the
        # service's check and for the database's own backstop.
        with pytest.raises(Conflict) as clash:
            book(desk, staff, clashing_request)
        assert "BK-000006" in clash.value.message
        with pytest.raises(DBAPIError, match=OVERLAP_REFUSED), raw(url) as connection:
            # Moved to start on 12 March, the new booking would share KX21 ABC with BK-000006.
            connection.execute(
                "UPDATE booking SET start_date = '2026-03-12' WHERE ref = ?", (made.ref,)
            )
        # Other desks notice the commit (NOTIFY on PostgreSQL, data_version on SQLite).
        deadline = time.monotonic() + 2
        while changes.current() == seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert changes.current() != seen
        changes.close()
    finally:
        desk.db.close()


# --- 2. the tables in code match the migrated schema ---------------------------------------

# What compare_metadata finds between tables.py and a database at the latest revision, and why
# each is right. Nothing else may differ.
#  - Partial indexes, written in the revisions as literal SQL because SQLite uses one only when
#    a query repeats its WHERE terms word for word; tables.py does not declare them.
# What the revisions after the first release add (0003: plate keys, sorted and filtered lists).
ADDED_INDEXES = {"ix_car_plate_key", "ix_booking_total", "ix_booking_status"}
PARTIAL_INDEXES = {
    "ix_booking_car_active",
    "ix_booking_driver_active",
    "ix_booking_pending_created",
    "ix_booking_confirmed_end",
}
#  - The EXCLUDE USING gist constraints (PostgreSQL) and the triggers are not reflected by
#    SQLAlchemy at all, so they cannot show here; they are checked by name above.
#  - alembic_version is Alembic's own and compare_metadata leaves it out by itself.


def test_the_tables_in_code_match_a_database_at_the_latest_revision(new_target, engine):
    url = new_target()
    create_latest(url)
    db_engine = create_engine(url)
    try:
        with db_engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        db_engine.dispose()

    unexplained = [
        difference
        for difference in differences
        if not (difference[0] == "remove_index" and difference[1].name in PARTIAL_INDEXES)
    ]
    assert unexplained == []
    # And each allowed difference is really there in the database (not silently missing).
    assert {d[1].name for d in differences} == PARTIAL_INDEXES
    # compare_metadata leaves CHECK constraints out; they must match by name too.
    declared = {
        (table.name, check.name)
        for table in SQLModel.metadata.tables.values()
        for check in table.constraints
        if isinstance(check, CheckConstraint)
    }
    db_engine = create_engine(url)
    try:
        inspector = inspect(db_engine)
        reflected = {
            (table, check["name"])
            for table in inspector.get_table_names()
            for check in inspector.get_check_constraints(table)
        }
    finally:
        db_engine.dispose()
    assert reflected == declared


# --- refusals at the store -------------------------------------------------------------------


def _stamp(url: str, revision: str) -> None:
    with raw(url) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))


def test_a_newer_or_foreign_database_is_refused_untouched_by_the_store(new_target, engine):
    newer = new_target()
    create_latest(newer)
    schemakit.fill_url(newer)
    _stamp(newer, "9999")
    foreign = new_target()
    with raw(foreign) as connection:
        connection.execute("CREATE TABLE recipe (id INTEGER PRIMARY KEY, title VARCHAR(80))")
        connection.execute("INSERT INTO recipe VALUES (1, 'Lentil soup')")

    for url, kind, says in (
        (newer, SchemaKind.NEWER, "newer NextCars"),
        (foreign, SchemaKind.FOREIGN, "another application"),
    ):
        before = schemakit.everything(url)
        db: Database = open_database(url, create=False)
        try:
            assert db.schema_state().kind == kind
            for attempt in (db.create_schema, db.upgrade):
                with pytest.raises(StoreUnavailable, match=says):
                    attempt()
        finally:
            db.close()
        assert schemakit.everything(url) == before


def test_an_older_database_is_refused_by_create_schema_naming_the_upgrade(new_target, engine):
    url = new_target()
    schemakit.migrate(url, schema.FIRST_REVISION)
    schemakit.fill_url(url)
    before = snapshot(url)
    db = open_database(url, create=False)
    try:
        with pytest.raises(StoreUnavailable, match="nextcars db upgrade"):
            db.create_schema()
    finally:
        db.close()
    assert snapshot(url) == before
    assert schemakit.version_of(url) == schema.FIRST_REVISION


def test_system_actor_is_the_only_one_allowed_to_upgrade(new_target, engine):
    from nextcars_tui.domain.errors import NotAllowed
    from nextcars_tui.services import maintenance

    url = new_target()
    schemakit.migrate(url, schema.FIRST_REVISION)
    db = open_database(url, create=False)
    try:
        with pytest.raises(NotAllowed):
            maintenance.upgrade(db, MANAGER)
        assert db.schema_state().kind == SchemaKind.OLDER
        assert maintenance.upgrade(db, system_actor("tests")).after == HEAD
    finally:
        db.close()


@pytest.mark.sqlite_only
def test_a_desk_file_in_another_journal_mode_is_switched_to_wal_once_recognised(tmp_path):
    """Connecting switches only a new file; a desk's own (say restored with `.dump`) is
    switched when its schema has been checked: by init, by any command, or by the upgrade."""
    current, old = f"sqlite:///{tmp_path / 'current.db'}", f"sqlite:///{tmp_path / 'old.db'}"
    checked = f"sqlite:///{tmp_path / 'checked.db'}"
    schemakit.migrate(current, "head")
    schemakit.migrate(checked, "head")
    schemakit.migrate(old, schema.FIRST_REVISION)

    def journal_mode(url: str) -> str:
        with raw(url) as connection:
            return str(connection.execute("PRAGMA journal_mode").fetchall()[0][0])

    assert journal_mode(current) == journal_mode(checked) == journal_mode(old) == "delete"
    for url, make_ready in (
        (current, Database.create_schema),
        (checked, Database.require_current),
        (old, Database.upgrade),
    ):
        db = open_database(url, create=False)
        try:
            db.schema_state()
            assert journal_mode(url) == "delete"
            make_ready(db)
        finally:
            db.close()
        assert journal_mode(url) == "wal"
