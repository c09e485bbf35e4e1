"""init, import, user add, settings and database problems through the CLI.

Tests that take `desk_files` run on both engines; the ones about SQLite's file (its mode, its
path, what the first bare `nextcars` creates) stay on SQLite.
"""

from __future__ import annotations

import contextlib
import io
import json
import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nextcars_tui.cli import commands, main
from nextcars_tui.config import DB_ENV, Settings, database_path, load_settings
from nextcars_tui.services import auth
from nextcars_tui.services.demo import DEMO_USERS
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import open_database
from nextcars_tui.store.schema import SchemaKind
from tests.cli.clikit import DeskFiles, cheap_hashing, invoke, read_only
from tests.cli.conftest import DemoTemplate
from tests.integration.rawdb import snapshot


def test_init_demo_prints_every_demo_sign_in_once(demo_template: DemoTemplate):
    output = demo_template.init_output.out
    assert "Demo data loaded: 25 cars, 12 drivers, 40 customers" in output
    for user in DEMO_USERS:
        assert user.username in output
        assert user.password in output


def test_init_is_idempotent_and_never_loads_the_demo_twice(desk_files: DeskFiles):
    before = desk_files.counts()
    plain = invoke("init")
    assert plain.code == 0, plain.err
    demo = invoke("init", "--demo")
    assert demo.code == 0, demo.err
    assert "already holds the demo data" in demo.out
    assert "manager-demo" not in demo.out
    assert desk_files.counts() == before


def test_init_creates_a_private_empty_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "new" / "desk.db"
    monkeypatch.setenv(DB_ENV, str(path))
    result = invoke("init")
    assert result.code == 0, result.err
    assert str(path) in result.out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    db = open_database(path, create=False)
    try:
        assert db.schema_state().kind == SchemaKind.CURRENT
    finally:
        db.close()


@pytest.mark.parametrize("args", [["bookings"], ["import", "cars", "x.csv"], ["worker"]])
def test_only_init_creates_the_database(tmp_path, monkeypatch, args):
    path = tmp_path / "typo.db"
    monkeypatch.setenv(DB_ENV, str(path))
    result = invoke(*args)
    assert result.code == 1
    assert "run 'nextcars init' first" in result.error_line
    assert not path.exists()


def test_opening_the_desk_without_a_terminal_is_refused_before_anything_is_created(
    tmp_path, monkeypatch
):
    path = tmp_path / "desk.db"
    monkeypatch.setenv(DB_ENV, str(path))
    result = invoke()
    assert result.code == 2
    assert "needs a terminal" in result.error_line
    assert not path.exists()


BOOKING = (
    "--customer",
    "ben.carter@example.com",
    "--car",
    "MA71 DPE",
    "--driver",
    "DRV-09",
    "--start",
    (datetime.now(UTC) + timedelta(days=2)).date().isoformat(),
    "--days",
    "2",
)


# --- settings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[business]\ncolour = "red"\n', "business.colour"),
        ("[lifecycle]\npending_ttl_hours = 0\n", "lifecycle.pending_ttl_hours"),
        ('[business]\ntime_zone = "Mars/Olympus"\n', "business.time_zone"),
        ("[sign_in\n", "not valid TOML"),
    ],
)
def test_a_bad_config_is_one_line_naming_the_key_and_exit_2(config_only, text, named):
    bad = config_only / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    for args in (["--config", str(bad), "bookings"], ["bookings", "--config", str(bad)]):
        result = invoke(*args)
        assert result.code == 2
        assert named in result.error_line


def test_a_missing_config_file_is_exit_2(config_only):
    result = invoke("--config", str(config_only / "absent.toml"), "bookings")
    assert result.code == 2
    assert "does not exist" in result.error_line


@pytest.mark.parametrize(
    "args",
    [["fly"], ["book", "--car", "AB21 CDE"], ["user"], ["import", "trucks", "x.csv"]],
)
def test_a_bad_command_line_is_one_error_line_and_exit_2(config_only, args):
    result = invoke(*args)
    assert result.code == 2
    assert "--help" in result.error_line


# --- database files ------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"name,plate\nnot a database\n", b"SQLite format 3\x00" + bytes(range(256)) * 16],
)
def test_a_corrupt_database_is_refused_and_left_untouched(tmp_path, monkeypatch, content):
    path = tmp_path / "desk.db"
    path.write_bytes(content)
    monkeypatch.setenv(DB_ENV, str(path))
    for args in (["init"], ["bookings", "--json"]):
        result = invoke(*args)
        assert result.code == 1
        assert str(path) in result.error_line
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk.db"]


def test_a_read_only_database_still_lists_but_refuses_changes(desk_files: DeskFiles):
    before = snapshot(desk_files.url)
    with read_only(desk_files):
        booked = invoke("book", *BOOKING)
        listed = invoke("invoices", "--json")
    assert snapshot(desk_files.url) == before
    assert booked.code == 1
    assert "read-only; nothing was saved" in booked.error_line
    assert listed.code == 0, listed.err
    assert len(json.loads(listed.out)) == desk_files.count("invoice")


def test_a_database_on_a_path_nobody_may_create_is_refused(monkeypatch: pytest.MonkeyPatch):
    # procfs refuses new files to every user, root included.
    monkeypatch.setenv(DB_ENV, "/proc/self/nextcars/desk.db")
    result = invoke("init")
    assert result.code == 1
    assert "Cannot create the folder for the database" in result.error_line


# --- import --------------------------------------------------------------------------

CARS_HEADER = "plate,make,model,seats,daily_rate\n"


def test_import_adds_and_updates_by_plate(desk_files: DeskFiles):
    csv_file = desk_files.folder / "cars.csv"
    csv_file.write_text(
        CARS_HEADER + "AB21 CDE,Mercedes-Benz,E-Class,4,150.00\nZX24 NEW,Skoda,Enyaq,5,99.5\n",
        encoding="utf-8",
    )
    cars = desk_files.count("car")
    result = invoke("import", "cars", str(csv_file))
    assert result.code == 0, result.err
    assert "1 added, 1 updated, 0 unchanged" in result.out
    assert desk_files.count("car") == cars + 1
    assert desk_files.rows(
        "SELECT plate, daily_rate_cents FROM car WHERE plate IN ('AB21 CDE', 'ZX24 NEW') "
        "ORDER BY plate"
    ) == [("AB21 CDE", 15_000), ("ZX24 NEW", 9_950)]


@pytest.mark.parametrize(
    ("body", "lines"),
    [
        (
            "plate,make,model,seats\nAB21 CDE,Mercedes,E,4\n",
            ["line 1: missing column(s) daily_rate"],
        ),
        ("KX24 ONE,Ford,Focus,5\nKX24 TWO,Ford,Focus\n", ["line 3: expected 5 values, found 3"]),
        ("KX24 ONE,Ford,Focus,5,-10.00\n", ["line 2: The daily rate cannot be negative"]),
        (
            "KX24 ONE,Ford,Focus,5,70\nkx24 one,Ford,Fiesta,5,60\n",
            ["line 3: plate KX24 ONE appears again (first on line 2)"],
        ),
        ("KX24 ONE,,Focus,5,70\n", ["line 2: The make cannot be empty"]),
        ("KX24 ONE,Ford," + "m" * 10_000 + ",5,70\n", ["line 2: The model is too long"]),
        (
            "KX24 ONE,Ford,Focus,five,70\nKX24 TWO,Ford,Focus,5,lots\nKX24 3,Ford,Focus,5,7\n",
            ["line 2: The seats must be a whole number", "line 3: The daily rate must be a number"],
        ),
    ],
)
def test_a_bad_csv_names_its_lines_and_imports_nothing(desk_files: DeskFiles, body, lines):
    csv_file = desk_files.folder / "cars.csv"
    header = "" if body.startswith("plate") else CARS_HEADER
    csv_file.write_text(header + body, encoding="utf-8")
    before = desk_files.counts()
    cars = desk_files.rows("SELECT * FROM car ORDER BY id")
    result = invoke("import", "cars", str(csv_file))
    assert result.code == 2
    line = result.error_line
    assert "cars.csv" in line
    for expected in lines:
        assert expected in line
    assert desk_files.counts() == before
    assert desk_files.rows("SELECT * FROM car ORDER BY id") == cars


def test_import_of_drivers_and_customers_and_a_missing_file(desk_files: DeskFiles):
    drivers = desk_files.folder / "drivers.csv"
    drivers.write_text("code,name,phone,daily_fee\nDRV-13,Ada Byron,+44 7700 900113,88\n")
    customers = desk_files.folder / "customers.csv"
    customers.write_text("name,email,phone\nAda,ADA@example.com,+44 20 7946 0999\n")
    assert invoke("import", "drivers", str(drivers)).code == 0
    assert invoke("import", "customers", str(customers)).code == 0
    assert desk_files.rows("SELECT daily_fee_cents FROM driver WHERE code = 'DRV-13'") == [(8800,)]
    assert desk_files.count("customer", "email = 'ada@example.com'") == 1
    missing = invoke("import", "cars", str(desk_files.folder / "absent.csv"))
    assert missing.code == 2
    assert "absent.csv" in missing.error_line


# --- users ---------------------------------------------------------------------------


def test_user_add_reads_the_password_from_stdin_and_never_prints_it(desk_files: DeskFiles):
    password = "correct horse battery"
    result = invoke(
        "user",
        "add",
        "Dora",
        "--role",
        "driver",
        "--link",
        "drv-10",
        "--password-stdin",
        stdin=password + "\n",
    )
    assert result.code == 0, result.err
    assert "Added driver user dora, linked to DRV-10." in result.out
    assert password not in result.out + result.err
    assert password not in repr(snapshot(desk_files.url))
    if desk_files.engine == "sqlite":  # nor in a freed page of the file
        assert password.encode() not in desk_files.db.read_bytes()
    desk = Desk(open_database(desk_files.url), load_settings(str(desk_files.config)))
    try:
        actor = auth.sign_in(desk, "dora", password)
    finally:
        desk.db.close()
    assert (actor.role, actor.driver_id) == ("driver", 10)


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["manager", "--role", "manager"], "another-password", 2, "already a user called manager"),
        (["eve", "--role", "staff"], "short", 2, "at least 8 characters"),
        (["eve", "--role", "pilot"], "long-enough-pw", 2, "Role must be one of"),
        (["eve", "--role", "driver"], "long-enough-pw", 2, "linked to a driver code"),
        (["eve", "--role", "driver", "--link", "DRV-77"], "long-enough-pw", 5, "DRV-77"),
        (["eve", "--role", "customer", "--link", "x@y.example"], "long-enough-pw", 5, "x@y"),
        (["Eve Smith", "--role", "staff"], "long-enough-pw", 2, "is not a username"),
    ],
)
def test_user_add_refusals_write_nothing(desk_files: DeskFiles, args, stdin, code, message):
    before = desk_files.counts()
    result = invoke("user", "add", *args, "--password-stdin", stdin=stdin + "\n")
    assert result.code == code
    assert message in result.error_line
    assert stdin not in result.err
    assert desk_files.counts() == before


def test_user_add_without_a_terminal_needs_password_stdin(desk_files: DeskFiles):
    result = invoke("user", "add", "eve", "--role", "staff", stdin="long-enough-pw\n")
    assert result.code == 2
    assert "--password-stdin" in result.error_line


# --- opening the desk, and failures nobody planned for ---------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_first_desk_creates_the_demo_and_shows_the_sign_ins(tmp_path, monkeypatch):
    import nextcars_tui.tui.app as tui_app

    opened: list[Settings] = []
    monkeypatch.setattr(tui_app, "run_desk", opened.append)
    path = tmp_path / "first.db"
    monkeypatch.setenv(DB_ENV, str(path))
    screens = []
    for _ in range(2):
        screen = Terminal()
        monkeypatch.setattr(sys, "stdin", Terminal())
        with contextlib.redirect_stdout(screen), cheap_hashing():
            assert main([]) == 0
        screens.append(screen.getvalue())
    first, second = screens
    assert f"Created SQLite database {path} with demo data." in first
    assert all(user.password in first for user in DEMO_USERS)
    assert second == ""
    assert len(opened) == 2
    assert database_path(opened[0]) == path


def test_interrupts_and_surprises_are_one_line_and_exit_1(config_only, monkeypatch):
    def interrupted(*_args: object) -> int:
        raise KeyboardInterrupt

    def broken(*_args: object) -> int:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(commands, "invoices", interrupted)
    result = invoke("invoices")
    assert (result.code, result.error_line) == (1, "error: interrupted")
    monkeypatch.setattr(commands, "invoices", broken)
    result = invoke("invoices")
    assert (result.code, result.error_line) == (
        1,
        "error: unexpected RuntimeError: boom second line",
    )
