"""Exit codes of refused input: every refusal of input is exit 2 with one `error:` line,
exit 1 is for the unexpected and never prints SQL or its parameters, odd database paths
open the file named, and a killed demo load leaves nothing half-done."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nextcars_tui.cli import main
from nextcars_tui.config import DB_ENV
from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.services import demo
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import open_database
from tests.cli.clikit import CliResult, DeskFiles, cheap_hashing, invoke
from tests.integration.rawdb import raw

START = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()


def book(**options: str) -> CliResult:
    values = {
        "customer": "ben.carter@example.com",
        "car": "MA71 DPE",
        "driver": "DRV-09",
        "start": START,
        "days": "2",
    } | options
    args = ["book"]
    for name, value in values.items():
        args += [f"--{name}", value]
    return invoke(*args)


# --- exit 2: every kind of bad value, one line, nothing written ---------------------------


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"days": "2.5"}, "whole number"),
        ({"days": "٣"}, "whole number"),
        ({"days": "9" * 400}, "whole number"),
        ({"start": "9999-12-31"}, "outside the calendar"),
        ({"start": "31/12/9999"}, "outside the calendar"),
        ({"start": "+999999"}, "too far ahead"),
        ({"start": "2062-01-01"}, "too far ahead"),
        ({"customer": "ben\x1b[2J@example.com"}, "control character"),
        ({"car": "MA71\x07DPE"}, "control character"),
    ],
)
def test_bad_values_are_exit_2_and_write_nothing(desk_files: DeskFiles, options, fragment):
    before = desk_files.counts()
    result = book(**options)
    assert result.code == 2, result.err
    assert fragment in result.error_line
    assert "\x1b" not in result.err and "\x07" not in result.err
    assert desk_files.counts() == before


@pytest.mark.parametrize("start", ["tomorrow", "+3"])
def test_relative_start_dates_book(desk_files: DeskFiles, start):
    result = book(start=start)
    assert result.code == 0, result.err


def test_a_plate_typed_without_its_space_finds_the_car(desk_files: DeskFiles):
    result = invoke(*_book_args(car="ma71dpe"), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["car"] == "MA71 DPE"


def _book_args(**options: str) -> list[str]:
    values = {
        "customer": "BEN.CARTER@example.com",
        "car": "MA71 DPE",
        "driver": "drv-09",
        "start": START,
        "days": "2",
    } | options
    args = ["book"]
    for name, value in values.items():
        args += [f"--{name}", value]
    return args


def test_a_comma_amount_in_an_import_is_exit_2_naming_the_line(desk_files: DeskFiles):
    csv_file = desk_files.folder / "cars.csv"
    csv_file.write_text('plate,make,model,seats,daily_rate\nZZ99 ZZZ,Ford,Ka,4,"89,50"\n')
    before = desk_files.counts()
    result = invoke("import", "cars", str(csv_file))
    assert result.code == 2
    assert "line 2: The daily rate has a comma" in result.error_line
    assert desk_files.counts() == before


def _invoke_with_stdin_bytes(data: bytes, *args: str) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        patch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        code = main(list(args))
    return CliResult(code, out.getvalue(), err.getvalue())


def test_a_password_on_stdin_that_is_not_utf8_is_exit_2(desk_files: DeskFiles):
    before = desk_files.counts()
    result = _invoke_with_stdin_bytes(
        b"caf\xe9-password\n", "user", "add", "eve", "--role", "staff", "--password-stdin"
    )
    assert result.code == 2
    assert "not valid UTF-8" in result.error_line
    assert desk_files.counts() == before


def test_a_password_with_an_escape_sequence_is_exit_2(desk_files: DeskFiles):
    result = invoke(
        "user", "add", "eve", "--role", "staff", "--password-stdin", stdin="pass\x1b[2Jword\n"
    )
    assert result.code == 2
    assert "control character" in result.error_line


def test_a_config_file_that_is_not_utf8_is_exit_2(config_only: Path):
    bad = config_only / "latin1.toml"
    bad.write_bytes(b'[business]\ncurrency = "\xa3"\n')
    result = invoke("--config", str(bad), "bookings")
    assert result.code == 2
    assert "not valid UTF-8" in result.error_line


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[business]\ndate_order = "YDM"\n', "business.date_order"),
        ('[business]\nphone_region = "XX"\n', "business.phone_region"),
        ("[business]\nbooking_horizon_days = 0\n", "business.booking_horizon_days"),
    ],
)
def test_new_business_settings_are_checked(config_only: Path, text, named):
    bad = config_only / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    result = invoke("--config", str(bad), "bookings")
    assert result.code == 2
    assert named in result.error_line


# --- exit 1: never the statement or its parameters ----------------------------------------


def _refuse_new_users(url: str) -> None:
    """A trigger no NextCars error knows: inserting a user fails in an unplanned way."""
    with raw(url) as connection:
        if connection.dialect == "postgresql":
            connection.execute(
                "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused by a test trigger' "
                "USING DETAIL = 'row ' || NEW.password_hash; END $$"
            )
            connection.execute(
                "CREATE TRIGGER test_refuse BEFORE INSERT ON app_user "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse()"
            )
        else:
            connection.execute(
                "CREATE TRIGGER test_refuse BEFORE INSERT ON app_user "
                "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"
            )


def test_an_unexpected_failure_never_prints_sql_or_its_parameters(desk_files: DeskFiles):
    _refuse_new_users(desk_files.url)
    result = invoke(
        "user", "add", "eve", "--role", "staff", "--password-stdin", stdin="eve-password-1\n"
    )
    assert result.code == 1
    line = result.error_line
    assert "refused by a test trigger" in line
    for leaked in ("$argon2", "INSERT", "parameters", "app_user (", "eve-password"):
        assert leaked not in line


# --- the database file is exactly the one named ---------------------------------------------


@pytest.mark.parametrize("name", ["desk?mode=memory.db", "100% desk.db", "my desk %20.db"])
def test_a_database_path_with_odd_characters_is_the_file_named(tmp_path, monkeypatch, name):
    path = tmp_path / name
    monkeypatch.setenv(DB_ENV, str(path))
    result = invoke("init")
    assert result.code == 0, result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"SQLite format 3")
    csv_file = tmp_path.parent / f"{tmp_path.name}-cars.csv"
    csv_file.write_text("plate,make,model,seats,daily_rate\nAB12 CDE,Ford,Ka,4,50\n")
    assert invoke("import", "cars", str(csv_file)).code == 0
    with contextlib.closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT plate FROM car").fetchall() == [("AB12 CDE",)]


# --- init --demo is all or nothing -------------------------------------------------------


class Killed(BaseException):
    """Stands in for SIGKILL half-way: nothing after it runs, not even `except Exception`."""


def test_a_demo_load_killed_half_way_leaves_nothing_and_a_retry_finishes(tmp_path, monkeypatch):
    path = tmp_path / "desk.db"
    monkeypatch.setenv(DB_ENV, str(path))
    real_book = demo.booking.book
    made: list[str] = []

    def book_then_die(*args, **kwargs):
        if len(made) == 10:
            raise Killed
        view = real_book(*args, **kwargs)
        made.append(view.ref)
        return view

    monkeypatch.setattr(demo.booking, "book", book_then_die)
    with cheap_hashing(), pytest.raises(Killed):
        main(["init", "--demo"])
    with raw(path) as connection:
        for table in ("car", "booking", "app_user", "audit_entry"):
            assert connection.execute(f"SELECT count(*) FROM {table}").fetchall() == [(0,)]
    monkeypatch.setattr(demo.booking, "book", real_book)
    with cheap_hashing():
        retry = invoke("init", "--demo")
    assert retry.code == 0, retry.err
    assert "Demo data loaded: 25 cars" in retry.out
    db = open_database(path, create=False)
    try:
        assert demo.is_demo(Desk(db, _settings()))
    finally:
        db.close()


def _settings():
    from nextcars_tui.config import load_settings

    return load_settings()


def test_a_half_demo_from_an_older_version_says_what_to_do(tmp_path, monkeypatch):
    path = tmp_path / "desk.db"
    monkeypatch.setenv(DB_ENV, str(path))
    assert invoke("init").code == 0
    csv_file = tmp_path / "cars.csv"
    csv_file.write_text("plate,make,model,seats,daily_rate\nAB12 CDE,Ford,Ka,4,50\n")
    assert invoke("import", "cars", str(csv_file)).code == 0
    with raw(path) as connection:
        connection.execute("INSERT INTO desk_setting (key, value) VALUES ('demo', 'loading')")
    result = invoke("init", "--demo")
    assert result.code == 2
    assert "remove that database" in result.error_line


def test_the_first_bare_desk_killed_while_making_the_demo_leaves_no_database(tmp_path, monkeypatch):
    import nextcars_tui.tui.app as tui_app

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(tui_app, "run_desk", lambda _settings: None)
    path = tmp_path / "first.db"
    monkeypatch.setenv(DB_ENV, str(path))
    monkeypatch.setattr(sys, "stdin", Terminal())

    def die(*_args, **_kwargs):
        raise Killed

    monkeypatch.setattr(demo, "run_lifecycle", die)
    with contextlib.redirect_stdout(Terminal()), cheap_hashing(), pytest.raises(Killed):
        main([])
    assert not path.exists()
    monkeypatch.undo()
    monkeypatch.setattr(tui_app, "run_desk", lambda _settings: None)
    monkeypatch.setenv(DB_ENV, str(path))
    monkeypatch.setattr(sys, "stdin", Terminal())
    screen = Terminal()
    with contextlib.redirect_stdout(screen), cheap_hashing():
        assert main([]) == 0
    assert "with demo data" in screen.getvalue()
    assert [p.name for p in tmp_path.iterdir()] == ["first.db"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_invalid_input_is_always_exit_2():
    assert InvalidInput("x").exit_code == 2
