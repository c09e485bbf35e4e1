"""Retiring cars, drivers and customers: no new bookings, kept in history and reports."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from nextcars_tui.domain.errors import InvalidInput, NotAllowed, NotFound, ResourceKind
from nextcars_tui.domain.parsing import parse_driver_code, parse_email, parse_plate
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import CarRecord, CustomerRecord, DriverRecord


class RetireKind(StrEnum):
    CAR = "car"
    DRIVER = "driver"
    CUSTOMER = "customer"


def parse_retire_kind(text: str) -> RetireKind:
    try:
        return RetireKind(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"Retire a car, a driver or a customer, not {text!r}.") from None


def retire(desk: Desk, actor: Actor, kind: RetireKind | str, key: str) -> str:
    """Retire one car (by plate), driver (by code) or customer (by e-mail); returns what was
    done in a line. A car or driver with active bookings still to run must have them
    reassigned first, so no customer is left without one."""
    actor.require(Permission.RETIRE)
    chosen = kind if isinstance(kind, RetireKind) else parse_retire_kind(kind)
    now, today = desk.now(), desk.today()
    with desk.db.write() as uow:
        found: CarRecord | DriverRecord | CustomerRecord | None
        if chosen == RetireKind.CAR:
            plate = parse_plate(key)
            found = uow.cars.for_change(plate)
            missing, name = f"No car with plate {plate}.", f"Car {found.plate if found else ''}"
        elif chosen == RetireKind.DRIVER:
            code = parse_driver_code(key)
            found = uow.drivers.for_change(code)
            missing, name = f"No driver with code {code}.", f"Driver {code}"
        else:
            email = parse_email(key)
            found = uow.customers.for_change(email)
            missing, name = f"No customer with e-mail {email}.", f"Customer {email}"
        if found is None:
            raise NotFound(missing)
        if found.retired_at is not None:
            raise NotAllowed(f"{name} is already retired.")
        if isinstance(found, CarRecord | DriverRecord):
            kind = ResourceKind.CAR if isinstance(found, CarRecord) else ResourceKind.DRIVER
            holds = uow.occupancy.holding([(kind, found.id or 0)], today, date.max)
            still = sorted((h for h in holds if not h.is_block), key=lambda h: (h.start, h.ref))
            if still:
                refs = ", ".join(h.ref for h in still)
                raise NotAllowed(
                    f"{name} still has active bookings ({refs}); reassign them first "
                    "(block it with reassign, or change each booking)."
                )
        if isinstance(found, CarRecord):
            uow.cars.retire(found, now)
        elif isinstance(found, DriverRecord):
            uow.drivers.retire(found, now)
        else:
            uow.customers.retire(found, now)
        uow.audit.record(
            at=now, actor=actor.username, action="retired", ref=f"{chosen}:{found.id}", detail=name
        )
        uow.commit()
        return f"{name} is retired: it takes no new bookings and stays in history and reports."
