"""Money in integer cents, booking and invoice refs, and the price of a rental."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.money import cents_to_text, format_money
from nextcars_tui.domain.parsing import parse_amount
from nextcars_tui.domain.pricing import Quote
from nextcars_tui.domain.refs import (
    booking_ref,
    invoice_ref,
    normalise_booking_ref,
    normalise_invoice_ref,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("89", 8900),
        ("89.5", 8950),
        ("89.00", 8900),
        ("0.05", 5),
        (" 1234.50 ", 123450),
        ("0", 0),
        ("1000000.00", 100_000_000),
    ],
)
def test_amounts_parse_into_cents(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-1", "cannot be negative"),
        ("-0.50", "cannot be negative"),
        ("1.005", "more than two decimals"),
        ("89,50", "has a comma"),
        ("1,234.50", "has a comma"),
        ("1000000.01", "too large"),
        ("99999999999", "must be a number like 89.00"),
        ("abc", "must be a number like 89.00"),
        ("", "must be a number like 89.00"),
        ("1e3", "must be a number like 89.00"),
        ("£89", "must be a number like 89.00"),
        (".5", "must be a number like 89.00"),
    ],
)
def test_bad_amounts_are_refused(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_amount(text, "daily rate")


def test_the_message_names_what_was_typed():
    with pytest.raises(InvalidInput, match="The daily fee cannot be negative"):
        parse_amount("-3", "daily fee")


@given(st.integers(0, 100_000_000))
def test_cents_round_trip_through_csv_text(cents):
    assert parse_amount(cents_to_text(cents)) == cents


@given(st.text(max_size=15))
def test_parse_amount_either_returns_cents_or_says_why_not(text):
    try:
        cents = parse_amount(text)
    except InvalidInput:
        return
    assert cents >= 0


@pytest.mark.parametrize(
    ("cents", "currency", "text"),
    [
        (123450, "GBP", "£1,234.50"),
        (5, "EUR", "€0.05"),
        (100, "USD", "$1.00"),
        (-250, "GBP", "-£2.50"),
        (123450, "CHF", "CHF 1,234.50"),
        (0, "GBP", "£0.00"),
    ],
)
def test_money_is_formatted_for_people(cents, currency, text):
    assert format_money(cents, currency) == text


def test_refs_are_zero_padded():
    assert booking_ref(123) == "BK-000123"
    assert invoice_ref(7) == "INV-000007"


@pytest.mark.parametrize("text", ["BK-000123", "bk-123", "123", " BK123 ", "bk-0000123"])
def test_booking_refs_are_accepted_as_typed(text):
    assert normalise_booking_ref(text) == "BK-000123"


@pytest.mark.parametrize("text", ["INV-000042", "inv-42", "42", "inv42"])
def test_invoice_refs_are_accepted_as_typed(text):
    assert normalise_invoice_ref(text) == "INV-000042"


@pytest.mark.parametrize("text", ["", "BK-", "INV-000001", "BK-12a", "BK--12", "1234567890"])
def test_other_text_is_not_a_booking_ref(text):
    with pytest.raises(InvalidInput, match="like BK-000123"):
        normalise_booking_ref(text)


def test_a_booking_ref_is_not_an_invoice_ref():
    with pytest.raises(InvalidInput, match="like INV-000123"):
        normalise_invoice_ref("BK-000001")


@given(st.integers(1, 999_999))
def test_refs_round_trip(number):
    assert normalise_booking_ref(booking_ref(number)) == booking_ref(number)
    assert normalise_invoice_ref(invoice_ref(number)) == invoice_ref(number)


def test_total_is_days_times_car_rate_plus_driver_fee():
    quote = Quote(days=3, car_daily_rate_cents=8900, driver_daily_fee_cents=6050)
    assert (quote.car_cents, quote.driver_cents, quote.total_cents) == (26700, 18150, 44850)


@given(st.integers(1, 365), st.integers(0, 10**8), st.integers(0, 10**8))
def test_total_is_exact_in_integer_cents(days, rate, fee):
    quote = Quote(days, rate, fee)
    assert quote.total_cents == days * (rate + fee)
    assert isinstance(quote.total_cents, int)
