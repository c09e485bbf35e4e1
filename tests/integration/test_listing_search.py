"""The bookings list's text search: by ref, customer, car or driver, counted like it lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from deskkit import TODAY, request

from nextcars_tui.services.booking import book
from nextcars_tui.services.listings import BookingFilter, list_bookings


@pytest.fixture
def booked(desk, staff):
    """Eleven bookings: BK-000001…BK-000011, customer 1 on the even ones, car/driver i."""
    refs = []
    for i in range(11):
        refs.append(
            book(
                desk,
                staff,
                request(
                    car=1 + i % 8,
                    driver=1 + (i + 3) % 8,
                    customer=1 if i % 2 else 2,
                    start=TODAY + timedelta(days=10 * i),
                    days=2,
                ),
            ).ref
        )
    return refs


def found(desk, staff, text):
    page = list_bookings(desk, staff, BookingFilter(text=text, sort="ref", limit=50))
    assert page.total == len(page.items)
    return [view.ref for view in page.items]


def test_a_ref_prefix_finds_the_refs_it_starts(desk, staff, booked):
    assert found(desk, staff, "bk-00001") == ["BK-000010", "BK-000011"]
    assert found(desk, staff, "BK-000003") == ["BK-000003"]


def test_bare_digits_find_that_booking_number_and_phones_with_them(desk, staff, booked):
    assert found(desk, staff, "11") == ["BK-000011"]
    # Every customer phone has a 7 in it, so "7" finds all their bookings as well.
    assert found(desk, staff, "7") == booked


def test_customer_name_email_and_phone_find_their_bookings(desk, staff, booked):
    odd = [ref for i, ref in enumerate(booked) if i % 2]
    assert found(desk, staff, "customer 1") == odd
    assert found(desk, staff, "CUST01@EXAMPLE") == odd
    assert found(desk, staff, "7946 0001") == odd


def test_plate_and_driver_find_their_bookings(desk, staff, booked):
    assert found(desk, staff, "nc02") == [booked[1], booked[9]]
    assert found(desk, staff, "DRV-04") == [booked[0], booked[8]]
    assert found(desk, staff, "Driver 4") == [booked[0], booked[8]]


def test_wildcards_are_taken_literally(desk, staff, booked):
    assert found(desk, staff, "%") == []
    assert found(desk, staff, "_") == []
