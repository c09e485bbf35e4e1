"""Checks for the text people type."""

from __future__ import annotations

import pytest

from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.parsing import (
    MAX_NAME,
    parse_amount,
    parse_driver_code,
    parse_email,
    parse_password,
    parse_phone,
    parse_plate,
    parse_seats,
    parse_text,
    parse_username,
)


def test_names_are_trimmed_and_inner_space_collapsed():
    assert parse_text("  Ann    Lee ", "name") == "Ann Lee"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "The name cannot be empty"),
        ("   ", "The name cannot be empty"),
        ("x" * 10_000, "too long \\(10000 characters, at most 120\\)"),
        ("x" * (MAX_NAME + 1), "too long"),
        ("Ann\x00Lee", "control character"),
        ("Ann\x1b[31mLee", "control character \\(U\\+001B\\)"),
        ("Ann\tLee", "control character"),
        ("Ann\u202eeeL", "control character"),
    ],
)
def test_bad_names_are_refused(value, message):
    with pytest.raises(InvalidInput, match=message):
        parse_text(value, "name")


def test_a_name_of_exactly_the_maximum_is_fine():
    assert parse_text("x" * MAX_NAME, "name") == "x" * MAX_NAME


def test_email_is_lower_cased():
    assert parse_email("  Ann.Lee@Example.COM ") == "ann.lee@example.com"


@pytest.mark.parametrize("value", ["", "ann", "ann@", "@example.com", "a b@c.de", "a@b", "a@@b.c"])
def test_bad_emails_are_refused(value):
    with pytest.raises(InvalidInput, match="is not an e-mail address"):
        parse_email(value)


def test_an_overlong_email_is_refused():
    with pytest.raises(InvalidInput):
        parse_email("a" * 250 + "@example.com")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("+44 20  7946 0001", "+44 20 7946 0001"), ("(020) 7946-0001", "(020) 7946-0001")],
)
def test_phones(value, expected):
    assert parse_phone(value) == expected


@pytest.mark.parametrize("value", ["", "1234", "call me", "+44 20 7946 0001 ext 5"])
def test_bad_phones_are_refused(value):
    with pytest.raises(InvalidInput, match="is not a phone number"):
        parse_phone(value)


@pytest.mark.parametrize(
    ("value", "expected"), [("ab12  cde", "AB12 CDE"), ("nc-01", "NC-01"), (" X9 ", "X9")]
)
def test_plates_are_upper_cased_and_spaced_once(value, expected):
    assert parse_plate(value) == expected


@pytest.mark.parametrize("value", ["", "A", "-AB12", "AB12 CDE FGHIJ", "AB_12", "ÄB12"])
def test_bad_plates_are_refused(value):
    with pytest.raises(InvalidInput, match="is not a number plate"):
        parse_plate(value)


@pytest.mark.parametrize(("value", "expected"), [("drv-07", "DRV-07"), (" D1 ", "D1")])
def test_driver_codes(value, expected):
    assert parse_driver_code(value) == expected


@pytest.mark.parametrize("value", ["", "D", "DRV 07", "-DRV", "DRV-0000000000"])
def test_bad_driver_codes_are_refused(value):
    with pytest.raises(InvalidInput, match="is not a driver code"):
        parse_driver_code(value)


@pytest.mark.parametrize(("value", "expected"), [("Sam", "sam"), (" mia.k_2 ", "mia.k_2")])
def test_usernames(value, expected):
    assert parse_username(value) == expected


@pytest.mark.parametrize("value", ["", "s", "sam lee", "-sam", "x" * 33, "säm"])
def test_bad_usernames_are_refused(value):
    with pytest.raises(InvalidInput, match="is not a username"):
        parse_username(value)


@pytest.mark.parametrize(("value", "ok"), [(0, False), (1, True), (60, True), (61, False)])
def test_seats(value, ok):
    if ok:
        assert parse_seats(value) == value
    else:
        with pytest.raises(InvalidInput, match="seats must be from 1 to 60"):
            parse_seats(value)


@pytest.mark.parametrize(
    ("cents", "message"),
    [(-1, "cannot be negative"), (100_000_001, "is too large")],
)
def test_bad_rates_are_refused(cents, message):
    with pytest.raises(InvalidInput, match=f"The daily rate {message}"):
        parse_amount(cents, "daily rate")


def test_zero_and_large_rates_are_fine():
    assert parse_amount(0, "daily rate") == 0
    assert parse_amount(100_000_000, "daily rate") == 100_000_000


@pytest.mark.parametrize(
    ("value", "message"), [("short", "at least 8"), ("x" * 1025, "at most 1024")]
)
def test_bad_passwords_are_refused(value, message):
    with pytest.raises(InvalidInput, match=message):
        parse_password(value)


def test_passwords_are_not_altered():
    assert parse_password("  spaces kept  ") == "  spaces kept  "
