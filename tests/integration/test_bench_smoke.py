"""The benchmark's core section at a tiny size: it runs, reports figures, and the store's hot
queries read through their indexes. No timing is asserted; only the shape of the results."""

from __future__ import annotations

import io
import sqlite3

import pytest
from rich.console import Console

from nextcars_tui.bench import core
from nextcars_tui.bench.seed import active_overlaps
from nextcars_tui.store.diagnostics import full_reads


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    keep = folder / "kept.db"
    result = core.measure(Console(file=io.StringIO()), folder, (100, 200), 5, keep)
    return result, keep


def test_core_reports_positive_figures_for_each_size(figures):
    result, _keep = figures
    assert [size.bookings for size in result.sizes] == [100, 200]
    for size in result.sizes:
        assert size.seed_s > 0
        assert set(size.timings) == set(core.KINDS)
        for timing in size.timings.values():
            assert timing.count >= 5
            assert timing.median_ms > 0
            assert timing.p95_ms >= timing.median_ms
            assert timing.cpu_ms >= 0
    assert result.vs_baseline > 0
    assert result.growth > 0
    assert all(ms > 0 for ms in result.lifecycle_ms)
    assert set(result.lifecycle_counts[0]) == {"expired", "completed", "overdue"}
    assert result.lifecycle_counts[1] == {"expired": 0, "completed": 0, "overdue": 0}


def test_no_hot_query_reads_a_whole_table(figures):
    result, _keep = figures
    assert result.plans, "no statements were recorded"
    for sql, plan in result.plans.items():
        assert full_reads(plan) == [], (sql, plan)
    overlap = [plan for sql, plan in result.plans.items() if "UNION ALL" in sql]
    assert overlap, "the overlap check was not recorded"
    assert any("ix_booking_car_active" in line for line in overlap[0])
    assert any("ix_booking_driver_active" in line for line in overlap[0])


def test_a_scan_of_a_table_counts_as_a_full_read_and_a_constant_row_does_not():
    assert full_reads(["SCAN booking"]) == ["SCAN booking"]
    plan = ["CO-ROUTINE one", "  SCAN CONSTANT ROW", "SCAN one", "SEARCH car USING INDEX x"]
    assert full_reads(plan) == []


def test_the_report_renders_every_target(figures):
    result, _keep = figures
    out = io.StringIO()
    core.report(Console(file=out, width=160), result)
    text = out.getvalue()
    assert "One booking attempt" in text
    assert text.count("PASS") + text.count("MISS") == 3


def test_the_kept_database_is_consistent(figures):
    _result, keep = figures
    assert keep.exists()
    assert active_overlaps(keep) == 0
    with sqlite3.connect(keep) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = conn.execute(
            "SELECT count(*) FROM booking LEFT JOIN invoice ON invoice.booking_id = booking.id "
            "WHERE invoice.id IS NULL"
        ).fetchone()[0]
        assert orphans == 0
