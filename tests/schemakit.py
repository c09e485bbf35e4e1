"""Databases as the first release left them, and what a database's schema and rows are.

The first release made its schema with `create_all` plus literal DDL and kept no
`alembic_version` table; tests/integration/release1_schema.sql is that schema, dumped from a
database the release itself created. The rows go in through the same column types that release
used: the SQLModel tables whose columns are unchanged since, and the release's own `invoice` and
`payment` as they were before the ledger (revision 0004) replaced them, so dates and times are
stored exactly as it stored them. Shared by the migration tests and the `nextcars db` CLI tests.

`upgraded_ledger()` is what revision 0004 must make of these rows, worked out here from the
rows themselves (not from the revision's SQL), so the tests can prove the upgrade lost nothing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import (
    Column,
    Connection,
    Date,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    inspect,
    text,
)

from nextcars_tui.domain.money import cents_to_text
from nextcars_tui.store import schema
from nextcars_tui.store.tables import AuditEntry, Booking, Car, Driver, Setting, User
from nextcars_tui.store.types import UTCDateTime

# The first release's invoice and payment tables, as its SQLModel classes declared them
# (constraints and indexes come from the pinned DDL; only the column types matter here).
_RELEASE1 = MetaData()
RELEASE1_INVOICE = Table(
    "invoice",
    _RELEASE1,
    Column("id", Integer, primary_key=True),
    Column("ref", String(16), nullable=False),
    Column("booking_id", Integer, nullable=False),
    Column("amount_cents", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("due_date", Date, nullable=False),
)
RELEASE1_PAYMENT = Table(
    "payment",
    _RELEASE1,
    Column("id", Integer, primary_key=True),
    Column("invoice_id", Integer, ForeignKey("invoice.id"), nullable=False),
    Column("amount_cents", Integer, nullable=False),
    Column("method", String(16), nullable=False),
    Column("taken_at", UTCDateTime, nullable=False),
    Column("taken_by", String(64), nullable=False),
)
# The customer as the first release stored it (revision 0008 adds no_reminders, with a
# default that the table in code would otherwise send along).
RELEASE1_CUSTOMER = Table(
    "customer",
    _RELEASE1,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("name", String(120), nullable=False),
    Column("phone", String(32), nullable=False),
)

SCHEMA_FILE = Path(__file__).resolve().parent / "integration" / "release1_schema.sql"

# The index the 0002 revision drops; every other first-release object survives the upgrade.
DROPPED_INDEX = "ix_invoice_unpaid_due"
# The first release's overlap triggers (SQLite), replaced by occupancy's in revision 0007.
DROPPED_TRIGGERS = frozenset(
    f"booking_{kind}_overlap_{event}"
    for kind in ("car", "driver")
    for event in ("insert", "update")
)
VERSION_TABLE = "alembic_version"

# "Today" for the rows below; the lock on staff2 runs until 20 minutes past.
TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
LOCKED_UNTIL = NOW + timedelta(minutes=20)
INVOICE_DUE_DAYS = 14

# Passwords of the users below (their hashes are argon2id with small costs, as tests use).
PASSWORDS = {
    "manager": "manager-pass-1",
    "staff": "staff-pass-1",
    "staff2": "staff2-pass-1",
    "driver1": "driver1-pass-1",
    "customer": "customer-pass-1",
}
_HASHES = {
    "manager": "$argon2id$v=19$m=1024,t=1,p=1$jYHI73fbiKxklNM3JHGvcA$"
    "HiI/cu7bQ7FTbnQt9HehtZBai/hUY1YlzKE6Jj+SJuQ",
    "staff": "$argon2id$v=19$m=1024,t=1,p=1$Oz37rvTIgHtyi4/ksp4LsA$"
    "o2zJW0OAWiWo+4i4ZjgGuP/u6z5Fko3PC4GRvp5+KH8",
    "staff2": "$argon2id$v=19$m=1024,t=1,p=1$jaiczIBhPstf4cNYpQiFeQ$"
    "ivSZ7jXRwIJSqW5lits7AcJ+B7CBC/EUxxdmByXCqZM",
    "driver1": "$argon2id$v=19$m=1024,t=1,p=1$xWJQab6P1x3Hgy5pDZ3xHA$"
    "4QJO0AxG9GGSdgMXLvYmsBK6fdq164P8CB0b//M/qPw",
    "customer": "$argon2id$v=19$m=1024,t=1,p=1$Q4XXGWyO8u870zX90fQ3Sg$"
    "cglk/W63QPE0pVrb5AT4p2GjAg/+ofEeA/zDL0Qay1U",
}

CARS = (
    (1, "KX21 ABC", "Toyota", "Corolla", 5, 8_900),
    (2, "MA71 DPE", "Skoda", "Superb", 5, 9_900),
    (3, "LV19 XYZ", "Mercedes", "V-Class", 7, 15_900),
)
DRIVERS = (
    (1, "DRV-01", "Amira Shah", "+44 7700 900001", 6_000),
    (2, "DRV-02", "Tom Becker", "+44 7700 900002", 6_500),
    (3, "DRV-03", "Lena Novak", "+44 7700 900003", 7_000),
)
CUSTOMERS = (
    (1, "alice.morgan@example.com", "Alice Morgan", "+44 20 7946 0001"),
    (2, "ben.carter@example.com", "Ben Carter", "+44 20 7946 0002"),
    (3, "chloe.diaz@example.com", "Chloé Díaz", "+44 20 7946 0003"),
)

# id, customer, car, driver, start, days, status, invoice status, payment method, cancel reason.
# At least two bookings in every status; every invoice status, void both by a clerk's
# cancellation (BK-000004) and by the worker expiring a hold (BK-000010); no two active
# bookings of one car or driver overlap (the release's triggers would refuse them).
BOOKINGS = (
    (1, 1, 1, 1, date(2026, 2, 2), 3, "completed", "paid", "card", None),
    (2, 2, 2, 2, date(2026, 2, 10), 2, "completed", "overdue", None, None),
    (3, 3, 3, 1, date(2026, 3, 1), 2, "completed", "paid", "card", None),
    (4, 3, 1, 2, date(2026, 3, 20), 2, "cancelled", "void", None, "Flight moved to April"),
    (5, 1, 3, 3, date(2026, 3, 5), 1, "cancelled", "refunded", "cash", "Customer unwell"),
    (6, 2, 1, 1, date(2026, 3, 11), 4, "confirmed", "paid", "transfer", None),
    (7, 3, 2, 3, date(2026, 3, 16), 2, "confirmed", "unpaid", None, None),
    (8, 1, 3, 2, date(2026, 3, 12), 3, "pending", "unpaid", None, None),
    (9, 2, 2, 1, date(2026, 3, 25), 5, "pending", "unpaid", None, None),
    (10, 2, 2, 2, date(2026, 3, 18), 2, "cancelled", "void", None, "expired"),
)
EXPIRED_REASON = "expired"
EXPIRED_AT = NOW - timedelta(hours=3)


def booking_ref(number: int) -> str:
    return f"BK-{number:06d}"


def invoice_ref(number: int) -> str:
    return f"INV-{number:06d}"


BOOKING_REFS = tuple(booking_ref(b[0]) for b in BOOKINGS)
INVOICE_REFS = tuple(invoice_ref(b[0]) for b in BOOKINGS)


def _rows() -> dict[Any, list[dict[str, Any]]]:
    rates = {car[0]: car[5] for car in CARS}
    fees = {driver[0]: driver[4] for driver in DRIVERS}
    plates = {car[0]: car[1] for car in CARS}
    codes = {driver[0]: driver[1] for driver in DRIVERS}
    bookings, invoices, payments, audit = [], [], [], []

    def note(at: datetime, actor: str, action: str, ref: str, detail: str = "") -> None:
        audit.append({"at": at, "actor": actor, "action": action, "ref": ref, "detail": detail})

    for number, customer, car, driver, start, days, status, paid, method, reason in BOOKINGS:
        created = datetime.combine(start - timedelta(days=7), datetime.min.time(), UTC)
        created += timedelta(hours=10, minutes=number, microseconds=123_456 * number % 1_000_000)
        if status == "pending":
            created = NOW - timedelta(hours=number)
        if reason == EXPIRED_REASON:
            created = EXPIRED_AT - timedelta(hours=24, minutes=number)
        total = days * (rates[car] + fees[driver])
        end = start + timedelta(days=days)
        bookings.append(
            {
                "id": number,
                "ref": booking_ref(number),
                "customer_id": customer,
                "car_id": car,
                "driver_id": driver,
                "start_date": start,
                "days": days,
                "end_date": end,
                "car_daily_rate_cents": rates[car],
                "driver_daily_fee_cents": fees[driver],
                "total_cents": total,
                "status": status,
                "created_at": created,
                "created_by": "staff",
                "cancel_reason": reason,
            }
        )
        invoices.append(
            {
                "id": number,
                "ref": invoice_ref(number),
                "booking_id": number,
                "amount_cents": total,
                "status": paid,
                "issued_at": created,
                "due_date": end + timedelta(days=INVOICE_DUE_DAYS),
            }
        )
        ref = booking_ref(number)
        note(created, "staff", "booked", ref, f"{plates[car]} with {codes[driver]}, {days} day(s)")
        taken = created + timedelta(minutes=30)
        if method is not None:
            payments.append(
                {
                    "invoice_id": number,
                    "amount_cents": total,
                    "method": method,
                    "taken_at": taken,
                    "taken_by": "staff",
                }
            )
            note(taken, "staff", "paid", invoice_ref(number), f"{method}, {total} cents")
        if status in ("confirmed", "completed") or paid == "refunded":
            note(taken, "staff", "confirmed", ref, "paid" if method else "")
        if status == "completed":
            note(datetime.combine(end, datetime.min.time(), UTC), "system:worker", "completed", ref)
        if paid == "overdue":
            due = end + timedelta(days=INVOICE_DUE_DAYS + 1)
            note(
                datetime.combine(due, datetime.min.time(), UTC),
                "system:worker",
                "overdue",
                invoice_ref(number),
            )
        if reason == EXPIRED_REASON:
            # As the release's worker wrote it: one entry for the hold and its invoice.
            detail = "pending for more than 24 h; invoice void"
            note(EXPIRED_AT, "system:worker", "expired", ref, detail)
        elif status == "cancelled":
            note(taken + timedelta(days=1), "manager", "cancelled", ref, reason or "")
            note(taken + timedelta(days=1), "manager", f"invoice {paid}", invoice_ref(number))
    for number, payment in enumerate(payments, start=1):
        payment["id"] = number

    users = [
        _user(1, "manager", "manager"),
        _user(2, "staff", "staff", failed=2),
        _user(3, "staff2", "staff", locked_until=LOCKED_UNTIL),
        _user(4, "driver1", "driver", driver_id=1),
        _user(5, "customer", "customer", customer_id=1),
    ]
    for user in users:
        note(
            NOW - timedelta(days=60),
            "system:cli",
            "user added",
            user["username"],
            f"role {user['role']}",
        )
    for attempt in range(1, 4):
        note(
            NOW - timedelta(minutes=4 - attempt),
            "staff2",
            "sign-in failed",
            "staff2",
            f"failure {attempt} of 3" if attempt < 3 else "locked for 20 minutes",
        )
    audit.sort(key=lambda entry: entry["at"])
    for number, entry in enumerate(audit, start=1):
        entry["id"] = number

    return {
        RELEASE1_CUSTOMER: [
            dict(zip(("id", "email", "name", "phone"), c, strict=True)) for c in CUSTOMERS
        ],
        Car: [
            dict(zip(("id", "plate", "make", "model", "seats", "daily_rate_cents"), c, strict=True))
            for c in CARS
        ],
        Driver: [
            dict(zip(("id", "code", "name", "phone", "daily_fee_cents"), d, strict=True))
            for d in DRIVERS
        ],
        Booking: bookings,
        RELEASE1_INVOICE: invoices,
        RELEASE1_PAYMENT: payments,
        User: users,
        AuditEntry: audit,
        Setting: [
            {"key": "theme:manager", "value": "gruvbox"},
            {"key": "theme:staff", "value": "nord"},
        ],
    }


@dataclass(frozen=True)
class Entry:
    """One ledger entry as the upgrade must write it."""

    kind: str
    amount_cents: int
    method: str | None
    reason: str | None
    at: datetime
    actor: str


@dataclass(frozen=True)
class UpgradedInvoice:
    """An invoice of the rows above after revision 0004: its entries in the order they
    happened, the figures they add up to, and the status (the first release's own)."""

    ref: str
    booking_ref: str
    entries: tuple[Entry, ...]
    charge_lines: tuple[str, ...]
    amount_cents: int
    paid_cents: int
    status: str


def upgraded_ledger() -> dict[str, UpgradedInvoice]:
    """What the first release's rows mean as a ledger, invoice by invoice: the rental as a car
    line and a driver line at booking time by the clerk who booked; each payment row as a
    payment (amount, method, time, clerk); a cancelled booking's charges reversed when and by
    whom the audit log says it was cancelled or expired, and what a refunded one was paid
    paid back by the same method."""
    data = _rows()
    payments = data[RELEASE1_PAYMENT]
    audit = data[AuditEntry]
    cars = {car[0]: car for car in CARS}
    drivers = {driver[0]: driver for driver in DRIVERS}
    result: dict[str, UpgradedInvoice] = {}
    for booking, invoice in zip(data[Booking], data[RELEASE1_INVOICE], strict=True):
        days = booking["days"]
        lines = (
            (cars[booking["car_id"]][1], "Car", booking["car_daily_rate_cents"]),
            (drivers[booking["driver_id"]][1], "Driver", booking["driver_daily_fee_cents"]),
        )
        entries = [
            Entry("charge", days * rate, None, None, invoice["issued_at"], booking["created_by"])
            for _name, _label, rate in lines
        ]
        charge_lines = tuple(
            f"{label} {name}: {days} day(s) × {cents_to_text(rate)}" for name, label, rate in lines
        )
        paid = [p for p in payments if p["invoice_id"] == invoice["id"]]
        entries += [
            Entry("payment", p["amount_cents"], p["method"], None, p["taken_at"], p["taken_by"])
            for p in paid
        ]
        status = invoice["status"]
        if status in ("void", "refunded"):
            ended = [
                a
                for a in audit
                if a["ref"] == booking["ref"] and a["action"] in ("cancelled", "expired")
            ][-1]
            reason = booking["cancel_reason"]
            at, actor = ended["at"], ended["actor"]
            entries.append(Entry("charge", -invoice["amount_cents"], None, reason, at, actor))
            if status == "refunded":
                paid_back = sum(p["amount_cents"] for p in paid)
                entries.append(Entry("refund", paid_back, paid[-1]["method"], reason, at, actor))
        billed = sum(e.amount_cents for e in entries if e.kind == "charge")
        taken = sum(e.amount_cents for e in entries if e.kind == "payment")
        given_back = sum(e.amount_cents for e in entries if e.kind == "refund")
        result[invoice["ref"]] = UpgradedInvoice(
            invoice["ref"],
            booking["ref"],
            tuple(entries),
            charge_lines,
            billed,
            taken - given_back,
            status,
        )
    return result


def _user(
    number: int,
    username: str,
    role: str,
    *,
    failed: int = 0,
    locked_until: datetime | None = None,
    driver_id: int | None = None,
    customer_id: int | None = None,
) -> dict[str, Any]:
    return {
        "id": number,
        "username": username,
        "password_hash": _HASHES[username],
        "role": role,
        "driver_id": driver_id,
        "customer_id": customer_id,
        "failed_sign_ins": failed,
        "locked_until": locked_until,
    }


def fill(connection: Connection) -> dict[str, int]:
    """Insert the rows into a first-release schema (through the release's own table
    definitions and column types) and return how many went into each table; the caller
    commits."""
    assert "payment" in inspect(connection).get_table_names(), "fill needs revision 0001"
    counts: dict[str, int] = {}
    for table, rows in _rows().items():
        sa_table = table if isinstance(table, Table) else table.__table__
        connection.execute(sa_table.insert(), rows)
        counts[sa_table.name] = len(rows)
        if connection.dialect.name == "postgresql" and "id" in sa_table.c:
            # Explicit ids leave a serial's sequence behind; a real desk's never is.
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{sa_table.name}', 'id'), :top)"),
                {"top": max(row["id"] for row in rows)},
            )
    return counts


def migrate(url: str, revision: str) -> None:
    """Build a database up to `revision` with Alembic itself, as that revision's release did."""
    with _engine(url) as engine, engine.connect() as connection:
        command.upgrade(schema._config(connection), revision)
        connection.commit()


def fill_url(url: str) -> dict[str, int]:
    with _engine(url) as engine, engine.begin() as connection:
        return fill(connection)


def build_latest_with_rows(url: str) -> None:
    """A database at the latest revision holding the first release's rows, upgraded."""
    migrate(url, schema.FIRST_REVISION)
    fill_url(url)
    migrate(url, "head")


def create_release1_file(path: Path) -> Path:
    """A SQLite file made from the pinned first-release DDL, in WAL mode as that release left
    its files, with no rows."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(SCHEMA_FILE.read_text(encoding="utf-8"))
    path.chmod(0o600)
    return path


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def build_release1_desk(path: Path) -> Path:
    """A first-release SQLite desk with rows in every table, closed cleanly (no WAL left)."""
    create_release1_file(path)
    with _engine(f"sqlite:///{path}") as engine, engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        fill(connection)
    return path


def sqlite_schema(path: Path) -> dict[tuple[str, str], str]:
    """sqlite_master of a file: (type, name) -> its SQL with whitespace normalised."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        found = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
        return {(kind, name): f"{table}: {normalised(sql)}" for kind, name, table, sql in found}


def normalised(sql: str | None) -> str:
    """One space between words, none inside brackets, so layout alone never differs."""
    flat = " ".join((sql or "").split())
    return re.sub(r"\s*([(),])\s*", r"\1", flat)


def without_version_table(schema: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    return {key: sql for key, sql in schema.items() if not sql.startswith(f"{VERSION_TABLE}:")}


def table_names(url: str) -> set[str]:
    with _engine(url) as engine, engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def version_of(url: str) -> str | None:
    """The revision recorded in alembic_version, or None without one."""
    if VERSION_TABLE not in table_names(url):
        return None
    with _engine(url) as engine, engine.connect() as connection:
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    assert len(rows) == 1, f"alembic_version holds {rows}"
    return str(rows[0][0])


# --- what a database holds ---------------------------------------------------------------------

_PG_CATALOG = {
    "column": "SELECT table_name || '.' || column_name, concat_ws(' ', data_type, "
    "character_maximum_length, is_nullable, column_default) FROM information_schema.columns "
    "WHERE table_schema = 'public'",
    "index": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "constraint": "SELECT conrelid::regclass || '.' || conname, pg_get_constraintdef(oid) "
    "FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
    "trigger": "SELECT tgrelid::regclass || '.' || tgname, pg_get_triggerdef(oid) "
    "FROM pg_trigger WHERE NOT tgisinternal",
    # Functions of our own; btree_gist's belong to the extension.
    "function": "SELECT proname, prosrc FROM pg_proc p WHERE pronamespace = "
    "'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_depend d "
    "WHERE d.objid = p.oid AND d.deptype = 'e')",
    "extension": "SELECT extname, extname FROM pg_extension",
}


def sqlite_file(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def catalog(url: str) -> dict[tuple[str, str], str]:
    """Every schema object but alembic_version: SQLite's sqlite_master, or PostgreSQL's
    columns, indexes, constraints, triggers, functions and extensions."""
    path = sqlite_file(url)
    if path is not None:
        return without_version_table(sqlite_schema(path))
    found: dict[tuple[str, str], str] = {}
    with _engine(url) as engine, engine.connect() as connection:
        for kind, sql in _PG_CATALOG.items():
            for name, definition in connection.execute(text(sql)):
                if not str(name).startswith(VERSION_TABLE):
                    found[(kind, str(name))] = normalised(str(definition))
    return found


def rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (alembic_version too), in primary key order."""
    with _engine(url) as engine, engine.connect() as connection:
        return {
            table: [
                tuple(row)
                for row in connection.execute(text(f'SELECT * FROM "{table}" ORDER BY 1'))
            ]
            for table in sorted(inspect(connection).get_table_names())
        }


def as_they_were(
    after: dict[str, list[tuple[Any, ...]]], before: dict[str, list[tuple[Any, ...]]]
) -> dict[str, list[tuple[Any, ...]]]:
    """rows() after an upgrade in the columns each table had before it. Later revisions only
    add columns at the end of a table (revision 0006: the job sheet, retired_at), which must be
    NULL on the rows that were there, or new tables (block), which must be empty; both are
    checked here too. The ledger's tables,
    which revision 0004 rebuilds, are left as they are."""
    kept = {}
    for table, found in after.items():
        if table in DERIVED_TABLES:
            # Written by the database from bookings and blocks: see expected_occupancy().
            continue
        if table not in before and table not in LEDGER_TABLES:
            # A table a later revision made (block): nothing in it yet.
            assert found == [], (table, found)
            continue
        old = before.get(table)
        if not old or table in LEDGER_TABLES:
            kept[table] = found
            continue
        width = len(old[0])
        added = [row[width:] for row in found]
        defaults = ADDED_DEFAULTS.get(table, {})
        assert all(
            value is None or (position in defaults and value == defaults[position])
            for values in added
            for position, value in enumerate(values, start=width)
        ), (table, added)
        kept[table] = [row[:width] for row in found]
    return kept


# Columns later revisions add with a default rather than NULL, by position: 0008's
# customer.no_reminders (false; SQLite reads it back as 0).
ADDED_DEFAULTS: dict[str, dict[int, object]] = {"customer": {5: False}}

# Tables later revisions add columns to: 0006 (the job sheet, retired_at), 0009 (disabled
# accounts, the last sign-in).
WIDENED_TABLES = ("booking", "car", "driver", "customer", "app_user")


# Kept by the database itself from other tables (revision 0007: occupancy).
DERIVED_TABLES = ("occupancy",)


def occupancy_rows(url: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The occupancy rows there are, and those the bookings and blocks give (a row per car
    and per driver of each pending or confirmed booking, one per block in force), both as
    (kind, resource_id, start_date, end_date, booking_id, block_id) in one order."""
    with _engine(url) as engine, engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT kind, resource_id, start_date, end_date, booking_id, block_id "
                "FROM occupancy"
            )
        ).all()
        bookings = connection.execute(
            text(
                "SELECT id, car_id, driver_id, start_date, end_date FROM booking "
                "WHERE status IN ('pending', 'confirmed')"
            )
        ).all()
        blocks = connection.execute(
            text(
                "SELECT id, kind, coalesce(car_id, driver_id), start_date, end_date FROM block "
                "WHERE removed_at IS NULL"
            )
        ).all()
    expected = [
        (kind, resource, start, end, booking_id, None)
        for booking_id, car_id, driver_id, start, end in bookings
        for kind, resource in (("car", car_id), ("driver", driver_id))
    ] + [
        (kind, resource, start, end, None, block_id)
        for block_id, kind, resource, start, end in blocks
    ]
    return sorted(tuple(r) for r in found), sorted(expected)


# What revision 0004 changes; every other table keeps its rows as they were.
LEDGER_TABLES = ("invoice", "payment", "ledger_entry")


def without_ledger(found: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """rows() of the tables the ledger revision leaves alone (alembic_version aside)."""
    return {t: r for t, r in found.items() if t not in (*LEDGER_TABLES, VERSION_TABLE)}


def invoice_figures(url: str) -> dict[str, tuple[int, int, str, int]]:
    """Each invoice's (amount_cents, paid_cents, status, number of ledger entries)."""
    with _engine(url) as engine, engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT i.ref, i.amount_cents, i.paid_cents, i.status, count(e.id) FROM invoice i "
                "LEFT JOIN ledger_entry e ON e.invoice_id = i.id "
                "GROUP BY i.id, i.ref, i.amount_cents, i.paid_cents, i.status"
            )
        )
        return {str(r[0]): (int(r[1]), int(r[2]), str(r[3]), int(r[4])) for r in found}


def upgraded_figures() -> dict[str, tuple[int, int, str, int]]:
    """invoice_figures() as upgraded_ledger() says the first release's rows must end up."""
    return {
        ref: (i.amount_cents, i.paid_cents, i.status, len(i.entries))
        for ref, i in upgraded_ledger().items()
    }


def everything(url: str) -> tuple[object, ...]:
    """Schema and rows; for a SQLite file also its bytes (the journal mode is in its header)
    and the files beside it that carry its name (WAL, shared memory, backups)."""
    path = sqlite_file(url)
    if path is None:
        return catalog(url), rows(url)
    beside = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))
    return catalog(url), rows(url), path.read_bytes(), beside
