"""Accounts a manager closes: a disabled user cannot sign in (said only after the right
password), there is always an enabled manager, every account changes its own password, and
each of these is in the audit log."""

from __future__ import annotations

import pytest
from deskkit import code, email, raw, snapshot

from nextcars_tui.domain.errors import (
    AccountDisabled,
    AccountLocked,
    InvalidInput,
    NotAllowed,
    NotFound,
    SignInFailed,
)
from nextcars_tui.domain.roles import Actor, Role, system_actor
from nextcars_tui.services.accounts import (
    SIGNED_OUT,
    disable_user,
    enable_user,
    require_enabled,
)
from nextcars_tui.services.auth import (
    ACCOUNT_DISABLED,
    SIGN_IN_FAILED,
    WRONG_CURRENT_PASSWORD,
    add_user,
    change_own_password,
    change_role,
    list_users,
    sign_in,
)

SYSTEM = system_actor("tests")


@pytest.fixture
def users(desk):
    """mia and max manage; sam is staff; dan drives DRV-02; cat is a customer (max_failures 3)."""
    add_user(desk, SYSTEM, "mia", "manager", "mia-password-1")
    add_user(desk, SYSTEM, "max", "manager", "max-password-1")
    add_user(desk, SYSTEM, "sam", "staff", "sam-password-1")
    add_user(desk, SYSTEM, "dan", "driver", "dan-password-1", link=code(2))
    add_user(desk, SYSTEM, "cat", "customer", "cat-password-1", link=email(3))
    return desk


def audit(desk, ref):
    with raw(desk) as db:
        return db.execute(
            "SELECT actor, action, detail FROM audit_entry WHERE ref = ? ORDER BY id", (ref,)
        ).fetchall()


def account(desk, username):
    with raw(desk) as db:
        return db.execute(
            "SELECT failed_sign_ins, locked_until, disabled_by, disabled_reason "
            "FROM app_user WHERE username = ?",
            (username,),
        ).fetchone()


def listed(desk):
    return {user.username: user for user in list_users(desk, SYSTEM)}


# --- disabling and enabling ---------------------------------------------------------------


def test_a_disabled_user_is_refused_only_after_the_right_password(users, clock):
    mia = sign_in(users, "mia", "mia-password-1")
    view = disable_user(users, mia, "sam", "  left the   company ")
    assert view.disabled and view.disabled_at == clock.moment
    assert (view.disabled_by, view.disabled_reason) == ("mia", "left the company")

    with pytest.raises(SignInFailed) as wrong:
        sign_in(users, "sam", "not-sams-password")
    assert wrong.value.message == SIGN_IN_FAILED
    with pytest.raises(AccountDisabled) as right:
        sign_in(users, "sam", "sam-password-1")
    assert right.value.message == ACCOUNT_DISABLED
    assert right.value.exit_code == 4
    # The wrong one counted toward the lock-out as any wrong password does; the right one
    # changed nothing but the audit log.
    assert account(users, "sam") == (1, None, "mia", "left the company")
    assert audit(users, "sam")[1:] == [
        ("mia", "user disabled", "left the company"),
        ("sam", "sign-in failed", "failure 1 of 3"),
        ("sam", "sign-in refused", "account disabled"),
    ]
    assert listed(users)["sam"].last_sign_in is None


def test_wrong_passwords_lock_a_disabled_account_as_any_other(users):
    disable_user(users, SYSTEM, "sam", "on leave")
    for attempt in range(2):
        with pytest.raises(SignInFailed):
            sign_in(users, "sam", f"wrong-{attempt}")
    with pytest.raises(SignInFailed, match="now locked for 15 minutes"):
        sign_in(users, "sam", "wrong-3")
    with pytest.raises(AccountLocked):
        sign_in(users, "sam", "sam-password-1")


def test_an_enabled_user_signs_in_again_with_their_password(users, clock):
    disable_user(users, SYSTEM, "dan", "licence suspended")
    view = enable_user(users, SYSTEM, "dan")
    assert not view.disabled
    assert (view.disabled_at, view.disabled_by, view.disabled_reason) == (None, None, None)
    clock.advance(minutes=5)
    actor = sign_in(users, "dan", "dan-password-1")
    assert actor.driver_id is not None
    assert listed(users)["dan"].last_sign_in == clock.moment
    assert audit(users, "dan")[1:] == [
        ("system:tests", "user disabled", "licence suspended"),
        ("system:tests", "user enabled", "disabled by system:tests: licence suspended"),
    ]


@pytest.mark.parametrize(
    ("username", "reason", "error", "message"),
    [
        ("nobody", "left", NotFound, "No user called nobody"),
        ("sam", None, InvalidInput, "Say why the account is disabled"),
        ("sam", "   ", InvalidInput, "Say why the account is disabled"),
        ("sam", "left\x1b[2J", InvalidInput, "control character"),
        ("sam", "x" * 501, InvalidInput, "too long"),
    ],
)
def test_a_refused_disable_writes_nothing(users, username, reason, error, message):
    before = snapshot(users)
    with pytest.raises(error, match=message):
        disable_user(users, SYSTEM, username, reason)
    assert snapshot(users) == before


def test_disabling_a_disabled_user_or_enabling_an_enabled_one_is_not_allowed(users):
    disable_user(users, SYSTEM, "cat", "closed her account")
    before = snapshot(users)
    with pytest.raises(NotAllowed, match=r"cat is already disabled \(closed her account\)"):
        disable_user(users, SYSTEM, "cat", "again")
    with pytest.raises(NotAllowed, match="sam is not disabled"):
        enable_user(users, SYSTEM, "sam")
    with pytest.raises(NotFound, match="No user called ghost"):
        enable_user(users, SYSTEM, "ghost")
    assert snapshot(users) == before


@pytest.mark.parametrize("role", [Role.STAFF, Role.DRIVER, Role.CUSTOMER])
def test_only_managers_close_and_reopen_accounts(users, role):
    someone = Actor("someone", role)
    with pytest.raises(NotAllowed, match="may not manage users"):
        disable_user(users, someone, "sam", "because")
    with pytest.raises(NotAllowed, match="may not manage users"):
        enable_user(users, someone, "sam")


def test_a_manager_cannot_disable_their_own_account(users):
    mia = sign_in(users, "mia", "mia-password-1")
    with pytest.raises(NotAllowed, match="your own account"):
        disable_user(users, mia, "mia", "going home")


# --- the last enabled manager ---------------------------------------------------------------


def test_the_last_enabled_manager_can_be_neither_disabled_nor_demoted(users):
    disable_user(users, SYSTEM, "max", "retired")
    before = snapshot(users)
    with pytest.raises(NotAllowed, match="mia is the last enabled manager") as disabling:
        disable_user(users, SYSTEM, "mia", "left")
    assert disabling.value.exit_code == 4
    with pytest.raises(NotAllowed, match="mia is the last enabled manager; making them a staff"):
        change_role(users, SYSTEM, "mia", "staff")
    assert snapshot(users) == before
    # Another manager, and mia may go.
    change_role(users, SYSTEM, "sam", "manager")
    assert change_role(users, SYSTEM, "mia", "staff").role == Role.STAFF
    # Now sam is the one: a disabled manager (max) does not count.
    with pytest.raises(NotAllowed, match="sam is the last enabled manager"):
        disable_user(users, SYSTEM, "sam", "left")


def test_a_manager_closed_meanwhile_cannot_close_another(users):
    mia = sign_in(users, "mia", "mia-password-1")
    max_ = sign_in(users, "max", "max-password-1")
    change_role(users, SYSTEM, "sam", "manager")
    disable_user(users, mia, "max", "left")
    with pytest.raises(AccountDisabled, match="signed you out"):
        disable_user(users, max_, "mia", "revenge")
    assert not listed(users)["mia"].disabled


# --- the desk's session -----------------------------------------------------------------------


def test_a_session_ends_when_its_account_is_disabled(users):
    sam = sign_in(users, "sam", "sam-password-1")
    require_enabled(users, sam)
    disable_user(users, SYSTEM, "sam", "left")
    with pytest.raises(AccountDisabled) as closed:
        require_enabled(users, sam)
    assert closed.value.message == SIGNED_OUT
    enable_user(users, SYSTEM, "sam")
    require_enabled(users, sam)
    # The system and actors without an account have no session to end.
    require_enabled(users, SYSTEM)
    require_enabled(users, Actor("nobody", Role.MANAGER))


# --- your own password ----------------------------------------------------------------------


@pytest.mark.parametrize("username", ["mia", "sam", "dan", "cat"])
def test_every_role_changes_its_own_password_current_first(users, username):
    actor = sign_in(users, username, f"{username}-password-1")
    change_own_password(users, actor, f"{username}-password-1", f"{username}-new-secret")
    assert sign_in(users, username, f"{username}-new-secret").username == username
    with pytest.raises(SignInFailed):
        sign_in(users, username, f"{username}-password-1")
    assert audit(users, username)[-2] == (username, "password changed", "")


def test_a_wrong_current_password_changes_nothing_and_counts_toward_the_lock(users):
    sam = sign_in(users, "sam", "sam-password-1")
    with pytest.raises(SignInFailed) as first:
        change_own_password(users, sam, "a-wrong-guess", "new-password-1")
    assert first.value.message == WRONG_CURRENT_PASSWORD
    with pytest.raises(SignInFailed, match="1 try left"):
        change_own_password(users, sam, "another-guess", "new-password-1")
    with pytest.raises(SignInFailed, match="now locked for 15 minutes"):
        change_own_password(users, sam, "a-third-guess", "new-password-1")
    with pytest.raises(AccountLocked):
        change_own_password(users, sam, "sam-password-1", "new-password-1")
    failures, locked_until, _by, _reason = account(users, "sam")
    assert failures == 0 and locked_until is not None
    assert audit(users, "sam")[-1] == ("sam", "password change failed", "locked for 15 minutes")
    with pytest.raises(AccountLocked):
        sign_in(users, "sam", "sam-password-1")


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("sam-password-1", "sam-password-1", "same as the current one"),
        ("sam-password-1", "short", "at least 8 characters"),
        ("sam-password-1", "new\x1bpassword", "new password contains a control character"),
        ("", "new-password-1", "current password first"),
    ],
)
def test_a_bad_new_password_is_refused_before_anything_is_checked(users, current, new, message):
    sam = sign_in(users, "sam", "sam-password-1")
    before = snapshot(users)
    with pytest.raises(InvalidInput, match=message):
        change_own_password(users, sam, current, new)
    assert snapshot(users) == before


def test_a_disabled_account_or_one_without_a_password_changes_none(users):
    sam = sign_in(users, "sam", "sam-password-1")
    disable_user(users, SYSTEM, "sam", "left")
    with pytest.raises(AccountDisabled):
        change_own_password(users, sam, "sam-password-1", "new-password-1")
    with pytest.raises(NotAllowed, match="Only a signed-in user"):
        change_own_password(users, SYSTEM, "whatever-1", "whatever-2")
