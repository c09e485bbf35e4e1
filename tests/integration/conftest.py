"""Fixtures for service tests against real SQLite files in tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from deskkit import FakeClock, actors_for, copy_desk, make_settings

from nextcars_tui.domain.roles import Actor, Role, system_actor
from nextcars_tui.services import auth
from nextcars_tui.services.desk import Desk


@pytest.fixture
def clock() -> FakeClock:
    """A clock frozen at deskkit.START until a test moves it."""
    return FakeClock()


@pytest.fixture
def make_desk(tmp_path: Path, clock: FakeClock) -> Iterator[Callable[..., Desk]]:
    """Factory: a fresh, seeded desk file in tmp_path; keyword arguments go to make_settings."""
    opened: list[Desk] = []

    def factory(name: str | None = None, *, seed: bool = True, **settings: Any) -> Desk:
        path = tmp_path / (name or f"desk{len(opened) + 1}.db")
        desk = copy_desk(path, make_settings(**settings), clock, seed=seed)
        opened.append(desk)
        return desk

    yield factory
    for desk in opened:
        desk.db.close()


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


@pytest.fixture
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """argon2id with tiny costs: the defaults take ~0.5 s a hash on a small CI machine.

    Only the cost parameters change; the algorithm, the code paths and the stored format
    (`$argon2id$...`) stay the same. The test of the default parameters does not use this.
    """
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    dummy = hasher.hash("not-a-real-password-for-timing-only")
    monkeypatch.setattr(auth, "_hasher", lambda: hasher)
    monkeypatch.setattr(auth, "_dummy_hash", lambda: dummy)
    return hasher
