"""Accounts a manager closes: why, and the one manager there must always be."""

from __future__ import annotations

from nextcars_tui.domain.errors import InvalidInput, NotAllowed
from nextcars_tui.domain.parsing import MAX_REASON, parse_text


def parse_disable_reason(reason: str | None) -> str:
    """Why an account is closed, for the audit log and the Users screen: required."""
    if reason is None or not reason.strip():
        raise InvalidInput(
            "Say why the account is disabled (--reason), e.g. 'left the company'.", field="reason"
        )
    return parse_text(reason, "reason", MAX_REASON)


def keep_a_manager(username: str, other_enabled_managers: int, change: str) -> None:
    """Refuse `change` to the last enabled manager: nobody could manage users after it."""
    if other_enabled_managers == 0:
        raise NotAllowed(
            f"{username} is the last enabled manager; {change} would leave nobody to manage "
            "users. Make another user a manager first."
        )
