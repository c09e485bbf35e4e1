"""The only package that talks to the database: tables, engine, unit of work and queries."""

from nextcars_tui.store.database import Database, open_database
from nextcars_tui.store.integrity import BooksRow
from nextcars_tui.store.unit_of_work import UnitOfWork

__all__ = ["BooksRow", "Database", "UnitOfWork", "open_database"]
