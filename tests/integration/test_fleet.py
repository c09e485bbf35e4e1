"""Fleet service: managers keep cars, drivers and rates; the desk keeps customers."""

from __future__ import annotations

import pytest
from deskkit import CAR_RATE_CENTS, PLATES, request, row_counts, snapshot

from nextcars_tui.domain.errors import InvalidInput, NotAllowed, NotFound
from nextcars_tui.services import booking, fleet
from nextcars_tui.services.fleet import CarView, CustomerView, DriverView


def audit(desk, ref: str) -> list[tuple[str, str, str]]:
    with desk.db.read() as uow:
        return [(e.actor, e.action, e.detail) for e in uow.audit.for_refs([ref])]


def test_a_manager_adds_a_car_with_its_rate_as_typed(desk, manager):
    car = fleet.add_car(desk, manager, " kx24  abc ", "Skoda", "Superb", "5", "89.50")
    assert car == CarView("KX24 ABC", "Skoda", "Superb", 5, 8_950)
    assert car.name == "Skoda Superb"
    assert fleet.list_cars(desk, manager, "kx24") == [car]
    assert audit(desk, "KX24 ABC") == [
        ("mia", "car added", "make Skoda, model Superb, seats 5, daily rate 89.50")
    ]


def test_an_update_changes_only_the_given_fields_and_is_audited(desk, manager):
    plate = PLATES[0]
    updated = fleet.update_car(desk, manager, plate.lower(), daily_rate=12_000, seats=7)
    assert (updated.seats, updated.daily_rate_cents, updated.model) == (7, 12_000, "Corolla 1")
    rate_before = f"{(CAR_RATE_CENTS + 100) // 100}.00"
    assert audit(desk, plate) == [
        ("mia", "car updated", f"seats 5 → 7; daily rate {rate_before} → 120.00")
    ]
    unchanged = fleet.update_car(desk, manager, plate, seats="7")
    assert unchanged == updated
    assert len(audit(desk, plate)) == 1


def test_bookings_keep_the_rate_they_were_made_at(desk, manager, staff):
    made = booking.book(desk, staff, request(car=1, days=2))
    fleet.update_car(desk, manager, PLATES[0], daily_rate="500")
    detail = booking.booking_detail(desk, staff, made.ref).booking
    assert detail.car_daily_rate_cents == made.car_daily_rate_cents
    assert detail.total_cents == made.total_cents


def test_drivers_are_added_updated_and_listed(desk, manager):
    driver = fleet.add_driver(desk, manager, "drv-42", "Ada Byron", "+44 7700 900042", "75")
    assert driver == DriverView("DRV-42", "Ada Byron", "+44 7700 900042", 7_500)
    changed = fleet.update_driver(desk, manager, "DRV-42", phone="+44 20 7946 0042")
    assert changed.phone == "+44 20 7946 0042"
    assert driver.code in [d.code for d in fleet.list_drivers(desk, manager, "ada")]
    assert [d.code for d in fleet.list_drivers(desk, manager, limit=3)] == [
        "DRV-01",
        "DRV-02",
        "DRV-03",
    ]
    assert [d.code for d in fleet.list_drivers(desk, manager, limit=2, offset=8)] == ["DRV-42"]


def test_staff_add_and_find_customers_inline(desk, staff):
    customer = fleet.add_customer(desk, staff, "Zoë  Quinn", "ZOE@Example.com", "+44 7700 900777")
    assert customer == CustomerView("zoe@example.com", "Zoë Quinn", "+44 7700 900777")
    assert fleet.search_customers(desk, staff, "quinn") == [customer]
    assert fleet.search_customers(desk, staff, "7700 900777") == [customer]
    renamed = fleet.update_customer(desk, staff, "zoe@example.com", name="Zoe Quinn")
    assert renamed.name == "Zoe Quinn"
    assert [a for _, a, _ in audit(desk, "zoe@example.com")] == [
        "customer added",
        "customer updated",
    ]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda d, a: fleet.add_car(d, a, "XX1 AAA", "", "Focus", 5, 100), InvalidInput, "empty"),
        (
            lambda d, a: fleet.add_car(d, a, "XX1 AAA", "F" * 10_000, "Focus", 5, 100),
            InvalidInput,
            "too long",
        ),
        (lambda d, a: fleet.add_car(d, a, "XX1 AAA", "Ford", "F", 5, "-1"), InvalidInput, "negat"),
        (lambda d, a: fleet.add_car(d, a, "XX1 AAA", "Ford", "F", 0, 100), InvalidInput, "seats"),
        (lambda d, a: fleet.add_car(d, a, "XX1 AAA", "Ford", "F", "4.5", 1), InvalidInput, "whole"),
        (lambda d, a: fleet.add_car(d, a, "!!", "Ford", "F", 4, 1), InvalidInput, "number plate"),
        (lambda d, a: fleet.add_car(d, a, PLATES[1], "Ford", "F", 4, 1), InvalidInput, "already"),
        (lambda d, a: fleet.update_car(d, a, "NO1 CAR", seats=4), NotFound, "No car"),
        (lambda d, a: fleet.update_car(d, a, PLATES[0], make=" "), InvalidInput, "empty"),
        (lambda d, a: fleet.add_driver(d, a, "DRV-01", "X", "+44 1", 1), InvalidInput, "phone"),
        (
            lambda d, a: fleet.add_driver(d, a, "DRV-01", "X", "01234 567", 1),
            InvalidInput,
            "already",
        ),
        (lambda d, a: fleet.update_driver(d, a, "DRV-99", name="X"), NotFound, "No driver"),
        (
            lambda d, a: fleet.add_customer(d, a, "N" * 10_000, "n@example.com", "01234 567"),
            InvalidInput,
            "too long",
        ),
        (lambda d, a: fleet.add_customer(d, a, "N", "nope", "01234 567"), InvalidInput, "e-mail"),
        (lambda d, a: fleet.update_customer(d, a, "x@example.com", name="X"), NotFound, "No cust"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(desk, manager, call, error, message):
    before = snapshot(desk)
    with pytest.raises(error, match=message):
        call(desk, manager)
    assert snapshot(desk) == before


def test_only_managers_run_the_fleet_and_only_the_desk_sees_it(desk, actors):
    before = row_counts(desk)
    for role in ("staff", "driver", "customer"):
        with pytest.raises(NotAllowed):
            fleet.add_car(desk, actors[role], "XX1 AAA", "Ford", "Focus", 5, 100)
        with pytest.raises(NotAllowed):
            fleet.update_driver(desk, actors[role], "DRV-01", daily_fee=1)
    for role in ("driver", "customer"):
        with pytest.raises(NotAllowed):
            fleet.add_customer(desk, actors[role], "Eve", "eve@example.com", "01234 567")
        with pytest.raises(NotAllowed):
            fleet.list_cars(desk, actors[role])
        with pytest.raises(NotAllowed):
            fleet.search_customers(desk, actors[role], "cust")
    assert row_counts(desk) == before
