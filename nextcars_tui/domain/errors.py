"""Domain errors: messages a desk clerk understands, each with the CLI exit code it maps to."""

from __future__ import annotations


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


class Conflict(DeskError):
    """The car or driver is already taken for some of the requested days."""

    exit_code = 3


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


class StoreUnavailable(DeskError):
    """The database cannot be opened or written (corrupt, read-only, busy for too long)."""

    exit_code = 1
