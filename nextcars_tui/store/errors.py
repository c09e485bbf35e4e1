"""Driver errors both engines share the meaning of, and the markers the backstops raise."""

from __future__ import annotations

from nextcars_tui.domain.errors import Conflict, NotAllowed

# Raised by the database's own backstops (SQLite triggers, PostgreSQL trigger functions).
OVERLAP_MARKER = "NEXTCARS_OVERLAP"
APPEND_ONLY_MARKER = "NEXTCARS_APPEND_ONLY"
BLOCKED_MARKER = "NEXTCARS_BLOCKED"

OVERLAP = "That car or driver is already booked for some of those days."


def backstop_error(message: str) -> Exception | None:
    """The desk error for a refusal by one of the database's backstops, else None."""
    if OVERLAP_MARKER in message:
        return Conflict(OVERLAP)
    if BLOCKED_MARKER in message:
        return Conflict("That car or driver is blocked or booked for some of those days.")
    if APPEND_ONLY_MARKER in message:
        return NotAllowed("Ledger entries and the audit log are never changed or removed.")
    return None
