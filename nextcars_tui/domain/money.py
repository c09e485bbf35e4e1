"""Money as integer cents, formatted for people (domain.parsing reads typed amounts)."""

from __future__ import annotations

_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def format_money(cents: int, currency: str = "GBP") -> str:
    """'£1,234.50' for the common currencies, 'CHF 1,234.50' for the others."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    symbol = _SYMBOLS.get(currency)
    amount = f"{units:,}.{rest:02d}"
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{currency} {amount}"


def cents_to_text(cents: int) -> str:
    """Plain '89.00' (or '-15.50') as used in CSV files."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units}.{rest:02d}"
