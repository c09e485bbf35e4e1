"""Retiring cars, drivers and customers: no new bookings, kept in history and reports; and
reinstating them.

What still holds a car or driver is read from occupancy (domain.holds): the bookings still
to run must move first, and "reassign and retire" moves them with the disruption
assistant's own planner, in the same transaction as the retiring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from nextcars_tui.domain import rules
from nextcars_tui.domain.errors import InvalidInput, NotAllowed, NotFound, ResourceKind
from nextcars_tui.domain.parsing import parse_driver_code, parse_email, parse_plate
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.domain.statuses import ACTIVE_BOOKING_STATUSES, OWING_INVOICE_STATUSES
from nextcars_tui.services import blocks
from nextcars_tui.services.blocks import Reassignment
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import (
    BookingQuery,
    BookingRecord,
    CarRecord,
    CustomerRecord,
    DriverRecord,
    UnitOfWork,
)

Retirable = CarRecord | DriverRecord | CustomerRecord
# More than any customer has to come; the refusal names them all.
_MANY = 1_000


class RetireKind(StrEnum):
    CAR = "car"
    DRIVER = "driver"
    CUSTOMER = "customer"


def parse_retire_kind(text: str) -> RetireKind:
    try:
        return RetireKind(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"Retire a car, a driver or a customer, not {text!r}.") from None


@dataclass(frozen=True)
class RetireCheck:
    """What stands between a car, driver or customer and retiring, read before anyone is
    asked to confirm: the bookings still to run (a car's or driver's, each with the move
    the desk proposes; a customer's bookings to come), and what a customer still owes."""

    kind: RetireKind
    key: str
    name: str
    retired: bool
    to_run: list[str]
    moves: list[Reassignment]
    owed_cents: int = 0
    owing_invoices: tuple[str, ...] = ()

    @property
    def refusal(self) -> str | None:
        """Why retiring cannot simply go ahead (domain.rules), or None."""
        if self.retired:
            return f"{self.name} is already retired."
        return rules.retire_refusal(self.name, self.kind == RetireKind.CUSTOMER, self.to_run)

    @property
    def reassignable(self) -> bool:
        """A car or driver whose bookings to run all have a free replacement."""
        return self.kind != RetireKind.CUSTOMER and all(m.to for m in self.moves)


def _found(uow: UnitOfWork, kind: RetireKind, key: str) -> tuple[Retirable, str, str]:
    """The record (held for change in a write), its key as the desk writes it, and its name
    in a sentence; NotFound when there is none."""
    found: Retirable | None
    if kind == RetireKind.CAR:
        plate = parse_plate(key)
        found = uow.cars.for_change(plate)
        if found is None:
            raise NotFound(f"No car with plate {plate}.")
        return found, found.plate, f"Car {found.plate}"
    if kind == RetireKind.DRIVER:
        code = parse_driver_code(key)
        found = uow.drivers.for_change(code)
        if found is None:
            raise NotFound(f"No driver with code {code}.")
        return found, code, f"Driver {code}"
    email = parse_email(key)
    found = uow.customers.for_change(email)
    if found is None:
        raise NotFound(f"No customer with e-mail {email}.")
    return found, email, f"Customer {email}"


def _resource_kind(found: CarRecord | DriverRecord) -> ResourceKind:
    return ResourceKind.CAR if isinstance(found, CarRecord) else ResourceKind.DRIVER


def _still_to_run(uow: UnitOfWork, found: Retirable, today: date) -> list[BookingRecord]:
    """A car's or driver's bookings that hold it from today on (occupancy, blocks aside),
    or a customer's active bookings that have not ended, by start."""
    if isinstance(found, CustomerRecord):
        query = BookingQuery(
            statuses=[s.value for s in ACTIVE_BOOKING_STATUSES],
            customer_id=found.id,
            ends_after=today,
            limit=_MANY,
        )
        return [row.booking for row in uow.bookings.rows(query)]
    holds = uow.occupancy.holding([(_resource_kind(found), found.id or 0)], today, date.max)
    ids = [h.booking_id for h in holds if h.booking_id is not None]
    return sorted(uow.bookings.by_ids(ids), key=lambda b: (b.start_date, b.ref))


def _owing(uow: UnitOfWork, customer: CustomerRecord) -> tuple[int, tuple[str, ...]]:
    rows = uow.invoices.rows(
        statuses=[s.value for s in OWING_INVOICE_STATUSES], customer_id=customer.id, limit=_MANY
    )
    owed = sum(row.invoice.amount_cents - row.invoice.paid_cents for row in rows)
    return owed, tuple(row.invoice.ref for row in rows)


def retire_check(desk: Desk, actor: Actor, kind: RetireKind | str, key: str) -> RetireCheck:
    """What retiring would meet, read only: for the desk to say before it asks to confirm."""
    actor.require(Permission.RETIRE)
    chosen = kind if isinstance(kind, RetireKind) else parse_retire_kind(kind)
    with desk.db.read() as uow:
        found, shown, name = _found(uow, chosen, key)
        to_run = _still_to_run(uow, found, desk.today())
        refs = [b.ref for b in to_run]
        if isinstance(found, CustomerRecord):
            owed, invoices = _owing(uow, found)
            return RetireCheck(
                chosen, shown, name, found.retired_at is not None, refs, [], owed, invoices
            )
        moves = blocks.plan_moves(uow, _resource_kind(found), found, to_run)
        return RetireCheck(chosen, shown, name, found.retired_at is not None, refs, moves)


def retire(
    desk: Desk, actor: Actor, kind: RetireKind | str, key: str, *, reassign: bool = False
) -> str:
    """Retire one car (by plate), driver (by code) or customer (by e-mail); returns what was
    done in a line. A car or driver with bookings still to run is refused, naming them,
    unless `reassign`: then they move to free replacements first (price kept), all in this
    transaction, or nothing when one cannot move. A customer with bookings to come is
    refused; one who still owes money is retired, and the line says what is owed."""
    actor.require(Permission.RETIRE)
    chosen = kind if isinstance(kind, RetireKind) else parse_retire_kind(kind)
    now, today = desk.now(), desk.today()
    with desk.db.write() as uow:
        found, _shown, name = _found(uow, chosen, key)
        if found.retired_at is not None:
            raise NotAllowed(f"{name} is already retired.")
        to_run = _still_to_run(uow, found, today)
        moved: list[Reassignment] = []
        if isinstance(found, CustomerRecord):
            refusal = rules.retire_refusal(name, True, [b.ref for b in to_run])
            if refusal:
                raise NotAllowed(refusal)
            owed, invoices = _owing(uow, found)
            uow.customers.retire(found, now)
        else:
            refusal = rules.retire_refusal(name, False, [b.ref for b in to_run])
            if refusal and not reassign:
                raise NotAllowed(refusal)
            if to_run:
                held = found

                def again() -> list[BookingRecord]:
                    return _still_to_run(uow, held, today)

                moved = blocks.move_all(
                    uow,
                    desk,
                    _resource_kind(found),
                    found,
                    to_run,
                    again,
                    now=now,
                    by=actor.username,
                    because="retired",
                )
            if isinstance(found, CarRecord):
                uow.cars.retire(found, now)
            else:
                uow.drivers.retire(found, now)
            owed, invoices = 0, ()
        moves = "".join(f"; moved {m.booking} to {m.to}" for m in moved)
        uow.audit.record(
            at=now,
            actor=actor.username,
            action="retired",
            ref=f"{chosen}:{found.id}",
            detail=f"{name}{moves}",
        )
        uow.commit()
    done = f"{name} is retired: it takes no new bookings and stays in history and reports."
    if moved:
        done += " Moved " + ", ".join(f"{m.booking} to {m.to}" for m in moved) + " (price kept)."
    if owed > 0:
        done += (
            f" Note: they still owe {desk.money(owed)} ({', '.join(invoices)}); the invoices "
            "stay open for payment."
        )
    return done


def reinstate(desk: Desk, actor: Actor, kind: RetireKind | str, key: str) -> str:
    """Put a retired car, driver or customer back in service (managers, as retiring)."""
    actor.require(Permission.RETIRE)
    chosen = kind if isinstance(kind, RetireKind) else parse_retire_kind(kind)
    now = desk.now()
    with desk.db.write() as uow:
        found, _shown, name = _found(uow, chosen, key)
        if found.retired_at is None:
            raise NotAllowed(f"{name} is not retired.")
        if isinstance(found, CarRecord):
            uow.cars.reinstate(found)
        elif isinstance(found, DriverRecord):
            uow.drivers.reinstate(found)
        else:
            uow.customers.reinstate(found)
        uow.audit.record(
            at=now,
            actor=actor.username,
            action="reinstated",
            ref=f"{chosen}:{found.id}",
            detail=name,
        )
        uow.commit()
    return f"{name} is back in service: it takes new bookings again."
