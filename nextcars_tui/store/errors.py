"""Driver errors both engines share the meaning of, and the markers the backstops raise."""

from __future__ import annotations

from nextcars_tui.domain.errors import Conflict, InvalidInput, NotAllowed

# Raised by the database's own backstops (SQLite triggers, PostgreSQL trigger functions).
OVERLAP_MARKER = "NEXTCARS_OVERLAP"
APPEND_ONLY_MARKER = "NEXTCARS_APPEND_ONLY"
DATES_MARKER = "NEXTCARS_DATES"

OVERLAP = "That car or driver is already booked or blocked for some of those days."


def backstop_error(message: str) -> Exception | None:
    """The desk error for a refusal by one of the database's backstops, else None."""
    if OVERLAP_MARKER in message:
        return Conflict(OVERLAP)
    if APPEND_ONLY_MARKER in message:
        return NotAllowed("Ledger entries and the audit log are never changed or removed.")
    if DATES_MARKER in message:
        return InvalidInput("Dates are stored as YYYY-MM-DD; nothing was saved.")
    return None
