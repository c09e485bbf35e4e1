"""Checks for the text people type: names, e-mail addresses, phones, plates and codes."""

from __future__ import annotations

import re

from nextcars_tui.domain.errors import InvalidInput

MAX_NAME = 120
MAX_REASON = 500
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{5,25}$")
_PLATE = re.compile(r"^[A-Z0-9][A-Z0-9 \-]{1,11}$")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{1,11}$")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._\-]{1,31}$")


def clean_text(value: str, what: str, maximum: int = MAX_NAME) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidInput(f"The {what} cannot be empty.")
    if len(cleaned) > maximum:
        raise InvalidInput(
            f"The {what} is too long ({len(cleaned)} characters, at most {maximum})."
        )
    if any(not ch.isprintable() for ch in cleaned):
        raise InvalidInput(f"The {what} contains characters that cannot be printed.")
    return cleaned


def clean_email(value: str) -> str:
    cleaned = value.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise InvalidInput(f"{value!r} is not an e-mail address.")
    return cleaned


def clean_phone(value: str) -> str:
    cleaned = " ".join(value.split())
    if not _PHONE.match(cleaned):
        raise InvalidInput(f"{value!r} is not a phone number.")
    return cleaned


def clean_plate(value: str) -> str:
    cleaned = " ".join(value.split()).upper()
    if not _PLATE.match(cleaned):
        raise InvalidInput(f"{value!r} is not a number plate (letters, digits, '-' and spaces).")
    return cleaned


def clean_driver_code(value: str) -> str:
    cleaned = value.strip().upper()
    if not _CODE.match(cleaned):
        raise InvalidInput(f"{value!r} is not a driver code like DRV-07.")
    return cleaned


def clean_username(value: str) -> str:
    cleaned = value.strip().lower()
    if not _USERNAME.match(cleaned):
        raise InvalidInput(
            f"{value!r} is not a username (2–32 lower-case letters, digits, '.', '_' or '-')."
        )
    return cleaned


def clean_seats(value: int) -> int:
    if not 1 <= value <= 60:
        raise InvalidInput(f"A car has 1 to 60 seats, got {value}.")
    return value


def clean_rate(cents: int, what: str) -> int:
    if cents < 0:
        raise InvalidInput(f"The {what} cannot be negative.")
    if cents > 100_000_000:
        raise InvalidInput(f"The {what} is implausibly large.")
    return cents


def clean_password(value: str) -> str:
    if len(value) < 8:
        raise InvalidInput("A password has at least 8 characters.")
    if len(value) > 1024:
        raise InvalidInput("A password has at most 1024 characters.")
    return value
