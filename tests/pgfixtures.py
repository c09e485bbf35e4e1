"""Fixtures for tests against a real PostgreSQL server (registered by tests/conftest.py).

One server per pytest-xdist worker, started the first time a test asks for it; a test that
needs it skips, with the reason, where the server programs are missing and cannot be installed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.pgserver import PgServer, PgUnavailable, ensure_programs


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A running throw-away server; `url(dbname)`, `create_database`, `drop_database`."""
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[test]'")
    try:
        programs = ensure_programs()
    except PgUnavailable as exc:
        pytest.skip(str(exc))
    server = PgServer(programs).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_database(pg_server: PgServer) -> Iterator[str]:
    """The name of a new, empty database on `pg_server`, dropped after the test."""
    name = pg_server.create_database(f"test_{uuid.uuid4().hex[:12]}")
    yield name
    pg_server.drop_database(name)


# --- Running one test on both engines ----------------------------------------------------------

ENGINES = ("sqlite", "postgresql")
# NEXTCARS_TEST_ENGINES=sqlite keeps a run to SQLite (mutation testing forks a test run per
# mutant, where a server per run would cost more than the tests); the suite runs both.
CHOSEN_ENGINES = tuple(
    name.strip()
    for name in os.environ.get("NEXTCARS_TEST_ENGINES", ",".join(ENGINES)).split(",")
    if name.strip() in ENGINES
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that asks for `engine` runs once per engine; `@pytest.mark.sqlite_only`
    (a test of SQLite's file, pragmas or query plans) keeps it to SQLite, and
    `@pytest.mark.postgres_only` to PostgreSQL."""
    if "engine" in metafunc.fixturenames:
        engines = list(CHOSEN_ENGINES)
        if metafunc.definition.get_closest_marker("sqlite_only") is not None:
            engines = [e for e in engines if e == "sqlite"]
        if metafunc.definition.get_closest_marker("postgres_only") is not None:
            engines = [e for e in engines if e == "postgresql"]
        metafunc.parametrize("engine", engines, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine this run of the test is on: 'sqlite' or 'postgresql'."""
    return str(request.param)
