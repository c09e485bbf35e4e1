"""Alembic's entry point; the store hands it an open connection (see store.schema)."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
# SQLite and PostgreSQL both roll DDL back, so a failed upgrade leaves the old schema whole.
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
