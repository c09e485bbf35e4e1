"""Alembic owns the schema: the first revision is the first release's schema exactly, upgrades
keep every row (the ledger revision turning payments and statuses into entries, losing
nothing), and the tables in code match what the revisions build."""

from __future__ import annotations

import stat
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from deskkit import FakeClock, make_settings, snapshot
from rawdb import OVERLAP_REFUSED, raw
from sqlalchemy import CheckConstraint, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from nextcars_tui.config import CONFIG_ENV, DB_ENV
from nextcars_tui.domain.errors import AccountLocked, Conflict, StoreUnavailable
from nextcars_tui.domain.ledger import figures_of, invoice_status
from nextcars_tui.domain.roles import Actor, Role, system_actor
from nextcars_tui.services import auth, billing, listings, preferences, reports
from nextcars_tui.services.booking import BookingRequest, book, booking_detail, confirm
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import Database, open_database, schema
from nextcars_tui.store.schema import SchemaKind
from tests import schemakit
from tests.cli.clikit import invoke
from tests.pgserver import PgServer

HEAD = schema.head()
# The tables whose commits notify other desks on PostgreSQL (revision 0002, and 0004 for the
# ledger, which replaced payment).
NOTIFIED_TABLES = ("app_user", "booking", "car", "customer", "driver", "invoice", "ledger_entry")
# What revision 0004 changes: payments become ledger entries, invoices gain paid_cents.
LEDGER_TABLES = schemakit.LEDGER_TABLES


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


def invoice_columns(url: str | Path) -> list[tuple[object, ...]]:
    """The invoice columns the ledger revision keeps as they are (it adds paid_cents and
    re-derives amount_cents from the entries)."""
    with raw(url) as connection:
        return connection.execute(
            "SELECT id, ref, booking_id, status, issued_at, due_date FROM invoice ORDER BY id"
        ).fetchall()


def _plain_time(moment: Any) -> str:
    return str(moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))


def check_upgraded_rows(
    url: str | Path,
    rows_before: dict[str, list[tuple[object, ...]]],
    invoices_before: list[tuple[object, ...]],
) -> None:
    """The first release's rows after `db upgrade`, as stored: every table the ledger does not
    touch row for row as it was; each invoice as it was but for its figures; and a ledger whose
    entries are exactly the old amounts and payments (schemakit.upgraded_ledger)."""
    after = rows_without_version(str(url) if isinstance(url, str) else f"sqlite:///{url}")
    assert "payment" not in after
    after = schemakit.as_they_were(after, rows_before)
    holds, expected_holds = schemakit.occupancy_rows(
        str(url) if isinstance(url, str) else f"sqlite:///{url}"
    )
    assert holds == expected_holds and holds, "occupancy holds exactly the active bookings"
    assert {t: r for t, r in after.items() if t not in LEDGER_TABLES} == {
        t: r for t, r in rows_before.items() if t not in LEDGER_TABLES
    }
    assert invoice_columns(url) == invoices_before
    expected = schemakit.upgraded_ledger()
    with raw(url) as connection:
        entries = connection.execute(
            "SELECT i.ref, e.kind, e.amount_cents, e.method, e.reason, e.at, e.actor, "
            "e.description FROM ledger_entry e JOIN invoice i ON i.id = e.invoice_id "
            "ORDER BY e.id"
        ).fetchall()
        figures = {
            ref: (amount, paid, status)
            for ref, amount, paid, status in connection.execute(
                "SELECT ref, amount_cents, paid_cents, status FROM invoice"
            )
        }
    assert len(entries) == sum(len(invoice.entries) for invoice in expected.values())
    for ref, invoice in expected.items():
        mine = [row[1:] for row in entries if row[0] == ref]
        assert [row[:6] for row in mine] == [
            (e.kind, e.amount_cents, e.method, e.reason, _plain_time(e.at), e.actor)
            for e in invoice.entries
        ], ref
        # The rental's lines read as a new booking's do.
        assert tuple(row[6] for row in mine[:2]) == invoice.charge_lines, ref
        # The invoice's figures are the sums of its entries, and its status the release's.
        billed = sum(row[1] for row in mine if row[0] in ("charge", "fee", "adjustment"))
        paid = sum(
            row[1] if row[0] == "payment" else -row[1]
            for row in mine
            if row[0]
            in (
                "payment",
                "refund",
            )
        )
        assert figures[ref] == (billed, paid, invoice.status), ref
        assert (billed, paid) == (invoice.amount_cents, invoice.paid_cents), ref


def check_upgraded_ledger_in_detail() -> None:
    """What upgraded_ledger promises, spelled out once per kind of first-release invoice."""
    expected = schemakit.upgraded_ledger()
    kinds = {ref: [e.kind for e in invoice.entries] for ref, invoice in expected.items()}
    for invoice in expected.values():
        rental = sum(e.amount_cents for e in invoice.entries[:2])
        if invoice.status in ("unpaid", "overdue"):
            assert kinds[invoice.ref] == ["charge", "charge"]
            assert (invoice.amount_cents, invoice.paid_cents) == (rental, 0)
        elif invoice.status == "paid":
            assert kinds[invoice.ref] == ["charge", "charge", "payment"]
            assert invoice.amount_cents == invoice.paid_cents == rental
        elif invoice.status == "void":
            assert kinds[invoice.ref] == ["charge", "charge", "charge"]
            assert invoice.entries[2].amount_cents == -rental
            assert (invoice.amount_cents, invoice.paid_cents) == (0, 0)
        else:
            assert invoice.status == "refunded"
            assert kinds[invoice.ref] == ["charge", "charge", "payment", "charge", "refund"]
            assert invoice.entries[4].amount_cents == invoice.entries[2].amount_cents == rental
            assert (invoice.amount_cents, invoice.paid_cents) == (0, 0)
    assert {i.status for i in expected.values()} == {
        "unpaid",
        "overdue",
        "paid",
        "void",
        "refunded",
    }


# --- reading through the services -------------------------------------------------------------

MANAGER = Actor(username="manager", role=Role.MANAGER, user_id=1)
DRIVER = Actor(username="driver1", role=Role.DRIVER, user_id=4, driver_id=1)
CUSTOMER = Actor(username="customer", role=Role.CUSTOMER, user_id=5, customer_id=1)


def open_desk(target: str | Path) -> Desk:
    return Desk(open_database(target), make_settings(), FakeClock(schemakit.NOW))


def service_reads(desk: Desk) -> dict[str, Any]:
    """What the desk's screens and commands show of every booking, invoice, ledger entry,
    user, audit entry and setting."""
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


def check_upgraded_reads(reads: dict[str, Any]) -> None:
    """The reads of an upgraded first-release desk show its rows: every booking, user and
    setting as the release stored it, and each invoice's statement as upgraded_ledger says,
    its status the one the release gave it and the one its figures derive."""
    bookings, total = reads["bookings"]
    assert total == len(schemakit.BOOKINGS)
    assert {b.status.value for b in bookings} == {"pending", "confirmed", "completed", "cancelled"}
    expected = schemakit.upgraded_ledger()
    invoices, invoice_total = reads["invoices"]
    assert invoice_total == len(expected)
    assert {i.ref: (i.status.value, i.amount_cents, i.paid_cents) for i in invoices} == {
        ref: (e.status, e.amount_cents, e.paid_cents) for ref, e in expected.items()
    }
    for detail in reads["details"]:
        invoice = detail.booking.invoice
        wanted = expected[invoice.ref]
        assert detail.booking.ref == wanted.booking_ref
        assert [
            (e.kind.value, e.amount_cents, e.method, e.reason, e.at, e.by) for e in detail.entries
        ] == [(e.kind, e.amount_cents, e.method, e.reason, e.at, e.actor) for e in wanted.entries]
        assert (
            detail.entries[-1].balance_after_cents
            == invoice.balance_cents
            == (wanted.amount_cents - wanted.paid_cents)
        )
        figures = figures_of((e.kind, e.amount_cents) for e in detail.entries)
        derived = invoice_status(figures, detail.booking.status, invoice.due, schemakit.TODAY)
        assert derived == invoice.status == wanted.status, invoice.ref
        assert detail.history
    assert reads["invoice details"] == reads["details"]
    locked = {user.username: user.locked_until for user in reads["users"]}
    assert locked["staff2"] == schemakit.LOCKED_UNTIL
    # Revision 0009: every account stays enabled, and none has signed in since.
    assert {user.username for user in reads["users"]} == set(schemakit.PASSWORDS)
    assert not any(
        user.disabled or user.disabled_by or user.disabled_reason for user in reads["users"]
    )
    assert all(user.last_sign_in is None for user in reads["users"])
    assert {b.ref for b in reads["customer's own"]} == {"BK-000001", "BK-000005", "BK-000008"}
    assert reads["themes"] == ["gruvbox", None]
    # The overdue invoice is the review's only debt past due; nothing is owed back.
    ageing = reads["ageing"]
    assert [line.invoice.ref for line in ageing.lines if line.days_late > 0] == ["INV-000002"]
    assert ageing.refunds_due == []
    # The first detail, field by field, as the release stored it.
    first = reads["details"][0]
    assert first.booking.start == date(2026, 2, 2)
    assert first.booking.invoice.amount_cents == 3 * (8_900 + 6_000)
    assert [e.method for e in first.entries] == [None, None, "card"]


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
    tmp_path, engine, monkeypatch
):
    path = schemakit.build_release1_desk(tmp_path / "nextcars.db")
    schema_before = schemakit.sqlite_schema(path)
    rows_before = snapshot(path)
    invoices_before = invoice_columns(path)
    assert all(rows_before.values()), "every table of the old desk has rows"
    check_upgraded_ledger_in_detail()
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
    check_upgraded_rows(path, rows_before, invoices_before)
    # What later revisions do not touch keeps its schema; the rest is the latest revision's.
    untouched = {
        key: sql
        for key, sql in schema_before.items()
        if key[1] != schemakit.DROPPED_INDEX
        and key[1] not in schemakit.DROPPED_TRIGGERS
        and sql.split(":")[0] not in LEDGER_TABLES
        and not (key[0] == "table" and sql.split(":")[0] in schemakit.WIDENED_TABLES)
    }
    upgraded_schema = schemakit.without_version_table(schemakit.sqlite_schema(path))
    assert {key: upgraded_schema.get(key) for key in untouched} == untouched
    added = {key for key in upgraded_schema if key not in schema_before}
    assert added >= {("index", name) for name in ADDED_INDEXES} | {
        ("table", "ledger_entry"),
        ("trigger", "ledger_entry_append_only_update"),
        ("trigger", "ledger_entry_append_only_delete"),
    }
    assert not any(sql.split(":")[0] == "payment" for sql in upgraded_schema.values())
    fresh = tmp_path / "fresh.db"
    create_latest(f"sqlite:///{fresh}")
    assert upgraded_schema == schemakit.without_version_table(schemakit.sqlite_schema(fresh))
    with raw(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA journal_mode").fetchall() == [("wal",)]

    desk = open_desk(path)
    try:
        check_upgraded_reads(service_reads(desk))
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
def test_the_sqlite_upgrade_leaves_foreign_keys_on_for_the_desk(tmp_path):
    """SQLite's table rebuild runs with foreign keys off; afterwards every connection the desk
    uses has them on again, and no row points at nothing."""
    path = schemakit.build_release1_desk(tmp_path / "nextcars.db")
    db = open_database(path, create=False)
    orphan = (
        "INSERT INTO ledger_entry (invoice_id, kind, amount_cents, method, description, "
        "reason, at, actor) VALUES (999, 'charge', 100, NULL, 'nothing', NULL, "
        "'2026-03-10 09:00:00.000000', 'tests')"
    )
    try:
        assert db.upgrade() is not None
        # A writer and a reader at once: two connections of the desk's pool.
        with db.write() as writer, db.read() as reader:
            for uow in (writer, reader):
                # Hand-written SQL on the unit of work's own connection.
                assert uow._connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        with pytest.raises(Exception, match=r"(?i)foreign key"), db.write() as uow:
            uow._connection.execute(text(orphan))
    finally:
        db.close()
    with raw(path) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute(
            "SELECT count(*) FROM ledger_entry WHERE invoice_id = 999"
        ).fetchall() == [(0,)]


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
    invoices_before = invoice_columns(old)
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
    check_upgraded_rows(old, rows_before, invoices_before)
    desk = open_desk(old)
    try:
        check_upgraded_reads(service_reads(desk))
    finally:
        desk.db.close()
    upgraded = schemakit.catalog(old)
    assert not any(name == schemakit.DROPPED_INDEX for _kind, name in upgraded)
    assert not any(name.split(".")[-1] in schemakit.DROPPED_TRIGGERS for _kind, name in upgraded)
    # An upgraded database is indistinguishable from one made new at the latest revision.
    fresh = new_target()
    create_latest(fresh)
    assert schemakit.version_of(fresh) == HEAD
    assert upgraded == schemakit.catalog(fresh)
    if engine == "postgresql":
        triggers = {name for kind, name in upgraded if kind == "trigger"}
        assert {f"{t}.{t}_notify_change" for t in NOTIFIED_TABLES} <= triggers
        assert ("function", "nextcars_notify_change") in upgraded
        assert ("constraint", "occupancy.occupancy_no_overlap") in upgraded
        assert not any(
            name.startswith("booking.booking_") and "overlap" in name for _k, name in upgraded
        )
        assert {"ledger_entry.ledger_entry_append_only"} <= triggers
        assert not any(name.startswith("payment") for _kind, name in upgraded)


# Revision 0009 adds these to app_user, NULL for every user there was: enabled, never signed in.
ACCOUNT_COLUMNS = ("disabled_at", "disabled_by", "disabled_reason", "last_sign_in_at")


def previous_revision() -> str:
    """The revision before the latest: what a desk of the last release is at."""
    down = schema._script().get_revision(HEAD).down_revision
    assert isinstance(down, str)
    return down


def test_upgrading_the_previous_revision_keeps_every_row_and_every_account_enabled(
    new_target, engine
):
    url = new_target()
    schemakit.migrate(url, schema.FIRST_REVISION)
    schemakit.fill_url(url)
    schemakit.migrate(url, previous_revision())
    rows_before = rows_without_version(url)
    assert rows_before["app_user"] and rows_before["booking"] and rows_before["occupancy"]

    db = open_database(url)
    try:
        assert db.schema_state().kind == SchemaKind.OLDER
        db.upgrade()
        assert db.schema_state().kind == SchemaKind.CURRENT
    finally:
        db.close()

    after = rows_without_version(url)
    assert set(after) == set(rows_before)
    for table, rows in rows_before.items():
        width = len(rows[0]) if rows else 0
        assert [row[:width] for row in after[table]] == rows, table
    with raw(url) as connection:
        added = connection.execute(
            f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM app_user ORDER BY id"
        ).fetchall()
    assert added == [(None,) * len(ACCOUNT_COLUMNS)] * len(rows_before["app_user"])
    assert len(after["app_user"][0]) == len(rows_before["app_user"][0]) + len(ACCOUNT_COLUMNS)
    desk = open_desk(url)
    try:
        check_upgraded_reads(service_reads(desk))
        # Signing in works as before, and is now remembered.
        assert auth.sign_in(desk, "driver1", schemakit.PASSWORDS["driver1"]).role == Role.DRIVER
        users = {user.username: user for user in auth.list_users(desk, MANAGER)}
        assert users["driver1"].last_sign_in == schemakit.NOW
        assert users["manager"].last_sign_in is None
    finally:
        desk.db.close()


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


def test_a_database_at_0007_upgrades_to_the_outbox_with_nothing_lost(new_target, engine):
    """Revision 0008 adds the outbox and two columns: every row stays as it was, customers
    take reminders, drivers have no address yet, and the upgraded desk queues messages."""
    url = new_target()
    schemakit.migrate(url, schema.FIRST_REVISION)
    schemakit.fill_url(url)
    schemakit.migrate(url, "0007")
    before = rows_without_version(url)
    assert "outbox" not in before and before["customer"]

    db = open_database(url)
    try:
        assert db.schema_state().kind == SchemaKind.OLDER
        db.upgrade()
    finally:
        db.close()

    after = rows_without_version(url)
    assert after["outbox"] == []
    kept = schemakit.as_they_were(after, before)
    assert kept == {t: r for t, r in before.items() if t not in schemakit.DERIVED_TABLES}
    assert {bool(row[-1]) for row in after["customer"]} == {False}
    assert {row[-1] for row in after["driver"]} == {None}
    desk = open_desk(url)
    staff = Actor(username="staff", role=Role.STAFF, user_id=2)
    try:
        made = book(desk, staff, free_request)
        confirm(desk, staff, made.ref)
        with desk.db.read() as uow:
            queued = uow.outbox.listing()
        assert [(r.kind, r.booking_ref, r.to_address) for r in queued] == [
            ("confirmation", made.ref, free_request.customer_email)
        ]
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
    if engine == "postgresql":
        # PostgreSQL's date type is canonical already; only SQLite keeps dates as text.
        declared.discard(("occupancy", "occupancy_dates_canonical"))
    assert reflected == declared


# --- refusals at the store -------------------------------------------------------------------


def _stamp(url: str, revision: str) -> None:
    with raw(url) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))


def test_a_newer_or_foreign_database_is_refused_untouched_by_the_store(new_target, engine):
    newer = new_target()
    schemakit.build_latest_with_rows(newer)
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


def test_a_desk_at_0006_with_blocks_upgrades_to_occupancy_holding_exactly_what_holds(
    new_target, engine
):
    """Revision 0007 fills occupancy from the data there is: a row per car and driver of each
    pending or confirmed booking, one per block in force; none for a removed block or a
    booking that ended or was cancelled. Everything else reads as it did."""
    url = new_target()
    schemakit.migrate(url, schema.FIRST_REVISION)
    schemakit.fill_url(url)
    schemakit.migrate(url, "0006")
    with raw(url) as db:
        db.execute(
            "INSERT INTO block (id, ref, kind, car_id, driver_id, start_date, days, end_date, "
            "reason, created_at, created_by, removed_at, removed_by) VALUES "
            "(1, 'BL-000001', 'car', 2, NULL, '2026-04-01', 3, '2026-04-04', 'MOT', "
            "'2026-03-10 09:00:00.000000', 'mia', NULL, NULL), "
            "(2, 'BL-000002', 'driver', NULL, 1, '2026-04-01', 2, '2026-04-03', 'leave', "
            "'2026-03-10 09:00:00.000000', 'mia', '2026-03-11 09:00:00.000000', 'mia')"
        )
    before = rows_without_version(url)
    db = open_database(url, create=False)
    try:
        db.upgrade()
    finally:
        db.close()
    holds, expected = schemakit.occupancy_rows(url)
    assert holds == expected
    kinds = {(kind, booking is None) for kind, _r, _s, _e, booking, _b in holds}
    assert kinds == {("car", False), ("driver", False), ("car", True)}
    # The block in force holds its car; the removed one holds nothing.
    assert [(row[0], row[1], row[5]) for row in holds if row[5] is not None] == [("car", 2, 1)]
    assert schemakit.as_they_were(rows_without_version(url), before) == before
