"""The lifecycle's notion of 'now': business date, hold expiry, rental end, due dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nextcars_tui.domain.ledger import Figures, invoice_status
from nextcars_tui.domain.lifecycle import (
    business_date,
    cutoffs_for,
    invoice_due_date,
    past_due,
    rental_finished,
)
from nextcars_tui.domain.statuses import (
    ACTIVE_BOOKING_STATUSES,
    OWING_INVOICE_STATUSES,
    BookingStatus,
    InvoiceStatus,
)

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("moment", "zone", "day"),
    [
        (datetime(2026, 3, 10, 23, 30, tzinfo=UTC), "Pacific/Auckland", date(2026, 3, 11)),
        (datetime(2026, 3, 11, 2, 0, tzinfo=UTC), "America/New_York", date(2026, 3, 10)),
        (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), "Europe/London", date(2026, 7, 2)),  # BST
        (datetime(2026, 1, 1, 23, 30, tzinfo=UTC), "Europe/London", date(2026, 1, 1)),  # GMT
    ],
)
def test_the_business_date_is_the_date_at_the_desk(moment, zone, day):
    assert business_date(moment, ZoneInfo(zone)) == day


def test_cutoffs_are_computed_from_now():
    now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    cut = cutoffs_for(now, LONDON, pending_ttl_hours=24)
    assert cut.today == date(2026, 3, 10)
    assert cut.expire_created_before == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    assert cut.hold_expires_at(now) == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)


def test_a_rental_has_finished_on_its_exclusive_end_date():
    today = date(2026, 3, 10)
    assert rental_finished(date(2026, 3, 10), today)
    assert rental_finished(date(2026, 3, 9), today)
    assert not rental_finished(date(2026, 3, 11), today)


def test_an_invoice_is_past_due_the_day_after_its_due_date():
    today = date(2026, 3, 10)
    assert past_due(date(2026, 3, 9), today)
    assert not past_due(date(2026, 3, 10), today)


def test_the_due_date_is_end_plus_due_days():
    assert invoice_due_date(date(2026, 3, 13), 14) == date(2026, 3, 27)
    assert invoice_due_date(date(2026, 3, 13), 0) == date(2026, 3, 13)


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        cutoffs_for(datetime(2026, 3, 10, 9), LONDON, 24)


def test_only_pending_and_confirmed_bookings_hold_a_car():
    assert set(ACTIVE_BOOKING_STATUSES) == {BookingStatus.PENDING, BookingStatus.CONFIRMED}


def test_invoices_with_a_balance_due_are_the_owing_ones():
    assert set(OWING_INVOICE_STATUSES) == {
        InvoiceStatus.UNPAID,
        InvoiceStatus.PARTLY_PAID,
        InvoiceStatus.OVERDUE,
    }


@pytest.mark.parametrize(
    ("figures", "after"),
    [
        (Figures(amount_cents=0), InvoiceStatus.VOID),  # charges reversed, nothing paid
        (Figures(amount_cents=0, paid_cents=8900), InvoiceStatus.REFUND_DUE),
        (Figures(amount_cents=0, paid_cents=0, refunded_cents=8900), InvoiceStatus.REFUNDED),
        (Figures(amount_cents=1000), InvoiceStatus.UNPAID),  # a late fee is owed
        (Figures(amount_cents=1000, paid_cents=8900), InvoiceStatus.REFUND_DUE),
        (Figures(amount_cents=1000, paid_cents=1000, refunded_cents=7900), InvoiceStatus.REFUNDED),
    ],
)
def test_cancelling_voids_what_was_owed_and_owes_back_what_was_paid(figures, after):
    """Once a cancellation has reversed the charges, the invoice's status follows from its
    figures: nothing paid is void, money paid beyond any fee is owed back, then refunded."""
    due, today = date(2026, 4, 1), date(2026, 3, 10)
    assert invoice_status(figures, BookingStatus.CANCELLED, due, today) == after


def test_the_ttl_is_in_hours():
    cut = cutoffs_for(datetime(2026, 3, 10, 9, tzinfo=UTC), LONDON, 2)
    assert cut.pending_ttl == timedelta(hours=2)
