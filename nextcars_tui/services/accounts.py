"""Closing and reopening accounts, and the check that ends a closed account's desk session."""

from __future__ import annotations

from nextcars_tui.domain.accounts import keep_a_manager, parse_disable_reason
from nextcars_tui.domain.errors import AccountDisabled, NotAllowed
from nextcars_tui.domain.parsing import parse_username
from nextcars_tui.domain.roles import Actor, Permission, Role
from nextcars_tui.services.auth import UserView, held_user, user_view
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import UnitOfWork, UserRecord

SIGNED_OUT = "A manager disabled your account, so the desk signed you out."


def disable_user(desk: Desk, actor: Actor, username: str, reason: str | None) -> UserView:
    """Close an account: it can no longer sign in, and desks signed in as it go back to the
    sign-in screen. The user stays in history and the audit log; `enable_user` reopens it."""
    actor.require(Permission.MANAGE_USERS)
    why = parse_disable_reason(reason)
    name = parse_username(username)
    now = desk.now()
    with desk.db.write() as uow:
        # The enabled managers are held before the user, by id, as change_role holds them:
        # two managers closing each other's accounts at once queue, and one of them stays.
        managers = uow.users.enabled_managers()
        _still_a_manager(uow, actor, managers)
        user = held_user(uow, name)
        if user.disabled_at is not None:
            raise NotAllowed(f"{name} is already disabled ({user.disabled_reason}).")
        if user.id == actor.user_id or user.username == actor.username:
            raise NotAllowed("You cannot disable your own account; ask another manager.")
        if user.role == Role.MANAGER:
            others = [manager for manager in managers if manager.id != user.id]
            keep_a_manager(name, len(others), "disabling them")
        user = uow.users.change(
            user, disabled_at=now, disabled_by=actor.username, disabled_reason=why
        )
        uow.audit.record(at=now, actor=actor.username, action="user disabled", ref=name, detail=why)
        uow.commit()
        return user_view(uow, user)


def _still_a_manager(uow: UnitOfWork, actor: Actor, managers: list[UserRecord]) -> None:
    """Refuse an acting manager whose account was closed or demoted since their desk signed
    in. Checked under the managers' locks, so two managers closing each other's accounts at
    once cannot both win."""
    if actor.user_id is None or any(manager.id == actor.user_id for manager in managers):
        return
    me = uow.users.get(actor.user_id)
    if me is None or me.disabled_at is not None:
        raise AccountDisabled(SIGNED_OUT)
    raise NotAllowed("You are no longer a manager; nothing was changed.")


def enable_user(desk: Desk, actor: Actor, username: str) -> UserView:
    """Reopen a closed account: it signs in with the password it had."""
    actor.require(Permission.MANAGE_USERS)
    name = parse_username(username)
    now = desk.now()
    with desk.db.write() as uow:
        user = held_user(uow, name)
        if user.disabled_at is None:
            raise NotAllowed(f"{name} is not disabled.")
        was = f"disabled by {user.disabled_by}: {user.disabled_reason}"
        user = uow.users.change(user, disabled_at=None, disabled_by=None, disabled_reason=None)
        uow.audit.record(at=now, actor=actor.username, action="user enabled", ref=name, detail=was)
        uow.commit()
        return user_view(uow, user)


def require_enabled(desk: Desk, actor: Actor) -> None:
    """Refuse a signed-in user whose account was disabled since they signed in (the desk
    then signs them out). The system and other actors without an account pass."""
    if actor.user_id is None:
        return
    with desk.db.read() as uow:
        user = uow.users.get(actor.user_id)
        closed = user is None or user.disabled_at is not None
    if closed:
        raise AccountDisabled(SIGNED_OUT)
