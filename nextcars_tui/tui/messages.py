"""Messages the app, its workers and its screens post to each other."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from nextcars_tui.domain.errors import DeskError


class DataChanged(Message):
    """Another terminal, the lifecycle worker or this one committed something."""


class ServiceFailed(Message):
    """A service call of a screen's worker was refused, or failed unexpectedly."""

    def __init__(self, group: str, error: DeskError) -> None:
        super().__init__()
        self.group = group
        self.error = error


class RecordWritten(Message):
    """A write from a record screen went through; `summary` says what it did."""

    def __init__(self, summary: str) -> None:
        super().__init__()
        self.summary = summary
