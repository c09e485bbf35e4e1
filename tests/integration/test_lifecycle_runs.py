"""Lifecycle rules with a fixed clock: expire, complete, overdue; dry run and idempotence."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from deskkit import START, open_desk, raw, request, snapshot, statuses, target, with_settings

from nextcars_tui.config import BillingSettings
from nextcars_tui.services.billing import checkout, pay
from nextcars_tui.services.booking import book, cancel, confirm
from nextcars_tui.services.lifecycle import run_lifecycle
from nextcars_tui.store.lifecycle_sql import LifecycleQueries


def at(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def ledger_for(path, invoice_ref):
    """(kind, signed cents, reason, actor) of an invoice's entries, oldest first."""
    with raw(path) as db:
        return db.execute(
            "SELECT e.kind, e.amount_cents, e.reason, e.actor FROM ledger_entry e "
            "JOIN invoice i ON i.id = e.invoice_id WHERE i.ref = ? ORDER BY e.id",
            (invoice_ref,),
        ).fetchall()


def figures(path, invoice_ref):
    """(amount_cents, paid_cents, status) as stored on the invoice."""
    with raw(path) as db:
        return db.execute(
            "SELECT amount_cents, paid_cents, status FROM invoice WHERE ref = ?", (invoice_ref,)
        ).fetchone()


def check_expired(path, view, actor="system:tests"):
    """An expired hold's invoice: its charges reversed by one negative charge equal to what it
    was for, by the run's actor, so it is for nothing and reads void."""
    entries = ledger_for(path, view.invoice.ref)
    assert [kind for kind, *_rest in entries] == ["charge", "charge", "charge"]
    assert entries[-1] == ("charge", -view.total_cents, "expired", actor)
    assert sum(cents for _kind, cents, *_rest in entries) == 0
    assert figures(path, view.invoice.ref) == (0, 0, "void")


def audit_for(path, ref):
    with raw(path) as db:
        return db.execute(
            "SELECT actor, action, detail FROM audit_entry WHERE ref = ? ORDER BY id", (ref,)
        ).fetchall()


# --- Expire ----------------------------------------------------------------------------------


def test_a_pending_hold_older_than_the_ttl_expires_and_its_invoice_is_void(desk, staff, system):
    view = book(desk, staff, request(start=date(2026, 3, 20)))
    result = run_lifecycle(desk, system, now=START + timedelta(hours=24, microseconds=1))
    assert result.expired == [view.ref]
    assert result.counts == {"expired": 1, "completed": 0, "overdue": 0}
    assert statuses(desk, view.ref) == ("cancelled", "void")
    check_expired(desk, view)
    with raw(desk) as db:
        reason = db.execute("SELECT cancel_reason FROM booking").fetchone()[0]
    assert reason == "expired"
    assert audit_for(desk, view.ref)[-1] == (
        "system:tests",
        "expired",
        "pending for more than 24 h; invoice void",
    )


def test_a_hold_exactly_ttl_old_has_not_expired_yet(desk, staff, system):
    view = book(desk, staff, request(start=date(2026, 3, 20)))
    assert run_lifecycle(desk, system, now=START + timedelta(hours=24)).expired == []
    assert statuses(desk, view.ref) == ("pending", "unpaid")


def test_the_ttl_comes_from_settings(make_desk, staff, system):
    desk = make_desk(pending_ttl_hours=2)
    view = book(desk, staff, request(start=date(2026, 3, 20)))
    assert run_lifecycle(desk, system, now=START + timedelta(hours=1)).expired == []
    assert run_lifecycle(desk, system, now=START + timedelta(hours=3)).expired == [view.ref]


@pytest.mark.parametrize("how", ["confirmed", "paid", "cancelled"])
def test_only_pending_holds_expire(desk, staff, system, how):
    view = book(desk, staff, request(start=date(2026, 3, 20)))
    if how == "confirmed":
        confirm(desk, staff, view.ref)
    elif how == "paid":
        checkout(desk, staff, view.invoice.ref, "card")
    else:
        cancel(desk, staff, view.ref, "no longer needed")
    expected = statuses(desk, view.ref)
    assert run_lifecycle(desk, system, now=START + timedelta(days=3)).expired == []
    assert statuses(desk, view.ref) == expected


# --- Complete --------------------------------------------------------------------------------


def test_a_confirmed_booking_completes_on_its_end_date_in_the_business_zone(
    make_desk, staff, system
):
    desk = make_desk(time_zone="Pacific/Auckland")
    view = book(desk, staff, request(start=date(2026, 3, 11), days=2))  # ends 13 March
    confirm(desk, staff, view.ref)
    # 10:59 UTC on 12 March is 23:59 on the 12th in Auckland: still the last day.
    assert run_lifecycle(desk, system, now=at(12, 10, 59)).completed == []
    # 11:00 UTC on 12 March is midnight on the 13th there, though still the 12th in UTC.
    assert run_lifecycle(desk, system, now=at(12, 11, 0)).completed == [view.ref]
    assert statuses(desk, view.ref) == ("completed", "unpaid")


def test_pending_bookings_are_not_completed(desk, staff, system):
    view = book(desk, staff, request(days=1))
    result = run_lifecycle(desk, system, now=at(10, 20))
    assert result.completed == [] and result.expired == []
    assert statuses(desk, view.ref) == ("pending", "unpaid")


# --- Overdue ---------------------------------------------------------------------------------


def test_an_unpaid_invoice_past_its_due_date_becomes_overdue(desk, staff, system):
    view = book(desk, staff, request(days=2))  # ends 12 March, due 26 March
    confirm(desk, staff, view.ref)
    assert run_lifecycle(desk, system, now=at(26, 23, 0)).overdue == []
    result = run_lifecycle(desk, system, now=at(27, 0, 30))
    assert result.overdue == [view.invoice.ref]
    assert statuses(desk, view.ref) == ("completed", "overdue")


def test_a_partly_paid_invoice_with_a_balance_past_due_becomes_overdue(desk, staff, system):
    view = book(desk, staff, request(days=2))  # ends 12 March, due 26 March
    part = pay(desk, staff, view.invoice.ref, 5_000, "card")
    assert (part.status.value, part.balance_cents) == ("partly_paid", view.total_cents - 5_000)
    assert run_lifecycle(desk, system, now=at(26, 23, 0)).overdue == []
    result = run_lifecycle(desk, system, now=at(27, 0, 30))
    assert result.overdue == [view.invoice.ref]
    # Overdue changes the status only: what was paid and what is owed stay as they were.
    assert figures(desk, view.invoice.ref) == (view.total_cents, 5_000, "overdue")
    assert statuses(desk, view.ref) == ("completed", "overdue")


@pytest.mark.parametrize("how", ["paid", "cancelled"])
def test_paid_and_cancelled_invoices_never_become_overdue(desk, staff, system, how):
    view = book(desk, staff, request(start=date(2026, 3, 20), days=2))
    if how == "paid":
        checkout(desk, staff, view.invoice.ref, "card")
    else:
        cancel(desk, staff, view.ref)
    expected = statuses(desk, view.ref)[1]
    run_lifecycle(desk, system, now=at(1, month=5))
    assert statuses(desk, view.ref)[1] == expected


def test_a_cancellation_without_a_fee_is_void_and_never_marked_overdue(desk, staff, system):
    view = book(desk, staff, request(start=date(2026, 3, 20), days=1))
    cancel(desk, staff, view.ref)
    assert run_lifecycle(desk, system, now=at(1, month=5)).overdue == []
    assert statuses(desk, view.ref) == ("cancelled", "void")


def test_an_unpaid_late_cancellation_fee_becomes_overdue_like_any_balance(desk, staff, system):
    # Starts the next day: cancelling now is late and keeps 10 % of the total as a fee.
    fee_desk = with_settings(
        desk,
        replace(
            desk.settings,
            billing=BillingSettings(
                cancel_fee_percent=10, cancel_fee_hours=48, cancel_grace_minutes=0
            ),
        ),
    )
    view = book(fee_desk, staff, request(start=START.date() + timedelta(days=1), days=2))
    cancelled = cancel(fee_desk, staff, view.ref)
    fee = cancelled.invoice.amount_cents
    assert fee == view.total_cents // 10
    assert cancelled.invoice.status == "unpaid"
    due = cancelled.invoice.due
    assert run_lifecycle(fee_desk, system, now=at(due.day, month=due.month)).overdue == []
    after_due = datetime.combine(due + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    result = run_lifecycle(fee_desk, system, now=after_due + timedelta(hours=9))
    assert result.overdue == [view.invoice.ref]
    assert statuses(desk, view.ref) == ("cancelled", "overdue")


def test_a_hold_that_expires_in_the_same_run_is_voided_not_marked_overdue(make_desk, staff, system):
    desk = make_desk(invoice_due_days=0)
    view = book(desk, staff, request(days=1))  # due 11 March
    result = run_lifecycle(desk, system, now=at(13))
    assert result.expired == [view.ref]
    assert result.overdue == []
    assert statuses(desk, view.ref) == ("cancelled", "void")
    check_expired(desk, view)


def test_an_overdue_pending_hold_that_then_expires_is_voided(make_desk, staff, system):
    desk = make_desk(invoice_due_days=0, pending_ttl_hours=24 * 10)
    view = book(desk, staff, request(days=1))  # due 11 March, expires 20 March
    assert run_lifecycle(desk, system, now=at(12)).overdue == [view.invoice.ref]
    assert statuses(desk, view.ref) == ("pending", "overdue")
    assert run_lifecycle(desk, system, now=at(21)).expired == [view.ref]
    assert statuses(desk, view.ref) == ("cancelled", "void")
    check_expired(desk, view)


# --- One run: all rules, dry run, idempotence ------------------------------------------------


@pytest.fixture
def mixed(desk, staff):
    """One booking for every rule, plus ones no rule may touch, all made on 10 March."""
    stale = book(desk, staff, request(car=1, driver=1, start=date(2026, 3, 25)))
    ended = book(desk, staff, request(car=2, driver=2, days=1))
    confirm(desk, staff, ended.ref)
    ended_paid = book(desk, staff, request(car=3, driver=3, days=1))
    checkout(desk, staff, ended_paid.invoice.ref, "cash")
    future = book(desk, staff, request(car=4, driver=4, start=date(2026, 4, 20)))
    confirm(desk, staff, future.ref)
    gone = book(desk, staff, request(car=5, driver=5, start=date(2026, 3, 12), days=1))
    cancel(desk, staff, gone.ref)
    return {"stale": stale, "ended": ended, "ended_paid": ended_paid, "future": future}


def test_one_run_applies_every_rule_and_reports_the_refs(desk, system, mixed):
    result = run_lifecycle(desk, system, now=at(30))
    assert result.expired == [mixed["stale"].ref]
    assert result.completed == [mixed["ended"].ref, mixed["ended_paid"].ref]
    assert result.overdue == [mixed["ended"].invoice.ref]  # due 25 March
    assert result.changed and not result.dry_run
    assert statuses(desk, mixed["stale"].ref) == ("cancelled", "void")
    assert statuses(desk, mixed["ended"].ref) == ("completed", "overdue")
    assert statuses(desk, mixed["ended_paid"].ref) == ("completed", "paid")
    assert statuses(desk, mixed["future"].ref) == ("confirmed", "unpaid")
    assert statuses(desk, "BK-000005") == ("cancelled", "void")
    check_expired(desk, mixed["stale"])


def test_a_dry_run_writes_nothing_and_reports_what_a_real_run_then_changes(desk, system, mixed):
    before = snapshot(desk)
    dry = run_lifecycle(desk, system, now=at(30), dry_run=True)
    assert dry.dry_run
    assert snapshot(desk) == before
    real = run_lifecycle(desk, system, now=at(30))
    assert (dry.expired, dry.completed, dry.overdue) == (real.expired, real.completed, real.overdue)
    assert dry.counts == real.counts == {"expired": 1, "completed": 2, "overdue": 1}
    assert snapshot(desk) != before


def test_a_second_run_at_the_same_moment_changes_nothing(desk, system, mixed):
    first = run_lifecycle(desk, system, now=at(30))
    assert first.changed
    after_first = snapshot(desk)
    second = run_lifecycle(desk, system, now=at(30))
    assert second.counts == {"expired": 0, "completed": 0, "overdue": 0}
    assert not second.changed
    assert snapshot(desk) == after_first
    # And later runs only pick up what has newly fallen due.
    assert run_lifecycle(desk, system, now=at(31)).counts == {
        "expired": 0,
        "completed": 0,
        "overdue": 0,
    }


def test_each_change_is_audited_once_by_the_acting_user(desk, system, mixed):
    run_lifecycle(desk, system, now=at(30))
    run_lifecycle(desk, system, now=at(30))
    with raw(desk) as db:
        entries = db.execute(
            "SELECT action, ref FROM audit_entry WHERE actor = 'system:tests' ORDER BY id"
        ).fetchall()
    assert sorted(entries) == sorted(
        [
            ("expired", mixed["stale"].ref),
            ("completed", mixed["ended"].ref),
            ("completed", mixed["ended_paid"].ref),
            ("overdue", mixed["ended"].invoice.ref),
        ]
    )


def test_the_run_uses_the_desk_clock_when_no_moment_is_given(desk, staff, system, clock):
    view = book(desk, staff, request(start=date(2026, 3, 20)))
    assert run_lifecycle(desk, system).expired == []
    clock.advance(hours=25)
    result = run_lifecycle(desk, system)
    assert result.now == clock.moment
    assert result.expired == [view.ref]


def test_a_naive_moment_is_refused(desk, system):
    with pytest.raises(ValueError, match="timezone-aware"):
        run_lifecycle(desk, system, now=datetime(2026, 3, 30, 9))


@pytest.mark.postgres_only
def test_a_row_that_becomes_a_candidate_during_a_run_waits_for_the_next_run(
    make_desk, clock, staff, system, monkeypatch
):
    # On PostgreSQL another terminal can commit while a run is under way. A hold that
    # outlives its rental (a long TTL) is confirmed between the run's listing and its
    # updates: the run must not complete it without saying so; the next run does.
    clock.moment = START - timedelta(days=5)
    desk = make_desk(pending_ttl_hours=720)
    held = book(desk, staff, request(start=date(2026, 3, 6), days=1))  # ended 7 March
    clock.moment = START
    real_listing = LifecycleQueries.finished_confirmed

    def list_then_let_another_terminal_confirm(self, today):
        listed = real_listing(self, today)
        other = open_desk(target(desk), desk.settings, clock)
        try:
            confirm(other, staff, held.ref)
        finally:
            other.db.close()
        return listed

    monkeypatch.setattr(
        LifecycleQueries, "finished_confirmed", list_then_let_another_terminal_confirm
    )
    first = run_lifecycle(desk, system)
    assert held.ref not in first.completed
    assert statuses(desk, held.ref)[0] == "confirmed"
    monkeypatch.setattr(LifecycleQueries, "finished_confirmed", real_listing)
    second = run_lifecycle(desk, system)
    assert second.completed == [held.ref]
    assert [a[1] for a in audit_for(desk, held.ref)][-1] == "completed"
