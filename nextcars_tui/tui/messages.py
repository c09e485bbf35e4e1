"""Messages the app posts to its screens."""

from __future__ import annotations

from textual.message import Message


class DataChanged(Message):
    """Another terminal, the lifecycle worker or this one committed something."""
