"""The rules behind issue 16's sharp edges, once, in domain.ledger: balances in words, the
refund that is a correction, and the cancellation outcome."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.ledger import (
    CancelTerms,
    balance_words,
    cancel_outcome,
    cancel_terms,
    correction_refusal,
    let_off_words,
    refund_correction,
    signed_money,
)
from nextcars_tui.domain.money import format_money
from nextcars_tui.domain.parsing import parse_days


@pytest.mark.parametrize(
    ("balance", "words"),
    [(2_000, "£20.00 owed"), (-500, "£5.00 owed back"), (0, "nothing owed")],
)
def test_a_balance_in_words(balance, words):
    assert balance_words(balance, format_money) == words


@pytest.mark.parametrize(("cents", "text"), [(2_000, "+£20.00"), (-500, "-£5.00"), (0, "£0.00")])
def test_a_difference_always_shows_its_sign(cents, text):
    assert signed_money(cents, format_money) == text


@pytest.mark.parametrize(
    ("balance", "refund", "correction"),
    [
        (-5_000, 5_000, False),  # exactly what is owed back
        (-5_000, 4_999, False),
        (-5_000, 5_001, True),  # a cent beyond it
        (0, 1, True),  # fully paid: any refund makes a debt
        (2_000, 100, True),  # still owing: a refund owes more
    ],
)
def test_a_refund_beyond_what_is_owed_back_is_a_correction(balance, refund, correction):
    assert refund_correction(balance, refund) is correction


def test_a_correction_needs_a_reason_and_names_the_balance_it_leaves():
    refusal = correction_refusal(0, 10_050, None, format_money)
    assert refusal == (
        "A refund of £100.50 would leave £100.50 owed; give a reason (--reason) to record it "
        "as a correction."
    )
    assert correction_refusal(0, 10_050, "double charge on the card", format_money) is None
    assert correction_refusal(-10_050, 10_050, None, format_money) is None
    asked = correction_refusal(-1_000, 1_500, None, format_money, ask="type a reason")
    assert asked is not None and "£5.00 owed; type a reason to record" in asked


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "The number of days must be a whole number from 1 to 30, got 'abc'."),
        ("1" * 12, "The number of days must be a whole number from 1 to 30, got '111111111111'."),
        ("2.5", "The number of days must be a whole number from 1 to 30, got '2.5'."),
        ("0", "A rental lasts at least one day, got 0 (days from 1 to 30)."),
        (31, "A rental lasts at most 30 days, got 31 (days from 1 to 30)."),
    ],
)
def test_the_days_error_names_the_configured_range_never_the_parsers_bounds(value, message):
    with pytest.raises(InvalidInput) as refused:
        parse_days(value, 30)
    assert refused.value.message == message
    assert refused.value.field == "number of days"


def test_the_days_range_follows_the_setting():
    with pytest.raises(InvalidInput, match="from 1 to 14, got 'x'"):
        parse_days("x", 14)


# --- cancelling: grace period, waiver and the outcome ----------------------------------------

LONDON = ZoneInfo("Europe/London")
START = date(2026, 3, 20)
NOW = datetime(2026, 3, 19, 12, 0, tzinfo=UTC)  # 12 h before the start: late


def terms(made_minutes_ago: float | None, *, grace: int = 30, waive: bool = False) -> CancelTerms:
    made = None if made_minutes_ago is None else NOW - timedelta(minutes=made_minutes_ago)
    return cancel_terms(
        10_000,
        START,
        NOW,
        LONDON,
        fee_percent=20,
        notice_hours=48,
        made_at=made,
        grace_minutes=grace,
        waive=waive,
    )


@pytest.mark.parametrize(
    ("minutes", "grace", "fee"),
    [
        (0, 30, 0),
        (30, 30, 0),  # exactly the grace period: still a mistake put right
        (30.01, 30, 2_000),
        (5, 0, 2_000),  # no grace configured
        (None, 30, 2_000),  # no moment of booking known: no grace
    ],
)
def test_a_late_cancellation_within_the_grace_period_pays_no_fee(minutes, grace, fee):
    found = terms(minutes, grace=grace)
    assert (found.fee_cents, found.due_fee_cents, found.late) == (fee, 2_000, True)
    assert found.let_off is (fee == 0)


def test_a_waived_fee_is_let_off_and_says_so():
    found = terms(120, waive=True)
    assert (found.fee_cents, found.due_fee_cents, found.waived) == (0, 2_000, True)
    assert let_off_words(found, format_money) == "the late fee of £20.00 is waived"
    grace = let_off_words(terms(10), format_money)
    assert grace == (
        "cancelled within 30 minutes of being booked, so the late fee of £20.00 does not apply"
    )
    assert let_off_words(terms(120), format_money) is None


def test_an_early_cancellation_has_nothing_to_let_off():
    early = cancel_terms(
        10_000, START, NOW - timedelta(days=5), LONDON, fee_percent=20, notice_hours=48,
        waive=True,
    )  # fmt: skip
    assert (early.fee_cents, early.due_fee_cents, early.let_off) == (0, 0, False)


@pytest.mark.parametrize(
    ("paid", "owed", "owed_back", "status"),
    [
        (0, 2_000, 0, "unpaid"),
        (2_000, 0, 0, "paid"),
        (5_000, 0, 3_000, "refund_due"),
    ],
)
def test_the_cancel_outcome_is_the_fee_against_what_was_paid(paid, owed, owed_back, status):
    outcome = cancel_outcome(terms(120), paid, date(2026, 4, 5), date(2026, 3, 19))
    assert (outcome.fee_cents, outcome.owed_cents, outcome.owed_back_cents) == (
        2_000,
        owed,
        owed_back,
    )
    assert outcome.status == status


def test_a_cancellation_with_nothing_paid_and_no_fee_voids_the_invoice():
    outcome = cancel_outcome(terms(10), 0, date(2026, 4, 5), date(2026, 3, 19))
    assert (outcome.fee_cents, outcome.owed_cents, outcome.status) == (0, 0, "void")
