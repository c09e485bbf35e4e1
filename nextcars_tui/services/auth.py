"""Sign-in and user management: argon2id hashes, lock-out counted with the user held for change."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from nextcars_tui.domain.errors import AccountLocked, InvalidInput, NotFound, SignInFailed
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


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against for unknown users so they take as long as a wrong password."""
    return _hasher().hash("not-a-real-password-for-timing-only")


def hash_password(password: str) -> str:
    return _hasher().hash(parse_password(password))


@dataclass(frozen=True)
class UserView:
    username: str
    role: Role
    linked_to: str | None
    failed_sign_ins: int
    locked_until: datetime | None


def _actor(user: UserRecord) -> Actor:
    return Actor(
        username=user.username,
        role=Role(user.role),
        user_id=user.id,
        driver_id=user.driver_id,
        customer_id=user.customer_id,
    )


def sign_in(desk: Desk, username: str, password: str) -> Actor:
    """Verify a password, then count the outcome with the user held for change, so parallel
    terminals cannot get more tries than the configured failures.

    argon2 runs before the write begins: it takes about a tenth of a second, and a write
    that long would keep every other terminal's writes waiting.
    """
    rules = desk.settings.sign_in
    name = username.strip().lower()
    with desk.db.read() as uow:
        seen = uow.users.by_username(name) if name else None
        seen_hash = seen.password_hash if seen is not None else None
        seen_lock = seen.locked_until if seen is not None else None
    if seen_hash is None:
        desk.sign_in_guard.unknown_user(desk.now(), lambda: _verify(_dummy_hash(), password))
        raise SignInFailed(SIGN_IN_FAILED)
    if seen_lock is not None and seen_lock > desk.now():
        # No password check for a locked account: it could not let anyone in anyway.
        raise _locked(seen_lock, desk.now())
    matches = _verify(seen_hash, password)
    fresh_hash = (
        _hasher().hash(password) if matches and _hasher().check_needs_rehash(seen_hash) else None
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
            uow.audit.record(
                at=now,
                actor=user.username,
                action="sign-in failed",
                ref=user.username,
                detail=detail,
            )
            uow.commit()
            raise _failed(user.failed_sign_ins, rules.max_failures, rules.lockout_minutes)
        user = uow.users.change(
            user,
            password_hash=fresh_hash or user.password_hash,
            failed_sign_ins=0,
            locked_until=None,
        )
        uow.commit()
        return _actor(user)


def _locked(locked_until: datetime, now: datetime) -> AccountLocked:
    # Whole minutes left, rounded up: a fresh 15-minute lock says 15, not 16.
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return AccountLocked(
        f"Too many failed sign-ins: this account is locked for {minutes} more {_minutes(minutes)}.",
        minutes=minutes,
    )


def _minutes(count: int) -> str:
    return "minute" if count == 1 else "minutes"


def _failed(failures: int, max_failures: int, lockout_minutes: int) -> SignInFailed:
    """The answer to a wrong password: the same as for an unknown name, except on the last
    try before the lock-out and on the failure that locks."""
    if failures == 0:
        return SignInFailed(
            f"{SIGN_IN_FAILED} The account is now locked for {lockout_minutes} "
            f"{_minutes(lockout_minutes)}.",
            locked_minutes=lockout_minutes,
        )
    left = max_failures - failures
    if left == 1:
        return SignInFailed(
            f"{SIGN_IN_FAILED} 1 try left before the account is locked for "
            f"{lockout_minutes} {_minutes(lockout_minutes)}.",
            tries_left=left,
        )
    return SignInFailed(SIGN_IN_FAILED)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


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
    password_hash = hash_password(password)
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
        return _view(uow, user)


def _view(uow: UnitOfWork, user: UserRecord) -> UserView:
    linked: str | None = None
    if user.driver_id is not None:
        driver = uow.drivers.get(user.driver_id)
        linked = driver.code if driver else None
    elif user.customer_id is not None:
        customer = uow.customers.get(user.customer_id)
        linked = customer.email if customer else None
    return UserView(user.username, Role(user.role), linked, user.failed_sign_ins, user.locked_until)


def list_users(desk: Desk, actor: Actor) -> list[UserView]:
    actor.require(Permission.MANAGE_USERS)
    with desk.db.read() as uow:
        return [_view(uow, user) for user in uow.users.all()]


def change_role(
    desk: Desk, actor: Actor, username: str, role: str | Role, link: str | None = None
) -> UserView:
    actor.require(Permission.MANAGE_USERS)
    chosen = role if isinstance(role, Role) else parse_role(role)
    name = parse_username(username)
    now = desk.now()
    with desk.db.write() as uow:
        user = _existing(uow, name)
        if user.username == actor.username and chosen != Role.MANAGER:
            raise InvalidInput("You cannot take the manager role from yourself.")
        driver_id, customer_id = _link(uow, chosen, link)
        user = uow.users.change(user, driver_id=driver_id, customer_id=customer_id, role=chosen)
        uow.audit.record(
            at=now, actor=actor.username, action="role changed", ref=name, detail=f"now {chosen}"
        )
        uow.commit()
        return _view(uow, user)


def reset_password(desk: Desk, actor: Actor, username: str, password: str) -> UserView:
    actor.require(Permission.MANAGE_USERS)
    name = parse_username(username)
    password_hash = hash_password(password)
    now = desk.now()
    with desk.db.write() as uow:
        user = uow.users.change(
            _existing(uow, name), password_hash=password_hash, failed_sign_ins=0, locked_until=None
        )
        uow.audit.record(at=now, actor=actor.username, action="password reset", ref=name)
        uow.commit()
        return _view(uow, user)


def unlock(desk: Desk, actor: Actor, username: str) -> UserView:
    actor.require(Permission.MANAGE_USERS)
    name = parse_username(username)
    now = desk.now()
    with desk.db.write() as uow:
        user = uow.users.change(_existing(uow, name), failed_sign_ins=0, locked_until=None)
        uow.audit.record(at=now, actor=actor.username, action="unlocked", ref=name)
        uow.commit()
        return _view(uow, user)


def _existing(uow: UnitOfWork, name: str) -> UserRecord:
    """The user, held for change: every caller goes on to change it."""
    user = uow.users.for_change(name)
    if user is None:
        raise NotFound(f"No user called {name}.")
    return user
