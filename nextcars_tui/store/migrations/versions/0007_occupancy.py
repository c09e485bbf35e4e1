"""Occupancy: one table of what holds a car or a driver, and the one guarantee on it.

- `occupancy` has a row per car or driver held for some days `[start_date, end_date)`: two
  for each pending or confirmed booking (its car and its driver), one for each block not
  removed, pointing at the booking or block it belongs to. A row exists exactly while it
  holds; the database keeps the rows (triggers on `booking` and `block`), so hand-written SQL
  cannot hold a resource without them.
- The guarantee sits on that one table, at every isolation level: PostgreSQL's EXCLUDE USING
  gist over (kind, resource, daterange), which sees other transactions' rows as they are
  written (a trigger reading a snapshot does not); on SQLite, whose one writer at a time
  makes a check-then-insert safe, triggers on `occupancy`.
- SQLite stores dates as text, so a date that is not canonical `YYYY-MM-DD` would compare
  wrongly: `occupancy` refuses one by CHECK, and `booking` and `block` by triggers (a CHECK
  on them would need the tables rebuilt). PostgreSQL's `date` type is canonical already.
- What this replaces goes: booking and block overlap triggers on SQLite; on PostgreSQL the
  EXCLUDE constraints on `booking` and `block` and the booking/block cross-check triggers.
- The rows are filled from the active bookings and blocks there are.

Released: never edit.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('pending', 'confirmed')"
OVERLAP_MARKER = "NEXTCARS_OVERLAP"
DATES_MARKER = "NEXTCARS_DATES"
# SQLite: the text is a real date written canonically (date() of anything else differs).
CANONICAL = "coalesce(date({column}, '+0 days') = {column}, 0)"


def _canonical(*columns: str) -> str:
    return " AND ".join(CANONICAL.format(column=column) for column in columns)


def _table(sqlite: bool) -> None:
    checks = [
        sa.CheckConstraint("kind IN ('car', 'driver')", name="occupancy_kind_known"),
        sa.CheckConstraint("end_date > start_date", name="occupancy_end_after_start"),
        sa.CheckConstraint(
            "(booking_id IS NULL) <> (block_id IS NULL)", name="occupancy_one_holder"
        ),
    ]
    if sqlite:
        checks.append(
            sa.CheckConstraint(
                _canonical("start_date", "end_date"), name="occupancy_dates_canonical"
            )
        )
    op.create_table(
        "occupancy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("block_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["block_id"], ["block.id"], ondelete="CASCADE"),
        *checks,
    )
    op.create_index("ix_occupancy_resource", "occupancy", ["kind", "resource_id", "start_date"])
    op.create_index("ix_occupancy_start", "occupancy", ["start_date"])
    op.create_index("ix_occupancy_booking", "occupancy", ["booking_id"])
    op.create_index("ix_occupancy_block", "occupancy", ["block_id"])


# -- SQLite ------------------------------------------------------------------------------------

_SQLITE_DROPPED = (
    "booking_car_overlap_insert",
    "booking_car_overlap_update",
    "booking_driver_overlap_insert",
    "booking_driver_overlap_update",
    "booking_not_blocked_insert",
    "booking_not_blocked_update",
    "block_free_insert",
    "block_free_update",
)


def _sqlite_overlap(event: str) -> str:
    self_term = "AND o.id <> NEW.id" if event == "UPDATE" else ""
    return f"""
CREATE TRIGGER occupancy_no_overlap_{event.lower()}
BEFORE {event} ON occupancy
BEGIN
    SELECT RAISE(ABORT, '{OVERLAP_MARKER}: that car or driver is held for some of those days')
    WHERE EXISTS (
        SELECT 1 FROM occupancy AS o
        WHERE o.kind = NEW.kind AND o.resource_id = NEW.resource_id
          AND o.start_date < NEW.end_date AND o.end_date > NEW.start_date {self_term}
    );
END
"""


def _sqlite_dates(table: str, event: str) -> str:
    moved = "UPDATE OF start_date, days, end_date" if event == "UPDATE" else event
    return f"""
CREATE TRIGGER {table}_dates_canonical_{event.lower()}
BEFORE {moved} ON {table}
WHEN NOT ({_canonical("NEW.start_date", "NEW.end_date")})
BEGIN
    SELECT RAISE(ABORT, '{DATES_MARKER}: dates are written YYYY-MM-DD');
END
"""


def _booking_rows(new: str) -> str:
    return "".join(
        f"""
    INSERT INTO occupancy (kind, resource_id, start_date, end_date, booking_id)
    SELECT '{kind}', {new}.{kind}_id, {new}.start_date, {new}.end_date, {new}.id
    WHERE {new}.{ACTIVE};"""
        for kind in ("car", "driver")
    )


_BLOCK_ROW = """
    INSERT INTO occupancy (kind, resource_id, start_date, end_date, block_id)
    SELECT NEW.kind, coalesce(NEW.car_id, NEW.driver_id), NEW.start_date, NEW.end_date, NEW.id
    WHERE NEW.removed_at IS NULL;"""

_BOOKING_MOVED = (
    f"(OLD.{ACTIVE}) IS NOT (NEW.{ACTIVE}) OR NEW.car_id IS NOT OLD.car_id "
    "OR NEW.driver_id IS NOT OLD.driver_id OR NEW.start_date IS NOT OLD.start_date "
    "OR NEW.end_date IS NOT OLD.end_date"
)
_BLOCK_MOVED = (
    "(OLD.removed_at IS NULL) IS NOT (NEW.removed_at IS NULL) OR NEW.kind IS NOT OLD.kind "
    "OR NEW.car_id IS NOT OLD.car_id OR NEW.driver_id IS NOT OLD.driver_id "
    "OR NEW.start_date IS NOT OLD.start_date OR NEW.end_date IS NOT OLD.end_date"
)


def _sqlite_statements() -> tuple[str, ...]:
    return (
        *(f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_DROPPED),
        _sqlite_overlap("INSERT"),
        _sqlite_overlap("UPDATE"),
        *(
            _sqlite_dates(table, event)
            for table in ("booking", "block")
            for event in ("INSERT", "UPDATE")
        ),
        f"""
CREATE TRIGGER booking_holds_insert AFTER INSERT ON booking
WHEN NEW.{ACTIVE}
BEGIN{_booking_rows("NEW")}
END
""",
        f"""
CREATE TRIGGER booking_holds_update
AFTER UPDATE OF status, car_id, driver_id, start_date, end_date ON booking
WHEN {_BOOKING_MOVED}
BEGIN
    DELETE FROM occupancy WHERE booking_id = OLD.id;{_booking_rows("NEW")}
END
""",
        f"""
CREATE TRIGGER block_holds_insert AFTER INSERT ON block
WHEN NEW.removed_at IS NULL
BEGIN{_BLOCK_ROW}
END
""",
        f"""
CREATE TRIGGER block_holds_update
AFTER UPDATE OF removed_at, kind, car_id, driver_id, start_date, end_date ON block
WHEN {_BLOCK_MOVED}
BEGIN
    DELETE FROM occupancy WHERE block_id = OLD.id;{_BLOCK_ROW}
END
""",
    )


# -- PostgreSQL --------------------------------------------------------------------------------

_PG_DROPPED = (
    "DROP TRIGGER booking_not_blocked_insert ON booking",
    "DROP TRIGGER booking_not_blocked_update ON booking",
    "DROP TRIGGER block_free_insert ON block",
    "DROP TRIGGER block_free_update ON block",
    "DROP FUNCTION nextcars_booking_not_blocked()",
    "DROP FUNCTION nextcars_block_free()",
    "ALTER TABLE booking DROP CONSTRAINT booking_car_no_overlap",
    "ALTER TABLE booking DROP CONSTRAINT booking_driver_no_overlap",
    "ALTER TABLE block DROP CONSTRAINT block_car_no_overlap",
    "ALTER TABLE block DROP CONSTRAINT block_driver_no_overlap",
)

_PG_BOOKING_MOVED = (
    f"(OLD.{ACTIVE}) IS DISTINCT FROM (NEW.{ACTIVE}) OR NEW.car_id <> OLD.car_id "
    "OR NEW.driver_id <> OLD.driver_id OR NEW.start_date <> OLD.start_date "
    "OR NEW.end_date <> OLD.end_date"
)
_PG_BLOCK_MOVED = (
    "(OLD.removed_at IS NULL) IS DISTINCT FROM (NEW.removed_at IS NULL) OR NEW.kind <> OLD.kind "
    "OR NEW.car_id IS DISTINCT FROM OLD.car_id OR NEW.driver_id IS DISTINCT FROM OLD.driver_id "
    "OR NEW.start_date <> OLD.start_date OR NEW.end_date <> OLD.end_date"
)


def _postgres_statements() -> tuple[str, ...]:
    return (
        *_PG_DROPPED,
        "ALTER TABLE occupancy ADD CONSTRAINT occupancy_no_overlap EXCLUDE USING gist "
        "(kind WITH =, resource_id WITH =, daterange(start_date, end_date, '[)') WITH &&)",
        f"""
CREATE FUNCTION nextcars_booking_holds() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM occupancy WHERE booking_id = OLD.id;
    END IF;
    IF NEW.{ACTIVE} THEN
        INSERT INTO occupancy (kind, resource_id, start_date, end_date, booking_id) VALUES
            ('car', NEW.car_id, NEW.start_date, NEW.end_date, NEW.id),
            ('driver', NEW.driver_id, NEW.start_date, NEW.end_date, NEW.id);
    END IF;
    RETURN NULL;
END
$$
""",
        """
CREATE FUNCTION nextcars_block_holds() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM occupancy WHERE block_id = OLD.id;
    END IF;
    IF NEW.removed_at IS NULL THEN
        INSERT INTO occupancy (kind, resource_id, start_date, end_date, block_id)
        VALUES (NEW.kind, coalesce(NEW.car_id, NEW.driver_id), NEW.start_date, NEW.end_date,
                NEW.id);
    END IF;
    RETURN NULL;
END
$$
""",
        "CREATE TRIGGER booking_holds_insert AFTER INSERT ON booking FOR EACH ROW "
        f"WHEN (NEW.{ACTIVE}) EXECUTE FUNCTION nextcars_booking_holds()",
        "CREATE TRIGGER booking_holds_update AFTER UPDATE ON booking FOR EACH ROW "
        f"WHEN ({_PG_BOOKING_MOVED}) EXECUTE FUNCTION nextcars_booking_holds()",
        "CREATE TRIGGER block_holds_insert AFTER INSERT ON block FOR EACH ROW "
        "WHEN (NEW.removed_at IS NULL) EXECUTE FUNCTION nextcars_block_holds()",
        "CREATE TRIGGER block_holds_update AFTER UPDATE ON block FOR EACH ROW "
        f"WHEN ({_PG_BLOCK_MOVED}) EXECUTE FUNCTION nextcars_block_holds()",
    )


_FILL = (
    *(
        "INSERT INTO occupancy (kind, resource_id, start_date, end_date, booking_id) "
        f"SELECT '{kind}', {kind}_id, start_date, end_date, id FROM booking WHERE {ACTIVE} "
        "ORDER BY id"
        for kind in ("car", "driver")
    ),
    "INSERT INTO occupancy (kind, resource_id, start_date, end_date, block_id) "
    "SELECT kind, coalesce(car_id, driver_id), start_date, end_date, id FROM block "
    "WHERE removed_at IS NULL ORDER BY id",
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name != "postgresql"
    _table(sqlite)
    statements = _sqlite_statements() if sqlite else _postgres_statements()
    for statement in statements:
        op.execute(statement)
    for statement in _FILL:
        op.execute(statement)
