"""Demo data: the packaged demo CSVs, a month of bookings in every state, one user per role.

Everything goes through the real services. Past bookings are made by a desk whose clock is set
back to when a clerk would have made them, then the lifecycle rules run at 'now' — so the demo
can only contain states the rules themselves produce. Given the same clock, the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable

from nextcars_tui.clock import fixed_clock
from nextcars_tui.domain.errors import InvalidInput, NotAllowed
from nextcars_tui.domain.roles import Actor, Permission, Role
from nextcars_tui.domain.statuses import PaymentMethod
from nextcars_tui.services import auth, billing, blocks, booking
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.imports import import_file
from nextcars_tui.services.lifecycle import LifecycleResult, run_lifecycle

# Shipped inside the package (pyproject package-data) and read through importlib.resources, so
# an installed wheel makes the demo as well as a checkout does. A test may pass its own folder.
DEMO_DIR: Traversable = files("nextcars_tui.services") / "demo_data"
DEMO_SETTING = "demo"
# The value of DEMO_SETTING: the demo is in (LOADED), or a load began (LOADING) and is either
# still running or was killed; its data is written in one transaction, so a killed load left
# nothing behind and can simply be run again.
LOADED = "1"
LOADING = "loading"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    password: str
    link: str | None = None


# Fixed and published on purpose: the demo is for trying the desk, never for real data.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("manager", Role.MANAGER, "manager-demo"),
    DemoUser("staff", Role.STAFF, "staff-demo"),
    DemoUser("staff2", Role.STAFF, "staff2-demo"),
    DemoUser("driver1", Role.DRIVER, "driver1-demo", "DRV-01"),
    DemoUser("driver2", Role.DRIVER, "driver2-demo", "DRV-02"),
    DemoUser("customer", Role.CUSTOMER, "customer-demo", "alice.morgan@example.com"),
)

# Outcomes a planned booking is driven to by the booking and billing services.
PENDING, CONFIRM, PAY, DEPOSIT, CANCEL, PAY_CANCEL, EXPIRE = (
    "pending",
    "confirm",
    "pay",
    "deposit",
    "cancel",
    "pay then cancel",
    "expire",
)
# A deposit secures a hold: this share of the total, in whole currency units.
DEPOSIT_PERCENT = 30


@dataclass(frozen=True)
class PlannedBooking:
    """One booking, in days relative to today. A lane is one car with one driver, and the
    bookings of a lane never overlap. EXPIRE ignores booked_days_ago: the hold is made just
    over the pending TTL ago, so the lifecycle run at 'now' expires it."""

    lane: int
    booked_days_ago: int
    start: int
    days: int
    outcome: str
    customer: int


PLAN: tuple[PlannedBooking, ...] = (
    PlannedBooking(0, 30, -28, 3, PAY, 0),
    PlannedBooking(0, 12, -10, 4, CONFIRM, 5),
    PlannedBooking(0, 3, -2, 4, PAY, 9),
    PlannedBooking(0, 0, 3, 2, PENDING, 0),
    PlannedBooking(0, 0, 8, 5, DEPOSIT, 14),
    PlannedBooking(1, 45, -42, 5, CONFIRM, 1),
    PlannedBooking(1, 20, -18, 2, PAY, 6),
    PlannedBooking(1, 2, -1, 2, CONFIRM, 10),
    PlannedBooking(1, 0, 2, 3, PAY, 15),
    PlannedBooking(1, 0, 6, 3, EXPIRE, 20),
    PlannedBooking(2, 60, -55, 7, CONFIRM, 2),
    PlannedBooking(2, 40, -38, 4, PAY, 18),
    PlannedBooking(2, 22, -20, 6, PAY, 23),
    PlannedBooking(2, 5, 0, 3, CONFIRM, 11),
    PlannedBooking(2, 0, 5, 4, CANCEL, 0),
    PlannedBooking(3, 25, -24, 3, PAY_CANCEL, 3),
    PlannedBooking(3, 14, -12, 3, PAY, 27),
    PlannedBooking(3, 0, 0, 1, PAY, 16),
    PlannedBooking(3, 0, 10, 3, PAY_CANCEL, 21),
    PlannedBooking(4, 50, -47, 3, PAY, 24),
    PlannedBooking(4, 28, -27, 5, PAY, 25),
    PlannedBooking(4, 8, -7, 7, DEPOSIT, 4),
    PlannedBooking(4, 0, 1, 1, PENDING, 17),
    PlannedBooking(5, 18, -16, 4, PAY, 26),
    PlannedBooking(5, 4, -3, 5, PAY, 7),
    PlannedBooking(5, 0, 2, 2, EXPIRE, 22),
    PlannedBooking(6, 35, -33, 10, CONFIRM, 12),
    PlannedBooking(6, 16, -15, 2, PAY, 28),
    PlannedBooking(6, 0, 4, 6, CONFIRM, 0),
    PlannedBooking(7, 32, -30, 5, PAY, 29),
    PlannedBooking(7, 15, -14, 10, CONFIRM, 8),
    PlannedBooking(7, 0, 0, 3, PENDING, 13),
)

# Lanes take every third car, so most of the fleet and drivers 9–12 stay free to book.
CAR_STRIDE = 3
# Job sheets, handed out in turn: where drivers pick up and drop off, and what to know.
_PLACES = (
    "Heathrow T5 arrivals",
    "The Savoy, Strand",
    "King's Cross St Pancras",
    "Canary Wharf, 1 Churchill Pl",
    "Gatwick North Terminal",
)
_NOTES = ("Flight BA117, meet with name board", "Child seat needed", None, None)
# Off the road and off duty: (car index or None, driver index or None, starts in, days, why).
_BLOCKS = ((1, None, 5, 2, "MOT"), (None, 9, 3, 4, "holiday"))
_METHODS = tuple(PaymentMethod)


@dataclass(frozen=True)
class DemoSummary:
    cars: int
    drivers: int
    customers: int
    bookings: int
    lifecycle: LifecycleResult
    users: tuple[DemoUser, ...]


def is_demo(desk: Desk) -> bool:
    with desk.db.read() as uow:
        return uow.settings.get(DEMO_SETTING) == LOADED


def was_interrupted(desk: Desk) -> bool:
    """A demo load began here and never finished (the process was killed or failed)."""
    with desk.db.read() as uow:
        return uow.settings.get(DEMO_SETTING) == LOADING


def demo_sign_ins(desk: Desk) -> list[tuple[str, str, str]]:
    """(username, role, password) of the demo users, only while the database holds the demo."""
    with desk.db.read() as uow:
        if uow.settings.get(DEMO_SETTING) != LOADED:
            return []
        return [
            (user.username, user.role.value, user.password)
            for user in DEMO_USERS
            if uow.users.by_username(user.username) is not None
        ]


def load_demo(desk: Desk, actor: Actor, folder: Traversable = DEMO_DIR) -> DemoSummary:
    """Import the demo CSVs, make the planned bookings and the demo users, mark the database:
    all in one transaction, so a load killed half-way leaves no half demo, and running it
    again finishes the job."""
    actor.require(Permission.MANAGE_FLEET)
    actor.require(Permission.MANAGE_USERS)
    _check_fresh(desk)
    with desk.db.write() as uow:
        # Committed on its own, before the data: a retry (or the bare `nextcars`) can tell a
        # killed load from a database someone set up by hand.
        uow.settings.put(DEMO_SETTING, LOADING)
        uow.commit()
    with desk.db.single_transaction():
        summary = _load(desk, actor, folder)
    return summary


def _load(desk: Desk, actor: Actor, folder: Traversable) -> DemoSummary:
    now = desk.now()
    at_now = replace(desk, clock=fixed_clock(now))
    today = at_now.today()
    longest = desk.settings.business.max_rental_days
    cars = _import(at_now, actor, "cars", folder)
    drivers = _import(at_now, actor, "drivers", folder)
    customers = _import(at_now, actor, "customers", folder)
    # Made in the order a clerk would have made them, so refs grow with time.
    timeline = sorted(enumerate(PLAN), key=lambda item: _booked_at(desk, item[1], now, today))
    for number, plan in timeline:
        clerk_desk = replace(desk, clock=fixed_clock(_booked_at(desk, plan, now, today)))
        request = booking.BookingRequest(
            customer_email=customers[plan.customer],
            car_plate=cars[plan.lane * CAR_STRIDE],
            driver_code=drivers[plan.lane],
            start=today + timedelta(days=plan.start),
            days=min(plan.days, longest),
            pickup_time=f"{7 + number % 11:02d}:{15 * (number % 4):02d}",
            pickup=_PLACES[number % len(_PLACES)],
            dropoff=_PLACES[(number + 2) % len(_PLACES)],
            passengers=1 + number % 3,
            notes=_NOTES[number % len(_NOTES)],
        )
        _drive(clerk_desk, actor, request, plan.outcome, _METHODS[number % len(_METHODS)])
    result = run_lifecycle(at_now, actor, now=now)
    for car, driver, starts_in, days, why in _BLOCKS:
        off = blocks.BlockRequest(
            kind="car" if car is not None else "driver",
            resource=cars[car] if car is not None else drivers[driver or 0],
            start=today + timedelta(days=starts_in),
            days=days,
            reason=why,
        )
        blocks.block(at_now, actor, off)
    for user in DEMO_USERS:
        auth.add_user(at_now, actor, user.username, user.role, user.password, user.link)
    with desk.db.write() as uow:
        uow.settings.put(DEMO_SETTING, LOADED)
        uow.audit.record(
            at=now, actor=actor.username, action="demo loaded", ref="demo", detail=str(folder)
        )
        uow.commit()
    return DemoSummary(len(cars), len(drivers), len(customers), len(PLAN), result, DEMO_USERS)


def _import(desk: Desk, actor: Actor, kind: str, folder: Traversable) -> tuple[str, ...]:
    # as_file hands over a real file even where the package is not unpacked on disk (a zip);
    # for a folder on disk it is the file itself.
    with as_file(folder / f"{kind}.csv") as path:
        return import_file(desk, actor, kind, path).keys


def _check_fresh(desk: Desk) -> None:
    with desk.db.read() as uow:
        state = uow.settings.get(DEMO_SETTING)
        if state == LOADED:
            raise NotAllowed("This database already holds the demo data.")
        leftovers = uow.cars.count() + uow.bookings.count_all()
        taken = [u.username for u in DEMO_USERS if uow.users.by_username(u.username) is not None]
    if state == LOADING and leftovers:
        # Only a load by an older version (not in one transaction) can leave this.
        raise InvalidInput(
            f"An earlier demo load into the {desk.db.where} stopped half-way and left part "
            "of the demo behind; remove that database and run 'nextcars init --demo' again."
        )
    if taken:
        raise InvalidInput(
            f"The demo needs its own users but {', '.join(taken)} already exist; "
            "load the demo into a new database."
        )


def _booked_at(desk: Desk, plan: PlannedBooking, now: datetime, today: date) -> datetime:
    if plan.outcome == EXPIRE:
        return now - timedelta(hours=desk.settings.lifecycle.pending_ttl_hours + 1)
    if plan.booked_days_ago == 0:
        return now
    day = today - timedelta(days=plan.booked_days_ago)
    return datetime.combine(day, time(10, 0), tzinfo=desk.settings.business.zone)


def _drive(
    desk: Desk,
    actor: Actor,
    request: booking.BookingRequest,
    outcome: str,
    method: PaymentMethod,
) -> None:
    made = booking.book(desk, actor, request)
    if outcome in (PAY, PAY_CANCEL):
        billing.checkout(desk, actor, made.invoice.ref, method)
    elif outcome == DEPOSIT:
        deposit = made.total_cents * DEPOSIT_PERCENT // 100 // 100 * 100
        billing.pay(desk, actor, made.invoice.ref, deposit, method)
    elif outcome == CONFIRM:
        booking.confirm(desk, actor, made.ref)
    if outcome == CANCEL:
        booking.cancel(desk, actor, made.ref, "customer changed plans")
    elif outcome == PAY_CANCEL:
        cancelled = booking.cancel(desk, actor, made.ref, "flight cancelled; refunded")
        owed_back = -cancelled.invoice.balance_cents
        billing.refund(desk, actor, made.invoice.ref, owed_back, method, "flight cancelled")
