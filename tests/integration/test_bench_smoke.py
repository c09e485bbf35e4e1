"""The benchmark's core section at a tiny size: it runs, reports figures, and the store's hot
queries read through their indexes. No timing is asserted; only the shape of the results."""

from __future__ import annotations

import io
import sqlite3

import pytest
from rich.console import Console

from nextcars_tui.bench import core
from nextcars_tui.bench.seed import DISRUPTED, active_overlaps, bench_settings
from nextcars_tui.store.diagnostics import full_reads


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    keep = folder / "kept.db"
    result = core.measure(Console(file=io.StringIO()), folder, (100, 200), 5, keep, block_rounds=2)
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


def test_db_check_is_timed_over_the_largest_history_and_finds_it_sound(figures):
    result, _keep = figures
    assert result.db_check_s > 0
    assert result.db_check_ok, "the seeded history, booked, paid, changed and blocked, holds"


def test_no_hot_query_reads_a_whole_table(figures):
    result, _keep = figures
    assert result.plans, "no statements were recorded"
    for sql, plan in result.plans.items():
        assert full_reads(plan) == [], (sql, plan)
    overlap = [plan for sql, plan in result.plans.items() if "UNION ALL" in sql]
    assert overlap, "the overlap check was not recorded"
    # Each resource's holds through the occupancy index, twice (car, driver).
    assert sum("ix_occupancy_resource" in line for line in overlap[0]) == 2, overlap[0]


def test_a_scan_of_a_table_counts_as_a_full_read_and_a_constant_row_does_not():
    assert full_reads(["SCAN booking"]) == ["SCAN booking"]
    plan = ["CO-ROUTINE one", "  SCAN CONSTANT ROW", "SCAN one", "SEARCH car USING INDEX x"]
    assert full_reads(plan) == []


def test_the_report_renders_every_target(figures):
    result, _keep = figures
    out = io.StringIO()
    core.report(Console(file=out, width=160), result)
    text = out.getvalue()
    assert "One booking attempt" in text and "One part payment" in text
    # Eleven targets, and five for the manager's reports in their own table.
    assert text.count("PASS") + text.count("MISS") == 17
    assert "Bookings list, first page" in text and "manager review" in text
    assert "Reports over" in text and "takings of a day" in text
    assert "A change of a confirmed booking" in text and "reassign its 10 bookings" in text


def test_the_manager_reports_are_timed_and_read_through_indexes(figures):
    result, _keep = figures
    reports = result.manager_reports
    assert reports is not None
    assert len(reports.timings) == 5
    assert all(ms > 0 and target > 0 for ms, target in reports.timings.values())
    assert reports.year.days in (365, 366) and reports.month.first.day == 1
    # Every car and every driver is listed by design; nothing else reads a whole table.
    for sql, plan in reports.plans.items():
        if not sql.startswith(("SELECT car.id", "SELECT driver.id")):
            assert full_reads(plan) == [], (sql, plan)
    ledger = [plan for sql, plan in reports.plans.items() if "FROM ledger_entry" in sql]
    assert ledger and all(any("ix_ledger_kind_at" in line for line in plan) for plan in ledger)


def test_changes_are_timed_beside_new_bookings_at_each_size(figures):
    result, _keep = figures
    for kind in core.CHANGE_KINDS:
        for size in result.sizes:
            assert size.timings[kind].count == 5
            assert size.change_vs_book(kind) > 0
        assert result.growth_of(kind) > 0


def test_blocking_with_reassignment_is_timed_over_a_busy_fleet(figures):
    result, _keep = figures
    blocked = result.blocks
    assert blocked is not None
    assert blocked.timing.count == 2 and blocked.timing.median_ms > 0
    assert blocked.moved == 2 * DISRUPTED
    assert blocked.around > 0 and blocked.bookings > 200 + blocked.around


def test_part_payments_and_invoice_pages_are_timed(figures):
    result, _keep = figures
    for size in result.sizes:
        assert size.entries > 2 * size.bookings  # two charge lines a booking, and more
        assert size.pay_vs_baseline > 0
    assert set(result.invoice_pages) == set(core.INVOICE_PAGES)
    assert all(ms > 0 for ms in result.invoice_pages.values())
    payment = [sql for sql in result.plans if sql.startswith("SELECT kind, sum(amount_cents)")]
    assert payment and any("ix_ledger_invoice" in line for line in result.plans[payment[0]])


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
        # Each invoice's figures are its ledger's sums, as the desk keeps them.
        differing = conn.execute(
            "SELECT count(*) FROM invoice AS i WHERE amount_cents <> (SELECT sum(amount_cents) "
            "FROM ledger_entry AS e WHERE e.invoice_id = i.id "
            "AND kind IN ('charge', 'fee', 'adjustment')) OR paid_cents <> (SELECT "
            "coalesce(sum(CASE kind WHEN 'refund' THEN -amount_cents ELSE amount_cents END), 0) "
            "FROM ledger_entry AS e WHERE e.invoice_id = i.id AND kind IN ('payment', 'refund'))"
        ).fetchone()[0]
        assert differing == 0
        kinds = {row[0] for row in conn.execute("SELECT DISTINCT kind FROM ledger_entry")}
        assert kinds == {"charge", "payment", "refund"}
        # No active booking over a block of its car or driver, seeded or made by a block.
        blocked = conn.execute(
            "SELECT count(*) FROM booking AS k JOIN block AS b ON b.removed_at IS NULL "
            "AND (b.car_id = k.car_id OR b.driver_id = k.driver_id) "
            "AND b.start_date < k.end_date AND b.end_date > k.start_date "
            "WHERE k.status IN ('pending', 'confirmed')"
        ).fetchone()[0]
        assert blocked == 0
        # Every change (each kind, warm-up and timed) and every reassignment is in the history.
        changed = conn.execute(
            "SELECT count(*) FROM audit_entry WHERE action = 'changed'"
        ).fetchone()[0]
        assert changed == len(core.CHANGE_KINDS) * (core.WARM_UP + 5) + 2 * DISRUPTED


def test_the_grid_window_has_cars_and_drivers_blocked(figures):
    from datetime import timedelta

    from nextcars_tui.bench.seed import BLOCKED_CARS, BLOCKED_DRIVERS
    from nextcars_tui.domain.roles import system_actor
    from nextcars_tui.services.availability import ResourceKind, availability_grid
    from nextcars_tui.services.desk import Desk
    from nextcars_tui.store import open_database

    _result, keep = figures
    db = open_database(keep, create=False)
    try:
        desk = Desk(db, bench_settings())
        start, actor = desk.today() - timedelta(days=14), system_actor("bench")
        blocked: dict[ResourceKind, set[str]] = {}
        for kind in (ResourceKind.CAR, ResourceKind.DRIVER):
            for weeks in range(0, 16, 4):
                grid = availability_grid(desk, actor, kind, start + timedelta(weeks=weeks), 31)
                blocked.setdefault(kind, set()).update(
                    row.key for row in grid.rows if any(cell.blocked for cell in row.cells)
                )
    finally:
        db.close()
    assert len(blocked[ResourceKind.CAR]) == len(BLOCKED_CARS)
    assert len(blocked[ResourceKind.DRIVER]) == len(BLOCKED_DRIVERS)


def test_raw_sqlite3_pays_with_the_statements_the_service_sends(tmp_path):
    from nextcars_tui.bench.raw import PAYMENT_STATEMENTS, RawBooking
    from nextcars_tui.bench.seed import FreeSlots, Seeder, email
    from nextcars_tui.domain.roles import system_actor
    from nextcars_tui.services.billing import pay
    from nextcars_tui.services.booking import BookingRequest, book
    from nextcars_tui.services.desk import Desk
    from nextcars_tui.store import open_database
    from nextcars_tui.store.diagnostics import recorded_statements

    path = tmp_path / "pay.db"
    db = open_database(path)
    db.create_schema()
    desk = Desk(db, bench_settings())
    Seeder(path, desk.today(), desk.now()).seed_fleet()
    slots, actor = FreeSlots(desk.today()), system_actor("bench")
    refs = [book(desk, actor, BookingRequest(email(1), *slots.take())).invoice.ref for _ in "ab"]
    for ref in refs:  # the first payment confirms the booking; the timed ones come after
        pay(desk, actor, ref, 100, "card")
    with recorded_statements(db) as statements:
        paid = pay(desk, actor, refs[0], 100, "card")
    sent = [" ".join(sql.split()) for sql, _ in statements]
    assert sent == ["BEGIN IMMEDIATE", *PAYMENT_STATEMENTS]

    raw = RawBooking(path, invoice_due_days=14, currency="GBP")
    try:
        balance = raw.pay(refs[1], 100, "card", actor.username, desk.today())
    finally:
        raw.close()
    db.close()
    with sqlite3.connect(path) as conn:
        written = conn.execute(
            "SELECT invoice.amount_cents - invoice.paid_cents, invoice.status, count(*) "
            "FROM invoice "
            "JOIN ledger_entry ON ledger_entry.invoice_id = invoice.id "
            "WHERE invoice.ref = ? GROUP BY invoice.id",
            (refs[1],),
        ).fetchone()
    assert written == (balance, paid.status.value, 4)  # two charge lines, two payments


# --- The PostgreSQL section, on the test server ------------------------------------------------


@pytest.mark.slow
def test_postgres_section_at_a_tiny_size(pg_server):
    """One test, so pytest-xdist runs the 8 spawned bookers once, not once per worker."""
    from nextcars_tui.bench import postgres
    from nextcars_tui.bench.pg_target import bench_database

    with bench_database(pg_server.url("bench_smoke")) as target:  # created here, dropped after
        figures = postgres.measure(
            Console(file=io.StringIO()), target.url, target.where, (100, 200), 5, 0.3, 1
        )

    assert [size.bookings for size in figures.sizes] == [100, 200]
    for size in figures.sizes:
        assert set(size.timings) == {"service", "raw"}
        for timing in size.timings.values():
            assert timing.count == 5
            assert 0 < timing.median_ms <= timing.p95_ms
        assert size.vs_baseline > 0
    assert figures.server["fsync"] in ("on", "off")

    flow = figures.throughput
    assert flow is not None and flow.bookers == 8
    assert sorted(phase.kind for phase in flow.phases) == ["raw", "service"]
    for phase in flow.phases:
        assert phase.bookings > 0 and phase.seconds > 0
    assert flow.raw_vs_service > 0

    out = io.StringIO()
    postgres.report(Console(file=out, width=160), figures)
    text = out.getvalue()
    assert "PostgreSQL: one booking" in text and "8 bookers at once" in text
    assert text.count("PASS") + text.count("MISS") == 3  # two sizes and the 8 bookers

    with pg_server.connect() as conn:
        names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    assert "bench_smoke" not in names


def test_raw_psycopg_sends_the_statements_the_service_sends(pg_server, pg_database):
    from nextcars_tui.bench.raw_postgres import STATEMENTS, RawPgBooking
    from nextcars_tui.bench.seed import FreeSlots, email
    from nextcars_tui.bench.seed_postgres import PgSeeder
    from nextcars_tui.domain.roles import system_actor
    from nextcars_tui.services.booking import BookingRequest, book
    from nextcars_tui.services.desk import Desk
    from nextcars_tui.store import open_database
    from nextcars_tui.store.diagnostics import recorded_statements

    url = pg_server.url(pg_database)
    db = open_database(url)
    db.create_schema()
    desk = Desk(db, bench_settings())
    PgSeeder(url, desk.today(), desk.now()).seed_fleet()
    slots = FreeSlots(desk.today())
    plate, code, start, days = slots.take()
    with recorded_statements(db) as statements:
        made = book(desk, system_actor("bench"), BookingRequest(email(1), plate, code, start, days))
    db.close()
    assert [" ".join(sql.split()) for sql, _ in statements] == list(STATEMENTS)

    raw = RawPgBooking(url, invoice_due_days=14, currency="GBP")
    try:
        ref = raw.book(email(1), *slots.take(), "system:bench")
        assert raw.book(email(1), plate, code, start, days, "system:bench") is None  # taken
    finally:
        raw.close()
    with pg_server.connect(pg_database) as conn:
        written = conn.execute(
            "SELECT booking.ref, booking.status, invoice.status, audit_entry.action FROM booking"
            " JOIN invoice ON invoice.booking_id = booking.id"
            " JOIN audit_entry ON audit_entry.ref = booking.ref ORDER BY booking.id"
        ).fetchall()
    assert written == [
        (made.ref, "pending", "unpaid", "booked"),
        (ref, "pending", "unpaid", "booked"),
    ]


def test_a_database_with_tables_in_it_is_refused_untouched(pg_server, pg_database):
    from nextcars_tui.bench.pg_target import Unavailable, bench_database

    with pg_server.connect(pg_database) as conn:
        conn.execute("CREATE TABLE other_app (id int)")
    with pytest.raises(Unavailable, match="not empty"), bench_database(pg_server.url(pg_database)):
        pass
    with pg_server.connect(pg_database) as conn:
        assert conn.execute("SELECT count(*) FROM other_app").fetchone() == (0,)


def test_without_postgres_the_section_says_why_in_one_line_and_is_skipped(monkeypatch, capsys):
    from nextcars_tui.bench import pg_cluster
    from nextcars_tui.bench.__main__ import main

    monkeypatch.setattr(pg_cluster, "find_programs", lambda: None)
    assert main(["--only", "postgres", "--quick"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("PostgreSQL section skipped: initdb")

    assert main(["--only", "postgres", "--postgres", "postgresql://nobody@127.0.0.1:1/x"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "cannot use the database x on 127.0.0.1:1" in lines[0], lines
