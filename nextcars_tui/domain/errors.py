"""Domain errors: messages a desk clerk understands, each with the CLI exit code it maps to."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class DeskError(Exception):
    """Base of every error the desk expects and explains; never shown as a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DeskError):
    """The request itself is malformed: a bad date, day count, name or file. `field` names
    the field at fault ('start date', 'e-mail'), so a form can put the cursor there."""

    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ResourceKind(StrEnum):
    """What a booking holds: a car or a driver."""

    CAR = "car"
    DRIVER = "driver"


class FileAlreadyExists(InvalidInput):
    """A file to be written exists already; `path` is it. Ask before writing over it."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"{path} already exists; choose another name, or confirm to replace it.",
            field="path",
        )
        self.path = path


class Conflict(DeskError):
    """The car or driver is already taken for some of the requested days.

    What clashed is in fields, so a screen decides from them (which step to go back to) and
    shows the message without parsing it: `resource_kind` and `resource` (plate or code), the
    clashing booking's `clashing_ref` and its days [`start`, `end`). They are None only when
    the database's own backstop refused the write and could not say which booking it was.
    """

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        resource_kind: ResourceKind | None = None,
        resource: str | None = None,
        clashing_ref: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> None:
        super().__init__(message)
        self.resource_kind = resource_kind
        self.resource = resource
        self.clashing_ref = clashing_ref
        self.start = start
        self.end = end


class NotAllowed(DeskError):
    """The action is not allowed in the current state or for the acting user's role."""

    exit_code = 4


class NotFound(DeskError):
    """A customer, car, driver, booking, invoice or user does not exist."""

    exit_code = 5


class SignInFailed(NotAllowed):
    """Unknown user or wrong password; deliberately the same message for both, until the
    last try before a lock-out (`tries_left`) or the failure that locks (`locked_minutes`)."""

    def __init__(
        self, message: str, *, tries_left: int | None = None, locked_minutes: int | None = None
    ) -> None:
        super().__init__(message)
        self.tries_left = tries_left
        self.locked_minutes = locked_minutes


class AccountLocked(NotAllowed):
    """Too many failed sign-ins; the account is locked for `minutes` more minutes."""

    def __init__(self, message: str, *, minutes: int | None = None) -> None:
        super().__init__(message)
        self.minutes = minutes


class AccountDisabled(NotAllowed):
    """A manager disabled the account: it cannot sign in, and a desk signed in as it goes
    back to the sign-in screen."""


class StoreUnavailable(DeskError):
    """The database cannot be opened or written (corrupt, read-only, busy for too long)."""

    exit_code = 1
