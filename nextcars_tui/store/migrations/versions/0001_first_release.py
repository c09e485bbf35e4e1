"""The first release's schema, exactly: tables, indexes and each engine's backstops.

A database made by the first release (which created its schema without Alembic) is this
revision; tests/integration/test_migrations.py proves the SQLite schema here is the one
that release wrote. Released: never edit, add a revision instead.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ACTIVE = "status IN ('pending', 'confirmed')"


def _tables() -> None:
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_index("ix_customer_name", "customer", ["name"])
    op.create_table(
        "car",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("make", sa.String(length=120), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("daily_rate_cents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint("daily_rate_cents >= 0", name="car_rate_not_negative"),
        sa.CheckConstraint("seats BETWEEN 1 AND 60", name="car_seats_range"),
        sa.UniqueConstraint("plate"),
    )
    op.create_table(
        "driver",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("daily_fee_cents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint("daily_fee_cents >= 0", name="driver_fee_not_negative"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_ref", "audit_entry", ["ref", "id"])
    op.create_table(
        "desk_setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("car_id", sa.Integer(), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("car_daily_rate_cents", sa.Integer(), nullable=False),
        sa.Column("driver_daily_fee_cents", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint("days >= 1", name="booking_days_positive"),
        sa.CheckConstraint("end_date > start_date", name="booking_end_after_start"),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'completed', 'cancelled')",
            name="booking_status_known",
        ),
        sa.CheckConstraint("total_cents >= 0", name="booking_total_not_negative"),
        sa.UniqueConstraint("ref"),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["car_id"], ["car.id"]),
        sa.ForeignKeyConstraint(["driver_id"], ["driver.id"]),
    )
    op.create_index("ix_booking_customer", "booking", ["customer_id", "start_date"])
    op.create_index("ix_booking_days", "booking", ["days"])
    op.create_index("ix_booking_start", "booking", ["start_date"])
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint("role IN ('manager', 'staff', 'driver', 'customer')", name="user_role"),
        sa.UniqueConstraint("username"),
        sa.ForeignKeyConstraint(["driver_id"], ["driver.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
    )
    op.create_table(
        "invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint(
            "status IN ('unpaid', 'overdue', 'paid', 'void', 'refunded')",
            name="invoice_status_known",
        ),
        sa.CheckConstraint("amount_cents >= 0", name="invoice_amount_not_negative"),
        sa.UniqueConstraint("ref"),
        sa.UniqueConstraint("booking_id"),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"]),
    )
    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("taken_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint("method IN ('card', 'cash', 'transfer')", name="payment_method_known"),
        sa.CheckConstraint("amount_cents > 0", name="payment_amount_positive"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"]),
    )
    op.create_index("ix_payment_invoice_id", "payment", ["invoice_id"])


# Written out literally: SQLite uses a partial index only when a query repeats its terms.
_INDEXES = (
    f"CREATE INDEX ix_booking_car_active ON booking (car_id, start_date, end_date) WHERE {ACTIVE}",
    "CREATE INDEX ix_booking_driver_active ON booking (driver_id, start_date, end_date) "
    f"WHERE {ACTIVE}",
    "CREATE INDEX ix_booking_pending_created ON booking (created_at) WHERE status = 'pending'",
    "CREATE INDEX ix_booking_confirmed_end ON booking (end_date) WHERE status = 'confirmed'",
    "CREATE INDEX ix_invoice_unpaid_due ON invoice (due_date) WHERE status = 'unpaid'",
    "CREATE INDEX ix_invoice_status_due ON invoice (status, due_date)",
    "CREATE INDEX ix_booking_driver_start ON booking (driver_id, start_date)",
    "CREATE INDEX ix_booking_car_start ON booking (car_id, start_date)",
)


def _sqlite_overlap_trigger(kind: str, event: str) -> str:
    exclude_self = "AND b.id <> NEW.id" if event == "UPDATE" else ""
    event_clause = (
        "UPDATE OF status, car_id, driver_id, start_date, end_date" if event == "UPDATE" else event
    )
    return f"""
CREATE TRIGGER booking_{kind}_overlap_{event.lower()}
BEFORE {event_clause} ON booking
WHEN NEW.{ACTIVE}
BEGIN
    SELECT RAISE(ABORT, 'NEXTCARS_OVERLAP: {kind} already in an overlapping active booking')
    WHERE EXISTS (
        SELECT 1 FROM booking AS b
        WHERE b.{kind}_id = NEW.{kind}_id
          AND b.{ACTIVE}
          AND b.start_date < NEW.end_date
          AND b.end_date > NEW.start_date
          {exclude_self}
    );
END
"""


def _sqlite_append_only_trigger(table: str, event: str) -> str:
    return f"""
CREATE TRIGGER {table}_append_only_{event.lower()}
BEFORE {event} ON {table}
BEGIN
    SELECT RAISE(ABORT, 'NEXTCARS_APPEND_ONLY: {table} rows are never changed or removed');
END
"""


def _sqlite_backstops() -> tuple[str, ...]:
    return (
        _sqlite_overlap_trigger("car", "INSERT"),
        _sqlite_overlap_trigger("car", "UPDATE"),
        _sqlite_overlap_trigger("driver", "INSERT"),
        _sqlite_overlap_trigger("driver", "UPDATE"),
        _sqlite_append_only_trigger("payment", "UPDATE"),
        _sqlite_append_only_trigger("payment", "DELETE"),
        _sqlite_append_only_trigger("audit_entry", "UPDATE"),
        _sqlite_append_only_trigger("audit_entry", "DELETE"),
    )


def _postgres_backstops() -> tuple[str, ...]:
    # The database itself refuses overlaps: no code path or hand-written SQL can make one.
    exclusions = tuple(
        f"ALTER TABLE booking ADD CONSTRAINT booking_{kind}_no_overlap "
        f"EXCLUDE USING gist ({kind}_id WITH =, daterange(start_date, end_date, '[)') WITH &&) "
        f"WHERE ({ACTIVE})"
        for kind in ("car", "driver")
    )
    append_only = tuple(
        statement
        for table in ("payment", "audit_entry")
        for statement in (
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION nextcars_append_only()",
            f"CREATE TRIGGER {table}_append_only_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION nextcars_append_only()",
        )
    )
    return (
        "CREATE EXTENSION IF NOT EXISTS btree_gist",
        *exclusions,
        """
CREATE FUNCTION nextcars_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'NEXTCARS_APPEND_ONLY: % rows are never changed or removed', TG_TABLE_NAME;
END
$$
""",
        *append_only,
    )


def upgrade() -> None:
    _tables()
    for statement in _INDEXES:
        op.execute(statement)
    dialect = op.get_bind().dialect.name
    backstops = _postgres_backstops() if dialect == "postgresql" else _sqlite_backstops()
    for statement in backstops:
        op.execute(statement)
