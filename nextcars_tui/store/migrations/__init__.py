"""Alembic revisions: the schema's history on both engines. Released revisions never change."""
