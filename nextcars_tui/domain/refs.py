"""Human references: BK-000123 for a booking, INV-000123 for its invoice, BL-000012 for a
block."""

from __future__ import annotations

import re

from nextcars_tui.domain.errors import InvalidInput

BOOKING_PREFIX = "BK"
INVOICE_PREFIX = "INV"
BLOCK_PREFIX = "BL"


def booking_ref(number: int) -> str:
    return f"{BOOKING_PREFIX}-{number:06d}"


def invoice_ref(number: int) -> str:
    return f"{INVOICE_PREFIX}-{number:06d}"


def block_ref(number: int) -> str:
    return f"{BLOCK_PREFIX}-{number:06d}"


def _parse(text: str, prefix: str, what: str) -> str:
    cleaned = text.strip().upper()
    match = re.fullmatch(rf"(?:{prefix}-?)?(\d{{1,9}})", cleaned)
    if match is None:
        raise InvalidInput(f"{text!r} is not {what} reference like {prefix}-000123.")
    return f"{prefix}-{int(match.group(1)):06d}"


def normalise_booking_ref(text: str) -> str:
    """Accept 'bk-123', '123' or 'BK-000123' and return 'BK-000123'."""
    return _parse(text, BOOKING_PREFIX, "a booking")


def normalise_invoice_ref(text: str) -> str:
    return _parse(text, INVOICE_PREFIX, "an invoice")


def normalise_block_ref(text: str) -> str:
    return _parse(text, BLOCK_PREFIX, "a block")
