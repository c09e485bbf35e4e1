"""Fixtures for UI tests: a copy of the deterministic desk per test, an app factory."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from nextcars_tui.clock import fixed_clock
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.booking import BookingRequest, book
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.fleet import add_customer, update_car, update_driver
from nextcars_tui.store import open_database
from nextcars_tui.tui.app import NextCarsApp
from tests.tui.deskdata import FROZEN, PASSWORDS, build, settings_for
from tests.tui.roles_kit import type_text


@pytest.fixture(scope="session")
def desk_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("desk-template") / "desk.db"
    build(path)
    return path


@pytest.fixture
def desk(tmp_path: Path, desk_template: Path) -> Desk:
    path = tmp_path / "desk.db"
    shutil.copy(desk_template, path)
    db = open_database(path)
    yield Desk(db, settings_for(tmp_path), fixed_clock(FROZEN))
    db.close()


LONG_NAME = "Maximilian Featherstonehaugh-Smythe"
LONG_EMAIL = "maximilian.featherstonehaugh@example.com"


@pytest.fixture
def big_desk(desk: Desk) -> Desk:
    """The test desk plus what the demo data has and the test desk had not: a long name, a
    dear car and a 30-day booking that crosses New Year, so amounts run to five figures."""
    system = system_actor("tests")
    add_customer(desk, system, LONG_NAME, LONG_EMAIL, "+44 7700 900999")
    update_car(desk, system, "VN-777", daily_rate="1890.00")
    update_driver(desk, system, "DRV-04", daily_fee="450.00")
    book(desk, system, BookingRequest(LONG_EMAIL, "VN-777", "DRV-04", date(2026, 12, 20), 30))
    return desk


@pytest.fixture
def make_app(desk: Desk) -> Callable[..., NextCarsApp]:
    """An app on the test desk with no background threads, so snapshots are stable."""

    def factory(**overrides: Any) -> NextCarsApp:
        options: dict[str, Any] = {
            "desk": desk,
            "clock": desk.clock,
            "run_worker_thread": False,
            "live_interval": None,
        }
        options.update(overrides)
        return NextCarsApp(desk.settings, **options)

    return factory


async def sign_in(pilot: Pilot[Any], username: str, password: str | None = None) -> None:
    """Type credentials like a person and wait until the home screen has its data."""
    app = pilot.app
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.click("#username")
    await type_text(pilot, username)
    await pilot.click("#password")
    await type_text(pilot, password or PASSWORDS[username])
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
