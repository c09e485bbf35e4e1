"""Each state rule once, in domain.rules: what the services enforce and the screens ask."""

from __future__ import annotations

from datetime import date

import pytest

from nextcars_tui.domain.rules import (
    cancel_refusal,
    confirm_refusal,
    may_cancel,
    may_confirm,
    may_take_payment,
    payment_refusal,
)

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("status", "end", "allowed"),
    [
        ("pending", date(2026, 3, 11), True),
        ("confirmed", date(2026, 3, 11), True),
        ("confirmed", TODAY, False),  # the end date is exclusive: the car is back today
        ("completed", date(2026, 3, 20), False),
        ("cancelled", date(2026, 3, 20), False),
    ],
)
def test_cancel(status, end, allowed):
    assert may_cancel(status, end, TODAY) is allowed
    reason = cancel_refusal("BK-000001", status, end, TODAY)
    assert (reason is None) is allowed
    if reason:
        assert reason.startswith("Booking BK-000001 ")


@pytest.mark.parametrize(("status", "allowed"), [("pending", True), ("confirmed", False)])
def test_confirm(status, allowed):
    assert may_confirm(status) is allowed
    assert (confirm_refusal("BK-000001", status) is None) is allowed


@pytest.mark.parametrize(
    ("status", "cents", "allowed", "says"),
    [
        ("unpaid", 100, True, None),
        ("overdue", 100, True, None),
        ("unpaid", 0, False, "confirm the booking instead"),
        ("paid", 100, False, "is paid; nothing to take"),
        ("void", 100, False, "nothing to take"),
        ("refunded", 100, False, "was refunded"),
    ],
)
def test_payment(status, cents, allowed, says):
    assert may_take_payment(status, cents) is allowed
    reason = payment_refusal("INV-000001", status, cents)
    assert (reason is None) is allowed
    if says:
        assert reason is not None and says in reason
