"""Cars, drivers and customers: managers run the fleet and rates, the desk keeps customers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nextcars_tui.domain.errors import InvalidInput, NotFound
from nextcars_tui.domain.parsing import parse_driver_code, parse_email, parse_plate
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.records import (
    CAR,
    CUSTOMER,
    DRIVER,
    Fields,
    Kind,
    Row,
    car_fields,
    changes,
    checked,
    customer_fields,
    describe,
    driver_fields,
    values_of,
)
from nextcars_tui.store import CarRecord, CustomerRecord, DriverRecord

MAX_LIST = 500


@dataclass(frozen=True)
class CarView:
    plate: str
    make: str
    model: str
    seats: int
    daily_rate_cents: int
    # Retired: no new bookings; still listed, for history and reports.
    retired: bool = False

    @property
    def name(self) -> str:
        return f"{self.make} {self.model}"


@dataclass(frozen=True)
class DriverView:
    code: str
    name: str
    phone: str
    daily_fee_cents: int
    retired: bool = False
    # Where the next day's run sheet goes (None: no run sheet).
    email: str | None = None


@dataclass(frozen=True)
class CustomerView:
    email: str
    name: str
    phone: str
    retired: bool = False
    # Asked not to be sent reminders of an overdue balance.
    no_reminders: bool = False


def car_view(car: CarRecord) -> CarView:
    return CarView(
        car.plate, car.make, car.model, car.seats, car.daily_rate_cents, car.retired_at is not None
    )


def driver_view(driver: DriverRecord) -> DriverView:
    return DriverView(
        driver.code,
        driver.name,
        driver.phone,
        driver.daily_fee_cents,
        driver.retired_at is not None,
        driver.email,
    )


def customer_view(customer: CustomerRecord) -> CustomerView:
    return CustomerView(
        customer.email,
        customer.name,
        customer.phone,
        customer.retired_at is not None,
        bool(customer.no_reminders),
    )


def _add(desk: Desk, actor: Actor, kind: Kind[Row], record: Fields) -> Row:
    now = desk.now()
    with desk.db.write() as uow:
        if kind.find(uow, record.key) is not None:
            raise InvalidInput(f"There is already a {kind.name} with {kind.key_name} {record.key}.")
        row = kind.insert(uow, kind.new(values_of(record)))
        uow.audit.record(
            at=now,
            actor=actor.username,
            action=f"{kind.name} added",
            ref=record.key,
            detail=describe(record),
        )
        uow.commit()
        return row


def _update(desk: Desk, actor: Actor, kind: Kind[Row], key: str, raw: dict[str, Any]) -> Row:
    """Change only the given fields, so two managers editing different fields both win."""
    values = checked(kind.checks, raw)
    now = desk.now()
    with desk.db.write() as uow:
        row = kind.for_change(uow, key)
        if row is None:
            raise NotFound(f"No {kind.name} with {kind.key_name} {key}.")
        changed, line = changes(row, values)
        if changed:
            row = kind.change(uow, row, changed)
            uow.audit.record(
                at=now, actor=actor.username, action=f"{kind.name} updated", ref=key, detail=line
            )
            uow.commit()
        return row


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, MAX_LIST)), max(0, offset)


def add_car(
    desk: Desk,
    actor: Actor,
    plate: str,
    make: str,
    model: str,
    seats: int | str,
    daily_rate: int | str,
) -> CarView:
    """Add a car; daily_rate is cents as an int or currency text like '89.00'."""
    actor.require(Permission.MANAGE_FLEET)
    car = _add(desk, actor, CAR, car_fields(plate, make, model, seats, daily_rate))
    return car_view(car)


def update_car(
    desk: Desk,
    actor: Actor,
    plate: str,
    *,
    make: str | None = None,
    model: str | None = None,
    seats: int | str | None = None,
    daily_rate: int | str | None = None,
) -> CarView:
    """Change a car's details or rate; existing bookings keep the rate they were made at."""
    actor.require(Permission.MANAGE_FLEET)
    raw = {"make": make, "model": model, "seats": seats, "daily_rate_cents": daily_rate}
    return car_view(_update(desk, actor, CAR, parse_plate(plate), raw))


def list_cars(
    desk: Desk, actor: Actor, text: str = "", limit: int = 100, offset: int = 0
) -> list[CarView]:
    """Cars by plate whose plate, make or model contains text; the desk picks from these."""
    actor.require(Permission.VIEW_DESK)
    limit, offset = _page(limit, offset)
    with desk.db.read() as uow:
        return [car_view(car) for car in uow.cars.search(text, limit, offset)]


def add_driver(
    desk: Desk,
    actor: Actor,
    code: str,
    name: str,
    phone: str,
    daily_fee: int | str,
    email: str | None = None,
) -> DriverView:
    """Add a driver; daily_fee is cents as an int or currency text like '45.00'; email,
    if given, gets the driver's run sheets."""
    actor.require(Permission.MANAGE_FLEET)
    driver = _add(desk, actor, DRIVER, driver_fields(code, name, phone, daily_fee, email))
    return driver_view(driver)


def update_driver(
    desk: Desk,
    actor: Actor,
    code: str,
    *,
    name: str | None = None,
    phone: str | None = None,
    daily_fee: int | str | None = None,
    email: str | None = None,
) -> DriverView:
    """Change the given fields; an empty e-mail removes the address."""
    actor.require(Permission.MANAGE_FLEET)
    raw = {"name": name, "phone": phone, "daily_fee_cents": daily_fee, "email": email}
    driver = _update(desk, actor, DRIVER, parse_driver_code(code), raw)
    return driver_view(driver)


def list_drivers(
    desk: Desk, actor: Actor, text: str = "", limit: int = 100, offset: int = 0
) -> list[DriverView]:
    """Drivers by code whose code, name or phone contains text."""
    actor.require(Permission.VIEW_DESK)
    limit, offset = _page(limit, offset)
    with desk.db.read() as uow:
        found = uow.drivers.search(text, limit, offset, phone_digits=desk.phone_digits(text))
        return [driver_view(driver) for driver in found]


def add_customer(
    desk: Desk,
    actor: Actor,
    name: str,
    email: str,
    phone: str,
    no_reminders: bool | str | None = None,
) -> CustomerView:
    """Staff add customers inline while booking, so this needs no manager."""
    actor.require(Permission.EDIT_CUSTOMERS)
    record = customer_fields(email, name, phone, no_reminders)
    customer = _add(desk, actor, CUSTOMER, record)
    return customer_view(customer)


def update_customer(
    desk: Desk,
    actor: Actor,
    email: str,
    *,
    name: str | None = None,
    phone: str | None = None,
    no_reminders: bool | str | None = None,
) -> CustomerView:
    actor.require(Permission.EDIT_CUSTOMERS)
    raw = {"name": name, "phone": phone, "no_reminders": no_reminders}
    customer = _update(desk, actor, CUSTOMER, parse_email(email), raw)
    return customer_view(customer)


def search_customers(
    desk: Desk, actor: Actor, text: str = "", limit: int = 20
) -> list[CustomerView]:
    """Customers by name whose name, e-mail or phone contains text (the fleet's list; the
    booking wizard picks from services.customers.bookable_customers)."""
    actor.require(Permission.VIEW_DESK)
    limit, _ = _page(limit, 0)
    with desk.db.read() as uow:
        found = uow.customers.search(text, limit, phone_digits=desk.phone_digits(text))
        return [customer_view(customer) for customer in found]
