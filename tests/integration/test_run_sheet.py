"""The day's run sheet: pickups (rentals starting that day) and returns (rentals whose last
day it is), in pickup-time order with the jobs without a time last by ref, each with its job
sheet, customer, car, driver and the balance to collect; staff and managers only."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from deskkit import START, TODAY, request, target
from pypdf import PdfReader

from nextcars_tui.domain.errors import NotAllowed
from nextcars_tui.domain.safe_text import REPLACEMENT
from nextcars_tui.services import billing, booking
from nextcars_tui.services.lifecycle import run_lifecycle
from nextcars_tui.services.run_sheet_document import run_sheet_pdf, save_run_sheet_pdf
from nextcars_tui.services.today import run_sheet, today_board
from tests.poison import STEERING, plant_customer_name, plant_job_sheet


def _book(desk, staff, *, car, start, days, time=None, place=None, customer=1):
    made = booking.book(
        desk,
        staff,
        replace(
            request(car=car, driver=car, customer=customer, start=start, days=days),
            pickup_time=time,
            pickup=place,
            dropoff=f"{place} drop" if place else None,
            passengers=2 if place else None,
        ),
    )
    booking.confirm(desk, staff, made.ref)
    return made.ref


@pytest.fixture
def day(desk, clock, staff):
    """Jobs around TODAY, made in an order that is neither their time's nor their start's."""
    clock.moment = START - timedelta(days=3)
    # A four-day rental from three days ago: returns today, no time.
    long_ago = _book(desk, staff, car=1, start=TODAY - timedelta(days=3), days=4)
    # Made after `long_ago` (the higher ref) but starting before it: returns today, no time,
    # so it comes after `long_ago` although the start-date index hands it out first.
    clock.moment = START - timedelta(days=5)
    late_ref = _book(desk, staff, car=3, start=TODAY - timedelta(days=5), days=6)
    clock.moment = START - timedelta(days=1)
    # Two days from yesterday, at 07:00: returns today, with a time.
    yesterday = _book(
        desk, staff, car=2, start=TODAY - timedelta(days=1), days=2, time="07:00", place="Dock"
    )
    # Cancelled the day before: no job.
    gone = _book(desk, staff, car=7, start=TODAY, days=1, time="06:00")
    booking.cancel(desk, staff, gone, "plans changed")
    clock.moment = START
    afternoon = _book(
        desk, staff, car=4, start=TODAY, days=2, time="14:00", place="Heathrow T5", customer=2
    )
    untimed = _book(desk, staff, car=5, start=TODAY, days=3)
    # A one-day rental at 08:30: picked up and returned today.
    morning = _book(desk, staff, car=6, start=TODAY, days=1, time="08:30", place="Savoy")
    # Tomorrow's, not today's.
    tomorrow = _book(desk, staff, car=8, start=TODAY + timedelta(days=1), days=1, time="09:00")
    billing.pay(desk, staff, afternoon.replace("BK", "INV"), "100.00", "card")
    return {
        "long_ago": long_ago,
        "yesterday": yesterday,
        "late_ref": late_ref,
        "afternoon": afternoon,
        "untimed": untimed,
        "morning": morning,
        "gone": gone,
        "tomorrow": tomorrow,
    }


def refs(jobs):
    return [job.ref for job in jobs]


def test_pickups_and_returns_in_pickup_time_order_then_by_ref(desk, staff, day):
    sheet = run_sheet(desk, staff)
    assert sheet.day == TODAY
    assert refs(sheet.pickups) == [day["morning"], day["afternoon"], day["untimed"]]
    assert refs(sheet.returns) == [
        day["yesterday"],
        day["morning"],
        day["long_ago"],
        day["late_ref"],
    ]


def test_each_job_carries_its_sheet_people_car_driver_and_balance(desk, staff, day):
    job = next(j for j in run_sheet(desk, staff).pickups if j.ref == day["afternoon"])
    assert (job.pickup_time, job.pickup, job.dropoff, job.passengers) == (
        "14:00",
        "Heathrow T5",
        "Heathrow T5 drop",
        2,
    )
    assert (job.customer_email, job.car_plate, job.driver_code) == (
        "cust02@example.com",
        "NC04 CAR",
        "DRV-04",
    )
    assert job.invoice.balance_cents == job.total_cents - 10_000


def test_another_day_and_finished_rentals_stay_on_their_days_sheet(desk, clock, staff, system, day):
    assert refs(run_sheet(desk, staff, TODAY + timedelta(days=1)).pickups) == [day["tomorrow"]]
    before = run_sheet(desk, staff)
    clock.advance(days=10)
    assert run_lifecycle(desk, system).counts["completed"] >= 6
    after = run_sheet(desk, staff, TODAY)
    assert refs(after.pickups) == refs(before.pickups)
    assert refs(after.returns) == refs(before.returns)
    assert {job.status.value for job in after.pickups + after.returns} == {"completed"}


def test_the_today_board_shows_the_same_run_sheet(desk, staff, day):
    assert today_board(desk, staff).run_sheet == run_sheet(desk, staff)


def test_the_today_board_shows_another_days_sheet_and_the_rest_as_of_now(desk, staff, day):
    now = today_board(desk, staff)
    ahead = today_board(desk, staff, TODAY + timedelta(days=1))
    assert ahead.run_sheet == run_sheet(desk, staff, TODAY + timedelta(days=1))
    assert refs(ahead.run_sheet.pickups) == [day["tomorrow"]]
    assert ahead.today == TODAY
    assert refs(ahead.in_progress) == refs(now.in_progress)
    assert ahead.money == now.money and ahead.overdue_count == now.overdue_count


@pytest.mark.parametrize("role", ["driver", "customer"])
def test_drivers_and_customers_are_refused(desk, actors, role):
    with pytest.raises(NotAllowed):
        run_sheet(desk, actors[role])


@pytest.mark.parametrize("role", ["staff", "manager", "system"])
def test_the_desk_roles_get_it(desk, actors, role, day):
    assert len(run_sheet(desk, actors[role]).pickups) == 3


def test_the_pdf_goes_on_over_pages_each_saying_which(desk, staff, day, tmp_path):
    sheet = run_sheet(desk, staff)
    # Forty-odd copies of the day's jobs each: more than one A4 page holds.
    many = replace(sheet, pickups=sheet.pickups * 14, returns=sheet.returns * 10)
    document = run_sheet_pdf(many, desk.settings.business, desk.money, START)
    path = tmp_path / "long.pdf"
    path.write_bytes(document.data)
    pages = [page.extract_text() for page in PdfReader(path).pages]
    assert document.pages == len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Run sheet Tuesday 10 March 2026" in text
    whole = "\n".join(pages)
    assert whole.count(day["afternoon"]) == 14
    assert 0 <= whole.index("Pickups (42)") < whole.index("Returns (40)")


def test_stored_control_characters_print_inert_in_the_pdf(desk, staff, day, tmp_path):
    plant_customer_name(target(desk), "cust02@example.com")
    plant_job_sheet(target(desk), day["afternoon"])
    saved = save_run_sheet_pdf(desk, staff, None, tmp_path / "sheet.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(saved.path).pages)
    assert day["afternoon"] in text
    assert not any(mark in text for mark in STEERING)
    assert REPLACEMENT in text and "Heathrow" in text
