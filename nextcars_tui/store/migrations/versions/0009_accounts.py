"""Accounts a manager can close, and when each user last signed in.

- `app_user` gains `disabled_at`, `disabled_by` and `disabled_reason`: a disabled account
  cannot sign in, and a desk signed in as it goes back to the sign-in screen. The row stays,
  so history and the audit log keep naming the user; enabling clears the three again.
- `app_user` gains `last_sign_in_at`, set by each successful sign-in.
- Every existing user stays enabled and has never signed in (all four NULL).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, column_type in (
        ("disabled_at", sa.DateTime()),
        ("disabled_by", sa.String(length=64)),
        ("disabled_reason", sa.String(length=500)),
        ("last_sign_in_at", sa.DateTime()),
    ):
        op.add_column("app_user", sa.Column(name, column_type, nullable=True))
