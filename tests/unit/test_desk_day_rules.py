"""The rules behind issue 16's sharp edges, once, in domain.ledger: balances in words, the
refund that is a correction, and the cancellation outcome."""

from __future__ import annotations

import pytest

from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.ledger import (
    balance_words,
    correction_refusal,
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
