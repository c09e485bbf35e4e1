"""Sign-in, own passwords and user management: argon2id hashes, lock-out counted with the
user held for change."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from nextcars_tui.config import SignInSettings
from nextcars_tui.domain.accounts import keep_a_manager
from nextcars_tui.domain.errors import (
    AccountDisabled,
    AccountLocked,
    InvalidInput,
    NotAllowed,
    NotFound,
    SignInFailed,
)
from nextcars_tui.domain.parsing import (
    parse_driver_code,
    parse_email,
    parse_password,
    parse_username,
)
from nextcars_tui.domain.roles import Actor, Permission, Role, parse_role
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import UnitOfWork, UserRecord

SIGN_IN_FAILED = "Unknown username or wrong password."
ACCOUNT_DISABLED = "This account is disabled; a manager can enable it again."
WRONG_CURRENT_PASSWORD = "The current password is wrong; nothing was changed."


def _hash_new(desk: Desk, password: str) -> str:
    """A new password checked, then hashed at the desk's cost (argon2: never under a lock)."""
    return desk.passwords.hash(parse_password(password))


@dataclass(frozen=True)
class UserView:
    username: str
    role: Role
    linked_to: str | None
    failed_sign_ins: int
    locked_until: datetime | None
    disabled_at: datetime | None
    disabled_by: str | None
    disabled_reason: str | None
    last_sign_in: datetime | None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    def lock_in_force(self, now: datetime) -> datetime | None:
        """Until when the account is locked, or None: a lock that has run out is no lock."""
        if self.locked_until is not None and self.locked_until > now:
            return self.locked_until
        return None


def _actor(user: UserRecord) -> Actor:
    return Actor(
        username=user.username,
        role=Role(user.role),
        user_id=user.id,
        driver_id=user.driver_id,
        customer_id=user.customer_id,
    )


def sign_in(desk: Desk, username: str, password: str) -> Actor:
    """Verify a password, then count the outcome under a lock on the user's row, so parallel
    terminals cannot get more tries than the configured failures.

    argon2 runs before the lock is taken: it takes about a tenth of a second, and holding
    the write lock (all of SQLite) that long would stall every other terminal.
    """
    rules = desk.settings.sign_in
    name = username.strip().lower()
    with desk.db.read() as uow:
        seen = uow.users.by_username(name) if name else None
        seen_hash = seen.password_hash if seen is not None else None
        seen_lock = seen.locked_until if seen is not None else None
    if seen_hash is None:
        passwords = desk.passwords
        desk.sign_in_guard.unknown_user(
            desk.now(), lambda: passwords.verify(passwords.dummy_hash, password)
        )
        raise SignInFailed(SIGN_IN_FAILED)
    if seen_lock is not None and seen_lock > desk.now():
        # No password check for a locked account: it could not let anyone in anyway.
        raise _locked(seen_lock, desk.now())
    matches = desk.passwords.verify(seen_hash, password)
    fresh_hash = (
        desk.passwords.hash(password)
        if matches and desk.passwords.needs_rehash(seen_hash)
        else None
    )
    now = desk.now()
    with desk.db.write() as uow:
        user = uow.users.for_change(name)
        if user is None or user.password_hash != seen_hash:
            # Removed or given a new password while we verified: the old one proves nothing.
            raise SignInFailed(SIGN_IN_FAILED)
        if user.locked_until is not None and user.locked_until > now:
            raise _locked(user.locked_until, now)
        if not matches:
            user = _count_failure(uow, user, now, rules, "sign-in failed")
            raise _failed(user.failed_sign_ins, rules)
        if user.disabled_at is not None:
            # Said only to whoever knows the password: to anyone else it is a wrong password.
            uow.audit.record(
                at=now,
                actor=user.username,
                action="sign-in refused",
                ref=user.username,
                detail="account disabled",
            )
            uow.commit()
            raise AccountDisabled(ACCOUNT_DISABLED)
        user = uow.users.change(
            user,
            password_hash=fresh_hash or user.password_hash,
            failed_sign_ins=0,
            locked_until=None,
            last_sign_in_at=now,
        )
        uow.commit()
        return _actor(user)


def change_own_password(desk: Desk, actor: Actor, current: str, new: str) -> None:
    """The signed-in user's new password, once their current one is verified. A wrong current
    password counts toward the lock-out as a wrong sign-in does, so an unattended desk is no
    way to guess it; argon2 runs before the write lock, as for sign-in."""
    actor.require(Permission.CHANGE_OWN_PASSWORD)
    if actor.user_id is None:
        raise NotAllowed("Only a signed-in user has a password of their own to change.")
    if not current:
        # Not a guess: nothing to count toward the lock-out.
        raise InvalidInput("Type your current password first.", field="current password")
    if new == current:
        raise InvalidInput("The new password is the same as the current one.", field="new password")
    password = parse_password(new, "new password")
    rules = desk.settings.sign_in
    with desk.db.read() as uow:
        seen = uow.users.get(actor.user_id)
        if seen is None or seen.disabled_at is not None:
            raise AccountDisabled(ACCOUNT_DISABLED)
        seen_hash, seen_lock = seen.password_hash, seen.locked_until
    if seen_lock is not None and seen_lock > desk.now():
        raise _locked(seen_lock, desk.now())
    matches = desk.passwords.verify(seen_hash, current)
    fresh_hash = desk.passwords.hash(password) if matches else None
    now = desk.now()
    with desk.db.write() as uow:
        user = uow.users.for_change(actor.username)
        if user is None or user.id != actor.user_id or user.disabled_at is not None:
            raise AccountDisabled(ACCOUNT_DISABLED)
        if user.password_hash != seen_hash:
            raise NotAllowed("Your password was changed meanwhile; nothing was changed.")
        if fresh_hash is None:
            user = _count_failure(uow, user, now, rules, "password change failed")
            raise _failed(user.failed_sign_ins, rules, WRONG_CURRENT_PASSWORD)
        user = uow.users.change(user, password_hash=fresh_hash, failed_sign_ins=0)
        uow.audit.record(at=now, actor=actor.username, action="password changed", ref=user.username)
        uow.commit()


def _count_failure(
    uow: UnitOfWork, user: UserRecord, now: datetime, rules: SignInSettings, action: str
) -> UserRecord:
    """One more wrong password for the user, held for change: the failure that reaches the
    limit locks the account. Audited (never with the password); committed; the user after."""
    failures = user.failed_sign_ins + 1
    detail = f"failure {failures} of {rules.max_failures}"
    if failures >= rules.max_failures:
        user = uow.users.change(
            user,
            failed_sign_ins=0,
            locked_until=now + timedelta(minutes=rules.lockout_minutes),
        )
        detail = f"locked for {rules.lockout_minutes} minutes"
    else:
        user = uow.users.change(user, failed_sign_ins=failures)
    uow.audit.record(at=now, actor=user.username, action=action, ref=user.username, detail=detail)
    uow.commit()
    return user


def _locked(locked_until: datetime, now: datetime) -> AccountLocked:
    # Whole minutes left, rounded up: a fresh 15-minute lock says 15, not 16.
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return AccountLocked(
        f"Too many failed sign-ins: this account is locked for {minutes} more {_minutes(minutes)}.",
        minutes=minutes,
    )


def _minutes(count: int) -> str:
    return "minute" if count == 1 else "minutes"


def _failed(failures: int, rules: SignInSettings, lead: str = SIGN_IN_FAILED) -> SignInFailed:
    """The answer to a wrong password: the same as for an unknown name, except on the last
    try before the lock-out and on the failure that locks."""
    lockout = rules.lockout_minutes
    if failures == 0:
        return SignInFailed(
            f"{lead} The account is now locked for {lockout} {_minutes(lockout)}.",
            locked_minutes=lockout,
        )
    left = rules.max_failures - failures
    if left == 1:
        return SignInFailed(
            f"{lead} 1 try left before the account is locked for {lockout} {_minutes(lockout)}.",
            tries_left=left,
        )
    return SignInFailed(lead)


def _link(uow: UnitOfWork, role: Role, link: str | None) -> tuple[int | None, int | None]:
    """Drivers link to a driver code, customers to an e-mail; (driver_id, customer_id)."""
    if role == Role.DRIVER:
        if not link:
            raise InvalidInput("A driver account must be linked to a driver code (--link).")
        driver = uow.drivers.by_code(parse_driver_code(link))
        if driver is None:
            raise NotFound(f"No driver with code {link.strip().upper()}.")
        return driver.id, None
    if role == Role.CUSTOMER:
        if not link:
            raise InvalidInput("A customer account must be linked to an e-mail (--link).")
        customer = uow.customers.by_email(parse_email(link))
        if customer is None:
            raise NotFound(f"No customer with e-mail {link.strip()}.")
        return None, customer.id
    if link:
        raise InvalidInput(f"A {role} account is not linked to anything; drop --link.")
    return None, None


def add_user(
    desk: Desk,
    actor: Actor,
    username: str,
    role: str | Role,
    password: str,
    link: str | None = None,
) -> UserView:
    actor.require(Permission.MANAGE_USERS)
    name = parse_username(username)
    chosen = role if isinstance(role, Role) else parse_role(role)
    password_hash = _hash_new(desk, password)
    now = desk.now()
    with desk.db.write() as uow:
        if uow.users.by_username(name) is not None:
            raise InvalidInput(f"There is already a user called {name}.")
        driver_id, customer_id = _link(uow, chosen, link)
        user = uow.users.insert(
            UserRecord(
                id=None,
                username=name,
                password_hash=password_hash,
                role=chosen,
                driver_id=driver_id,
                customer_id=customer_id,
            )
        )
        uow.audit.record(
            at=now, actor=actor.username, action="user added", ref=name, detail=f"role {chosen}"
        )
        uow.commit()
        return user_view(uow, user)


def user_view(uow: UnitOfWork, user: UserRecord) -> UserView:
    """What the Users screen and `user list` show of an account."""
    linked: str | None = None
    if user.driver_id is not None:
        driver = uow.drivers.get(user.driver_id)
        linked = driver.code if driver else None
    elif user.customer_id is not None:
        customer = uow.customers.get(user.customer_id)
        linked = customer.email if customer else None
    return UserView(
        username=user.username,
        role=Role(user.role),
        linked_to=linked,
        failed_sign_ins=user.failed_sign_ins,
        locked_until=user.locked_until,
        disabled_at=user.disabled_at,
        disabled_by=user.disabled_by,
        disabled_reason=user.disabled_reason,
        last_sign_in=user.last_sign_in_at,
    )


def list_users(desk: Desk, actor: Actor) -> list[UserView]:
    actor.require(Permission.MANAGE_USERS)
    with desk.db.read() as uow:
        return [user_view(uow, user) for user in uow.users.all()]


def change_role(
    desk: Desk, actor: Actor, username: str, role: str | Role, link: str | None = None
) -> UserView:
    actor.require(Permission.MANAGE_USERS)
    chosen = role if isinstance(role, Role) else parse_role(role)
    name = parse_username(username)
    now = desk.now()
    with desk.db.write() as uow:
        # Held before the user (by id, as every writer does): see keep_a_manager.
        managers = uow.users.enabled_managers()
        user = held_user(uow, name)
        if user.username == actor.username and chosen != Role.MANAGER:
            raise InvalidInput("You cannot take the manager role from yourself.")
        others = [manager for manager in managers if manager.id != user.id]
        if chosen != Role.MANAGER and len(others) < len(managers):
            keep_a_manager(name, len(others), f"making them a {chosen} user")
        driver_id, customer_id = _link(uow, chosen, link)
        user = uow.users.change(user, driver_id=driver_id, customer_id=customer_id, role=chosen)
        uow.audit.record(
            at=now, actor=actor.username, action="role changed", ref=name, detail=f"now {chosen}"
        )
        uow.commit()
        return user_view(uow, user)


def reset_password(desk: Desk, actor: Actor, username: str, password: str) -> UserView:
    actor.require(Permission.MANAGE_USERS)
    name = parse_username(username)
    password_hash = _hash_new(desk, password)
    now = desk.now()
    with desk.db.write() as uow:
        user = uow.users.change(
            held_user(uow, name), password_hash=password_hash, failed_sign_ins=0, locked_until=None
        )
        uow.audit.record(at=now, actor=actor.username, action="password reset", ref=name)
        uow.commit()
        return user_view(uow, user)


def unlock(desk: Desk, actor: Actor, username: str) -> UserView:
    actor.require(Permission.MANAGE_USERS)
    name = parse_username(username)
    now = desk.now()
    with desk.db.write() as uow:
        user = uow.users.change(held_user(uow, name), failed_sign_ins=0, locked_until=None)
        uow.audit.record(at=now, actor=actor.username, action="unlocked", ref=name)
        uow.commit()
        return user_view(uow, user)


def held_user(uow: UnitOfWork, name: str) -> UserRecord:
    """The user, held for change: every caller goes on to change it. Raises NotFound (exit
    5) for a name nobody has."""
    user = uow.users.for_change(name)
    if user is None:
        raise NotFound(f"No user called {name}.")
    return user
