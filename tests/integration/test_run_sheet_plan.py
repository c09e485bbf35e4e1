"""The run sheet over a seeded history reads only the day's bookings through an index (never
a whole table), and the benchmark's Today figure runs: its shape, not its time."""

from __future__ import annotations

import pytest

from nextcars_tui.bench.seed import Seeder, bench_settings
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.today import run_sheet
from nextcars_tui.store import open_database
from nextcars_tui.store.diagnostics import full_reads, query_plan, recorded_statements

ACTOR = system_actor("tests")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("run-sheet") / "history.db"
    db = open_database(path)
    db.create_schema()
    desk = Desk(db, bench_settings())
    seeder = Seeder(path, desk.today(), desk.now())
    seeder.seed_fleet()
    seeder.add_bookings(3_000)
    yield desk
    db.close()


def test_the_run_sheet_reads_the_days_bookings_through_the_start_index(seeded):
    with recorded_statements(seeded.db) as statements:
        sheet = run_sheet(seeded, ACTOR)
    assert sheet.pickups and sheet.returns, "the seeded days around today have jobs"
    listings = [s for s in statements if "FROM booking JOIN" in s[0]]
    assert len(listings) == 2
    for statement in listings:
        plan = query_plan(seeded.db, statement)
        assert full_reads(plan) == [], plan
        # A range of start dates (one day, or the longest rental's days before it), not
        # every booking of a status.
        assert any(
            line.startswith("SEARCH booking USING INDEX ix_booking_")
            and "start_date>? AND start_date<?" in line
            for line in plan
        ), plan


def test_the_benchmarks_today_figure_runs(seeded):
    from nextcars_tui.bench.tui import TODAY_TARGET_MS, today_screen

    timings = today_screen(seeded, rounds_count=2)
    assert timings.target_ms == TODAY_TARGET_MS == 150.0
    assert len(timings.samples_ms) == len(timings.query_ms) == 2
    pairs = zip(timings.samples_ms, timings.query_ms, strict=True)
    assert all(total >= query > 0 for total, query in pairs)
