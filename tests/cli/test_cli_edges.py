"""Exit codes and files at the edges: a change into the past is invalid input like a booking;
blocks obey the date rules; `db status` only looks; a `db upgrade` that cannot write leaves
nothing behind. On each engine where the engine matters."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from nextcars_tui.store import schema
from tests import schemakit
from tests.cli.clikit import DeskFiles, invoke, read_only, write_config
from tests.cli.test_cli_changes import CAR, DRIVER, book, day, refused, today
from tests.cli.test_cli_db import older
from tests.integration.rawdb import snapshot

HEAD = schema.head()


# --- change --start: the rule of every booking's start, exit 2 like `book` --------------------


def test_a_change_into_the_past_is_exit_2_like_a_booking(desk_files: DeskFiles):
    made = book(10)
    line = refused(desk_files, 2, "change", made["ref"], "--start", day(-1))
    assert "in the past" in line
    booked = refused(
        desk_files,
        2,
        *("book", "--customer", "ben.carter@example.com", "--car", CAR, "--driver", DRIVER),
        *("--start", day(-1), "--days", "1"),
    )
    assert "in the past" in booked


def test_a_change_beyond_the_horizon_is_exit_2(desk_files: DeskFiles):
    made = book(10)
    line = refused(desk_files, 2, "change", made["ref"], "--start", day(731))
    assert "too far ahead" in line


# --- blocks obey the date rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "fragment"),
    [
        ("2020-06-01", "3", "block's start date 01 Jun 2020 is in the past"),
        (day(-1), "1", "is in the past"),
        (day(2900), "3", "too far ahead: a block starts at most 730 days ahead"),
        (day(10), "3650", "A block lasts at most 365 days, got 3650"),
        (day(10), "366", "A block lasts at most 365 days"),
        ("3000-01-01", "3", "outside the calendar"),
    ],
)
def test_blocks_obey_the_date_rules_exit_2_saying_block(
    desk_files: DeskFiles, start, days, fragment
):
    line = refused(
        desk_files, 2, "block", "car", CAR, "--start", start, "--days", days, "--reason", "MOT"
    )
    assert fragment in line
    assert "rental" not in line


def test_a_block_may_last_business_max_block_days(desk_files: DeskFiles):
    config = desk_files.config
    config.write_text(config.read_text() + "max_block_days = 20\n")
    line = refused(
        desk_files, 2, "block", "car", CAR, "--start", day(5), "--days", "21", "--reason", "MOT"
    )
    assert "A block lasts at most 20 days" in line
    done = invoke(
        "block", "car", CAR, "--start", day(5), "--days", "20", "--reason", "MOT", "--json"
    )
    assert done.code == 0, done.err


def test_block_lists_show_the_year_when_it_is_not_this_one(desk_files: DeskFiles):
    this_year = today().year
    next_year = date(this_year + 1, 3, 10)
    if (next_year - today()).days > 730:
        pytest.skip("unreachable")  # never: 10 March next year is within 2 years of today
    later = invoke(
        "block",
        "driver",
        DRIVER,
        "--start",
        next_year.isoformat(),
        "--days",
        "3",
        "--reason",
        "Leave",
    )
    assert later.code == 0, later.err
    assert f"10–12 Mar {next_year.year} (3 day(s))" in later.out
    soon = today() + timedelta(days=3)
    made = invoke(
        "block", "car", CAR, "--start", soon.isoformat(), "--days", "1", "--reason", "MOT"
    )
    assert made.code == 0, made.err
    listed = invoke("blocks").out
    assert f"10–12 Mar {next_year.year}" in listed
    shown_soon = f"{soon.day} {soon:%b}" + ("" if soon.year == this_year else f" {soon.year}")
    assert shown_soon in listed
    assert f"{soon.day} {soon:%b} {this_year}" not in listed


# --- db status only looks ----------------------------------------------------------------------


def files_beside(path: Path) -> dict[str, tuple[int, int]]:
    """The database's folder: each file's size and modification time."""
    return {
        entry.name: (entry.stat().st_size, entry.stat().st_mtime_ns)
        for entry in path.parent.iterdir()
    }


@pytest.mark.sqlite_only
def test_db_status_of_a_zero_byte_file_leaves_it_zero_bytes(tmp_path: Path, monkeypatch):
    database = tmp_path / "nextcars.db"
    database.touch()
    monkeypatch.setenv("NEXTCARS_CONFIG", str(write_config(tmp_path, "sqlite:///nextcars.db")))
    before = files_beside(database)
    result = invoke("db", "status")
    assert result.code == 0, result.err
    assert "(empty)" in result.out
    assert files_beside(database) == before
    assert database.stat().st_size == 0


@pytest.mark.sqlite_only
def test_db_status_creates_and_changes_no_file_beside_a_desk(desk_files: DeskFiles):
    before = files_beside(desk_files.db)
    assert sorted(before) == ["nextcars.db", "nextcars.toml"], "no desk has it open"
    result = invoke("db", "status")
    assert result.code == 0, result.err
    assert f"Current revision: {HEAD} (current)" in result.out
    assert files_beside(desk_files.db) == before


def test_db_status_reads_a_read_only_database(desk_files: DeskFiles):
    before = snapshot(desk_files.url)
    with read_only(desk_files):
        result = invoke("db", "status")
    assert result.code == 0, result.err
    assert f"Current revision: {HEAD} (current)" in result.out
    assert snapshot(desk_files.url) == before


# --- db upgrade that cannot write leaves nothing behind ----------------------------------------


def test_a_db_upgrade_that_cannot_write_leaves_no_backup(place, engine, tmp_path):
    url = place()
    older(url)
    files = DeskFiles(tmp_path, write_config(tmp_path, url), url)
    before = schemakit.rows(url)
    listed = sorted(os.listdir(tmp_path))
    with read_only(files):
        result = invoke("db", "upgrade")
    assert result.code == 1, result
    assert "read-only" in result.error_line
    assert "nothing was saved" in result.error_line
    # SQLite's own -wal and -shm stay beside a read-only file any desk has read (SQLite
    # cannot fold them back in); nothing of the upgrade's does: no backup, no part of one.
    left = sorted(set(os.listdir(tmp_path)) - {"nextcars.db-wal", "nextcars.db-shm"})
    assert left == listed, "a backup (or part of one) was left"
    assert schemakit.rows(url) == before
