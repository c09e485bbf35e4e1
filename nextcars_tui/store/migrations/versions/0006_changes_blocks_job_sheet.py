"""Blocks (cars off the road, drivers off duty), the job sheet, and retiring.

- `block` holds a car or a driver for an interval with a reason, exactly as an active booking
  does while `removed_at` is NULL. The database refuses, on both engines and whoever writes,
  a block over an active booking or another block of the same resource, and an active booking
  over a block. On PostgreSQL the trigger functions first lock the car or driver row (as the
  booking service does), so two transactions writing a booking and a block for one car queue
  instead of both passing their check; blocks of one resource also never overlap by EXCLUDE.
- `booking` gains the job sheet: pickup_time (HH:MM, business time), pickup, dropoff,
  passengers and notes, all optional (NULL for every existing booking).
- `car`, `driver` and `customer` gain `retired_at`: retired ones take no new bookings and stay
  in history and reports.

Released: never edit.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('pending', 'confirmed')"
MARKER = "NEXTCARS_BLOCKED"


def _columns() -> None:
    for name, column_type in (
        ("pickup_time", sa.String(length=5)),
        ("pickup", sa.String(length=200)),
        ("dropoff", sa.String(length=200)),
        ("passengers", sa.Integer()),
        ("notes", sa.String(length=1000)),
    ):
        op.add_column("booking", sa.Column(name, column_type, nullable=True))
    for table in ("car", "driver", "customer"):
        op.add_column(table, sa.Column("retired_at", sa.DateTime(), nullable=True))


def _block_table() -> None:
    op.create_table(
        "block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("car_id", sa.Integer(), nullable=True),
        sa.Column("driver_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
        sa.ForeignKeyConstraint(["car_id"], ["car.id"]),
        sa.ForeignKeyConstraint(["driver_id"], ["driver.id"]),
        sa.CheckConstraint("kind IN ('car', 'driver')", name="block_kind_known"),
        sa.CheckConstraint(
            "(kind = 'car') = (car_id IS NOT NULL) AND (kind = 'driver') = (driver_id IS NOT NULL)",
            name="block_one_resource",
        ),
        sa.CheckConstraint("days >= 1", name="block_days_positive"),
        sa.CheckConstraint("end_date > start_date", name="block_end_after_start"),
    )
    op.create_index("ix_block_car_start", "block", ["car_id", "start_date"])
    op.create_index("ix_block_driver_start", "block", ["driver_id", "start_date"])
    op.create_index("ix_block_start", "block", ["start_date"])


def _overlapping_block(new: str, *, exclude_self: bool) -> str:
    """SQL: an active block of the car or driver of `new` (a booking or a block row)
    overlapping its dates."""
    self_term = f"AND b.id <> {new}.id" if exclude_self else ""
    return (
        "SELECT 1 FROM block AS b WHERE b.removed_at IS NULL "
        f"AND (b.car_id = {new}.car_id OR b.driver_id = {new}.driver_id) "
        f"AND b.start_date < {new}.end_date AND b.end_date > {new}.start_date {self_term}"
    )


def _booking_overlaps(new: str) -> str:
    """SQL: an active booking of the car or driver of `new` (a block row) overlaps its dates.
    One EXISTS per resource, each through its partial index (ix_booking_*_active): one
    with `car_id = ... OR driver_id = ...` reads every active booking on SQLite."""
    return " OR ".join(
        f"EXISTS (SELECT 1 FROM booking AS k WHERE k.{ACTIVE} AND k.{column} = {new}.{column} "
        f"AND k.start_date < {new}.end_date AND k.end_date > {new}.start_date)"
        for column in ("car_id", "driver_id")
    )


_BOOKING_MOVED = "UPDATE OF status, car_id, driver_id, start_date, end_date"
_BLOCK_MOVED = "UPDATE OF removed_at, car_id, driver_id, start_date, end_date"


def _sqlite_triggers() -> tuple[str, ...]:
    booking = tuple(
        f"""
CREATE TRIGGER booking_not_blocked_{event.lower()}
BEFORE {_BOOKING_MOVED if event == "UPDATE" else event} ON booking
WHEN NEW.{ACTIVE}
BEGIN
    SELECT RAISE(ABORT, '{MARKER}: the car or driver is blocked for some of those days')
    WHERE EXISTS ({_overlapping_block("NEW", exclude_self=False)});
END
"""
        for event in ("INSERT", "UPDATE")
    )
    block = tuple(
        f"""
CREATE TRIGGER block_free_{event.lower()}
BEFORE {_BLOCK_MOVED if event == "UPDATE" else event} ON block
WHEN NEW.removed_at IS NULL
BEGIN
    SELECT RAISE(ABORT, '{MARKER}: the car or driver is booked or blocked for some of those days')
    WHERE {_booking_overlaps("NEW")}
       OR EXISTS ({_overlapping_block("NEW", exclude_self=True)});
END
"""
        for event in ("INSERT", "UPDATE")
    )
    return booking + block


# Lock the resource row first (car before driver, as the services do), so a booking and a
# block for one car committed by two transactions at once queue and the second one's check
# sees the first one's row (READ COMMITTED: each statement reads what is committed).
_LOCK = """
    IF NEW.car_id IS NOT NULL THEN
        PERFORM 1 FROM car WHERE id = NEW.car_id FOR NO KEY UPDATE;
    END IF;
    IF NEW.driver_id IS NOT NULL THEN
        PERFORM 1 FROM driver WHERE id = NEW.driver_id FOR NO KEY UPDATE;
    END IF;
"""


def _postgres_triggers() -> tuple[str, ...]:
    moved = (
        f"NEW.{ACTIVE} AND (NOT OLD.{ACTIVE} OR NEW.car_id <> OLD.car_id OR "
        "NEW.driver_id <> OLD.driver_id OR NEW.start_date <> OLD.start_date OR "
        "NEW.end_date <> OLD.end_date)"
    )
    block_moved = (
        "NEW.removed_at IS NULL AND (OLD.removed_at IS NOT NULL OR "
        "NEW.car_id IS DISTINCT FROM OLD.car_id OR NEW.driver_id IS DISTINCT FROM OLD.driver_id "
        "OR NEW.start_date <> OLD.start_date OR NEW.end_date <> OLD.end_date)"
    )
    return (
        f"""
CREATE FUNCTION nextcars_booking_not_blocked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{_LOCK}
    IF EXISTS ({_overlapping_block("NEW", exclude_self=False)}) THEN
        RAISE EXCEPTION '{MARKER}: the car or driver is blocked for some of those days';
    END IF;
    RETURN NEW;
END
$$
""",
        f"""
CREATE FUNCTION nextcars_block_free() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{_LOCK}
    IF {_booking_overlaps("NEW")} THEN
        RAISE EXCEPTION '{MARKER}: the car or driver is booked for some of those days';
    END IF;
    RETURN NEW;
END
$$
""",
        "CREATE TRIGGER booking_not_blocked_insert BEFORE INSERT ON booking FOR EACH ROW "
        f"WHEN (NEW.{ACTIVE}) EXECUTE FUNCTION nextcars_booking_not_blocked()",
        "CREATE TRIGGER booking_not_blocked_update BEFORE UPDATE ON booking FOR EACH ROW "
        f"WHEN ({moved}) EXECUTE FUNCTION nextcars_booking_not_blocked()",
        "CREATE TRIGGER block_free_insert BEFORE INSERT ON block FOR EACH ROW "
        "WHEN (NEW.removed_at IS NULL) EXECUTE FUNCTION nextcars_block_free()",
        "CREATE TRIGGER block_free_update BEFORE UPDATE ON block FOR EACH ROW "
        f"WHEN ({block_moved}) EXECUTE FUNCTION nextcars_block_free()",
        # Blocks of one car or one driver never overlap each other.
        *(
            f"ALTER TABLE block ADD CONSTRAINT block_{kind}_no_overlap EXCLUDE USING gist "
            f"({kind}_id WITH =, daterange(start_date, end_date, '[)') WITH &&) "
            "WHERE (removed_at IS NULL)"
            for kind in ("car", "driver")
        ),
        "CREATE TRIGGER block_notify_change AFTER INSERT OR UPDATE OR DELETE ON block "
        "FOR EACH ROW EXECUTE FUNCTION nextcars_notify_change()",
    )


def upgrade() -> None:
    _columns()
    _block_table()
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
