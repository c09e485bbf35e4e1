"""`nextcars user disable|enable|list|passwd` on the demo desk, on both engines: the JSON keys,
the exit codes and the audit log of the contract."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from nextcars_tui.config import load_settings
from nextcars_tui.domain.errors import AccountDisabled, SignInFailed
from nextcars_tui.services import auth
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import open_database
from tests.cli.clikit import DeskFiles, invoke
from tests.integration.rawdb import raw, snapshot

USER_KEYS = {"username", "role", "link", "disabled", "last_sign_in", "locked_until"}


@pytest.fixture
def desk(desk_files: DeskFiles) -> Iterator[Desk]:
    """The same database as another terminal opens it, for signing in."""
    opened = Desk(open_database(desk_files.url), load_settings(str(desk_files.config)))
    yield opened
    opened.db.close()


def users_json() -> dict[str, dict[str, object]]:
    result = invoke("user", "list", "--json")
    assert result.code == 0, result.err
    listed = json.loads(result.out)
    assert isinstance(listed, list)
    return {user["username"]: user for user in listed}


def audit(files: DeskFiles, ref: str) -> list[tuple[object, ...]]:
    return files.rows(
        "SELECT actor, action, detail FROM audit_entry WHERE ref = ? ORDER BY id", ref
    )


def refused(code: int, *args: str, stdin: str = "") -> str:
    result = invoke(*args, stdin=stdin)
    assert result.code == code, (result.code, result.out, result.err)
    assert result.out == ""
    return result.error_line


def test_user_list_json_has_exactly_the_contracts_keys(desk_files: DeskFiles):
    users = users_json()
    assert list(users) == sorted(users)
    assert set(users) == {"customer", "driver1", "driver2", "manager", "staff", "staff2"}
    assert all(set(user) == USER_KEYS for user in users.values())
    assert users["driver1"] == {
        "username": "driver1",
        "role": "driver",
        "link": "DRV-01",
        "disabled": False,
        "last_sign_in": None,
        "locked_until": None,
    }
    assert users["customer"]["link"] == "alice.morgan@example.com"
    assert (users["manager"]["role"], users["manager"]["link"]) == ("manager", None)
    assert users["staff2"]["role"] == "staff"


def test_disable_then_enable_through_the_cli(desk_files: DeskFiles, desk: Desk):
    done = invoke("user", "disable", "Staff2", "--reason", "left the company")
    assert done.code == 0, done.err
    assert "Disabled staff user staff2 (left the company)" in done.out
    assert users_json()["staff2"]["disabled"] is True
    with pytest.raises(SignInFailed):
        auth.sign_in(desk, "staff2", "not-the-password")
    with pytest.raises(AccountDisabled):
        auth.sign_in(desk, "staff2", "staff2-demo")
    table = invoke("user", "list")
    assert table.code == 0, table.err
    assert "by system:cli: left the company" in table.out

    again = invoke("user", "enable", "staff2")
    assert again.code == 0, again.err
    assert "Enabled staff user staff2" in again.out
    assert users_json()["staff2"]["disabled"] is False
    assert auth.sign_in(desk, "staff2", "staff2-demo").username == "staff2"
    assert audit(desk_files, "staff2")[-4:] == [
        ("system:cli", "user disabled", "left the company"),
        ("staff2", "sign-in failed", "failure 1 of 5"),
        ("staff2", "sign-in refused", "account disabled"),
        ("system:cli", "user enabled", "disabled by system:cli: left the company"),
    ]


@pytest.mark.parametrize(
    ("code", "args", "stdin", "message"),
    [
        (5, ("user", "disable", "ghost", "--reason", "left"), "", "No user called ghost"),
        (5, ("user", "enable", "ghost"), "", "No user called ghost"),
        (5, ("user", "passwd", "ghost", "--password-stdin"), "long-enough-1\n", "No user called"),
        (2, ("user", "disable", "staff"), "", "Say why the account is disabled (--reason)"),
        (2, ("user", "disable", "staff", "--reason", " "), "", "Say why the account is disabled"),
        (2, ("user", "disable", "staff", "--reason", "a\x1b[2Jb"), "", "control character"),
        (4, ("user", "enable", "staff"), "", "staff is not disabled"),
        (4, ("user", "disable", "manager", "--reason", "left"), "", "last enabled manager"),
        (2, ("user", "passwd", "staff", "--password-stdin"), "short\n", "at least 8 characters"),
        (2, ("user", "passwd", "staff"), "long-enough-1\n", "--password-stdin"),
        (2, ("user", "list", "--csv"), "", "unrecognized arguments"),
    ],
)
def test_refusals_are_one_line_with_their_exit_code_and_write_nothing(
    desk_files: DeskFiles, code, args, stdin, message
):
    before = snapshot(desk_files.url)
    assert message in refused(code, *args, stdin=stdin)
    assert snapshot(desk_files.url) == before


def test_disabling_a_disabled_user_is_exit_4_and_changes_nothing(desk_files: DeskFiles):
    assert invoke("user", "disable", "driver2", "--reason", "licence expired").code == 0
    before = snapshot(desk_files.url)
    line = refused(4, "user", "disable", "driver2", "--reason", "again")
    assert "driver2 is already disabled (licence expired)" in line
    assert snapshot(desk_files.url) == before


def test_passwd_sets_the_password_clears_the_lock_and_never_prints_it(
    desk_files: DeskFiles, desk: Desk
):
    for attempt in range(5):
        with pytest.raises(SignInFailed):
            auth.sign_in(desk, "staff", f"wrong-{attempt}")
    locked_until = users_json()["staff"]["locked_until"]
    assert isinstance(locked_until, str)
    lock = datetime.fromisoformat(locked_until)
    assert lock.utcoffset() is not None
    assert timedelta(minutes=14) < lock - datetime.now(UTC) <= timedelta(minutes=15)

    secret = "a brand new secret"
    result = invoke("user", "passwd", "staff", "--password-stdin", stdin=secret + "\n")
    assert result.code == 0, result.err
    assert "Password of staff set; failed sign-ins and any lock cleared." in result.out
    assert secret not in result.out + result.err
    assert secret not in repr(snapshot(desk_files.url))
    assert users_json()["staff"]["locked_until"] is None
    assert auth.sign_in(desk, "staff", secret).username == "staff"
    with pytest.raises(SignInFailed):
        auth.sign_in(desk, "staff", "staff-demo")
    assert ("system:cli", "password reset", "") in audit(desk_files, "staff")


def test_last_sign_in_is_an_iso_moment(desk_files: DeskFiles, desk: Desk):
    before = datetime.now(UTC).replace(microsecond=0)
    auth.sign_in(desk, "driver1", "driver1-demo")
    after = datetime.now(UTC)
    last = users_json()["driver1"]["last_sign_in"]
    assert isinstance(last, str)
    moment = datetime.fromisoformat(last)
    assert moment.utcoffset() is not None
    assert before <= moment <= after
    assert users_json()["manager"]["last_sign_in"] is None


def test_a_lock_that_has_run_out_is_listed_as_none(desk_files: DeskFiles):
    ran_out = datetime.now(UTC) - timedelta(minutes=1)
    with raw(desk_files.url) as connection:
        connection.execute(
            "UPDATE app_user SET locked_until = ? WHERE username = 'staff2'",
            (ran_out.strftime("%Y-%m-%d %H:%M:%S.%f"),),
        )
    assert users_json()["staff2"]["locked_until"] is None
