"""Edges of the parsers that mutation testing found no test holding: which field a refusal
names (a form puts the cursor there) on every path, a given field name passed on, each
boundary on both of its sides, and the whole message where it tells the clerk something."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from nextcars_tui.domain.accounts import parse_disable_reason
from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.parsing import (
    check_booking_start,
    decode_utf8,
    parse_adjustment,
    parse_amount,
    parse_date,
    parse_days,
    parse_flag,
    parse_moment,
    parse_optional_email,
    parse_optional_text,
    parse_password,
    parse_phone,
    parse_pickup_time,
    parse_plate,
    parse_positive_amount,
    parse_signed_amount,
    parse_text,
    parse_username,
    parse_whole_number,
    phone_digits,
)

TODAY = date(2026, 3, 10)
ZONE = ZoneInfo("Europe/London")


def refused(call: Callable[..., object], *args: object, **kwargs: object) -> tuple[str, str | None]:
    with pytest.raises(InvalidInput) as refusal:
        call(*args, **kwargs)
    return refusal.value.message, refusal.value.field


def _moment(value: str, **kwargs: str) -> object:
    return parse_moment(value, ZONE, **kwargs)


# Each parser with the field it names when none is given.
PARSERS: list[tuple[Callable[..., object], str]] = [
    (_moment, "time"),
    (parse_date, "date"),
    (parse_pickup_time, "pickup time"),
    (parse_password, "password"),
    (parse_phone, "phone"),
    (parse_username, "username"),
    (parse_plate, "plate"),
    (parse_amount, "amount"),
    (parse_positive_amount, "amount"),
]


@pytest.mark.parametrize("field", [None, "given"])
@pytest.mark.parametrize(("parse", "default"), PARSERS)
def test_a_value_that_is_not_text_is_refused_at_its_field(parse, default, field):
    named = field or default
    kwargs = {"field": field} if field else {}
    assert refused(parse, [5], **kwargs) == (f"The {named} must be text, got [5].", named)


@pytest.mark.parametrize("field", [None, "given"])
@pytest.mark.parametrize(("parse", "default"), PARSERS)
def test_a_control_character_is_refused_at_its_field(parse, default, field):
    named = field or default
    kwargs = {"field": field} if field else {}
    assert refused(parse, "0\x1b[2J9", **kwargs) == (
        f"The {named} contains a control character (U+001B); type it again without it.",
        named,
    )


def test_a_flag_names_its_field_on_every_refusal():
    assert refused(parse_flag, 1, "paid") == ("The paid must be text, got 1.", "paid")
    assert refused(parse_flag, "y\x07", "paid")[1] == "paid"
    assert refused(parse_flag, "maybe", "paid") == (
        "The paid must be yes or no, got 'maybe'.",
        "paid",
    )


def test_a_typed_value_is_quoted_whole_up_to_forty_characters_then_shortened():
    said = "The paid must be yes or no, got"
    assert refused(parse_flag, "y" * 40, "paid")[0] == f"{said} '{'y' * 40}'."
    assert refused(parse_flag, "y" * 41, "paid")[0] == f"{said} '{'y' * 37}...'."


def test_a_moment_refusal_names_the_time_field():
    assert refused(_moment, "noon") == (
        "The time must be an ISO date-time like 2026-03-01T09:00 or 2026-03-01T09:00+00:00, "
        "got 'noon'.",
        "time",
    )
    assert refused(_moment, "1899-12-31T09:00") == (
        "The time 1899-12-31 is outside the calendar the desk keeps (1900–2999).",
        "time",
    )


OUTSIDE = "is outside the calendar the desk keeps (1900–2999)."


@pytest.mark.parametrize(
    ("typed", "today", "message"),
    [
        ("31/02/2026", None, "The date 31/02/2026 is not a real calendar date."),
        ("1899-12-31", None, f"The date 1899-12-31 {OUTSIDE}"),
        ("today", None, "The date must be a calendar date here, like 2026-12-31."),
        ("tomorrow", date(2999, 12, 31), f"The date 3000-01-01 {OUTSIDE}"),
        ("+100000", TODAY, "The date +100000 is too far ahead."),
        ("+365", date(2999, 6, 1), "The date +365 is too far ahead."),
        ("+1", date(2999, 12, 31), "The date +1 is too far ahead."),
    ],
)  # fmt: skip
def test_a_date_refusal_says_why_at_the_date_field(typed, today, message):
    assert refused(parse_date, typed, today=today) == (message, "date")
    assert refused(parse_date, typed, "end date", today=today)[1] == "end date"


def test_the_furthest_relative_dates_are_still_taken():
    assert parse_date("+99999", today=TODAY) == TODAY + timedelta(days=99_999)
    assert parse_date("+1", today=date(2999, 12, 30)) == date(2999, 12, 31)


def test_a_password_of_exactly_the_minimum_is_fine_and_one_less_is_refused_at_its_field():
    assert parse_password("12345678") == "12345678"
    assert refused(parse_password, "1234567") == (
        "A password has at least 8 characters.",
        "password",
    )
    assert refused(parse_password, "1234567", "new password")[1] == "new password"


def test_a_password_of_exactly_the_maximum_is_fine_and_one_more_is_refused_at_its_field():
    assert parse_password("x" * 1024) == "x" * 1024
    assert refused(parse_password, "x" * 1025) == (
        "A password has at most 1024 characters.",
        "password",
    )


def test_a_username_refusal_says_what_a_username_is_at_its_field():
    assert refused(parse_username, "A") == (
        "'A' is not a username (2–32 lower-case letters, digits, '.', '_' or '-').",
        "username",
    )
    assert refused(parse_username, "A", "login")[1] == "login"


def test_an_amount_that_is_not_an_amount_is_refused_at_its_field():
    assert refused(parse_amount, True) == ("The amount must be an amount like 89.00.", "amount")
    assert refused(parse_amount, False, "fee") == ("The fee must be an amount like 89.00.", "fee")
    assert refused(parse_amount, "1,234.50") == (
        "The amount has a comma ('1,234.50'): write amounts with a point for the decimals and "
        "no thousands separator, like 1234.50.",
        "amount",
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "The amount cannot be negative, got '-5'."),
        (-5, "The amount cannot be negative."),
        ("1.005", "The amount has more than two decimals, got '1.005'."),
        ("1234567890", "The amount must be a number like 89.00, got '1234567890'."),
    ],
)
def test_an_amount_refusal_says_why_at_its_field(typed, message):
    assert refused(parse_amount, typed) == (message, "amount")
    assert refused(parse_amount, typed, "fee")[1] == "fee"


def test_an_amount_is_read_up_to_nine_digits_of_units():
    assert parse_amount("999999999", maximum=10**12) == 99_999_999_900


def test_money_moved_is_refused_at_its_field():
    assert refused(parse_positive_amount, "lots") == (
        "The amount must be a number like 89.00, got 'lots'.",
        "amount",
    )
    assert refused(parse_positive_amount, "lots", "payment")[1] == "payment"


def test_a_phone_refusal_names_the_phone_field():
    assert refused(parse_phone, "call me") == ("'call me' is not a phone number.", "phone")
    assert refused(parse_phone, "call me", "mobile")[1] == "mobile"


def test_an_optional_email_refusal_names_its_field():
    assert refused(parse_optional_email, "nope")[1] == "e-mail"
    assert refused(parse_optional_email, "nope", "driver e-mail")[1] == "driver e-mail"
    assert parse_optional_email("  ") is None


def test_a_signed_amount_that_is_not_an_amount_is_refused_not_a_crash():
    assert refused(parse_signed_amount, True) == (
        "The amount must be an amount like 89.00.",
        "amount",
    )


@pytest.mark.parametrize(
    ("most", "beyond"),
    [(-400, -401), (400, 401), ("-4.00", "-4.01"), ("+4.00", "+4.01"), ("4.00", "4.01")],
)
def test_a_signed_amount_keeps_to_the_maximum_it_is_given(most, beyond):
    assert abs(parse_signed_amount(most, maximum=400)) == 400
    assert refused(parse_signed_amount, beyond, maximum=400) == (
        "The amount is too large (at most 4.00).",
        "amount",
    )


def test_an_adjustment_refusal_names_the_field_it_is_given():
    assert refused(parse_adjustment, "12,50", "change")[1] == "change"
    assert refused(parse_adjustment, "lots")[1] == "amount"


def test_bytes_that_are_not_utf8_say_which_byte():
    assert refused(decode_utf8, b"ab\xff", "CSV file") == (
        "The CSV file is not valid UTF-8 (byte 3); save it as UTF-8 and try again.",
        None,
    )


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("123", "123"),  # the shortest a search looks for
        ("12", None),
        ("+0123", "123"),  # not a number phonenumbers reads: its digits, leading zeros dropped
        ("+000", "000"),  # nothing but zeros: the zeros themselves
    ],
)
def test_a_phone_search_looks_for_three_digits_or_more(typed, digits):
    assert phone_digits(typed) == digits


def test_a_disable_reason_is_a_reason_up_to_five_hundred_characters():
    assert parse_disable_reason("x" * 500) == "x" * 500
    assert refused(parse_disable_reason, "x" * 501) == (
        "The reason is too long (501 characters, at most 500).",
        "reason",
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ([5], "The name must be text, got [5]."),
        ("Ann\x1bLee", "The name contains a control character (U+001B); type it again without it."),
        ("   ", "The name cannot be empty."),
        ("x" * 121, "The name is too long (121 characters, at most 120)."),
        ("Ann\u200bLee", "The name contains characters that cannot be printed."),
    ],
)
def test_a_text_refusal_says_why_at_its_field(typed, message):
    assert refused(parse_text, typed, "name") == (message, "name")


def test_optional_text_given_is_refused_at_its_field():
    assert refused(parse_optional_text, "x" * 121, "notes") == (
        "The notes is too long (121 characters, at most 120).",
        "notes",
    )
    assert parse_optional_text(" ", "notes") is None
    assert parse_optional_text("x" * 500, "notes", 500) == "x" * 500


def test_a_start_outside_the_calendar_or_in_the_past_is_refused_at_the_start_date():
    assert refused(check_booking_start, date(1899, 12, 31), today=TODAY, horizon_days=730) == (
        f"The start date 1899-12-31 {OUTSIDE}",
        "start date",
    )
    assert refused(check_booking_start, date(2026, 3, 9), today=TODAY, horizon_days=730) == (
        "The booking's start date 09 Mar 2026 is in the past (today is 2026-03-10).",
        "start date",
    )


def test_the_first_and_last_days_of_the_calendar_are_taken():
    assert parse_date("1900-01-01") == date(1900, 1, 1)
    assert parse_date("2999-12-31") == date(2999, 12, 31)
    assert refused(check_booking_start, date(2026, 3, 12), today=TODAY, horizon_days=1) == (
        "The booking's start date 12 Mar 2026 is too far ahead: a booking starts at most 1 days "
        "ahead (until 11 Mar 2026).",
        "start date",
    )


def test_any_negative_day_count_gets_the_rentals_own_words():
    assert refused(parse_days, "-999999999", 30) == (
        "A rental lasts at least one day, got -999999999 (days from 1 to 30).",
        "number of days",
    )


def test_a_plate_refusal_names_the_plate_field():
    assert refused(parse_plate, "!!") == (
        "'!!' is not a number plate (letters, digits, '-' and spaces).",
        "plate",
    )
    assert refused(parse_plate, "!!", "new plate")[1] == "new plate"


def test_a_whole_number_is_zero_or_more_unless_told_and_never_a_bool():
    assert parse_whole_number("0", "count") == 0
    assert refused(parse_whole_number, True, "count") == (
        "The count must be a whole number.",
        "count",
    )
