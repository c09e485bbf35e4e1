"""SQLite-only schema: partial indexes for the hot queries and backstop triggers.

Kept apart from the portable tables so a PostgreSQL store can add its own equivalents
(an exclusion constraint instead of the overlap triggers).
"""

from __future__ import annotations

# Written out literally, never bound: SQLite uses a partial index only when the query's
# WHERE term repeats the index's term with the same literal values.
ACTIVE = "status IN ('pending', 'confirmed')"

_OVERLAP_MESSAGE = "NEXTCARS_OVERLAP: {kind} already in an overlapping active booking"


def _overlap_trigger(kind: str, event: str) -> str:
    column = f"{kind}_id"
    exclude_self = "AND b.id <> NEW.id" if event == "UPDATE" else ""
    when = f"NEW.{ACTIVE}"
    event_clause = (
        "UPDATE OF status, car_id, driver_id, start_date, end_date" if event == "UPDATE" else event
    )
    return f"""
CREATE TRIGGER IF NOT EXISTS booking_{kind}_overlap_{event.lower()}
BEFORE {event_clause} ON booking
WHEN {when}
BEGIN
    SELECT RAISE(ABORT, '{_OVERLAP_MESSAGE.format(kind=kind)}')
    WHERE EXISTS (
        SELECT 1 FROM booking AS b
        WHERE b.{column} = NEW.{column}
          AND b.{ACTIVE}
          AND b.start_date < NEW.end_date
          AND b.end_date > NEW.start_date
          {exclude_self}
    );
END
"""


def _append_only_trigger(table: str, event: str) -> str:
    return f"""
CREATE TRIGGER IF NOT EXISTS {table}_append_only_{event.lower()}
BEFORE {event} ON {table}
BEGIN
    SELECT RAISE(ABORT, 'NEXTCARS_APPEND_ONLY: {table} rows are never changed or removed');
END
"""


STATEMENTS: tuple[str, ...] = (
    # Overlap checks touch only active bookings of one car or driver, however long the history.
    f"CREATE INDEX IF NOT EXISTS ix_booking_car_active "
    f"ON booking (car_id, start_date, end_date) WHERE {ACTIVE}",
    f"CREATE INDEX IF NOT EXISTS ix_booking_driver_active "
    f"ON booking (driver_id, start_date, end_date) WHERE {ACTIVE}",
    # Lifecycle rules: each scans only the rows it may change.
    "CREATE INDEX IF NOT EXISTS ix_booking_pending_created "
    "ON booking (created_at) WHERE status = 'pending'",
    "CREATE INDEX IF NOT EXISTS ix_booking_confirmed_end "
    "ON booking (end_date) WHERE status = 'confirmed'",
    "CREATE INDEX IF NOT EXISTS ix_invoice_unpaid_due "
    "ON invoice (due_date) WHERE status = 'unpaid'",
    "CREATE INDEX IF NOT EXISTS ix_invoice_status_due ON invoice (status, due_date)",
    "CREATE INDEX IF NOT EXISTS ix_booking_driver_start ON booking (driver_id, start_date)",
    "CREATE INDEX IF NOT EXISTS ix_booking_car_start ON booking (car_id, start_date)",
    _overlap_trigger("car", "INSERT"),
    _overlap_trigger("car", "UPDATE"),
    _overlap_trigger("driver", "INSERT"),
    _overlap_trigger("driver", "UPDATE"),
    _append_only_trigger("payment", "UPDATE"),
    _append_only_trigger("payment", "DELETE"),
    _append_only_trigger("audit_entry", "UPDATE"),
    _append_only_trigger("audit_entry", "DELETE"),
)

PRAGMAS: tuple[str, ...] = (
    "PRAGMA journal_mode=WAL",
    # This is money: every commit reaches the disk before the clerk sees "done".
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)

OVERLAP_MARKER = "NEXTCARS_OVERLAP"
APPEND_ONLY_MARKER = "NEXTCARS_APPEND_ONLY"
