"""Edges of the rules that mutation testing found no test holding: each boundary on both of
its sides, each refusal's whole message and the field it names (where a form puts the cursor).
A one-character change to any of these rules now fails here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nextcars_tui.domain.accounts import keep_a_manager, parse_disable_reason
from nextcars_tui.domain.ageing import BUCKETS, bucket_for
from nextcars_tui.domain.changes import Difference, dates_refusal, started
from nextcars_tui.domain.dates import describe_days
from nextcars_tui.domain.errors import InvalidInput, NotAllowed
from nextcars_tui.domain.ledger import (
    balance_words,
    cancel_terms,
    round_half_up,
    signed_money,
    tax_part,
)
from nextcars_tui.domain.mail import RETRY_DELAYS, is_permanent, retry_delay
from nextcars_tui.domain.money import format_money
from nextcars_tui.domain.parsing import (
    parse_adjustment,
    parse_passengers,
    parse_pickup_time,
    parse_signed_amount,
)
from nextcars_tui.domain.refs import normalise_block_ref
from nextcars_tui.domain.reporting import last_month, month_of, percent_tenths
from nextcars_tui.domain.rules import payment_refusal, refund_refusal, retire_refusal

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [(-3, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (400, 4)],
)
def test_each_ageing_bucket_ends_where_the_next_begins(days_late, bucket):
    assert bucket_for(days_late) == BUCKETS[bucket]


@pytest.mark.parametrize(
    ("code", "permanent"), [(250, False), (421, False), (499, False), (500, True), (550, True),
                            (599, True), (600, False)],
)  # fmt: skip
def test_only_a_5xx_reply_is_permanent(code, permanent):
    assert is_permanent(code) is permanent


def test_retries_wait_longer_each_time_and_never_before_the_first_failure():
    assert retry_delay(0) == retry_delay(-1) == timedelta(0)
    waits = [retry_delay(attempt) for attempt in range(1, len(RETRY_DELAYS) + 3)]
    assert waits[: len(RETRY_DELAYS)] == list(RETRY_DELAYS)
    assert waits == sorted(waits) and waits[-1] == RETRY_DELAYS[-1]


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [
        (date(2027, 1, 31), date(2027, 1, 1), date(2027, 1, 31)),
        (date(2027, 2, 1), date(2027, 2, 1), date(2027, 2, 28)),
        (date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29)),
        (date(2027, 12, 15), date(2027, 12, 1), date(2027, 12, 31)),
    ],
)
def test_a_month_is_its_first_to_its_last_day(day, first, last):
    period = month_of(day)
    assert (period.first, period.last) == (first, last)


@pytest.mark.parametrize("today", [date(2027, 3, 1), date(2027, 3, 31)])
def test_last_month_is_the_whole_month_before(today):
    period = last_month(today)
    assert (period.first, period.last) == (date(2027, 2, 1), date(2027, 2, 28))


@pytest.mark.parametrize(
    ("part", "whole", "tenths"), [(1, 1, 1000), (0, 1, 0), (1, 3, 333), (2, 3, 667), (5, 0, 0)]
)
def test_a_percentage_in_tenths_rounds_half_up_and_is_nothing_of_nothing(part, whole, tenths):
    assert percent_tenths(part, whole) == tenths


def test_a_rental_starting_today_has_started():
    assert started(TODAY, TODAY) and started(TODAY - timedelta(days=1), TODAY)
    assert not started(TODAY + timedelta(days=1), TODAY)
    assert dates_refusal(
        "BK-000001", TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=3), TODAY
    ) == (
        "Booking BK-000001 started on 2026-03-10; its start cannot move (change its days to "
        "end it early or extend it)."
    )


def test_a_difference_shows_a_missing_value_as_a_dash():
    assert str(Difference("pickup", None, "St Pancras")) == "pickup — → St Pancras"
    assert str(Difference("pickup", "St Pancras", None)) == "pickup St Pancras → —"


def refused(call, *args, **kwargs) -> tuple[str, str | None]:
    with pytest.raises(InvalidInput) as refusal:
        call(*args, **kwargs)
    return refusal.value.message, refusal.value.field


@pytest.mark.parametrize(
    ("value", "seats", "message"),
    [
        (0, 5, "The passengers must be from 1 to 60, got 0."),
        (61, 70, "The passengers must be from 1 to 60, got 61."),
        (6, 5, "6 passengers do not fit: the car has 5 seats."),
    ],
)
def test_passengers_are_one_to_sixty_and_fit_the_car(value, seats, message):
    assert refused(parse_passengers, value, seats) == (message, "passengers")
    assert parse_passengers(1, 5) == 1 and parse_passengers(60, 60) == 60


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9.30", "The pickup time must be a time like 09:30 (24-hour), got '9.30'."),
        ("24:00", "The pickup time '24:00' is not a time of day (00:00 to 23:59)."),
    ],
)
def test_a_pickup_time_refusal_says_why_at_its_field(typed, message):
    assert refused(parse_pickup_time, typed) == (message, "pickup time")


@pytest.mark.parametrize(
    ("value", "cents"),
    [(-1, -1), (0, 0), (1, 1), (-1500, -1500), (" -15.00 ", -1500), ("15", 1500)],
)
def test_a_signed_amount_keeps_its_sign(value, cents):
    assert parse_signed_amount(value) == cents


@pytest.mark.parametrize("value", [-100_000_001, 100_000_001, "-1000000.01", "1000000.01"])
def test_a_signed_amount_beyond_the_most_is_refused_at_its_field(value):
    assert refused(parse_signed_amount, value, "fee") == (
        "The fee is too large (at most 1,000,000.00).",
        "fee",
    )
    assert refused(parse_signed_amount, value)[1] == "amount"


def test_an_adjustment_of_nothing_is_refused_at_its_field():
    assert refused(parse_adjustment, "0") == ("The adjustment must not be zero.", "amount")
    assert refused(parse_adjustment, "-0.00", "change")[1] == "change"
    assert parse_adjustment("-15.00", "change") == -1500


def test_a_block_reference_refusal_names_a_block():
    assert refused(normalise_block_ref, "xyz") == (
        "'xyz' is not a block reference like BL-000123.",
        None,
    )


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_disabling_needs_a_reason_said_at_its_field(reason):
    assert refused(parse_disable_reason, reason) == (
        "Say why the account is disabled (--reason), e.g. 'left the company'.",
        "reason",
    )


def test_the_last_manager_is_kept_with_the_way_forward():
    keep_a_manager("mia", 1, "disabling them")
    with pytest.raises(NotAllowed) as refusal:
        keep_a_manager("mia", 0, "disabling them")
    assert refusal.value.message == (
        "mia is the last enabled manager; disabling them would leave nobody to manage users. "
        "Make another user a manager first."
    )


def test_one_cent_is_owed_and_shown_with_its_sign():
    assert balance_words(1, format_money) == "£0.01 owed"
    assert balance_words(-1, format_money) == "£0.01 owed back"
    assert signed_money(1, format_money) == "+£0.01"
    assert signed_money(0, format_money) == "£0.00"


def test_one_cent_due_can_be_paid_and_nothing_due_says_so():
    assert payment_refusal("INV-000001", "unpaid", 1, 1, money=format_money) is None
    assert payment_refusal("INV-000001", "unpaid", 0, money=format_money) == (
        "Invoice INV-000001 has nothing due."
    )


def test_one_cent_paid_can_be_refunded():
    assert refund_refusal("INV-000001", 1, 1, money=format_money) is None
    assert refund_refusal("INV-000001", 0, money=format_money) == (
        "Nothing has been paid on invoice INV-000001; there is nothing to refund."
    )


def test_retiring_says_what_must_happen_to_the_bookings_first():
    assert retire_refusal("Customer a@example.com", True, ["BK-000003", "BK-000004"]) == (
        "Customer a@example.com has bookings to come (BK-000003, BK-000004); they must run or "
        "be cancelled before the customer is retired."
    )
    assert retire_refusal("Car KX-204", False, ["BK-000001"]) == (
        "Car KX-204 still has bookings to run (BK-000001); reassign and retire moves them to "
        "free replacements first, or change each booking."
    )


START = date(2026, 3, 20)
LATE = datetime(2026, 3, 19, 12, 0, tzinfo=UTC)  # 12 h before the start, 48 h notice: late


def test_without_a_grace_period_a_cancellation_made_at_once_still_pays_the_late_fee():
    terms = cancel_terms(
        10_000, START, LATE, ZoneInfo("Europe/London"), fee_percent=20, notice_hours=48,
        made_at=LATE,
    )  # fmt: skip
    assert (terms.fee_cents, terms.fee_percent, terms.notice_hours) == (2_000, 20, 48)


def test_a_grace_period_of_one_minute_lets_off_a_cancellation_made_at_once():
    terms = cancel_terms(
        10_000, START, LATE, ZoneInfo("Europe/London"), fee_percent=20, notice_hours=48,
        made_at=LATE - timedelta(seconds=30), grace_minutes=1,
    )  # fmt: skip
    assert (terms.fee_cents, terms.due_fee_cents, terms.grace_minutes) == (0, 2_000, 1)


@pytest.mark.parametrize(
    ("numerator", "denominator", "rounded"),
    [(5, 10, 1), (4, 10, 0), (-5, 10, -1), (-4, 10, 0), (5, -10, -1), (-15, -10, 2), (0, 7, 0)],
)
def test_halves_round_away_from_zero_whatever_the_signs(numerator, denominator, rounded):
    assert round_half_up(numerator, denominator) == rounded


def test_the_tax_inside_a_credit_is_a_credit_of_tax():
    assert tax_part(-12_000, 2_000) == -2_000


def test_days_in_another_year_than_this_one_say_which():
    start, end = date(2027, 12, 3), date(2027, 12, 6)
    assert describe_days(start, end, this_year=2026) == "3–5 Dec 2027"
    assert describe_days(start, end, this_year=2027) == describe_days(start, end) == "3–5 Dec"
