"""The one parser per kind of value: what each accepts, what it refuses and how it says so."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from nextcars_tui.domain.dates import DateRange
from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.parsing import (
    DateOrder,
    check_booking_start,
    decode_utf8,
    parse_adjustment,
    parse_amount,
    parse_date,
    parse_days,
    parse_email,
    parse_moment,
    parse_password,
    parse_phone,
    parse_plate,
    parse_positive_amount,
    parse_seats,
    parse_whole_number,
    phone_digits,
    plate_key,
    same_plate,
)

TODAY = date(2026, 3, 10)


# -- whole numbers: '2.5' days was read as 25 by the wizard ---------------------------------


@pytest.mark.parametrize("text", ["2.5", "2,5", "2 5", "+2", "--2", "٢", "²", "0x10", "1_0", ""])
def test_whole_numbers_take_ascii_digits_only(text):
    with pytest.raises(InvalidInput, match="whole number") as error:
        parse_days(text, 30)
    assert error.value.field == "number of days"


def test_a_whole_number_has_a_sane_length():
    with pytest.raises(InvalidInput, match="whole number"):
        parse_whole_number("9" * 5000, "count")


def test_seats_use_the_same_parser():
    assert parse_seats(" 7 ") == 7
    with pytest.raises(InvalidInput, match="seats must be a whole number"):
        parse_seats("4.5")


# -- amounts: '89,50' was imported as 8,950.00 ------------------------------------------------


def test_a_comma_in_an_amount_is_refused_with_a_message():
    with pytest.raises(InvalidInput, match="comma") as error:
        parse_amount("89,50", "daily rate")
    assert "89.50" not in error.value.message or "point" in error.value.message
    assert error.value.field == "daily rate"


@pytest.mark.parametrize(("text", "cents"), [("89", 8900), ("89.5", 8950), ("89.00", 8900)])
def test_amounts_are_integer_cents(text, cents):
    result = parse_amount(text)
    assert result == cents
    assert type(result) is int


def test_an_int_amount_is_cents_and_still_bounded():
    assert parse_amount(12_345) == 12_345
    with pytest.raises(InvalidInput, match="too large"):
        parse_amount(100_000_001)
    with pytest.raises(InvalidInput, match="negative"):
        parse_amount(-1)


@pytest.mark.parametrize("typed", ["0", "0.00", 0])
def test_money_moved_is_more_than_zero(typed):
    with pytest.raises(InvalidInput, match="The amount must be more than zero") as refused:
        parse_positive_amount(typed, "amount")
    assert refused.value.field == "amount"
    assert parse_positive_amount("0.01", "amount") == 1


@pytest.mark.parametrize("typed", ["0", "-0.00", "+0", 0])
def test_an_adjustment_is_never_zero(typed):
    with pytest.raises(InvalidInput, match="The adjustment must not be zero"):
        parse_adjustment(typed, "amount")
    assert parse_adjustment("-15.00", "amount") == -1500
    assert parse_adjustment(250, "amount") == 250


# -- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", TODAY),
        (" Today ", TODAY),
        ("tomorrow", date(2026, 3, 11)),
        ("+0", TODAY),
        ("+3", date(2026, 3, 13)),
        ("2026-03-12", date(2026, 3, 12)),
        ("12/03/2026", date(2026, 3, 12)),
        ("12.3.2026", date(2026, 3, 12)),
    ],
)
def test_dates_in_every_form_a_clerk_types(text, expected):
    assert parse_date(text, today=TODAY) == expected


def test_the_business_decides_which_number_is_the_month():
    assert parse_date("03/12/2026", today=TODAY, order=DateOrder.MDY) == date(2026, 3, 12)
    assert parse_date("03/12/2026", today=TODAY, order=DateOrder.DMY) == date(2026, 12, 3)
    with pytest.raises(InvalidInput, match="not a real calendar date"):
        parse_date("12/31/2026", today=TODAY, order=DateOrder.DMY)


def test_relative_dates_need_to_know_today():
    with pytest.raises(InvalidInput, match="calendar date"):
        parse_date("tomorrow")


@pytest.mark.parametrize("text", ["9999-12-31", "9999-12-25", "0001-01-01", "3000-01-01"])
def test_dates_the_desk_cannot_compute_with_are_refused(text):
    with pytest.raises(InvalidInput, match="outside the calendar"):
        parse_date(text, "start date", today=TODAY)


def test_far_relative_dates_are_refused():
    with pytest.raises(InvalidInput, match="too far ahead"):
        parse_date("+100000", today=TODAY)


def test_a_date_range_near_the_end_of_time_is_an_input_error_not_a_crash():
    with pytest.raises(InvalidInput, match="beyond the calendar"):
        DateRange(date(9999, 12, 31), 3)


def test_a_start_beyond_the_horizon_is_refused():
    assert check_booking_start(date(2028, 3, 9), today=TODAY, horizon_days=730)
    with pytest.raises(InvalidInput, match="too far ahead") as error:
        check_booking_start(date(2062, 3, 10), today=TODAY, horizon_days=730)
    assert error.value.field == "start date"
    with pytest.raises(InvalidInput, match="in the past"):
        check_booking_start(date(2026, 3, 9), today=TODAY, horizon_days=730)


def test_moments_are_checked_like_dates():
    zone = ZoneInfo("Europe/London")
    assert parse_moment("2026-03-01T09:00", zone).tzinfo is zone
    with pytest.raises(InvalidInput, match="outside the calendar"):
        parse_moment("9999-12-31T23:59", zone, "--now")
    with pytest.raises(InvalidInput, match="ISO date-time"):
        parse_moment("soon", zone, "--now")


# -- plates, codes, e-mails, phones ---------------------------------------------------------


def test_plates_match_whatever_the_case_and_spacing():
    assert plate_key(parse_plate("ce71rzw")) == plate_key("CE71 RZW") == "CE71RZW"
    assert parse_plate(" ce71   rzw ") == "CE71 RZW"
    assert same_plate("ce71rzw", "CE71 RZW") and same_plate(" CE71  RZW", "ce 71rzw")
    assert not same_plate("CE71 RZW", "CE71 RZX")


@pytest.mark.parametrize(
    "text", ["ann\x1b]0;owned\x07@example.com", "ann@exa\x1b[2Jmple.com", "ann@example.com\x00"]
)
def test_an_email_with_control_characters_is_refused(text):
    with pytest.raises(InvalidInput, match="control character") as error:
        parse_email(text)
    assert error.value.field == "e-mail"


def test_an_address_checked_before_is_answered_alike_and_a_refusal_names_what_was_typed():
    # The validator's answer is kept per address (parse_email is on every booking's path).
    for _ in range(2):
        assert parse_email(" Ann.Lee@Example.COM") == "ann.lee@example.com"
        assert parse_email("ann.lee@example.com") == "ann.lee@example.com"
    for typed in ("ann@@example.com", "  ann@@example.com "):
        for _ in range(2):
            with pytest.raises(InvalidInput, match="is not an e-mail address: ") as error:
                parse_email(typed, "customer e-mail")
            assert error.value.message.startswith(repr(typed))
            assert error.value.field == "customer e-mail"


@pytest.mark.parametrize("text", ["+44 7700 900\x1b[0m201", "07700\t900201"])
def test_a_phone_with_control_characters_is_refused(text):
    with pytest.raises(InvalidInput, match="control character"):
        parse_phone(text)


def test_a_password_with_control_characters_is_refused():
    with pytest.raises(InvalidInput, match="control character"):
        parse_password("secret\x1b[2Jpassword")


@pytest.mark.parametrize(
    "typed", ["07700 900201", "07700900201", "+44 7700 900201", "+447700900201", "0044 7700 900201"]
)
def test_national_and_international_forms_search_for_the_same_digits(typed):
    assert phone_digits(typed, "GB") == "7700900201"
    assert "7700900201" in "".join(ch for ch in "+44 7700 900201" if ch.isdigit())


def test_a_name_is_not_a_phone_search():
    assert phone_digits("Alice", "GB") is None
    assert phone_digits("12", "GB") is None


# -- bytes from files and stdin -------------------------------------------------------------


def test_bytes_that_are_not_utf8_are_a_clear_error():
    assert decode_utf8("café".encode(), "password") == "café"
    with pytest.raises(InvalidInput, match="password is not valid UTF-8"):
        decode_utf8(b"caf\xe9", "password")
