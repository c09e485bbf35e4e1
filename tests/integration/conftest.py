"""Fixtures for service tests against real SQLite files in tmp_path."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from deskkit import FakeClock, actors_for, copy_desk, copy_pg_desk, make_settings

from nextcars_tui.domain.roles import Actor, Role, system_actor
from nextcars_tui.services.desk import Desk


@pytest.fixture
def clock() -> FakeClock:
    """A clock frozen at deskkit.START until a test moves it."""
    return FakeClock()


@pytest.fixture
def make_desk(
    tmp_path: Path, clock: FakeClock, engine: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Desk]]:
    """Factory: a fresh, seeded desk on this run's engine (a file in tmp_path, or a database
    on the test server); keyword arguments go to make_settings."""
    opened: list[Desk] = []
    databases: list[str] = []
    server = request.getfixturevalue("pg_server") if engine == "postgresql" else None

    def factory(name: str | None = None, *, seed: bool = True, **settings: Any) -> Desk:
        number = len(opened) + 1
        if server is not None:
            database = f"desk_{uuid.uuid4().hex[:12]}"
            desk = copy_pg_desk(server, database, make_settings(**settings), clock, seed=seed)
            databases.append(database)
        else:
            path = tmp_path / (name or f"desk{number}.db")
            desk = copy_desk(path, make_settings(**settings), clock, seed=seed)
        opened.append(desk)
        return desk

    yield factory
    for desk in opened:
        desk.db.close()
    for database in databases:
        assert server is not None
        server.drop_database(database)


@pytest.fixture
def desk(make_desk: Callable[..., Desk]) -> Desk:
    return make_desk()


@pytest.fixture
def actors(desk: Desk) -> dict[str, Actor]:
    return actors_for(desk)


@pytest.fixture
def staff() -> Actor:
    return Actor(username="sam", role=Role.STAFF)


@pytest.fixture
def manager() -> Actor:
    return Actor(username="mia", role=Role.MANAGER)


@pytest.fixture
def system() -> Actor:
    return system_actor("tests")
