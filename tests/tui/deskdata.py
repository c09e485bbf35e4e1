"""A small, deterministic desk for UI tests: built through the real services, frozen clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from nextcars_tui.clock import fixed_clock
from nextcars_tui.config import Settings, SignInSettings
from nextcars_tui.domain.roles import Role, system_actor
from nextcars_tui.services import auth, billing, booking, lifecycle
from nextcars_tui.services.booking import BookingRequest
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import CarRecord, CustomerRecord, DriverRecord, open_database

# Tuesday 1 December 2026, 09:00 in London (UTC in winter).
FROZEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)

PASSWORDS = {
    "manager": "manager-pass",
    "staff": "staff-pass",
    "driver1": "driver1-pass",
    "driver2": "driver2-pass",
    "alice": "alice-pass",
}

CARS = [
    ("KX-204", "Skoda", "Superb", 5, 8900),
    ("LM-310", "Mercedes", "E-Class", 5, 14500),
    ("PB-118", "Volkswagen", "Passat", 5, 7900),
    ("RT-552", "BMW", "5 Series", 5, 13900),
    ("VN-777", "Mercedes", "V-Class", 7, 18900),
    ("ZE-901", "Tesla", "Model 3", 5, 11900),
]
DRIVERS = [
    ("DRV-01", "Ana Silva", "+44 20 7946 0101", 12000),
    ("DRV-02", "Ben Okafor", "+44 20 7946 0102", 11000),
    ("DRV-03", "Chloe Martin", "+44 20 7946 0103", 12500),
    ("DRV-04", "Dev Patel", "+44 20 7946 0104", 10500),
]
CUSTOMERS = [
    ("alice@example.com", "Alice Brown", "+44 7700 900001"),
    ("bob@example.com", "Bob Green", "+44 7700 900002"),
    ("carla@example.com", "Carla Diaz", "+44 7700 900003"),
    ("dan@example.com", "Dan Evans", "+44 7700 900004"),
    ("erin@example.com", "Erin Fox", "+44 7700 900005"),
]


def settings_for(folder: Path) -> Settings:
    """The test desk's settings: its users' hashes cost little (sign_in.password_hash_cost),
    so each sign-in takes milliseconds, through the same argon2id code."""
    return replace(
        Settings(),
        database_url="sqlite:///desk.db",
        base_dir=folder,
        sign_in=SignInSettings(password_hash_cost="low"),
    )


def build(path: Path | str, folder: Path | None = None) -> None:
    """Create the desk database at path (or PostgreSQL URL) with bookings in every state as
    of FROZEN."""
    db = open_database(path)
    db.create_schema()
    settings = settings_for(folder or Path(path).parent)
    with db.write() as uow:
        for plate, make, model, seats, rate in CARS:
            uow.cars.insert(CarRecord(None, plate, make, model, seats, rate))
        for code, name, phone, fee in DRIVERS:
            uow.drivers.insert(DriverRecord(None, code, name, phone, fee))
        for email, name, phone in CUSTOMERS:
            uow.customers.insert(CustomerRecord(None, email, name, phone))
        uow.commit()
    system = system_actor("tests")

    def desk_at(moment: datetime) -> Desk:
        return Desk(db, settings, fixed_clock(moment))

    def make(moment: datetime, email: str, plate: str, code: str, start: date, days: int) -> str:
        request = BookingRequest(email, plate, code, start, days)
        return booking.book(desk_at(moment), system, request).ref

    ago = lambda days: FROZEN - timedelta(days=days)  # noqa: E731
    # Completed and paid.
    done = make(ago(30), "bob@example.com", "PB-118", "DRV-02", date(2026, 11, 3), 3)
    billing.checkout(desk_at(ago(29)), system, done.replace("BK", "INV"), "card")
    # Completed long ago, never paid: overdue.
    late = make(ago(61), "carla@example.com", "RT-552", "DRV-03", date(2026, 10, 2), 2)
    booking.confirm(desk_at(ago(61)), system, late)
    # Ended 19 November, unpaid: due 3 December, so "due soon".
    soon = make(ago(17), "dan@example.com", "LM-310", "DRV-04", date(2026, 11, 15), 4)
    booking.confirm(desk_at(ago(17)), system, soon)
    # In progress 29 Nov – 3 Dec with DRV-01.
    running = make(ago(3), "alice@example.com", "KX-204", "DRV-01", date(2026, 11, 29), 5)
    booking.confirm(desk_at(ago(3)), system, running)
    # Last day today.
    back = make(ago(2), "erin@example.com", "VN-777", "DRV-02", date(2026, 11, 30), 2)
    booking.confirm(desk_at(ago(2)), system, back)
    # Pickup today, still a pending hold (created two hours ago).
    make(FROZEN - timedelta(hours=2), "bob@example.com", "ZE-901", "DRV-03", TODAY, 2)
    # Upcoming, confirmed and paid, DRV-01 again.
    ahead = make(ago(1), "alice@example.com", "LM-310", "DRV-01", date(2026, 12, 5), 3)
    billing.checkout(desk_at(ago(1)), system, ahead.replace("BK", "INV"), "transfer")
    # Upcoming pending for DRV-02.
    make(
        FROZEN - timedelta(hours=1), "carla@example.com", "PB-118", "DRV-02", date(2026, 12, 10), 2
    )
    # Cancelled.
    gone = make(ago(1), "dan@example.com", "RT-552", "DRV-04", date(2026, 12, 3), 1)
    booking.cancel(desk_at(ago(1)), system, gone, "customer changed plans")
    lifecycle.run_lifecycle(desk_at(FROZEN), system)
    now_desk = desk_at(FROZEN)
    auth.add_user(now_desk, system, "manager", Role.MANAGER, PASSWORDS["manager"])
    auth.add_user(now_desk, system, "staff", Role.STAFF, PASSWORDS["staff"])
    auth.add_user(now_desk, system, "driver1", Role.DRIVER, PASSWORDS["driver1"], "DRV-01")
    auth.add_user(now_desk, system, "driver2", Role.DRIVER, PASSWORDS["driver2"], "DRV-02")
    auth.add_user(now_desk, system, "alice", Role.CUSTOMER, PASSWORDS["alice"], "alice@example.com")
    db.close()


# -- Changes, blocks and job sheets (issue 9): added per test, so the template desk and the
# snapshots of the other screens stay as they were.

PASSWORDS["driver4"] = "driver4-pass"
# Car RT-552 is off the road for its MOT on these days, which no booking holds.
MOT = ("RT-552", date(2026, 12, 7), 3, "MOT")


def add_jobs_and_block(desk: Desk) -> dict[str, str]:
    """Driver DRV-04 (user driver4) with two jobs today, booked in the opposite order of
    their pickup times, and car RT-552 blocked for its MOT. The earlier-booked job is
    already done (completed), which is how one driver has two jobs on one day. Returns the
    refs by name: "late" (16:00, done), "early" (08:15) and "block"."""
    from nextcars_tui.domain.errors import ResourceKind
    from nextcars_tui.services.blocks import BlockRequest, block

    system = system_actor("tests")
    late = booking.book(
        desk,
        system,
        BookingRequest(
            "dan@example.com",
            "PB-118",
            "DRV-04",
            TODAY,
            1,
            pickup_time="16:00",
            pickup="Paddington station",
            dropoff="Heathrow T5",
            passengers=2,
            notes="BA117 to New York; two large cases",
        ),
    ).ref
    with desk.db.write() as uow:
        done = uow.bookings.for_change(late)
        assert done is not None
        uow.bookings.change(done.row.booking, status="completed")
        uow.commit()
    early = booking.book(
        desk,
        system,
        BookingRequest(
            "erin@example.com",
            "RT-552",
            "DRV-04",
            TODAY,
            1,
            pickup_time="08:15",
            pickup="The Savoy, Strand",
            dropoff="Canary Wharf",
            passengers=3,
            notes="Child seat",
        ),
    ).ref
    plate, start, days, reason = MOT
    made = block(desk, system, BlockRequest(ResourceKind.CAR, plate, start, days, reason))
    auth.add_user(desk, system, "driver4", Role.DRIVER, PASSWORDS["driver4"], "DRV-04")
    return {"late": late, "early": early, "block": made.block.ref}
