"""The only package that talks to the database: what the rest of the desk may use of it.

Services, screens and commands import from here alone (an import-linter contract says so):
the database and its units of work, the records they hand out, the query types, and the
one file writer (store.files) every file the desk writes goes through.
"""

from nextcars_tui.store.bookings import SORT_KEYS, BookingQuery, HeldBooking
from nextcars_tui.store.database import Database, open_database
from nextcars_tui.store.files import open_regular_file, sqlite_files, write_private_file
from nextcars_tui.store.integrity import BooksRow
from nextcars_tui.store.outbox import OutboxRecord
from nextcars_tui.store.records import (
    AuditRecord,
    BlockRecord,
    BlockRow,
    BookingRecord,
    BookingRow,
    CarRecord,
    CustomerRecord,
    DriverRecord,
    InvoiceRecord,
    InvoiceRow,
    LedgerEntryRecord,
    UserRecord,
)
from nextcars_tui.store.reports import Resource
from nextcars_tui.store.unit_of_work import UnitOfWork

__all__ = [
    "SORT_KEYS",
    "AuditRecord",
    "BlockRecord",
    "BlockRow",
    "BookingQuery",
    "BookingRecord",
    "BookingRow",
    "BooksRow",
    "CarRecord",
    "CustomerRecord",
    "Database",
    "DriverRecord",
    "HeldBooking",
    "InvoiceRecord",
    "InvoiceRow",
    "LedgerEntryRecord",
    "OutboxRecord",
    "Resource",
    "UnitOfWork",
    "UserRecord",
    "open_database",
    "open_regular_file",
    "sqlite_files",
    "write_private_file",
]
