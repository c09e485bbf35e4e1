"""Drop an index no query uses; on PostgreSQL, notify open desks of every committed change.

`ix_invoice_unpaid_due` was written on every booking but never chosen by the planner
(`ix_invoice_status_due` serves the overdue rule). On PostgreSQL, row triggers NOTIFY the
`nextcars_changes` channel (row, not statement, triggers: a rule run that changes nothing
must not wake every desk), which desks LISTEN on for live refresh across machines
(SQLite desks poll PRAGMA data_version instead). Released: never edit.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_WATCHED = ("booking", "invoice", "payment", "car", "driver", "customer", "app_user")


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_invoice_unpaid_due")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
CREATE FUNCTION nextcars_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- One notice per committing transaction: PostgreSQL folds identical ones together.
    PERFORM pg_notify('nextcars_changes', '');
    RETURN NULL;
END
$$
"""
    )
    for table in _WATCHED:
        op.execute(
            f"CREATE TRIGGER {table}_notify_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION nextcars_notify_change()"
        )
