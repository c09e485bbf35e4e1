"""`nextcars db status|upgrade`, `nextcars backup` and how every other command treats a database
whose schema is not the program's: older, newer, or another application's."""

from __future__ import annotations

import json
import stat
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from nextcars_tui.store import open_database, schema
from tests import schemakit
from tests.cli.clikit import invoke

HEAD = schema.head()
SOON = (schemakit.TODAY + timedelta(days=400)).isoformat()

# Every command that works on the desk's data: each must refuse a schema not the program's.
DESK_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("init",),
    ("init", "--demo"),
    ("bookings",),
    ("bookings", "--json"),
    ("invoices",),
    (
        "book",
        "--customer",
        "ben.carter@example.com",
        "--car",
        "MA71 DPE",
        "--driver",
        "DRV-03",
        "--start",
        SOON,
        "--days",
        "2",
    ),
    ("confirm", "BK-000008"),
    ("cancel", "BK-000008", "--reason", "test"),
    ("checkout", "INV-000007", "--method", "card"),
    ("lifecycle",),
    ("user", "add", "newclerk", "--role", "staff", "--password-stdin"),
)


def execute(url: str, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def older(url: str) -> None:
    """The first release's desk: the pinned DDL on SQLite, revision 0001 on PostgreSQL."""
    path = schemakit.sqlite_file(url)
    if path is not None:
        schemakit.build_release1_desk(path)
    else:
        schemakit.migrate(url, schema.FIRST_REVISION)
        schemakit.fill_url(url)


def newer(url: str) -> None:
    """A desk written by a NextCars newer than this one."""
    schemakit.build_latest_with_rows(url)
    execute(url, "UPDATE alembic_version SET version_num = '9999'")


def foreign(url: str) -> None:
    """Another application's database (on SQLite in the default rollback journal mode)."""
    execute(
        url,
        "CREATE TABLE recipe (id INTEGER PRIMARY KEY, title VARCHAR(80) NOT NULL)",
        "INSERT INTO recipe (id, title) VALUES (1, 'Lentil soup'), (2, 'Flatbread')",
    )


def foreign_with_alembic(url: str) -> None:
    """Another application that keeps its schema with Alembic too."""
    foreign(url)
    execute(
        url,
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        "INSERT INTO alembic_version VALUES ('ae1027a6acf')",
    )


def run_refused(url: str, args: tuple[str, ...], says: str) -> None:
    before = schemakit.everything(url)
    result = invoke(*args, stdin="a-long-password-1\n")
    assert result.code == 1, (args, result)
    assert says in result.error_line, (args, result.error_line)
    assert "postgresql://" not in result.err
    assert schemakit.everything(url) == before, f"{args} changed the database"


# --- older: every command but `db` names the upgrade --------------------------------------------


def test_every_command_refuses_an_older_database_naming_the_upgrade(place, engine):
    url = place()
    older(url)
    for args in DESK_COMMANDS:
        run_refused(url, args, "nextcars db upgrade")
    # The first release kept no version table; on PostgreSQL the desk was built at 0001.
    expected = None if engine == "sqlite" else schema.FIRST_REVISION
    assert schemakit.version_of(url) == expected


def test_db_status_reports_an_older_database_and_leaves_it_alone(place, engine):
    url = place()
    older(url)
    before = schemakit.everything(url)
    result = invoke("db", "status")
    assert result.code == 0, result.err
    assert "Current revision: 0001 (older)" in result.out
    assert f"Latest revision:  {HEAD}" in result.out
    assert "nextcars db upgrade" in result.out
    assert schemakit.everything(url) == before


def test_db_upgrade_brings_an_older_database_to_the_latest_and_says_so(place, engine):
    url = place()
    older(url)
    rows_before = schemakit.rows(url)
    result = invoke("db", "upgrade")
    assert result.code == 0, result.err
    assert f"from 0001 to {HEAD}" in result.out
    path = schemakit.sqlite_file(url)
    if path is not None:
        backup = path.with_name(f"nextcars.db.before-{HEAD}.bak")
        assert f"Backup written before the upgrade: {backup}" in result.out
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
        assert schemakit.rows(f"sqlite:///{backup}") == rows_before
    else:
        assert "Backup" not in result.out
    after = schemakit.rows(url)
    assert after.pop("alembic_version") == [(HEAD,)]
    assert "payment" not in after
    kept = schemakit.as_they_were(after, rows_before)
    assert schemakit.without_ledger(kept) == schemakit.without_ledger(rows_before)
    # The old amounts and payments, now as each invoice's ledger entries.
    assert schemakit.invoice_figures(url) == schemakit.upgraded_figures()

    # Now every command works, and a second upgrade has nothing to do.
    listed = invoke("bookings", "--json")
    assert listed.code == 0, listed.err
    assert sorted(b["ref"] for b in json.loads(listed.out)) == list(schemakit.BOOKING_REFS)
    again = invoke("db", "upgrade")
    assert again.code == 0, again.err
    assert f"already at the latest revision, {HEAD}" in again.out
    assert "Backup" not in again.out
    status = invoke("db", "status")
    assert f"Current revision: {HEAD} (current)" in status.out


# --- newer, or not NextCars at all: refused untouched by everything ---------------------------


@pytest.mark.parametrize(
    ("build", "says"),
    [
        (newer, "newer NextCars (schema revision 9999"),
        (foreign, "tables of another application"),
        (foreign_with_alembic, "tables of another application"),
    ],
    ids=["newer", "foreign", "foreign-with-alembic"],
)
def test_a_newer_or_foreign_database_is_refused_untouched_by_every_command(
    place, engine, build, says
):
    url = place()
    build(url)
    for args in (*DESK_COMMANDS, ("db", "upgrade")):
        run_refused(url, args, says)
    # `db status` reports what it found and changes nothing either.
    before = schemakit.everything(url)
    status = invoke("db", "status")
    assert status.code == 0, status.err
    state = "newer" if build is newer else "foreign"
    assert f"({state})" in status.out
    assert schemakit.everything(url) == before


# --- new databases are made at the latest revision directly ----------------------------------


def test_init_creates_the_latest_schema_directly(place, engine):
    url = place()
    result = invoke("init")
    assert result.code == 0, result.err
    assert schemakit.version_of(url) == HEAD
    db = open_database(url)
    try:
        assert db.schema_state().kind == "current"
    finally:
        db.close()
    assert invoke("init").code == 0
    assert schemakit.version_of(url) == HEAD


def test_the_first_bare_nextcars_creates_the_latest_schema_with_the_demo(
    place, engine, monkeypatch
):
    from nextcars_tui.tui import app

    url = place()
    if engine == "sqlite":
        # No file yet: the first `nextcars` makes it.
        path = schemakit.sqlite_file(url)
        assert path is not None and not path.exists()
    opened: list[object] = []
    monkeypatch.setattr(app, "run_desk", opened.append)

    result = _invoke_with_terminal(monkeypatch)

    assert result.code == 0, result.err
    assert "with demo data" in result.out
    assert len(opened) == 1
    assert schemakit.version_of(url) == HEAD
    assert schemakit.rows(url)["booking"]


def _invoke_with_terminal(monkeypatch: pytest.MonkeyPatch):
    """invoke() replaces stdin and stdout; the desk wants both to be terminals."""
    import contextlib
    import io
    import sys

    from nextcars_tui.cli import main
    from tests.cli.clikit import CliResult

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out, err = Terminal(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", Terminal())
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([])
    return CliResult(code, out.getvalue(), err.getvalue())
