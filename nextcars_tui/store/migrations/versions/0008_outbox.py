"""The outbox: messages to customers and drivers, and who wants which.

- `outbox` has a row per message (confirmation, change, receipt, refund, cancellation,
  invoice, reminder, run sheet), written in the transaction of the event that causes it and
  delivered later by a sender that claims it first (`claimed_by`, `claimed_at`). `facts` is
  what the templates need, as JSON. `message_id` is the same on every attempt; `dedupe_key`
  (unique where set) keeps a reminder day or a run sheet's day from being queued twice.
- `customer` gains `no_reminders` (false for every existing customer).
- `driver` gains `email`, where the next day's run sheet goes (NULL: no run sheet).

Released: never edit.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KINDS = (
    "confirmation",
    "change",
    "receipt",
    "refund",
    "cancellation",
    "invoice",
    "reminder",
    "run_sheet",
)
STATUSES = ("queued", "sent", "failed")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    op.add_column(
        "customer",
        sa.Column("no_reminders", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("driver", sa.Column("email", sa.String(length=254), nullable=True))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("booking_ref", sa.String(length=16), nullable=True),
        sa.Column("invoice_ref", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint(_one_of("kind", KINDS), name="outbox_kind_known"),
        sa.CheckConstraint(_one_of("status", STATUSES), name="outbox_status_known"),
        sa.CheckConstraint("attempts >= 0", name="outbox_attempts_not_negative"),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at", "id"])
    op.create_index("ix_outbox_booking", "outbox", ["booking_ref", "id"])
    op.create_index(
        "ux_outbox_dedupe",
        "outbox",
        ["dedupe_key"],
        unique=True,
        sqlite_where=sa.text("dedupe_key IS NOT NULL"),
        postgresql_where=sa.text("dedupe_key IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_table("outbox")
    with op.batch_alter_table("driver") as batch:
        batch.drop_column("email")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("no_reminders")
