"""Money as an append-only ledger: every invoice's figures come from its entries.

- `ledger_entry` holds charges, fees, payments, refunds and adjustments; like the audit log
  it is never updated or deleted (triggers on both engines).
- Today's data is converted, losing nothing: each invoice gets its rental as two charge lines
  (days × the car rate and days × the driver fee snapshotted at booking); each payment
  becomes a payment entry with its method, time and clerk; an invoice voided or refunded by a
  cancellation gets its charges reversed, and a refunded one a refund of what was paid, at the
  time and by the user the audit log names for the cancellation.
- `invoice` gains `paid_cents` (payments - refunds, kept with the entries), and its status
  the values `partly_paid` and `refund_due`. `payment`, now copied into the ledger, is dropped.
- `ix_invoice_due` lets the unfiltered invoices list read its first page in due-date order.

On SQLite a CHECK constraint cannot be altered, so `invoice` is rebuilt (the store runs this
with foreign keys off and checks them all before it commits). Released: never edit.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_STATUSES = "'unpaid', 'partly_paid', 'overdue', 'paid', 'refund_due', 'void', 'refunded'"


def _plain(cents: str) -> str:
    """SQL for cents as '45.00', the same on both engines (no money formatting in SQL)."""
    return (
        f"({cents} / 100) || '.' || CASE WHEN {cents} % 100 < 10 THEN '0' ELSE '' END "
        f"|| ({cents} % 100)"
    )


def _ledger_table() -> None:
    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"]),
        sa.CheckConstraint(
            "kind IN ('charge', 'fee', 'payment', 'refund', 'adjustment')",
            name="ledger_kind_known",
        ),
        sa.CheckConstraint(
            "method IS NULL OR method IN ('card', 'cash', 'transfer')", name="ledger_method_known"
        ),
        sa.CheckConstraint(
            "(kind IN ('payment', 'refund')) = (method IS NOT NULL)", name="ledger_method_iff_money"
        ),
        sa.CheckConstraint(
            "kind NOT IN ('payment', 'refund') OR amount_cents > 0", name="ledger_money_positive"
        ),
        sa.CheckConstraint(
            "kind <> 'adjustment' OR (amount_cents <> 0 AND reason IS NOT NULL)",
            name="ledger_adjustment_reasoned",
        ),
    )
    op.create_index("ix_ledger_invoice", "ledger_entry", ["invoice_id", "id"])
    op.create_index("ix_ledger_kind_at", "ledger_entry", ["kind", "at"])


_CANCELLED_BY = (
    "(SELECT a.{column} FROM audit_entry AS a WHERE a.ref = b.ref "
    "AND a.action IN ('cancelled', 'expired') ORDER BY a.id DESC LIMIT 1)"
)
_ENDED = "i.status IN ('void', 'refunded')"
_PAID_SUM = "(SELECT COALESCE(SUM(p.amount_cents), 0) FROM payment AS p WHERE p.invoice_id = i.id)"
_INVOICES = "FROM invoice AS i JOIN booking AS b ON b.id = i.booking_id"


def _convert() -> None:
    """Entries for today's invoices, in the order they happened (ids follow that order)."""
    insert = (
        "INSERT INTO ledger_entry "
        "(invoice_id, kind, amount_cents, method, description, reason, at, actor) "
    )
    for label, rate, parent, key in (
        ("Car", "car_daily_rate_cents", "car", "plate"),
        ("Driver", "driver_daily_fee_cents", "driver", "code"),
    ):
        op.execute(
            insert + f"SELECT i.id, 'charge', b.days * b.{rate}, NULL, "
            f"'{label} ' || r.{key} || ': ' || b.days || ' day(s) × ' || {_plain('b.' + rate)}, "
            f"NULL, i.issued_at, b.created_by {_INVOICES} "
            f"JOIN {parent} AS r ON r.id = b.{parent}_id "
            f"WHERE b.days * b.{rate} <> 0 ORDER BY i.id"
        )
    op.execute(
        insert + "SELECT p.invoice_id, 'payment', p.amount_cents, p.method, 'Payment', NULL, "
        "p.taken_at, p.taken_by FROM payment AS p ORDER BY p.id"
    )
    when = f"COALESCE({_CANCELLED_BY.format(column='at')}, i.issued_at)"
    who = f"COALESCE({_CANCELLED_BY.format(column='actor')}, 'system:upgrade')"
    op.execute(
        insert + f"SELECT i.id, 'charge', -i.amount_cents, NULL, "
        f"'Booking ' || b.ref || ' cancelled: rental charges reversed', b.cancel_reason, "
        f"{when}, {who} {_INVOICES} WHERE {_ENDED} AND i.amount_cents <> 0 ORDER BY i.id"
    )
    last_method = (
        "(SELECT p.method FROM payment AS p WHERE p.invoice_id = i.id ORDER BY p.id DESC LIMIT 1)"
    )
    op.execute(
        insert + f"SELECT i.id, 'refund', {_PAID_SUM}, {last_method}, "
        f"'Refund: booking ' || b.ref || ' cancelled', b.cancel_reason, {when}, {who} "
        f"{_INVOICES} WHERE i.status = 'refunded' AND {_PAID_SUM} > 0 ORDER BY i.id"
    )


# The figures the entries give: what is billed (charges, fees, adjustments) and what is paid
# (payments less refunds).
_BILLED = (
    "(SELECT COALESCE(SUM(e.amount_cents), 0) FROM ledger_entry AS e "
    "WHERE e.invoice_id = {table}.id AND e.kind IN ('charge', 'fee', 'adjustment'))"
)
_PAID = (
    "(SELECT COALESCE(SUM(CASE WHEN e.kind = 'refund' THEN -e.amount_cents "
    "ELSE e.amount_cents END), 0) FROM ledger_entry AS e "
    "WHERE e.invoice_id = {table}.id AND e.kind IN ('payment', 'refund'))"
)
# A zero invoice owes nothing: with the ledger it reads as paid, not as waiting for money.
_SETTLED = (
    "UPDATE invoice SET status = 'paid' WHERE status IN ('unpaid', 'overdue') AND amount_cents = 0"
)


def _sqlite_rebuild_invoice() -> None:
    op.create_table(
        "invoice_new",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("paid_cents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint(f"status IN ({_STATUSES})", name="invoice_status_known"),
        sa.CheckConstraint("amount_cents >= 0", name="invoice_amount_not_negative"),
        sa.CheckConstraint("paid_cents >= 0", name="invoice_paid_not_negative"),
        sa.UniqueConstraint("ref"),
        sa.UniqueConstraint("booking_id"),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"]),
    )
    op.execute(
        "INSERT INTO invoice_new "
        "(id, ref, booking_id, amount_cents, paid_cents, status, issued_at, due_date) "
        f"SELECT id, ref, booking_id, {_BILLED.format(table='invoice')}, "
        f"{_PAID.format(table='invoice')}, status, issued_at, due_date FROM invoice"
    )
    op.drop_table("invoice")
    op.rename_table("invoice_new", "invoice")
    op.create_index("ix_invoice_status_due", "invoice", ["status", "due_date"])


def _sqlite_append_only(table: str, event: str) -> str:
    return f"""
CREATE TRIGGER {table}_append_only_{event.lower()}
BEFORE {event} ON {table}
BEGIN
    SELECT RAISE(ABORT, 'NEXTCARS_APPEND_ONLY: {table} rows are never changed or removed');
END
"""


def _postgres_invoice() -> None:
    op.execute("ALTER TABLE invoice DROP CONSTRAINT invoice_status_known")
    op.execute(
        f"ALTER TABLE invoice ADD CONSTRAINT invoice_status_known CHECK (status IN ({_STATUSES}))"
    )
    op.add_column("invoice", sa.Column("paid_cents", sa.Integer(), nullable=True))
    op.execute(
        f"UPDATE invoice SET amount_cents = {_BILLED.format(table='invoice')}, "
        f"paid_cents = {_PAID.format(table='invoice')}"
    )
    op.alter_column("invoice", "paid_cents", nullable=False)
    op.create_check_constraint("invoice_paid_not_negative", "invoice", "paid_cents >= 0")


def upgrade() -> None:
    _ledger_table()
    _convert()
    if op.get_bind().dialect.name == "postgresql":
        _postgres_invoice()
        for statement in (
            "CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry "
            "FOR EACH ROW EXECUTE FUNCTION nextcars_append_only()",
            "CREATE TRIGGER ledger_entry_append_only_truncate BEFORE TRUNCATE ON ledger_entry "
            "FOR EACH STATEMENT EXECUTE FUNCTION nextcars_append_only()",
            "CREATE TRIGGER ledger_entry_notify_change AFTER INSERT ON ledger_entry "
            "FOR EACH ROW EXECUTE FUNCTION nextcars_notify_change()",
        ):
            op.execute(statement)
    else:
        _sqlite_rebuild_invoice()
        op.execute(_sqlite_append_only("ledger_entry", "UPDATE"))
        op.execute(_sqlite_append_only("ledger_entry", "DELETE"))
    op.execute(_SETTLED)
    op.drop_table("payment")
    op.create_index("ix_invoice_due", "invoice", ["due_date", "id"])
