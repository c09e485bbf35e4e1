"""Money as integer cents: parsing typed amounts and formatting them for people."""

from __future__ import annotations

import re

from nextcars_tui.domain.errors import InvalidInput

_AMOUNT = re.compile(r"^(?P<units>\d{1,9})(?:\.(?P<cents>\d{1,2}))?$")
_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def parse_amount(text: str, *, what: str = "amount") -> int:
    """Parse '89', '89.5' or '89.00' into cents; negative, fractional cents and words are errors."""
    cleaned = text.strip().replace(",", "")
    match = _AMOUNT.match(cleaned)
    if match is None:
        if cleaned.startswith("-"):
            raise InvalidInput(f"The {what} cannot be negative, got {text!r}.")
        raise InvalidInput(f"The {what} must be a number like 89.00, got {text!r}.")
    cents = (match.group("cents") or "0").ljust(2, "0")
    return int(match.group("units")) * 100 + int(cents)


def format_money(cents: int, currency: str = "GBP") -> str:
    """'£1,234.50' for the common currencies, 'CHF 1,234.50' for the others."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    symbol = _SYMBOLS.get(currency)
    amount = f"{units:,}.{rest:02d}"
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{currency} {amount}"


def cents_to_text(cents: int) -> str:
    """Plain '89.00' as used in CSV files."""
    units, rest = divmod(cents, 100)
    return f"{units}.{rest:02d}"
