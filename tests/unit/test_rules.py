"""Each state rule once, in domain.rules: what the services enforce and the screens ask."""

from __future__ import annotations

from datetime import date

import pytest

from nextcars_tui.domain.money import format_money
from nextcars_tui.domain.rules import (
    cancel_refusal,
    confirm_refusal,
    payment_refusal,
    retire_refusal,
)

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("status", "start", "allowed"),
    [
        ("pending", date(2026, 3, 11), True),
        ("confirmed", date(2026, 3, 11), True),
        ("confirmed", TODAY, False),  # the rental starts today: it is under way
        ("confirmed", date(2026, 3, 1), False),  # started earlier, still running
        ("completed", date(2026, 3, 20), False),
        ("cancelled", date(2026, 3, 20), False),
    ],
)
def test_cancel(status, start, allowed):
    reason = cancel_refusal("BK-000001", status, start, TODAY)
    assert (reason is None) is allowed
    if reason:
        assert reason.startswith("Booking BK-000001 ")


def test_a_started_rental_is_refused_with_a_way_forward():
    reason = cancel_refusal("BK-000001", "confirmed", date(2026, 3, 9), TODAY)
    assert reason is not None
    assert "started on 2026-03-09" in reason and "end it early" in reason


@pytest.mark.parametrize(("status", "allowed"), [("pending", True), ("confirmed", False)])
def test_confirm(status, allowed):
    assert (confirm_refusal("BK-000001", status) is None) is allowed


@pytest.mark.parametrize(
    ("status", "balance", "amount", "says"),
    [
        ("unpaid", 8900, 8900, None),
        ("unpaid", 8900, None, None),  # may any payment be taken at all
        ("partly_paid", 6000, 2000, None),
        ("overdue", 8900, 100, None),
        ("unpaid", 8900, 8901, "has £89.00 due; a payment of £89.01 is more than that"),
        ("paid", 0, 100, "is paid; nothing to take"),
        ("refund_due", -2000, 100, "owes money back"),
        ("void", 0, 100, "is void"),
        ("refunded", 0, None, "was refunded"),
    ],
)
def test_payment(status, balance, amount, says):
    reason = payment_refusal("INV-000001", status, balance, amount, money=format_money)
    if says is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith("Invoice INV-000001 ")
        assert says in reason


def test_retiring_waits_for_what_is_still_to_run():
    assert retire_refusal("Car KX-204", False, []) is None
    car = retire_refusal("Car KX-204", False, ["BK-000001", "BK-000002"])
    assert car is not None and "BK-000001, BK-000002" in car and "reassign and retire" in car
    customer = retire_refusal("Customer a@example.com", True, ["BK-000003"])
    assert customer is not None and "bookings to come (BK-000003)" in customer
