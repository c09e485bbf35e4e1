"""Database URLs that cannot be used: a PostgreSQL server that cannot be reached, refuses the
password or lacks the database, a database of another application, a scheme we do not speak.

Every one is a single `error:` line naming what was tried (host, port, database, or the
setting) and never the password, and nothing is created or changed anywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from nextcars_tui.config import CONFIG_ENV, DB_ENV
from tests.cli.clikit import PASSWORD, CliResult, invoke, postgres_url, write_config
from tests.integration.rawdb import snapshot
from tests.pgserver import PgServer, free_port


@pytest.fixture
def settings_folder(tmp_path: Path) -> Iterator[Path]:
    """A valid nextcars.toml; each test points NEXTCARS_DB elsewhere, as an admin would.
    No password reaches libpq from the environment or a ~/.pgpass here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(write_config(tmp_path)))
        patch.delenv(DB_ENV, raising=False)
        patch.delenv("PGPASSWORD", raising=False)
        patch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
        yield tmp_path


# Commands that open the database in different ways: create it, read it, its schema, a copy.
def _commands(folder: Path) -> list[list[str]]:
    return [
        ["init", "--demo"],
        ["bookings", "--json"],
        ["db", "status"],
        ["backup", str(folder / "copy.dump")],
    ]


def assert_refused(result: CliResult, *fragments: str) -> str:
    assert result.code == 1, result.err
    assert result.out == ""
    line = result.error_line
    for fragment in fragments:
        assert fragment in line, line
    assert PASSWORD not in result.out + result.err
    return line


def _database_exists(server: PgServer, name: str) -> bool:
    with server.connect() as conn:
        return bool(
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        )


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("wrong port", "no server is answering there"),
        ("wrong password", "the password was refused"),
        ("no password", "the server wants a password and none was given"),
        ("missing database", "that database does not exist"),
    ],
)
def test_a_database_that_cannot_be_reached_is_one_line_naming_host_port_and_database(
    pg_server: PgServer,
    pg_database: str,
    password_role: str,
    settings_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    reason: str,
):
    port, database, password = pg_server.port, pg_database, PASSWORD
    if case == "wrong port":
        port = free_port()
    elif case == "wrong password":
        password = "not-" + PASSWORD  # contains the real one, so a leak of either shows
    elif case == "no password":
        password = None
    else:
        database = f"absent_{uuid.uuid4().hex[:8]}"
    url = f"postgresql://{password_role}{'' if password is None else ':' + password}"
    url += f"@127.0.0.1:{port}/{database}"
    monkeypatch.setenv(DB_ENV, url)
    before = snapshot(pg_server.url(pg_database))
    for args in _commands(settings_folder):
        assert_refused(
            invoke(*args), f"PostgreSQL database {database} on 127.0.0.1:{port}: {reason}"
        )
    assert not (settings_folder / "copy.dump").exists()
    assert snapshot(pg_server.url(pg_database)) == before == {}
    if case == "missing database":
        assert not _database_exists(pg_server, database)


def test_the_right_password_opens_the_desk(
    pg_server: PgServer, pg_database: str, password_role: str, settings_folder: Path
):
    """The other side of the refusals above: the same URL with the right password works
    (on a database the role owns, as `createdb --owner` makes it)."""
    with pg_server.connect() as conn:
        conn.execute(f'ALTER DATABASE "{pg_database}" OWNER TO {password_role}')
    url = postgres_url(pg_server, pg_database, PASSWORD, user=password_role)
    write_config(settings_folder, url)
    created = invoke("init")
    assert created.code == 0, created.err
    assert f"PostgreSQL database {pg_database} on 127.0.0.1:{pg_server.port}" in created.out
    listed = invoke("bookings", "--json")
    assert (listed.code, listed.out.strip()) == (0, "[]"), listed.err
    assert PASSWORD not in created.out + created.err + listed.out + listed.err


def test_a_stopped_server_is_one_line(
    pg_server: PgServer, settings_folder: Path, monkeypatch: pytest.MonkeyPatch
):
    """A server that was there and is down (not a typo in the port); a server of its own,
    since the shared one stays up for the other tests."""
    server = PgServer(pg_server.programs).start()
    try:
        server.create_database("desk")
        url = f"postgresql://{server.user}:{PASSWORD}@127.0.0.1:{server.port}/desk"
        server.pause()
        monkeypatch.setenv(DB_ENV, url)
        for args in _commands(settings_folder):
            assert_refused(
                invoke(*args),
                f"PostgreSQL database desk on 127.0.0.1:{server.port}",
                "no server is answering there (is it running?)",
            )
    finally:
        server.stop()


FOREIGN_TABLES = (
    "CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL)",
    "CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers)",
    "INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace')",
    "INSERT INTO orders VALUES (10, 1), (11, 2)",
)


def test_a_database_of_another_application_is_refused_untouched(
    pg_server: PgServer, pg_database: str, settings_folder: Path, monkeypatch: pytest.MonkeyPatch
):
    with pg_server.connect(pg_database) as conn:
        for statement in FOREIGN_TABLES:
            conn.execute(statement)
    before = snapshot(pg_server.url(pg_database))
    monkeypatch.setenv(DB_ENV, postgres_url(pg_server, pg_database))
    for args in (["init"], ["init", "--demo"], ["bookings"], ["db", "upgrade"]):
        assert_refused(
            invoke(*args),
            f"PostgreSQL database {pg_database} on 127.0.0.1:{pg_server.port}",
            "holds tables of another application; it was left untouched",
        )
    assert snapshot(pg_server.url(pg_database)) == before
    with pg_server.connect(pg_database) as conn:
        extensions = conn.execute("SELECT extname FROM pg_extension ORDER BY 1").fetchall()
    assert extensions == [("plpgsql",)]


def test_only_init_makes_an_empty_database_a_desk(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest, settings_folder: Path
):
    """An empty database (a new server database, or a file someone touched) is not quietly
    turned into a desk by a script's `book` or `import`: only `init` creates the schema."""
    if engine == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")
        url = postgres_url(server, request.getfixturevalue("pg_database"))
    else:
        empty = tmp_path / "empty.db"
        empty.touch()
        url = f"sqlite:///{empty}"
    write_config(settings_folder, url)
    for args in (["bookings"], ["import", "cars", str(tmp_path / "cars.csv")], ["worker"]):
        assert_refused(invoke(*args), "holds no NextCars tables yet; run 'nextcars init' first")
        assert snapshot(url) == {}
    assert invoke("init").code == 0
    listed = invoke("bookings", "--json")
    assert (listed.code, listed.out.strip()) == (0, "[]"), listed.err


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"mysql://clerk:{PASSWORD}@db.example.com/nextcars", "mysql://clerk:***@db.example.com"),
        (f"postgresql://clerk:{PASSWORD}@db.example.com:5432/", "names no database"),
        (f"postgresql://clerk@db.example.com/?password={PASSWORD}", "?password=***"),
        # Malformed: a port that is no number, or no port at all; nothing is connected to.
        (f"postgresql://clerk:{PASSWORD}@db.example.com:54x2/nextcars", "port must be a number"),
        (f"postgresql://clerk:{PASSWORD}@db.example.com:70000/nextcars", "clerk:***@"),
        (f"postgresql://clerk@db/nextcars?port=five&password={PASSWORD}", "password=***"),
        (f"postgresql://clerk:{PASSWORD}@[db.example.com/nextcars", "is not a valid URL"),
    ],
)
def test_a_url_we_cannot_use_names_the_setting_without_the_password(
    settings_folder: Path, monkeypatch: pytest.MonkeyPatch, url: str, shown: str
):
    monkeypatch.setenv(DB_ENV, url)
    from_variable = invoke("bookings")
    write_config(settings_folder, url)
    monkeypatch.delenv(DB_ENV)
    from_file = invoke("bookings")
    for result, setting in ((from_variable, DB_ENV), (from_file, "database.url")):
        assert result.code == 2
        line = result.error_line
        assert f"setting '{setting}'" in line
        assert shown in line
        assert PASSWORD not in result.out + result.err
