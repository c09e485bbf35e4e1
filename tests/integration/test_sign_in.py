"""Sign-in: argon2id hashes, one message for unknown user and wrong password, lock-out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from deskkit import code, email, raw, snapshot, spy_on_verify

from nextcars_tui.domain.errors import AccountLocked, InvalidInput, NotFound, SignInFailed
from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services import auth
from nextcars_tui.services.auth import (
    SIGN_IN_FAILED,
    add_user,
    change_role,
    reset_password,
    sign_in,
    unlock,
)

BOSS = Actor(username="boss", role=Role.MANAGER)


def stored(path, username):
    with raw(path) as db:
        return db.execute(
            "SELECT password_hash, failed_sign_ins, locked_until FROM app_user WHERE username = ?",
            (username,),
        ).fetchone()


@pytest.fixture
def users(desk):
    add_user(desk, BOSS, "mia", "manager", "mia-password-1")
    add_user(desk, BOSS, "sam", "staff", "sam-password-1")
    add_user(desk, BOSS, "dan", "driver", "dan-password-1", link="drv-02")
    add_user(desk, BOSS, "cat", "customer", "cat-password-1", link="CUST03@example.com")
    return desk


@pytest.mark.parametrize(
    ("username", "role", "link"),
    [("mia", Role.MANAGER, None), ("sam", Role.STAFF, None), ("dan", Role.DRIVER, "driver")],
)
def test_the_right_password_gives_an_actor_with_role_and_link(users, username, role, link):
    actor = sign_in(users, f"  {username.upper()} ", f"{username}-password-1")
    assert actor.username == username
    assert actor.role == role
    assert actor.user_id is not None
    if link == "driver":
        with users.db.read() as uow:
            assert actor.driver_id == uow.drivers.by_code(code(2)).id
        assert actor.customer_id is None
    else:
        assert actor.driver_id is None and actor.customer_id is None


def test_a_customer_signs_in_linked_to_their_customer_record(users):
    actor = sign_in(users, "cat", "cat-password-1")
    with users.db.read() as uow:
        assert actor.customer_id == uow.customers.by_email(email(3)).id
    assert actor.driver_id is None


def test_unknown_user_and_wrong_password_get_the_same_error(users):
    with pytest.raises(SignInFailed) as unknown:
        sign_in(users, "nobody", "sam-password-1")
    with pytest.raises(SignInFailed) as wrong:
        sign_in(users, "sam", "not-sams-password")
    with pytest.raises(SignInFailed) as empty:
        sign_in(users, "", "")
    assert str(unknown.value) == str(wrong.value) == str(empty.value) == SIGN_IN_FAILED
    assert type(unknown.value) is type(wrong.value)


def test_an_unknown_user_is_checked_against_a_dummy_hash(users, monkeypatch):
    checked = []
    spy_on_verify(monkeypatch, checked.append)
    with pytest.raises(SignInFailed):
        sign_in(users, "nobody", "whatever")
    assert checked == [users.passwords.dummy_hash]


def test_lock_out_after_the_configured_failures(users, clock):
    for attempt in (1, 2):
        with pytest.raises(SignInFailed):
            sign_in(users, "sam", f"wrong-{attempt}")
        assert stored(users, "sam")[1] == attempt
    with pytest.raises(SignInFailed):
        sign_in(users, "sam", "wrong-3")  # the third failure (max_failures = 3) locks
    assert stored(users, "sam")[2] is not None

    before = snapshot(users)
    with pytest.raises(AccountLocked, match="locked for 15 more minute"):
        sign_in(users, "sam", "sam-password-1")
    assert snapshot(users) == before

    clock.advance(minutes=14, seconds=59)
    with pytest.raises(AccountLocked, match="locked for 1 more minute"):
        sign_in(users, "sam", "sam-password-1")
    clock.advance(seconds=2)
    assert sign_in(users, "sam", "sam-password-1").username == "sam"
    assert stored(users, "sam")[1:] == (0, None)


def test_a_success_resets_the_failure_count(users):
    for attempt in (1, 2):
        with pytest.raises(SignInFailed):
            sign_in(users, "sam", f"wrong-{attempt}")
    sign_in(users, "sam", "sam-password-1")
    for attempt in (3, 4):
        with pytest.raises(SignInFailed):
            sign_in(users, "sam", f"wrong-{attempt}")
    assert stored(users, "sam")[2] is None
    assert sign_in(users, "sam", "sam-password-1").username == "sam"


def test_failures_are_counted_per_account(users):
    for attempt in (1, 2):
        with pytest.raises(SignInFailed):
            sign_in(users, "sam", f"wrong-{attempt}")
        with pytest.raises(SignInFailed):
            sign_in(users, "mia", f"wrong-{attempt}")
    assert sign_in(users, "mia", "mia-password-1").role == Role.MANAGER
    assert sign_in(users, "sam", "sam-password-1").role == Role.STAFF


def test_the_failure_limit_comes_from_settings(make_desk):
    desk = make_desk(max_failures=1, lockout_minutes=5)
    add_user(desk, BOSS, "sam", "staff", "sam-password-1")
    with pytest.raises(SignInFailed):
        sign_in(desk, "sam", "wrong")
    with pytest.raises(AccountLocked, match="5 more minute"):
        sign_in(desk, "sam", "sam-password-1")


def test_failed_sign_ins_are_audited_without_the_password(users):
    with pytest.raises(SignInFailed):
        sign_in(users, "sam", "typo-Secret-42")
    with raw(users) as db:
        rows = db.execute("SELECT * FROM audit_entry").fetchall()
    assert ("sign-in failed" in repr(rows)) and ("failure 1 of 3" in repr(rows))
    assert "typo-Secret-42" not in repr(snapshot(users))


def test_an_unlock_or_password_reset_clears_the_lock(users):
    for attempt in range(3):
        with pytest.raises(SignInFailed):
            sign_in(users, "sam", f"wrong-{attempt}")
    unlock(users, BOSS, "sam")
    assert sign_in(users, "sam", "sam-password-1").username == "sam"
    for attempt in range(3):
        with pytest.raises(SignInFailed):
            sign_in(users, "sam", f"wrong-{attempt}")
    reset_password(users, BOSS, "sam", "brand-new-password")
    with pytest.raises(SignInFailed):
        sign_in(users, "sam", "sam-password-1")
    assert sign_in(users, "sam", "brand-new-password").username == "sam"


# --- Hashes ----------------------------------------------------------------------------------


def at_cost(desk, cost):
    """The same desk with `sign_in.password_hash_cost` set to cost."""
    sign_in_settings = replace(desk.settings.sign_in, password_hash_cost=cost)
    return replace(desk, settings=replace(desk.settings, sign_in=sign_in_settings))


def test_passwords_are_stored_as_default_argon2id_hashes_at_the_standard_cost(make_desk):
    desk = make_desk(password_hash_cost="standard")
    add_user(desk, BOSS, "sam", "staff", "sam-password-1")
    password_hash = stored(desk, "sam")[0]
    assert password_hash.startswith("$argon2id$")
    defaults = PasswordHasher()
    assert f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}" in (
        password_hash
    )
    assert "sam-password-1" not in repr(snapshot(desk))
    assert sign_in(desk, "sam", "sam-password-1").username == "sam"
    assert stored(desk, "sam")[0] == password_hash  # no needless rehash


def test_the_low_cost_setting_makes_cheap_hashes_of_the_same_kind(users):
    password_hash = stored(users, "sam")[0]
    assert password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert users.passwords.dummy_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")


def test_a_low_cost_hash_is_replaced_on_sign_in_at_the_standard_cost(users):
    old_hash = stored(users, "sam")[0]
    standard = at_cost(users, "standard")
    assert sign_in(standard, "sam", "sam-password-1").username == "sam"
    new_hash = stored(users, "sam")[0]
    assert new_hash != old_hash
    defaults = PasswordHasher()
    assert new_hash.startswith("$argon2id$") and (
        f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}" in new_hash
    )
    assert not standard.passwords.needs_rehash(new_hash)
    assert sign_in(standard, "sam", "sam-password-1").username == "sam"
    assert stored(users, "sam")[0] == new_hash
    # A desk set to the low cost still verifies it, and never weakens it.
    assert sign_in(users, "sam", "sam-password-1").username == "sam"
    assert stored(users, "sam")[0] == new_hash


def test_a_wrong_password_never_rehashes(users):
    old_hash = stored(users, "sam")[0]
    with pytest.raises(SignInFailed):
        sign_in(at_cost(users, "standard"), "sam", "wrong")
    assert stored(users, "sam")[0] == old_hash


# --- Managing users --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("Sam", "staff", "another-password"), InvalidInput, "already a user called sam"),
        (("x", "staff", "long-enough"), InvalidInput, "not a username"),
        (("newbie", "staff", "short"), InvalidInput, "at least 8 characters"),
        (("newbie", "driver", "long-enough"), InvalidInput, "must be linked"),
        (("newbie", "staff", "long-enough", "drv-01"), InvalidInput, "not linked to anything"),
        (("newbie", "driver", "long-enough", "DRV-77"), NotFound, "No driver with code DRV-77"),
        (("newbie", "customer", "long-enough", "who@x.org"), NotFound, "No customer"),
    ],
)
def test_bad_new_users_are_refused_and_nothing_is_written(users, args, error, message):
    before = snapshot(users)
    with pytest.raises(error, match=message):
        add_user(users, BOSS, *args)
    assert snapshot(users) == before


def test_a_manager_cannot_demote_themselves(users):
    mia = sign_in(users, "mia", "mia-password-1")
    before = snapshot(users)
    with pytest.raises(InvalidInput, match="manager role from yourself"):
        change_role(users, mia, "mia", "staff")
    assert snapshot(users) == before
    changed = change_role(users, mia, "sam", "driver", link="DRV-03")
    assert (changed.role, changed.linked_to) == (Role.DRIVER, code(3))
    assert sign_in(users, "sam", "sam-password-1").driver_id is not None


def test_lock_state_is_reported(users, clock):
    for attempt in range(3):
        with pytest.raises(SignInFailed):
            sign_in(users, "sam", f"wrong-{attempt}")
    listed = {u.username: u for u in auth.list_users(users, BOSS)}
    assert listed["sam"].locked_until == clock.moment + timedelta(minutes=15)
    assert listed["mia"].locked_until is None


def user_row_is_free(desk) -> bool:
    """Whether another connection could write sam's row right now, without waiting: the whole
    file on SQLite (BEGIN IMMEDIATE), the row itself on PostgreSQL (FOR UPDATE NOWAIT)."""
    with raw(desk) as db:
        try:
            if db.dialect == "sqlite":
                db.execute("PRAGMA busy_timeout = 0")
                db.execute("BEGIN IMMEDIATE")
                db.execute("ROLLBACK")
            else:
                db.execute("BEGIN")
                db.execute("SELECT 1 FROM app_user WHERE username = 'sam' FOR UPDATE NOWAIT")
                db.execute("ROLLBACK")
        except Exception as exc:  # the driver's "database is locked" / "could not obtain lock"
            assert "lock" in str(exc).lower(), exc
            return False
    return True


def test_the_password_is_hashed_before_any_write_lock_is_taken(users, monkeypatch):
    # argon2 takes a tenth of a second: holding the write lock meanwhile would stall every
    # other terminal (on SQLite, every writer).
    free_while_verifying: list[bool] = []
    spy_on_verify(monkeypatch, lambda _hash: free_while_verifying.append(user_row_is_free(users)))
    with pytest.raises(SignInFailed):
        sign_in(users, "sam", "not-sams-password")
    assert sign_in(users, "sam", "sam-password-1").username == "sam"
    assert free_while_verifying == [True, True]
    # The probe itself can see a lock: it finds one while the user is held for change.
    with users.db.write() as uow:
        assert uow.users.for_change("sam") is not None
        assert not user_row_is_free(users)
