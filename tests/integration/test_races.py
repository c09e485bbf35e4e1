"""Rule 4 and 5 across processes: separate programs released together on one database, on
each engine.

Every racer is a spawned process with its own engine and connections, as terminals, SSH
sessions and the lifecycle worker are. The assertions are about outcomes and rows, never time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from deskkit import (
    START,
    TODAY,
    code,
    plate,
    raw,
    request,
    row_counts,
    snapshot,
    target,
    with_settings,
)
from invariants import violations
from ledgerkit import books, kinds, replay_problems
from racers import (
    RacePool,
    book_same_car,
    book_same_driver,
    booking_loop,
    cancel_first_booking,
    checkout_first_invoice,
    confirm_first_booking,
    disable_the_other_manager,
    lifecycle_loop,
    lifecycle_once,
    never_locked,
    only,
    pay_forty_percent,
    pay_twenty_percent,
    refund_thirty_percent,
    share_of_first_total,
    wrong_password,
)

from nextcars_tui.config import BillingSettings
from nextcars_tui.domain.dates import describe_days
from nextcars_tui.domain.errors import AccountLocked
from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.accounts import SIGNED_OUT
from nextcars_tui.services.auth import add_user, sign_in
from nextcars_tui.services.billing import checkout, pay
from nextcars_tui.services.booking import book, confirm

RACERS = 8


@pytest.fixture(scope="module")
def pool():
    members = RacePool(RACERS)
    yield members
    members.close()


def winner_dates(path, ref):
    with raw(path) as db:
        start, end = db.execute(
            "SELECT start_date, end_date FROM booking WHERE ref = ?", (ref,)
        ).fetchone()
    return describe_days(date.fromisoformat(start), date.fromisoformat(end))


def money_moved(path):
    """(kind, cents) of every payment and refund, oldest first."""
    with raw(path) as db:
        return db.execute(
            "SELECT kind, amount_cents FROM ledger_entry WHERE kind IN ('payment', 'refund') "
            "ORDER BY id"
        ).fetchall()


def one_car_winner(outcomes, desk, racers):
    """Exactly one booked car 1; every other racer was told which booking holds it."""
    never_locked(outcomes)
    assert only(outcomes, "ok") == ["BK-000001"]
    conflicts = only(outcomes, "Conflict")
    assert len(conflicts) == racers - 1
    span = winner_dates(desk, "BK-000001")
    assert set(conflicts) == {f"Car {plate(1)} is already booked {span} (BK-000001)."}
    counts = row_counts(desk)
    # The winner's booking, invoice, audit entry and its two charge lines; no money moved.
    assert (counts["booking"], counts["invoice"], counts["audit_entry"]) == (1, 1, 1)
    assert money_moved(desk) == []
    assert counts["ledger_entry"] == 2
    assert violations(desk, TODAY) == []


def test_eight_processes_booking_one_car_exactly_one_wins(pool, desk):
    outcomes = pool.race([book_same_car] * RACERS, target(desk), desk.settings, START)

    one_car_winner(outcomes, desk, RACERS)


def test_eight_processes_booking_one_driver_exactly_one_wins(pool, desk):
    outcomes = pool.race([book_same_driver] * RACERS, target(desk), desk.settings, START)

    never_locked(outcomes)
    assert only(outcomes, "ok") == ["BK-000001"]
    conflicts = only(outcomes, "Conflict")
    assert len(conflicts) == RACERS - 1
    span = winner_dates(desk, "BK-000001")
    assert set(conflicts) == {f"Driver {code(1)} (Driver 1) is already booked {span} (BK-000001)."}
    counts = row_counts(desk)
    assert (counts["booking"], counts["invoice"], counts["audit_entry"]) == (1, 1, 1)
    assert violations(desk, TODAY) == []


def test_eight_processes_checking_out_one_invoice_exactly_one_pays(pool, desk, staff):
    view = book(desk, staff, request())
    before = row_counts(desk)

    outcomes = pool.race([checkout_first_invoice] * RACERS, target(desk), desk.settings, START)

    never_locked(outcomes)
    assert only(outcomes, "ok") == ["paid"]
    refused = only(outcomes, "NotAllowed")
    assert len(refused) == RACERS - 1
    assert all(f"Invoice {view.invoice.ref} is paid" in message for message in refused)
    after = row_counts(desk)
    assert after["ledger_entry"] == before["ledger_entry"] + 1
    # One 'paid' and one 'confirmed' entry, from the single winner.
    assert after["audit_entry"] == before["audit_entry"] + 2
    assert money_moved(desk) == [("payment", view.total_cents)]
    with raw(desk) as db:
        assert db.execute("SELECT status, paid_cents FROM invoice").fetchall() == [
            ("paid", view.total_cents)
        ]
    assert violations(desk, TODAY) == []


def test_parallel_wrong_passwords_lock_the_account_after_max_failures(pool, make_desk):
    desk = make_desk(max_failures=3)
    add_user(desk, Actor("boss", Role.MANAGER), "olga", "staff", "olgas-real-password")

    outcomes = pool.race([wrong_password] * RACERS, target(desk), desk.settings, START)

    never_locked(outcomes)
    assert only(outcomes, "ok") == []
    # Exactly max_failures attempts got to try a password; the rest met a locked account.
    assert len(only(outcomes, "SignInFailed")) == 3
    assert len(only(outcomes, "AccountLocked")) == RACERS - 3
    with raw(desk) as db:
        failures = db.execute(
            "SELECT count(*) FROM audit_entry WHERE action = 'sign-in failed' AND ref = 'olga'"
        ).fetchone()[0]
        locked_until = db.execute(
            "SELECT locked_until FROM app_user WHERE username = 'olga'"
        ).fetchone()[0]
    assert failures == 3
    assert locked_until is not None

    # No extra success: even the right password is refused while the lock lasts.
    with pytest.raises(AccountLocked):
        sign_in(desk, "olga", "olgas-real-password")


def test_two_managers_closing_each_others_account_at_once_leave_one_manager(pool, make_desk):
    desk = make_desk()
    for name in ("mgr0", "mgr1"):
        add_user(desk, Actor("boss", Role.MANAGER), name, "manager", f"{name}-password")

    outcomes = pool.race([disable_the_other_manager] * 2, target(desk), desk.settings, START)

    never_locked(outcomes)
    closed = only(outcomes, "ok")
    assert len(closed) == 1
    # The loser was closed first: checked under the same locks, it may close nobody.
    assert only(outcomes, "AccountDisabled") == [SIGNED_OUT]
    with raw(desk) as db:
        enabled = db.execute(
            "SELECT username FROM app_user WHERE role = 'manager' AND disabled_at IS NULL"
        ).fetchall()
    assert enabled == [(f"mgr{1 - int(closed[0][-1])}",)]


def test_the_lifecycle_is_safe_while_other_processes_book(pool, make_desk, clock):
    # A month ago: holds that are stale by now, rentals that have ended unpaid, one paid.
    clock.moment = START - timedelta(days=30)
    desk = make_desk()
    clerk = Actor("setup", Role.STAFF)
    past = date(2026, 2, 10)
    stale = [
        book(desk, clerk, request(car=5, driver=d, start=past + timedelta(days=3 * n))).ref
        for n, d in enumerate((5, 6, 7))
    ]
    owing = [
        book(desk, clerk, request(car=6, driver=d, start=past + timedelta(days=3 * n), days=2))
        for n, d in enumerate((8, 4))
    ]
    for view in owing:
        confirm(desk, clerk, view.ref)
    paid = book(desk, clerk, request(car=7, driver=1, start=past, days=2))
    checkout(desk, clerk, paid.invoice.ref, "card")
    assert all(v.invoice.due < TODAY for v in owing)

    outcomes = pool.race(
        [lifecycle_loop, booking_loop, booking_loop], target(desk), desk.settings, START
    )

    never_locked(outcomes)
    assert [kind for _, kind, _ in outcomes] == ["ok", "ok", "ok"], outcomes
    (_, _, runs), *bookers = outcomes
    assert {kind for kind, _ in runs} == {"ok"}, runs
    expired = [ref for _, result in runs for ref in result["expired"]]
    completed = [ref for _, result in runs for ref in result["completed"]]
    overdue = [ref for _, result in runs for ref in result["overdue"]]
    # Each change happened exactly once, to exactly the rows it was meant for; the holds the
    # booking loops were placing at the same time were never touched.
    assert sorted(expired) == sorted(stale)
    assert sorted(completed) == sorted([v.ref for v in owing] + [paid.ref])
    assert sorted(overdue) == sorted(v.invoice.ref for v in owing)
    for _, _, steps in bookers:
        assert {kind for kind, _ in steps} <= {"ok", "Conflict"}, steps
    assert violations(desk, TODAY) == []
    with raw(desk) as db:
        placed = db.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'cancelled' "
            "AND cancel_reason <> 'changed plans') FROM booking WHERE created_by LIKE 'clerk%'"
        ).fetchone()
    assert placed[0] >= 10  # every round had a winner
    assert placed[1] == 0


def test_checkouts_racing_free_cancels_of_one_booking_end_one_way(pool, desk, staff):
    view = book(desk, staff, request(start=TODAY + timedelta(days=3)))
    actions = [checkout_first_invoice, cancel_first_booking] * (RACERS // 2)

    outcomes = pool.race(actions, target(desk), desk.settings, START)

    never_locked(outcomes)
    cancels = [o for o in outcomes if actions[o[0]] == cancel_first_booking]
    checkouts = [o for o in outcomes if actions[o[0]] == checkout_first_invoice]
    # One cancel wins; a checkout wins only if it came first, and then the cancel reverses the
    # charges and owes the payment back: never a payment taken for a cancelled booking.
    assert [kind for _, kind, _ in cancels].count("ok") == 1, outcomes
    assert {kind for _, kind, _ in cancels + checkouts} <= {"ok", "NotAllowed"}, outcomes
    paid = [o for o in checkouts if o[1] == "ok"]
    assert len(paid) <= 1
    assert money_moved(desk) == [("payment", view.total_cents)] * len(paid)
    expected = ("cancelled", "refund_due" if paid else "void")
    with raw(desk) as db:
        found = db.execute(
            "SELECT b.status, i.status FROM booking b JOIN invoice i ON i.booking_id = b.id "
            "WHERE b.ref = ?",
            (view.ref,),
        ).fetchone()
    assert found == expected
    assert violations(desk, TODAY) == []


def test_a_lifecycle_run_racing_confirms_of_a_stale_hold_ends_one_way(pool, make_desk, clock):
    # Booked 25 hours before the race: stale (TTL 24 h) when the lifecycle runs at START.
    clock.moment = START - timedelta(hours=25)
    desk = make_desk()
    view = book(desk, Actor("setup", Role.STAFF), request(start=TODAY + timedelta(days=3)))
    actions = [lifecycle_once, confirm_first_booking] * (RACERS // 2)

    outcomes = pool.race(actions, target(desk), desk.settings, START)

    never_locked(outcomes)
    runs = [o for o in outcomes if actions[o[0]] == lifecycle_once]
    confirms = [o for o in outcomes if actions[o[0]] == confirm_first_booking]
    assert {kind for _, kind, _ in runs} == {"ok"}, outcomes
    expired = [ref for _, _, refs in runs for ref in refs]
    confirmed = [o for o in confirms if o[1] == "ok"]
    # Either a confirm came first (nothing expires) or a run did (nothing confirms): once.
    assert (len(expired), len(confirmed)) in ((1, 0), (0, 1)), outcomes
    assert {kind for _, kind, _ in confirms} <= {"ok", "NotAllowed"}, outcomes
    status = ("cancelled", "void") if expired else ("confirmed", "unpaid")
    with raw(desk) as db:
        found = db.execute(
            "SELECT b.status, i.status FROM booking b JOIN invoice i ON i.booking_id = b.id "
            "WHERE b.ref = ?",
            (view.ref,),
        ).fetchone()
    assert found == status
    assert violations(desk, TODAY) == []


# --- money: the balance check and the entry share one lock -------------------------------------


def money_is_consistent(desk, ref):
    """The invoice's figures are its entries' sums, and every entry obeyed its rule when it
    was written; a negative balance is only ever a visible refund due."""
    assert violations(desk, TODAY) == []
    assert replay_problems(desk, ref) == []
    found = books(desk, ref)
    assert found.paid_cents >= 0
    assert found.balance_cents >= 0 or found.status == "refund_due", found


def test_eight_processes_paying_forty_percent_each_cannot_overpay(pool, desk, staff):
    view = book(desk, staff, request())
    share = share_of_first_total(40)
    assert 2 * share <= view.total_cents < 3 * share
    before = row_counts(desk)

    outcomes = pool.race([pay_forty_percent] * RACERS, target(desk), desk.settings, START)

    never_locked(outcomes)
    assert sorted(only(outcomes, "ok")) == [share, 2 * share]
    refused = only(outcomes, "NotAllowed")
    assert len(refused) == RACERS - 2
    balance = view.total_cents - 2 * share
    assert all(
        f"has {desk.money(balance)} due; a payment of {desk.money(share)}" in message
        and "Nothing was taken" in message
        for message in refused
    ), refused
    after = row_counts(desk)
    # Two payment entries; audit: two 'paid' and the first payment's 'confirmed'.
    assert after["ledger_entry"] == before["ledger_entry"] + 2
    assert after["audit_entry"] == before["audit_entry"] + 3
    assert kinds(desk, view.invoice.ref)[-2:] == [("payment", share), ("payment", share)]
    found = books(desk, view.invoice.ref)
    assert (found.status, found.paid_cents, found.payments_sum) == (
        "partly_paid",
        2 * share,
        2 * share,
    )
    money_is_consistent(desk, view.invoice.ref)


def test_refunds_racing_payments_of_one_invoice_stay_within_what_was_paid(pool, desk, staff):
    view = book(desk, staff, request())
    ref = view.invoice.ref
    pay(desk, staff, ref, share_of_first_total(60), "card")
    actions = [pay_twenty_percent, refund_thirty_percent] * (RACERS // 2)

    outcomes = pool.race(actions, target(desk), desk.settings, START)

    never_locked(outcomes)
    assert {kind for _, kind, _ in outcomes} <= {"ok", "NotAllowed"}, outcomes
    paid = [o for o in outcomes if o[1] == "ok" and actions[o[0]] == pay_twenty_percent]
    refunded = [o for o in outcomes if o[1] == "ok" and actions[o[0]] == refund_thirty_percent]
    # 60 % paid at the start: at least one of each kind fits whatever the order.
    assert paid and refunded, outcomes
    ledger = kinds(desk, ref)
    assert [k for k, _ in ledger].count("payment") == 1 + len(paid)
    assert [k for k, _ in ledger].count("refund") == len(refunded)
    found = books(desk, ref)
    expected = (
        share_of_first_total(60)
        + len(paid) * share_of_first_total(20)
        - len(refunded) * share_of_first_total(30)
    )
    assert found.paid_cents == expected
    # What each winner saw is a paid figure the invoice really passed through.
    passed = set()
    running = 0
    for kind, amount in ledger:
        running += amount if kind == "payment" else -amount if kind == "refund" else 0
        passed.add(running)
    assert {detail for _, kind, detail in outcomes if kind == "ok"} <= passed
    money_is_consistent(desk, ref)


def test_checkouts_racing_late_cancels_of_one_booking_end_one_way(pool, make_desk, staff):
    # Starts tomorrow: cancelling now is late, and keeps a 10 % fee.
    desk = make_desk()
    fee_desk = with_settings(
        desk,
        replace(
            desk.settings,
            billing=BillingSettings(
                cancel_fee_percent=10, cancel_fee_hours=48, cancel_grace_minutes=0
            ),
        ),
    )
    view = book(fee_desk, staff, request(start=TODAY + timedelta(days=1)))
    fee = view.total_cents // 10
    actions = [checkout_first_invoice, cancel_first_booking] * (RACERS // 2)

    outcomes = pool.race(actions, target(desk), fee_desk.settings, START)

    never_locked(outcomes)
    cancels = [o for o in outcomes if actions[o[0]] == cancel_first_booking]
    checkouts = [o for o in outcomes if actions[o[0]] == checkout_first_invoice]
    assert {kind for _, kind, _ in outcomes} <= {"ok", "NotAllowed"}, outcomes
    # One cancel wins; one checkout wins too: before the cancel it pays the rental (then
    # owed back less the fee), after it the fee alone.
    assert [kind for _, kind, _ in cancels].count("ok") == 1, outcomes
    assert [kind for _, kind, _ in checkouts].count("ok") == 1, outcomes
    ledger = kinds(desk, view.invoice.ref)
    payments = [amount for kind, amount in ledger if kind == "payment"]
    found = books(desk, view.invoice.ref)
    assert found.booking_status == "cancelled"
    assert found.amount_cents == fee
    if payments == [view.total_cents]:
        assert (found.status, found.balance_cents) == ("refund_due", fee - view.total_cents)
        assert ledger.index(("payment", view.total_cents)) < ledger.index(("fee", fee))
    else:
        assert payments == [fee], ledger
        assert (found.status, found.balance_cents) == ("paid", 0)
        assert ledger[-1] == ("payment", fee)
    money_is_consistent(desk, view.invoice.ref)
    assert violations(desk, TODAY) == []


def test_payments_on_a_started_rental_racing_cancels_change_nothing_for_the_cancels(
    pool, desk, staff
):
    view = book(desk, staff, request())  # starts today: under way, no longer cancellable
    actions = [pay_forty_percent, cancel_first_booking] * (RACERS // 2)

    outcomes = pool.race(actions, target(desk), desk.settings, START)

    never_locked(outcomes)
    cancels = [o for o in outcomes if actions[o[0]] == cancel_first_booking]
    assert {kind for _, kind, _ in cancels} == {"NotAllowed"}, outcomes
    assert all("cannot be cancelled" in detail for _, _, detail in cancels)
    assert len([o for o in outcomes if o[1] == "ok"]) == 2
    found = books(desk, view.invoice.ref)
    assert (found.booking_status, found.status) == ("confirmed", "partly_paid")
    money_is_consistent(desk, view.invoice.ref)
    before = snapshot(desk)
    assert pool.race([cancel_first_booking], target(desk), desk.settings, START)[0][1] == (
        "NotAllowed"
    )
    assert snapshot(desk) == before


@pytest.mark.postgres_only
@pytest.mark.slow
def test_sixteen_processes_booking_one_car_on_postgresql_exactly_one_wins(desk):
    racers = 16
    crowd = RacePool(racers)
    try:
        outcomes = crowd.race([book_same_car] * racers, target(desk), desk.settings, START)
    finally:
        crowd.close()

    one_car_winner(outcomes, desk, racers)
