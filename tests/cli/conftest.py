"""Fixtures for CLI tests: a demo desk on each engine, built once and copied per test.

A test that takes `desk_files` runs once per engine (tests/pgfixtures.py): on SQLite a copy of
a demo file, on PostgreSQL a new database made from a demo template database on the test
server. Either way the desk is selected the way a user selects it, through nextcars.toml's
database.url, and the demo was built by `nextcars init --demo` itself.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from nextcars_tui.config import CONFIG_ENV, DB_ENV
from tests.cli.clikit import (
    PASSWORD,
    CliResult,
    DeskFiles,
    invoke,
    low_cost_config,
    postgres_url,
    write_config,
)
from tests.pgserver import PgServer


@dataclass(frozen=True)
class DemoTemplate:
    # sqlite:///FILE, or the PostgreSQL template database's URL
    url: str
    init_output: CliResult
    # The template database on the test server (None on SQLite).
    database: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.url.removeprefix("sqlite:///"))


def _init_demo(folder: Path, database_url: str | None) -> CliResult:
    """`nextcars init --demo` through the CLI on today's real clock; NEXTCARS_DB, when
    given, overrides the config file's database as it does for a user."""
    config = write_config(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(config))
        if database_url is None:
            patch.delenv(DB_ENV, raising=False)
        else:
            patch.setenv(DB_ENV, database_url)
        result = invoke("init", "--demo")
    assert result.code == 0, result.err
    return result


@pytest.fixture(scope="session")
def sqlite_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    folder = tmp_path_factory.mktemp("demo-template")
    result = _init_demo(folder, None)
    # The last connection closed, so the WAL was checkpointed into the file and removed.
    assert not (folder / "nextcars.db-wal").exists()
    return DemoTemplate(f"sqlite:///{folder / 'nextcars.db'}", result)


@pytest.fixture(scope="session")
def postgres_demo(pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """The demo in an empty database a DBA made, then used as the template of every test's
    database (CREATE DATABASE ... TEMPLATE copies it in a fraction of the build time)."""
    database = pg_server.create_database(f"cli_demo_{uuid.uuid4().hex[:8]}")
    url = postgres_url(pg_server, database)
    result = _init_demo(tmp_path_factory.mktemp("pg-demo-template"), url)
    return DemoTemplate(url, result, database)


@pytest.fixture
def demo_template(engine: str, request: pytest.FixtureRequest) -> DemoTemplate:
    """This run's engine's demo template."""
    name = "postgres_demo" if engine == "postgresql" else "sqlite_demo"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def desk_files(
    tmp_path: Path, engine: str, demo_template: DemoTemplate, request: pytest.FixtureRequest
) -> Iterator[DeskFiles]:
    """A private copy of the demo desk, selected through NEXTCARS_CONFIG like a user would."""
    server: PgServer | None = None
    if engine == "postgresql":
        server = request.getfixturevalue("pg_server")
        database = server.create_database(
            f"cli_{uuid.uuid4().hex[:12]}", template=demo_template.database
        )
        url = config_url = postgres_url(server, database)
    else:
        shutil.copy(demo_template.path, tmp_path / "nextcars.db")
        url, config_url = f"sqlite:///{tmp_path / 'nextcars.db'}", "sqlite:///nextcars.db"
    files = DeskFiles(tmp_path, write_config(tmp_path, config_url), url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(files.config))
        patch.delenv(DB_ENV, raising=False)
        yield files
    if server is not None:
        server.drop_database(database)


@pytest.fixture(scope="session")
def password_role(pg_server: PgServer) -> str:
    """A role on the test server that must give PASSWORD (SCRAM over TCP), as on a real
    server, and may read and write every desk there."""
    return pg_server.add_password_role("desk_clerk", PASSWORD)


@pytest.fixture
def config_only(tmp_path: Path) -> Iterator[Path]:
    """A folder whose nextcars.toml names a database that is never opened: for tests of
    settings and the command line, which fail before any engine is involved."""
    config = write_config(tmp_path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(config))
        patch.delenv(DB_ENV, raising=False)
        yield tmp_path


@pytest.fixture
def place(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Callable[[], str]]:
    """Factory: a new, empty database of this run's engine (a URL), which the next `nextcars`
    commands then use through NEXTCARS_DB."""
    server: PgServer | None = request.getfixturevalue("pg_server") if engine != "sqlite" else None
    made: list[str] = []
    # No database in it: only the low password-hash cost (NEXTCARS_DB names the database).
    monkeypatch.setenv(CONFIG_ENV, str(low_cost_config()))
    monkeypatch.chdir(tmp_path)

    def factory() -> str:
        if server is None:
            url = f"sqlite:///{tmp_path / 'nextcars.db'}"
        else:
            made.append(server.create_database(f"cli_{uuid.uuid4().hex[:12]}"))
            url = server.url(made[-1])
        monkeypatch.setenv(DB_ENV, url)
        return url

    yield factory
    for name in made:
        assert server is not None
        server.drop_database(name)
