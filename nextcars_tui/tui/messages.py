"""Messages the app, its workers and its screens post to each other."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from nextcars_tui.domain.errors import DeskError
    from nextcars_tui.domain.roles import Actor
    from nextcars_tui.services.desk import Desk
    from nextcars_tui.services.live import ChangeWatcher


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


class DeskOpened(Message):
    """The opening worker has the database: the desk, its demo sign-ins, a change watcher."""

    def __init__(
        self, desk: Desk, sign_ins: list[tuple[str, str, str]], watcher: ChangeWatcher | None
    ) -> None:
        super().__init__()
        self.desk = desk
        self.sign_ins = sign_ins
        self.watcher = watcher


class DeskOpenFailed(Message):
    """The database could not be opened; `error` says why."""

    def __init__(self, error: DeskError) -> None:
        super().__init__()
        self.error = error


class DataMoved(Message):
    """A worker (the lifecycle thread, the change poll) saw a commit from elsewhere."""


class AccountClosed(Message):
    """A manager disabled the account of `actor`, who is signed in here; `reason` says so."""

    def __init__(self, actor: Actor, reason: str) -> None:
        super().__init__()
        self.actor = actor
        self.reason = reason
