"""Money as a ledger, rule by rule, through the services on each engine.

After every operation the invoice's stored figures are compared with the sums of its ledger
entries read straight from the tables (ledgerkit), and every refusal is checked to have
written nothing at all (rawdb.snapshot).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from deskkit import TODAY, request, snapshot, statuses, with_settings
from invariants import violations
from ledgerkit import books, entries, kinds
from rawdb import APPEND_ONLY_REFUSED, raw

from nextcars_tui.config import BillingSettings
from nextcars_tui.domain.errors import InvalidInput, NotAllowed, NotFound
from nextcars_tui.domain.ledger import invoice_status
from nextcars_tui.domain.statuses import InvoiceStatus
from nextcars_tui.services.billing import (
    adjust,
    checkout,
    invoice_statement,
    list_invoices,
    pay,
    refund,
)
from nextcars_tui.services.booking import book, booking_detail, cancel, cancel_quote, confirm
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.lifecycle import run_lifecycle
from nextcars_tui.services.views import BookingView

# Car NC01 (90.00 a day) with driver DRV-01 (60.10 a day).
DAY_CENTS = 9_000 + 6_010
DAYS = 3
TOTAL = DAYS * DAY_CENTS  # 450.30


def book_ahead(desk: Desk, clerk, days_ahead: int = 7, **wanted) -> BookingView:
    """A booking starting `days_ahead` after today: far from any late-cancellation window."""
    return book(desk, clerk, request(start=TODAY + timedelta(days=days_ahead), **wanted))


def billing(desk: Desk, fee_percent: int, fee_hours: int = 48) -> Desk:
    return with_settings(
        desk,
        replace(
            desk.settings,
            # No grace period: these bookings are cancelled minutes after they are made.
            billing=BillingSettings(
                cancel_fee_percent=fee_percent, cancel_fee_hours=fee_hours, cancel_grace_minutes=0
            ),
        ),
    )


def taxed(desk: Desk, percent: str) -> Desk:
    business = replace(desk.settings.business, tax_rate_percent=percent)
    return with_settings(desk, replace(desk.settings, business=business))


def consistent(desk: Desk) -> None:
    """Every invoice's figures and status are what its ledger entries say."""
    assert violations(desk, desk.today()) == []


def refused(desk: Desk, error: type[Exception], action, match: str | None = None) -> str:
    """Run an action that must be refused with `error`; the database is left untouched."""
    before = snapshot(desk)
    with pytest.raises(error, match=match) as caught:
        action()
    assert snapshot(desk) == before
    return str(caught.value)


# --- payments ---------------------------------------------------------------------------------


def test_a_part_payment_leaves_the_invoice_partly_paid(desk, staff):
    view = book_ahead(desk, staff)
    assert (view.invoice.amount_cents, view.invoice.paid_cents) == (TOTAL, 0)

    paid = pay(desk, staff, view.invoice.ref, "100.00", "card")

    assert paid.status == "partly_paid"
    assert (paid.amount_cents, paid.paid_cents, paid.balance_cents) == (
        TOTAL,
        10_000,
        TOTAL - 10_000,
    )
    found = books(desk, view.invoice.ref)
    assert (found.status, found.amount_cents, found.paid_cents) == ("partly_paid", TOTAL, 10_000)
    rows = entries(desk, view.invoice.ref)
    assert [(r[1], r[2]) for r in rows] == [
        ("charge", 3 * 9_000),
        ("charge", 3 * 6_010),
        ("payment", 10_000),
    ]
    assert (rows[-1][3], rows[-1][7]) == ("card", "sam")
    consistent(desk)


def test_paying_the_exact_balance_makes_the_invoice_paid(desk, staff):
    view = book_ahead(desk, staff)
    pay(desk, staff, view.invoice.ref, "150.30", "cash")

    paid = pay(desk, staff, view.invoice.ref, "300.00", "transfer")

    assert (paid.status, paid.paid_cents, paid.balance_cents) == ("paid", TOTAL, 0)
    assert kinds(desk, view.invoice.ref)[-2:] == [("payment", 15_030), ("payment", 30_000)]
    consistent(desk)


def test_checkout_takes_whatever_balance_is_left(desk, staff):
    view = book_ahead(desk, staff)
    pay(desk, staff, view.invoice.ref, "50.00", "card")

    after = checkout(desk, staff, view.invoice.ref, "cash")

    assert (after.invoice.status, after.invoice.paid_cents) == ("paid", TOTAL)
    assert kinds(desk, view.invoice.ref)[-1] == ("payment", TOTAL - 5_000)
    consistent(desk)


@pytest.mark.parametrize("deposit", [0, 10_000])
def test_an_overpayment_is_refused_and_nothing_is_written(desk, staff, deposit):
    view = book_ahead(desk, staff)
    if deposit:
        pay(desk, staff, view.invoice.ref, deposit, "card")
    balance = TOTAL - deposit

    message = refused(
        desk, NotAllowed, lambda: pay(desk, staff, view.invoice.ref, balance + 1, "card")
    )

    assert "more than that" in message and "Nothing was taken" in message
    found = books(desk, view.invoice.ref)
    assert (found.paid_cents, found.balance_cents) == (deposit, balance)
    consistent(desk)


def test_a_paid_invoice_takes_no_more_money(desk, staff):
    view = book_ahead(desk, staff)
    checkout(desk, staff, view.invoice.ref, "card")

    message = refused(desk, NotAllowed, lambda: pay(desk, staff, view.invoice.ref, 1, "card"))
    assert "is paid; nothing to take" in message
    refused(desk, NotAllowed, lambda: checkout(desk, staff, view.invoice.ref, "card"))


BAD_AMOUNTS = ["0", "0.00", "-5.00", "-0.01", "10.005", "1.999", "ten", "", "12,50", "1e3"]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_a_malformed_payment_amount_is_refused_and_nothing_is_written(desk, staff, amount):
    view = book_ahead(desk, staff)

    refused(desk, InvalidInput, lambda: pay(desk, staff, view.invoice.ref, amount, "card"))


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_a_malformed_refund_amount_is_refused_and_nothing_is_written(desk, staff, amount):
    view = book_ahead(desk, staff)
    checkout(desk, staff, view.invoice.ref, "card")

    refused(desk, InvalidInput, lambda: refund(desk, staff, view.invoice.ref, amount, "card"))


def test_an_unknown_method_or_invoice_is_refused(desk, staff):
    view = book_ahead(desk, staff)

    refused(desk, InvalidInput, lambda: pay(desk, staff, view.invoice.ref, "10.00", "cheque"))
    refused(desk, NotFound, lambda: pay(desk, staff, "INV-999999", "10.00", "card"))
    refused(desk, NotFound, lambda: refund(desk, staff, "INV-999999", "10.00", "card"))


def test_a_payment_on_a_pending_booking_confirms_it(desk, staff):
    view = book_ahead(desk, staff)
    assert statuses(desk, view.ref) == ("pending", "unpaid")

    pay(desk, staff, view.invoice.ref, "45.03", "card")

    assert statuses(desk, view.ref) == ("confirmed", "partly_paid")
    with raw(desk) as db:
        audit = db.execute(
            "SELECT action, detail FROM audit_entry WHERE ref = ? ORDER BY id", (view.ref,)
        ).fetchall()
    assert audit[-1] == ("confirmed", "paid")


def test_a_deposit_keeps_a_hold_from_expiring_but_an_unpaid_hold_still_expires(
    desk, staff, system, clock
):
    deposited = book_ahead(desk, staff, car=1, driver=1)
    unpaid = book_ahead(desk, staff, car=2, driver=2)
    pay(desk, staff, deposited.invoice.ref, "30.00", "card")
    clock.advance(hours=25)

    result = run_lifecycle(desk, system)

    assert result.expired == [unpaid.ref]
    assert statuses(desk, deposited.ref) == ("confirmed", "partly_paid")
    assert statuses(desk, unpaid.ref) == ("cancelled", "void")
    assert kinds(desk, unpaid.invoice.ref)[-1] == ("charge", -(3 * (9_100 + 6_020)))
    consistent(desk)


def test_an_expired_hold_adjusted_to_nothing_is_void(desk, staff, manager, system, clock):
    view = book_ahead(desk, staff)
    adjust(desk, manager, view.invoice.ref, -TOTAL, "free rental")
    clock.advance(hours=25)

    assert run_lifecycle(desk, system).expired == [view.ref]

    assert statuses(desk, view.ref) == ("cancelled", "void")
    consistent(desk)


# --- refunds ----------------------------------------------------------------------------------


def test_a_refund_pays_back_at_most_what_was_paid(desk, staff):
    view = book_ahead(desk, staff)
    ref = view.invoice.ref
    refused(desk, NotAllowed, lambda: refund(desk, staff, ref, "1.00", "card"), "Nothing has")
    pay(desk, staff, ref, "200.00", "card")

    back = refund(desk, staff, ref, "50.00", "card", reason="deposit too high")

    assert (back.status, back.paid_cents, back.balance_cents) == (
        "partly_paid",
        15_000,
        TOTAL - 15_000,
    )
    last = entries(desk, ref)[-1]
    assert (last[1], last[2], last[3], last[5]) == ("refund", 5_000, "card", "deposit too high")
    message = refused(desk, NotAllowed, lambda: refund(desk, staff, ref, "150.01", "cash"))
    assert "Nothing was refunded" in message
    consistent(desk)

    # Everything paid back, the rental still to run: a correction, so with its reason.
    all_back = refund(desk, staff, ref, "150.00", "cash", reason="card charged in error")

    assert (all_back.status, all_back.paid_cents, all_back.balance_cents) == ("unpaid", 0, TOTAL)
    refused(desk, NotAllowed, lambda: refund(desk, staff, ref, "0.01", "cash"))
    consistent(desk)


def test_refund_due_becomes_refunded_once_paid_back(desk, staff):
    view = book_ahead(desk, staff)
    ref = view.invoice.ref
    checkout(desk, staff, ref, "card")

    cancelled = cancel(desk, staff, view.ref, "plans changed")

    assert cancelled.invoice.status == "refund_due"
    assert (cancelled.invoice.amount_cents, cancelled.invoice.balance_cents) == (0, -TOTAL)
    refused(desk, NotAllowed, lambda: pay(desk, staff, ref, "1.00", "card"), "owes money back")
    consistent(desk)

    part = refund(desk, staff, ref, "100.00", "card")
    assert (part.status, part.balance_cents) == ("refund_due", -(TOTAL - 10_000))
    consistent(desk)

    rest = refund(desk, staff, ref, TOTAL - 10_000, "card")

    assert (rest.status, rest.amount_cents, rest.paid_cents, rest.balance_cents) == (
        "refunded",
        0,
        0,
        0,
    )
    refused(desk, NotAllowed, lambda: refund(desk, staff, ref, "0.01", "card"))
    consistent(desk)


# --- adjustments ------------------------------------------------------------------------------


def test_only_a_manager_may_adjust(desk, staff):
    view = book_ahead(desk, staff)

    message = refused(
        desk, NotAllowed, lambda: adjust(desk, staff, view.invoice.ref, "-15.00", "goodwill")
    )
    assert "may not adjust invoices" in message


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_an_adjustment_needs_a_reason(desk, staff, manager, reason):
    view = book_ahead(desk, staff)

    refused(
        desk,
        InvalidInput,
        lambda: adjust(desk, manager, view.invoice.ref, "-15.00", reason),
        "reason",
    )


@pytest.mark.parametrize("amount", ["0", "-0.00", "1.234", "minus ten", "--5"])
def test_a_malformed_adjustment_is_refused(desk, staff, manager, amount):
    view = book_ahead(desk, staff)

    refused(desk, InvalidInput, lambda: adjust(desk, manager, view.invoice.ref, amount, "typo"))


def test_an_adjustment_changes_the_amount_with_a_reasoned_entry(desk, staff, manager):
    view = book_ahead(desk, staff)
    ref = view.invoice.ref

    lower = adjust(desk, manager, ref, "-15.00", "scratched door")

    assert (lower.status, lower.amount_cents, lower.balance_cents) == (
        "unpaid",
        TOTAL - 1_500,
        TOTAL - 1_500,
    )
    last = entries(desk, ref)[-1]
    assert (last[1], last[2], last[3], last[5], last[7]) == (
        "adjustment",
        -1_500,
        None,
        "scratched door",
        "mia",
    )
    higher = adjust(desk, manager, ref, "+5.25", "child seat")
    assert higher.amount_cents == TOTAL - 1_500 + 525
    consistent(desk)


def test_an_adjustment_cannot_take_the_amount_below_zero(desk, staff, manager):
    view = book_ahead(desk, staff)
    ref = view.invoice.ref

    message = refused(desk, NotAllowed, lambda: adjust(desk, manager, ref, -(TOTAL + 1), "why"))
    assert "below zero" in message

    to_zero = adjust(desk, manager, ref, -TOTAL, "on the house")
    assert (to_zero.amount_cents, to_zero.status) == (0, "paid")
    refused(desk, NotAllowed, lambda: adjust(desk, manager, ref, "-0.01", "why"))
    consistent(desk)


def test_an_adjustment_below_what_was_paid_leaves_a_refund_due(desk, staff, manager):
    view = book_ahead(desk, staff)
    ref = view.invoice.ref
    checkout(desk, staff, ref, "card")

    lower = adjust(desk, manager, ref, "-20.00", "late pickup")

    assert (lower.status, lower.balance_cents) == ("refund_due", -2_000)
    back = refund(desk, staff, ref, "20.00", "card")
    assert (back.status, back.balance_cents) == ("paid", 0)
    consistent(desk)


# --- derived statuses -------------------------------------------------------------------------


def test_an_invoice_with_a_balance_past_its_due_date_is_overdue(desk, staff, system, clock):
    unpaid = book(desk, staff, request(car=1, driver=1, start=TODAY, days=1))
    confirm(desk, staff, unpaid.ref)  # on account, so the hold does not expire
    part = book(desk, staff, request(car=2, driver=2, start=TODAY, days=1))
    paid = book(desk, staff, request(car=3, driver=3, start=TODAY, days=1))
    pay(desk, staff, part.invoice.ref, "10.00", "card")
    checkout(desk, staff, paid.invoice.ref, "card")
    clock.advance(days=(unpaid.invoice.due - TODAY).days + 1)

    result = run_lifecycle(desk, system)

    assert sorted(result.overdue) == sorted([unpaid.invoice.ref, part.invoice.ref])
    assert books(desk, unpaid.invoice.ref).status == "overdue"
    assert books(desk, part.invoice.ref).status == "overdue"
    assert books(desk, paid.invoice.ref).status == "paid"
    consistent(desk)

    # Another part payment keeps it overdue while a balance is left; the last clears it.
    still = pay(desk, staff, part.invoice.ref, "10.00", "cash")
    assert still.status == "overdue"
    done = checkout(desk, staff, part.invoice.ref, "cash")
    assert done.invoice.status == "paid"
    consistent(desk)


def test_a_payment_past_the_due_date_derives_overdue_without_the_lifecycle(desk, staff, clock):
    view = book(desk, staff, request(start=TODAY, days=1))
    clock.advance(days=(view.invoice.due - TODAY).days + 1)

    after = pay(desk, staff, view.invoice.ref, "20.00", "card")

    assert after.status == "overdue"
    consistent(desk)


# --- cancelling -------------------------------------------------------------------------------


def test_cancelling_early_with_nothing_paid_voids_the_invoice(desk, staff):
    fee_desk = billing(desk, fee_percent=25)
    view = book_ahead(fee_desk, staff)
    assert cancel_quote(fee_desk, staff, view.ref).fee_cents == 0

    after = cancel(fee_desk, staff, view.ref, "plans changed")

    assert (after.status, after.invoice.status) == ("cancelled", "void")
    assert (after.invoice.amount_cents, after.invoice.paid_cents) == (0, 0)
    assert kinds(desk, view.invoice.ref) == [
        ("charge", 3 * 9_000),
        ("charge", 3 * 6_010),
        ("charge", -TOTAL),
    ]
    refused(desk, NotAllowed, lambda: pay(desk, staff, view.invoice.ref, "1.00", "card"), "void")
    consistent(desk)


def test_a_late_cancellation_keeps_the_fee_which_is_owed_like_any_balance(desk, staff):
    fee_desk = billing(desk, fee_percent=10, fee_hours=48)
    # Starts tomorrow at midnight: 15 hours from now, inside the 48-hour window.
    view = book_ahead(fee_desk, staff, days_ahead=1)
    fee = (TOTAL * 10 + 50) // 100  # 45.03
    terms = cancel_quote(fee_desk, staff, view.ref)
    assert (terms.late, terms.fee_cents) == (True, fee)

    after = cancel(fee_desk, staff, view.ref, "too late")

    assert after.invoice.status == "unpaid"
    assert (after.invoice.amount_cents, after.invoice.balance_cents) == (fee, fee)
    assert kinds(desk, view.invoice.ref)[-2:] == [("charge", -TOTAL), ("fee", fee)]
    fee_row = entries(desk, view.invoice.ref)[-1]
    assert "48 h" in str(fee_row[5])
    consistent(desk)

    settled = checkout(fee_desk, staff, view.invoice.ref, "card")

    assert (settled.status, settled.invoice.status, settled.invoice.paid_cents) == (
        "cancelled",
        "paid",
        fee,
    )
    consistent(desk)


def test_a_late_cancellation_after_a_small_deposit_leaves_the_rest_of_the_fee_owed(desk, staff):
    fee_desk = billing(desk, fee_percent=50)
    view = book_ahead(fee_desk, staff, days_ahead=1)
    pay(fee_desk, staff, view.invoice.ref, "100.00", "card")

    after = cancel(fee_desk, staff, view.ref)

    fee = TOTAL // 2
    assert (after.invoice.status, after.invoice.balance_cents) == ("partly_paid", fee - 10_000)
    consistent(desk)


def test_a_late_cancellation_after_paying_owes_back_what_was_paid_less_the_fee(desk, staff):
    fee_desk = billing(desk, fee_percent=20)
    view = book_ahead(fee_desk, staff, days_ahead=1)
    checkout(fee_desk, staff, view.invoice.ref, "card")
    fee = TOTAL // 5  # 90.06

    after = cancel(fee_desk, staff, view.ref)

    assert after.invoice.status == "refund_due"
    assert (after.invoice.amount_cents, after.invoice.paid_cents) == (fee, TOTAL)
    assert after.invoice.balance_cents == -(TOTAL - fee)
    refused(
        fee_desk,
        NotAllowed,
        lambda: refund(fee_desk, staff, view.invoice.ref, TOTAL + 1, "card"),
    )
    consistent(desk)

    back = refund(fee_desk, staff, view.invoice.ref, TOTAL - fee, "card")

    # The fee stays paid: everything owed back went back, and the booking was cancelled.
    assert (back.status, back.paid_cents, back.balance_cents) == ("refunded", fee, 0)
    consistent(desk)


def test_a_cancellation_outside_the_fee_window_costs_nothing(desk, staff):
    fee_desk = billing(desk, fee_percent=20, fee_hours=24)
    # Starts in two days at midnight: 39 hours ahead, outside a 24-hour window.
    view = book_ahead(fee_desk, staff, days_ahead=2)

    after = cancel(fee_desk, staff, view.ref)

    assert (after.invoice.status, after.invoice.amount_cents) == ("void", 0)
    assert "fee" not in {kind for kind, _ in kinds(desk, view.invoice.ref)}


@pytest.mark.parametrize("started_days_ago", [0, 1])
def test_a_rental_that_has_started_cannot_be_cancelled(desk, staff, clock, started_days_ago):
    view = book(desk, staff, request(start=TODAY, days=3))
    pay(desk, staff, view.invoice.ref, "50.00", "card")
    clock.advance(days=started_days_ago)

    message = refused(desk, NotAllowed, lambda: cancel(desk, staff, view.ref, "too late"))

    assert "cannot be cancelled" in message
    refused(desk, NotAllowed, lambda: cancel_quote(desk, staff, view.ref))
    assert statuses(desk, view.ref) == ("confirmed", "partly_paid")


# --- the statement ----------------------------------------------------------------------------


def test_the_statement_shows_every_entry_with_its_running_balance(desk, staff, manager):
    fee_desk = billing(desk, fee_percent=10)
    view = book_ahead(fee_desk, staff, days_ahead=1)
    ref = view.invoice.ref
    pay(fee_desk, staff, ref, "100.00", "card")
    adjust(fee_desk, manager, ref, "-10.30", "rounding for a regular")
    pay(fee_desk, staff, ref, "200.00", "cash")
    cancel(fee_desk, staff, view.ref)
    amount = TOTAL - 1_030
    fee = (TOTAL * 10 + 50) // 100

    found = invoice_statement(fee_desk, staff, ref)

    lines = [(e.kind.value, e.amount_cents, e.balance_after_cents, e.by) for e in found.entries]
    assert lines == [
        ("charge", 27_000, 27_000, "sam"),
        ("charge", 18_030, TOTAL, "sam"),
        ("payment", 10_000, TOTAL - 10_000, "sam"),
        ("adjustment", -1_030, amount - 10_000, "mia"),
        ("payment", 20_000, amount - 30_000, "sam"),
        ("charge", -amount, -30_000, "sam"),
        ("fee", fee, fee - 30_000, "sam"),
    ]
    assert found.entries[-1].balance_after_cents == found.invoice.balance_cents
    assert found.invoice.status == "refund_due"
    detail = booking_detail(fee_desk, staff, view.ref)
    assert [e.balance_after_cents for e in detail.entries] == [line[2] for line in lines]
    consistent(desk)


def test_entries_are_never_changed_by_later_operations(desk, staff, manager, clock):
    fee_desk = billing(desk, fee_percent=10)
    view = book_ahead(fee_desk, staff, days_ahead=1)
    ref = view.invoice.ref
    steps = [
        lambda: pay(fee_desk, staff, ref, "100.00", "card"),
        lambda: adjust(fee_desk, manager, ref, "12.00", "extra cleaning"),
        lambda: refund(fee_desk, staff, ref, "40.00", "cash", "goodwill"),
        lambda: checkout(fee_desk, staff, ref, "transfer"),
        lambda: cancel(fee_desk, staff, view.ref, "flight cancelled"),
        lambda: refund(fee_desk, staff, ref, "10.00", "card"),
    ]
    seen = entries(desk, ref)
    for step in steps:
        clock.advance(minutes=5)
        step()
        now = entries(desk, ref)
        assert now[: len(seen)] == seen, "an earlier entry changed"
        assert len(now) > len(seen)
        seen = now
        consistent(desk)


def test_the_database_refuses_to_change_or_remove_an_entry(desk, staff):
    view = book_ahead(desk, staff)
    pay(desk, staff, view.invoice.ref, "10.00", "card")
    before = snapshot(desk)

    with raw(desk) as db:
        for statement in (
            "UPDATE ledger_entry SET amount_cents = 1 WHERE kind = 'payment'",
            "DELETE FROM ledger_entry WHERE kind = 'payment'",
        ):
            with pytest.raises(Exception, match=APPEND_ONLY_REFUSED):
                db.execute(statement)

    assert snapshot(desk) == before


# --- tax --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "gross", "tax"),
    [
        ("20", 12_000, 2_000),
        # 99.99 × 20/120 = 16.665: half a cent, rounded up.
        ("20", 9_999, 1_667),
        # 100.00 × 17.5/117.5 = 14.8936...
        ("17.5", 10_000, 1_489),
        ("0", 12_000, 0),
    ],
)
def test_the_statement_shows_the_tax_part_of_the_amount(desk, staff, manager, rate, gross, tax):
    view = book_ahead(desk, staff)
    adjust(desk, manager, view.invoice.ref, gross - TOTAL, "agreed price")
    taxed_desk = taxed(desk, rate)

    found = invoice_statement(taxed_desk, staff, view.invoice.ref)

    assert found.invoice.amount_cents == gross
    assert found.tax_rate_basis_points == round(float(rate) * 100)
    assert found.tax_cents == tax


# --- every figure from the ledger -------------------------------------------------------------


def test_invoice_figures_follow_the_ledger_through_a_busy_day(desk, staff, manager, system, clock):
    fee_desk = billing(desk, fee_percent=15)
    views = [
        book_ahead(fee_desk, staff, days_ahead=1 + n, car=1 + n, driver=1 + n, days=1 + n % 3)
        for n in range(5)
    ]
    operations = [
        lambda: pay(fee_desk, staff, views[0].invoice.ref, "20.00", "card"),
        lambda: pay(fee_desk, staff, views[1].invoice.ref, "0.01", "cash"),
        lambda: checkout(fee_desk, staff, views[2].invoice.ref, "transfer"),
        lambda: adjust(fee_desk, manager, views[3].invoice.ref, "-7.77", "loyalty"),
        lambda: refund(fee_desk, staff, views[2].invoice.ref, "3.33", "card", "goodwill"),
        lambda: cancel(fee_desk, staff, views[0].ref),
        lambda: cancel(fee_desk, staff, views[2].ref),
        lambda: refund(fee_desk, staff, views[0].invoice.ref, "0.01", "card", "rounding"),
        lambda: cancel(fee_desk, staff, views[4].ref),
        lambda: run_lifecycle(fee_desk, system),
        lambda: checkout(fee_desk, staff, views[0].invoice.ref, "card"),
    ]
    for operation in operations:
        clock.advance(minutes=1)
        operation()
        consistent(desk)
    for view in views:
        found = books(desk, view.invoice.ref)
        assert found.status == invoice_status(
            found.figures, found.booking_status, found.due, desk.today()
        )


def test_waiving_a_cancelled_bookings_fee_by_adjustment_voids_the_invoice(desk, staff, manager):
    """What the invoice reads after an adjustment comes from its booking's state too: a
    cancelled booking's invoice adjusted down to nothing, nothing paid, is void, not paid."""
    fee_desk = billing(desk, fee_percent=10, fee_hours=48)
    view = book_ahead(fee_desk, staff, days_ahead=1)
    after = cancel(fee_desk, staff, view.ref, "too late")
    fee = after.invoice.amount_cents
    assert fee > 0 and after.invoice.status == "unpaid"

    waived = adjust(fee_desk, manager, view.invoice.ref, f"-{fee / 100:.2f}", "goodwill")

    assert (waived.status, waived.amount_cents, waived.balance_cents) == ("void", 0, 0)
    history = booking_detail(fee_desk, manager, view.ref).history
    adjusted = [h for h in history if h.action == "adjusted"]
    assert len(adjusted) == 1 and adjusted[0].ref == view.invoice.ref
    assert "goodwill" in adjusted[0].detail and adjusted[0].actor == manager.username
    consistent(desk)


def test_the_invoices_list_keeps_to_the_statuses_asked_for(desk, staff):
    unpaid = book_ahead(desk, staff, days_ahead=3)
    paid = book_ahead(desk, staff, days_ahead=9)
    checkout(desk, staff, paid.invoice.ref, "card")
    everything = list_invoices(desk, staff)
    assert {v.ref for v in everything.items} == {unpaid.invoice.ref, paid.invoice.ref}
    only_unpaid = list_invoices(desk, staff, statuses=[InvoiceStatus.UNPAID])
    assert [v.ref for v in only_unpaid.items] == [unpaid.invoice.ref]
    assert only_unpaid.total == 1
