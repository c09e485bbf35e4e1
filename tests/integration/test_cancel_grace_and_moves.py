"""Cancelling without a fee (the grace period after booking, a fee waived with a reason),
change previews that write nothing, and moving a booking to another customer: through the
services on each engine, every refusal proven to write nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from changekit import car_block, history
from deskkit import TODAY, code, email, plate, request, snapshot, with_settings
from ledgerkit import kinds

from nextcars_tui.config import BillingSettings
from nextcars_tui.domain.errors import InvalidInput, NotAllowed, NotFound
from nextcars_tui.services.availability import free_for_change
from nextcars_tui.services.billing import pay
from nextcars_tui.services.blocks import block
from nextcars_tui.services.booking import (
    book,
    booking_detail,
    cancel,
    cancel_outcome_of,
    cancel_quote,
    cancellation,
)
from nextcars_tui.services.changes import ChangeRequest, change_booking, preview_change
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.retire import retire


def fee_desk(desk: Desk, grace_minutes: int = 30) -> Desk:
    """10 % kept when cancelled within 48 h of the start, except in the grace period."""
    billing = BillingSettings(
        cancel_fee_percent=10, cancel_fee_hours=48, cancel_grace_minutes=grace_minutes
    )
    return with_settings(desk, replace(desk.settings, billing=billing))


def refused(desk: Desk, error: type[Exception], call) -> str:
    before = snapshot(desk)
    with pytest.raises(error) as caught:
        call()
    assert snapshot(desk) == before
    return str(caught.value)


# --- the grace period ------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "fee"), [(0, False), (30, False), (31, True)])
def test_a_booking_cancelled_within_the_grace_period_pays_no_fee(desk, staff, clock, minutes, fee):
    fees = fee_desk(desk)
    made = book(fees, staff, request(start=TODAY + timedelta(days=1), days=2))
    clock.advance(minutes=minutes)

    done = cancellation(fees, staff, made.ref, "booked by mistake")

    late_fee = made.total_cents // 10
    assert done.outcome.fee_cents == done.booking.invoice.amount_cents == (late_fee if fee else 0)
    assert done.outcome.terms.due_fee_cents == late_fee  # late either way
    assert (("fee", late_fee) in kinds(fees, made.invoice.ref)) is fee
    action, _by, detail = history(fees, made.ref)[-1]
    assert action == "cancelled"
    assert ("within 30 minutes" in detail) is not fee


def test_no_grace_when_the_setting_is_zero(desk, staff):
    fees = fee_desk(desk, grace_minutes=0)
    made = book(fees, staff, request(start=TODAY + timedelta(days=1), days=2))
    assert cancel_quote(fees, staff, made.ref).fee_cents == made.total_cents // 10


# --- waiving the fee --------------------------------------------------------------------------


def test_a_waived_fee_needs_a_reason_and_is_said_in_the_history(desk, staff, clock):
    fees = fee_desk(desk, grace_minutes=0)
    made = book(fees, staff, request(start=TODAY + timedelta(days=1), days=2))
    pay(fees, staff, made.invoice.ref, "50.00", "card")

    for reason in (None, "", "   "):
        message = refused(
            fees,
            InvalidInput,
            lambda reason=reason: cancellation(fees, staff, made.ref, reason, waive_fee=True),
        )
        assert "Say why the fee is waived" in message

    # What the desk shows first is what the cancellation then does.
    current = booking_detail(fees, staff, made.ref).booking
    said = cancel_outcome_of(fees, current, waive_fee=True)
    done = cancellation(fees, staff, made.ref, "wrong customer", waive_fee=True)

    assert done.outcome == said
    assert (done.outcome.fee_cents, done.outcome.owed_back_cents) == (0, 5_000)
    invoice = done.booking.invoice
    assert (invoice.status, invoice.amount_cents, invoice.balance_cents) == (
        "refund_due",
        0,
        -5_000,
    )
    assert "fee" not in [kind for kind, _ in kinds(fees, made.invoice.ref)]
    _action, by, detail = history(fees, made.ref)[-1]
    assert by == staff.username
    assert detail.startswith("wrong customer") and "is waived" in detail


def test_the_outcome_before_equals_the_outcome_after(desk, staff, clock):
    fees = fee_desk(desk, grace_minutes=0)
    made = book(fees, staff, request(start=TODAY + timedelta(days=1), days=2))
    pay(fees, staff, made.invoice.ref, "100.00", "cash")
    current = booking_detail(fees, staff, made.ref).booking

    said = cancel_outcome_of(fees, current)
    done = cancellation(fees, staff, made.ref, "plans changed")

    assert said == done.outcome
    assert said.owed_back_cents == 10_000 - made.total_cents // 10
    assert -done.booking.invoice.balance_cents == said.owed_back_cents


def test_in_the_grace_period_what_the_desk_says_first_is_what_the_cancellation_does(
    desk, staff, clock
):
    """The quote and the outcome shown before the clerk says yes read the booking's own
    making time, as the cancellation does: within the grace period both say no fee."""
    fees = fee_desk(desk)
    made = book(fees, staff, request(start=TODAY + timedelta(days=1), days=2))
    pay(fees, staff, made.invoice.ref, "30.00", "cash")
    clock.advance(minutes=10)
    current = booking_detail(fees, staff, made.ref).booking

    quoted = cancel_quote(fees, staff, made.ref)
    said = cancel_outcome_of(fees, current)
    done = cancellation(fees, staff, made.ref, "booked by mistake")

    assert quoted == said.terms == done.outcome.terms
    assert said == done.outcome
    assert (quoted.fee_cents, quoted.due_fee_cents) == (0, made.total_cents // 10)
    assert said.owed_back_cents == 3_000
    _action, _by, detail = history(fees, made.ref)[-1]
    assert detail.startswith("booked by mistake; ") and "fee £" not in detail


def test_a_waived_fee_is_quoted_as_waived_and_cancel_waives_it(desk, staff):
    fees = fee_desk(desk, grace_minutes=0)
    made = book(fees, staff, request(start=TODAY + timedelta(days=1), days=2))
    assert cancel_quote(fees, staff, made.ref).fee_cents == made.total_cents // 10
    assert cancel_quote(fees, staff, made.ref, waive_fee=True).fee_cents == 0
    cancelled = cancel(fees, staff, made.ref, "wrong customer", waive_fee=True)
    assert (cancelled.status, cancelled.invoice.amount_cents) == ("cancelled", 0)


def test_a_late_cancellations_history_names_the_fee_it_charged(desk, staff):
    fees = fee_desk(desk, grace_minutes=0)
    made = book(fees, staff, request(start=TODAY + timedelta(days=1), days=2))
    cancellation(fees, staff, made.ref, "plans changed")
    _action, _by, detail = history(fees, made.ref)[-1]
    assert detail == f"plans changed; fee {fees.money(made.total_cents // 10)}"


def test_a_waiver_without_a_reason_points_at_the_reason(desk, staff):
    fees = fee_desk(desk, grace_minutes=0)
    made = book(fees, staff, request(start=TODAY + timedelta(days=1), days=2))
    with pytest.raises(InvalidInput) as caught:
        cancellation(fees, staff, made.ref, None, waive_fee=True)
    assert caught.value.field == "reason"
    with pytest.raises(InvalidInput) as caught:
        cancellation(fees, staff, made.ref, "x" * 10_000)
    assert caught.value.field == "reason"


# --- preview ----------------------------------------------------------------------------------


def test_a_preview_writes_nothing_and_matches_the_change(desk, staff):
    made = book(desk, staff, request(start=TODAY + timedelta(days=2), days=2))
    pay(desk, staff, made.invoice.ref, "20.00", "card")
    wanted = ChangeRequest(days=4, car_plate="NC02 CAR")
    before = snapshot(desk)

    preview = preview_change(desk, staff, made.ref, wanted)

    assert snapshot(desk) == before
    done = change_booking(desk, staff, made.ref, wanted)
    assert preview.booking == done
    assert preview.difference_cents == done.total_cents - made.total_cents
    assert preview.balance_after_cents == done.invoice.balance_cents == done.total_cents - 2_000


# --- moving a booking to another customer -----------------------------------------------------


def test_a_booking_moves_to_another_customer_with_its_invoice(desk, staff):
    made = book(desk, staff, request(customer=1, start=TODAY + timedelta(days=2)))

    moved = change_booking(desk, staff, made.ref, ChangeRequest(customer_email=email(2)))

    assert moved.customer_email == email(2) == moved.invoice.customer_email
    assert moved.invoice.ref == made.invoice.ref
    assert (moved.total_cents, moved.invoice.amount_cents) == (made.total_cents, made.total_cents)
    action, _by, detail = history(desk, made.ref)[-1]
    assert (action, detail) == ("changed", f"customer {email(1)} → {email(2)}")
    assert booking_detail(desk, staff, made.ref).booking.customer_email == email(2)


def test_an_unknown_or_retired_customer_is_refused(desk, staff, manager):
    made = book(desk, staff, request(customer=1, start=TODAY + timedelta(days=2)))
    retire(desk, manager, "customer", email(3))

    message = refused(
        desk,
        NotFound,
        lambda: change_booking(
            desk, staff, made.ref, ChangeRequest(customer_email="nobody@example.com")
        ),
    )
    assert "nobody@example.com" in message
    message = refused(
        desk,
        NotAllowed,
        lambda: change_booking(desk, staff, made.ref, ChangeRequest(customer_email=email(3))),
    )
    assert "retired" in message
    message = refused(
        desk,
        InvalidInput,
        lambda: change_booking(desk, staff, made.ref, ChangeRequest(customer_email=email(1))),
    )
    assert "changes nothing" in message


# --- the change dialog's pick lists -----------------------------------------------------------


def test_free_for_change_lists_what_is_free_for_the_new_dates_its_own_hold_not_counting(
    desk, staff, manager
):
    made = book(desk, staff, request(car=1, driver=1, start=TODAY + timedelta(days=2), days=2))
    other = book(desk, staff, request(car=2, driver=2, start=TODAY + timedelta(days=3), days=2))
    block(desk, manager, car_block(plate(3), TODAY + timedelta(days=2), 1))
    retire(desk, manager, "car", plate(4))

    free = free_for_change(desk, staff, made.ref, TODAY + timedelta(days=2), "2")

    cars = [option.key for option in free.cars]
    # Its own car is free for it; car 2 (other's), car 3 (blocked) and car 4 (retired) not.
    assert cars == [plate(i) for i in (1, 5, 6, 7, 8)]  # cheapest first
    assert plate(2) not in cars and other.car_plate == plate(2)
    assert free.cars[0].label == "Toyota Corolla 1 · 5 seats"
    assert [option.key for option in free.drivers][:2] == [code(1), code(3)]
    # Another stretch: car 2 is free once other's days are over.
    later = free_for_change(desk, staff, made.ref, TODAY + timedelta(days=5), 3)
    assert plate(2) in [option.key for option in later.cars]
    assert later.dates.start == TODAY + timedelta(days=5) and later.dates.days == 3


def test_free_for_change_refuses_bad_dates_and_drivers(desk, staff, actors):
    made = book(desk, staff, request(start=TODAY + timedelta(days=2)))
    with pytest.raises(InvalidInput, match="from 1 to"):
        free_for_change(desk, staff, made.ref, TODAY, "lots")
    with pytest.raises(NotAllowed):
        free_for_change(desk, actors["driver"], made.ref, TODAY, 1)
