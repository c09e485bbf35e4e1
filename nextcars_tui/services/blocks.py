"""Blocks: a car off the road or a driver off duty, and the disruption assistant that moves
the bookings a new block would strand onto free replacements, all in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from nextcars_tui.domain.changes import CarChoice, DriverChoice, rank_cars, rank_drivers
from nextcars_tui.domain.dates import DateRange, describe_days
from nextcars_tui.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound, ResourceKind
from nextcars_tui.domain.holds import Hold, busy
from nextcars_tui.domain.parsing import (
    check_booking_start,
    parse_days,
    parse_driver_code,
    parse_plate,
    parse_text,
    same_plate,
)
from nextcars_tui.domain.refs import block_ref, normalise_block_ref
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.notifications import notify_reassigned
from nextcars_tui.store import BlockRecord, BookingRecord, CarRecord, DriverRecord, UnitOfWork

CarOrDriver = CarRecord | DriverRecord

MAX_BLOCK_REASON = 200


def parse_block_kind(text: str) -> ResourceKind:
    """A block holds what a booking holds: a car or a driver (domain.errors.ResourceKind)."""
    try:
        return ResourceKind(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"A block is of a car or a driver, not {text!r}.") from None


@dataclass(frozen=True)
class BlockRequest:
    kind: ResourceKind | str
    # The car's plate or the driver's code.
    resource: str
    start: date | str
    days: int | str
    reason: str


@dataclass(frozen=True)
class BlockView:
    ref: str
    kind: ResourceKind
    resource: str
    resource_name: str
    start: date
    end: date
    days: int
    reason: str
    created_at: datetime
    created_by: str
    removed_at: datetime | None

    @property
    def last_day(self) -> date:
        """The last day held: `end` is the first day free again."""
        return self.end - timedelta(days=1)


@dataclass(frozen=True)
class Reassignment:
    """One booking a block disrupts, and where it goes: `to` is None when nothing is free."""

    booking: str
    start: date
    end: date
    customer: str
    from_key: str
    to: str | None
    to_label: str | None
    # The party on the job sheet (None when not given): a replacement car must seat it.
    passengers: int | None = None


@dataclass(frozen=True)
class BlockResult:
    block: BlockView
    reassigned: list[Reassignment]


@dataclass(frozen=True)
class _Valid:
    kind: ResourceKind
    key: str
    dates: DateRange
    reason: str


def _validate(desk: Desk, request: BlockRequest) -> _Valid:
    kind = (
        request.kind if isinstance(request.kind, ResourceKind) else parse_block_kind(request.kind)
    )
    key = (
        parse_plate(request.resource)
        if kind == ResourceKind.CAR
        else parse_driver_code(request.resource)
    )
    start = (
        request.start
        if isinstance(request.start, date)
        else desk.parse_date(request.start, "start date")
    )
    # The booking's date rules, said of a block; its length is business.max_block_days.
    business = desk.settings.business
    check_booking_start(
        start, today=desk.today(), horizon_days=business.booking_horizon_days, what="block"
    )
    days = parse_days(request.days, business.max_block_days, what="block")
    if not request.reason or not request.reason.strip():
        raise InvalidInput("A block needs a reason (maintenance, MOT, holiday, sick…).")
    reason = parse_text(request.reason, "reason", MAX_BLOCK_REASON)
    return _Valid(kind, key, DateRange(start, days), reason)


def _resource(uow: UnitOfWork, valid: _Valid) -> CarOrDriver:
    found: CarOrDriver | None
    if valid.kind == ResourceKind.CAR:
        found = uow.cars.by_plate(valid.key)
        if found is None:
            raise NotFound(f"No car with plate {valid.key}.")
    else:
        found = uow.drivers.by_code(valid.key)
        if found is None:
            raise NotFound(f"No driver with code {valid.key}.")
    return found


def _name(found: CarOrDriver) -> tuple[str, str]:
    if isinstance(found, CarRecord):
        return found.plate, f"{found.make} {found.model}"
    return found.code, found.name


def block_view(block: BlockRecord, car: CarRecord | None, driver: DriverRecord | None) -> BlockView:
    holder: CarOrDriver | None = car if block.kind == ResourceKind.CAR else driver
    assert holder is not None, "a block holds the car or driver it names"
    key, name = _name(holder)
    return BlockView(
        ref=block.ref,
        kind=ResourceKind(block.kind),
        resource=key,
        resource_name=name,
        start=block.start_date,
        end=block.end_date,
        days=block.days,
        reason=block.reason,
        created_at=block.created_at,
        created_by=block.created_by,
        removed_at=block.removed_at,
    )


def _holdings(
    uow: UnitOfWork, kind: ResourceKind, start: date, end: date, *, excluding: set[int]
) -> list[Hold]:
    """Every hold of a car (or driver) on some day of [start, end): one read for all the
    affected bookings together. `excluding` are the bookings being moved, which stop
    holding anything."""
    return [h for h in uow.occupancy.in_window(start, end, kind) if h.booking_id not in excluding]


def _span(affected: list[BookingRecord]) -> tuple[date, date]:
    return min(b.start_date for b in affected), max(b.end_date for b in affected)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_loads(uow: UnitOfWork, days: list[date]) -> dict[date, Counter[int]]:
    """Active bookings per driver in the Monday-to-Sunday week of each of `days`, by Monday:
    one read for all the weeks."""
    mondays = sorted({_monday(day) for day in days})
    found = uow.occupancy.in_window(
        mondays[0], mondays[-1] + timedelta(days=7), ResourceKind.DRIVER
    )
    return {
        monday: Counter(
            hold.resource_id
            for hold in found
            if not hold.is_block and hold.overlaps(monday, monday + timedelta(days=7))
        )
        for monday in mondays
    }


def _car_choice(car: CarRecord) -> CarChoice:
    return CarChoice(car.id or 0, car.plate, car.make, car.model, car.seats, car.daily_rate_cents)


def _plan(
    uow: UnitOfWork,
    kind: ResourceKind,
    held: CarOrDriver,
    affected: list[BookingRecord],
    chosen: Mapping[str, str],
) -> list[tuple[BookingRecord, CarOrDriver | None]]:
    """For each affected booking, its replacement (None when nothing free fits): the clerk's
    choice where given (checked like any other), else the best ranked free one."""
    if not affected:
        return []
    holdings = _holdings(uow, kind, *_span(affected), excluding={b.id or 0 for b in affected})
    plan: list[tuple[BookingRecord, CarOrDriver | None]] = []
    if kind == ResourceKind.CAR:
        cars = {c.id or 0: c for c in uow.cars.in_service()}
        choices = {car_id: _car_choice(car) for car_id, car in cars.items()}
        assert isinstance(held, CarRecord)
        original = _car_choice(held)
        for booking in affected:
            taken = busy(holdings, kind, booking.start_date, booking.end_date)
            fits = [
                choice
                for car_id, choice in choices.items()
                if car_id not in taken and (booking.passengers or 0) <= choice.seats
            ]
            ranked = rank_cars(original, fits)
            wanted = chosen.get(booking.ref)
            if wanted is not None:
                picked = [c for c in fits if c.car_id != held.id and same_plate(c.plate, wanted)]
                plan.append((booking, cars[picked[0].car_id] if picked else None))
            else:
                plan.append((booking, cars[ranked[0].car_id] if ranked else None))
        return plan
    drivers = {d.id or 0: d for d in uow.drivers.in_service()}
    loads = _week_loads(uow, [b.start_date for b in affected])
    for booking in affected:
        taken = busy(holdings, kind, booking.start_date, booking.end_date)
        load = loads[_monday(booking.start_date)]
        available = [
            DriverChoice(did, d.code, d.name, load[did])
            for did, d in drivers.items()
            if did not in taken
        ]
        best = rank_drivers(held.id or 0, available)
        asked = chosen.get(booking.ref)
        if asked is not None:
            named = [d for d in available if d.driver_id != held.id and d.code == asked]
            plan.append((booking, drivers[named[0].driver_id] if named else None))
        else:
            plan.append((booking, drivers[best[0].driver_id] if best else None))
    return plan


def _reassignment(
    booking: BookingRecord, customer: str, held: CarOrDriver, to: CarOrDriver | None
) -> Reassignment:
    from_key, _ = _name(held)
    to_key, to_label = _name(to) if to is not None else (None, None)
    return Reassignment(
        booking=booking.ref,
        start=booking.start_date,
        end=booking.end_date,
        customer=customer,
        from_key=from_key,
        to=to_key,
        to_label=to_label,
        passengers=booking.passengers,
    )


def _customers(uow: UnitOfWork, affected: list[BookingRecord]) -> dict[int, str]:
    """The affected bookings' customers' names, by id, in one read."""
    found = uow.customers.by_ids([b.customer_id for b in affected]) if affected else {}
    return {customer_id: customer.name for customer_id, customer in found.items()}


def propose(desk: Desk, actor: Actor, request: BlockRequest) -> list[Reassignment]:
    """The bookings this block would disrupt, each with the replacement the desk proposes
    (to=None where nothing free fits). Reads only; `block(..., reassign=True)` applies."""
    actor.require(Permission.MANAGE_BLOCKS)
    valid = _validate(desk, request)
    with desk.db.read() as uow:
        held = _resource(uow, valid)
        return plan_moves(uow, valid.kind, held, _affected(uow, valid, held))


def plan_moves(
    uow: UnitOfWork, kind: ResourceKind, held: CarOrDriver, affected: list[BookingRecord]
) -> list[Reassignment]:
    """The moves the desk proposes for `affected` bookings of `held` (to=None where nothing
    free fits), read in the caller's unit of work: for retiring, as for a block."""
    names = _customers(uow, affected)
    return [
        _reassignment(booking, names.get(booking.customer_id, ""), held, to)
        for booking, to in _plan(uow, kind, held, affected, {})
    ]


def move_all(
    uow: UnitOfWork,
    desk: Desk,
    kind: ResourceKind,
    held: CarOrDriver,
    affected: list[BookingRecord],
    affected_now: Callable[[], list[BookingRecord]],
    *,
    now: datetime,
    by: str,
    because: str,
) -> list[Reassignment]:
    """Move every affected booking off `held` onto the desk's pick, as a block with reassign
    does (price kept, customers told), in the caller's write; a booking nothing can take
    refuses the whole write."""
    plan = _plan(uow, kind, held, affected, {})
    _hold_plan(uow, kind, held, affected, plan, affected_now)
    names = _customers(uow, affected)
    moved = [
        _move(uow, booking, names.get(booking.customer_id, ""), held, to, now, by, because)
        for booking, to in plan
        if to
    ]
    notify_reassigned(uow, desk, moved)
    return moved


def _in_the_way(uow: UnitOfWork, valid: _Valid, held: CarOrDriver) -> list[Hold]:
    """What holds the resource on some day of the block: active bookings and blocks."""
    return uow.occupancy.holding([(valid.kind, held.id or 0)], valid.dates.start, valid.dates.end)


def _affected(uow: UnitOfWork, valid: _Valid, held: CarOrDriver) -> list[BookingRecord]:
    """The active bookings of the resource over the block's days, by start date."""
    ids = [h.booking_id for h in _in_the_way(uow, valid, held) if h.booking_id is not None]
    return uow.bookings.by_ids(ids)


def _stranded(valid: _Valid, key: str, affected: list[BookingRecord]) -> Conflict:
    refs = ", ".join(b.ref for b in affected)
    first = affected[0]
    what = valid.kind.value.capitalize()
    return Conflict(
        f"{what} {key} has {len(affected)} active booking(s) "
        f"{describe_days(valid.dates.start, valid.dates.end)}: {refs}. Block with reassign to "
        "move them; nothing was changed.",
        resource_kind=valid.kind,
        resource=key,
        clashing_ref=first.ref,
        start=first.start_date,
        end=first.end_date,
    )


def block(
    desk: Desk,
    actor: Actor,
    request: BlockRequest,
    *,
    reassign: bool = False,
    chosen: Mapping[str, str] | None = None,
) -> BlockResult:
    """Block a car or driver. Over active bookings it is refused, naming them, unless asked
    to reassign: then every affected booking moves to a free replacement (the clerk's
    `chosen` plate or code per booking ref, else the desk's pick) keeping the customer's
    price, and block and moves are written together, or nothing when any booking is stuck."""
    actor.require(Permission.MANAGE_BLOCKS)
    valid = _validate(desk, request)
    now = desk.now()
    with desk.db.write() as uow:
        held = _resource(uow, valid)
        key, _label = _name(held)
        affected = _affected(uow, valid, held)
        if affected and not reassign:
            raise _stranded(valid, key, affected)
        plan = _plan(uow, valid.kind, held, affected, chosen or {})
        _hold_plan(uow, valid.kind, held, affected, plan, lambda: _affected(uow, valid, held))
        blocks = sorted(
            (h for h in _in_the_way(uow, valid, held) if h.is_block), key=lambda h: h.start
        )
        if blocks:
            raise _blocked_already(blocks[0], key, valid.kind)
        names = _customers(uow, affected)
        moved = [
            _move(uow, booking, names.get(booking.customer_id, ""), held, to, now, actor.username)
            for booking, to in plan
            if to
        ]
        number = uow.blocks.next_number()
        made = uow.blocks.insert(
            BlockRecord(
                id=number,
                ref=block_ref(number),
                kind=valid.kind.value,
                car_id=held.id if isinstance(held, CarRecord) else None,
                driver_id=held.id if isinstance(held, DriverRecord) else None,
                start_date=valid.dates.start,
                days=valid.dates.days,
                end_date=valid.dates.end,
                reason=valid.reason,
                created_at=now,
                created_by=actor.username,
            )
        )
        moves = f"; moved {', '.join(m.booking for m in moved)}" if moved else ""
        uow.audit.record(
            at=now,
            actor=actor.username,
            action="blocked",
            ref=made.ref,
            detail=f"{valid.kind.value} {key}, {valid.dates}: {valid.reason}{moves}",
        )
        view = block_view(
            made,
            held if isinstance(held, CarRecord) else None,
            held if isinstance(held, DriverRecord) else None,
        )
        notify_reassigned(uow, desk, moved)
        uow.commit()
        return BlockResult(view, moved)


def _hold_plan(
    uow: UnitOfWork,
    kind: ResourceKind,
    held: CarOrDriver,
    affected: list[BookingRecord],
    plan: list[tuple[BookingRecord, CarOrDriver | None]],
    affected_now: Callable[[], list[BookingRecord]],
) -> None:
    """Refuse a plan that strands a booking, then keep every car and driver involved from
    other writers until the unit of work ends; if another desk could have booked one since
    the plan was made, the store has the plan checked again (`affected_now` reads the
    bookings to move afresh): anything booked meanwhile refuses the whole write."""
    key, _label = _name(held)
    for booking, to in plan:
        if to is None:
            raise Conflict(
                f"No free {kind.value} can take over booking {booking.ref} "
                f"({describe_days(booking.start_date, booking.end_date)}) from {key}; "
                "nothing was changed.",
                clashing_ref=booking.ref,
                start=booking.start_date,
                end=booking.end_date,
            )
    involved = [held, *(to for _b, to in plan if to is not None)]
    uow.blocks.hold(
        [r.id or 0 for r in involved if isinstance(r, CarRecord)],
        [r.id or 0 for r in involved if isinstance(r, DriverRecord)],
        recheck=lambda: _recheck(uow, kind, affected, plan, affected_now()),
    )


def _recheck(
    uow: UnitOfWork,
    kind: ResourceKind,
    affected: list[BookingRecord],
    plan: list[tuple[BookingRecord, CarOrDriver | None]],
    again: list[BookingRecord],
) -> None:
    """Whether the plan still stands: the same bookings are affected and every replacement
    is still free (another desk may have booked one since the plan was made)."""
    if [b.id for b in again] != [b.id for b in affected]:
        raise Conflict("The bookings changed meanwhile; nothing was changed.")
    if not affected:
        return
    moving = {b.id or 0 for b in affected}
    holdings = _holdings(uow, kind, *_span(affected), excluding=moving)
    for booking, to in plan:
        taken = busy(holdings, kind, booking.start_date, booking.end_date)
        if to is not None and to.id in taken:
            key, _label = _name(to)
            raise Conflict(
                f"{key} was taken for {describe_days(booking.start_date, booking.end_date)} "
                "meanwhile; nothing was changed.",
                resource_kind=ResourceKind.CAR
                if isinstance(to, CarRecord)
                else ResourceKind.DRIVER,
                resource=key,
                clashing_ref=booking.ref,
                start=booking.start_date,
                end=booking.end_date,
            )


def _blocked_already(other: Hold, key: str, kind: ResourceKind) -> Conflict:
    what = kind.value.capitalize()
    return Conflict(
        f"{what} {key} is already blocked {describe_days(other.start, other.end)} "
        f"({other.ref}: {other.block_reason}).",
        resource_kind=kind,
        resource=key,
        clashing_ref=other.ref,
        start=other.start,
        end=other.end,
    )


def _move(
    uow: UnitOfWork,
    booking: BookingRecord,
    customer: str,
    held: CarOrDriver,
    to: CarOrDriver,
    now: datetime,
    by: str,
    because: str = "blocked",
) -> Reassignment:
    """Move one booking off the blocked (or retired) resource; the customer's price stays as
    booked (the business caused the change), so the ledger is untouched."""
    done = _reassignment(booking, customer, held, to)
    if isinstance(to, CarRecord):
        uow.bookings.change(booking, car_id=to.id or 0)
    else:
        uow.bookings.change(booking, driver_id=to.id or 0)
    what = "car" if isinstance(to, CarRecord) else "driver"
    uow.audit.record(
        at=now,
        actor=by,
        action="changed",
        ref=booking.ref,
        detail=f"{what} {done.from_key} → {done.to} (reassigned: {done.from_key} {because}; "
        "price kept)",
    )
    return done


def unblock(desk: Desk, actor: Actor, ref: str) -> BlockView:
    """Remove a block: it stays in the history, and its car or driver is free again."""
    actor.require(Permission.MANAGE_BLOCKS)
    ref = normalise_block_ref(ref)
    now = desk.now()
    with desk.db.write() as uow:
        found = uow.blocks.for_removal(ref)
        if found is None:
            raise NotFound(f"No block {ref}.")
        block, car, driver = found
        if block.removed_at is not None:
            raise NotAllowed(f"Block {ref} was already removed.")
        removed = uow.blocks.remove(block, at=now, by=actor.username)
        uow.audit.record(at=now, actor=actor.username, action="unblocked", ref=ref)
        uow.commit()
        return block_view(removed, car, driver)


def list_blocks(
    desk: Desk,
    actor: Actor,
    *,
    car_plate: str | None = None,
    driver_code: str | None = None,
) -> list[BlockView]:
    """Blocks in force (not removed), by start date; of one car or driver if named."""
    actor.require(Permission.VIEW_DESK)
    with desk.db.read() as uow:
        car_id = driver_id = None
        if car_plate is not None:
            car = uow.cars.by_plate(parse_plate(car_plate))
            if car is None:
                raise NotFound(f"No car with plate {car_plate}.")
            car_id = car.id
        if driver_code is not None:
            driver = uow.drivers.by_code(parse_driver_code(driver_code))
            if driver is None:
                raise NotFound(f"No driver with code {driver_code}.")
            driver_id = driver.id
        return [block_view(*found) for found in uow.blocks.rows(car_id=car_id, driver_id=driver_id)]
