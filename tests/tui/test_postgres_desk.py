"""The desk on PostgreSQL: sign in, see the day, and a booking made on another machine shows
on an open screen through LISTEN/NOTIFY, not a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import DataTable

from nextcars_tui.clock import fixed_clock
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.booking import BookingRequest, book
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.live import ChangeWatcher
from nextcars_tui.store import open_database
from nextcars_tui.tui.app import NextCarsApp
from tests.pgserver import PgServer
from tests.tui.conftest import sign_in
from tests.tui.deskdata import FROZEN, TODAY, build, settings_for


@pytest.fixture
def pg_desk(pg_server: PgServer, pg_database: str, tmp_path: Path) -> Iterator[Desk]:
    url = pg_server.url(pg_database)
    build(url, tmp_path)
    db = open_database(url)
    settings = replace(settings_for(tmp_path), database_url=url)
    yield Desk(db, settings, fixed_clock(FROZEN))
    db.close()


def book_elsewhere(desk: Desk) -> str:
    """A booking through a second, separate connection, as another machine makes it."""
    other = open_database(desk.settings.database_url)
    try:
        made = book(
            Desk(other, desk.settings, desk.clock),
            system_actor("garage-terminal"),
            BookingRequest("erin@example.com", "RT-552", "DRV-04", TODAY, 1),
        )
    finally:
        other.close()
    return made.ref


def pickup_refs(app: NextCarsApp) -> list[str]:
    table = app.screen.query_one("#pickups", DataTable)
    return [str(row.value) for row in table.rows]


def test_the_change_watcher_sees_another_connections_commit(pg_desk):
    watcher = ChangeWatcher(pg_desk)
    try:
        assert not watcher.changed()
        book_elsewhere(pg_desk)
        deadline = time.monotonic() + 2
        while not watcher.changed():
            assert time.monotonic() < deadline, "no change seen within 2 s"
            time.sleep(0.05)
        assert not watcher.changed()
    finally:
        watcher.close()


async def test_a_booking_from_another_machine_appears_on_the_open_desk(pg_desk):
    app = NextCarsApp(
        pg_desk.settings,
        desk=pg_desk,
        clock=pg_desk.clock,
        run_worker_thread=False,
        live_interval=0.2,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "staff")
        assert type(app.screen).__name__ == "TodayScreen"
        before = pickup_refs(app)
        assert before, "the PostgreSQL desk shows today's pickups"
        ref = book_elsewhere(pg_desk)
        assert ref not in before
        started = time.monotonic()
        while ref not in pickup_refs(app) and time.monotonic() - started < 2:
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
        assert ref in pickup_refs(app), "not on the open screen within 2 s"
