"""Building blocks for the tests of changes, blocks and retiring: extra cars, the ledger and
history of a booking read straight from the database, and the invariants that hold once
blocks take part (no overlap among active bookings and blocks per car and per driver, invoice
figures equal to their ledger sums).

Plain functions, so child processes and the Hypothesis machine use them as the tests do.
"""

from __future__ import annotations

from datetime import date

from rawdb import Target, raw

from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.blocks import BlockRequest
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import CarRecord

MANAGER = Actor(username="mia", role=Role.MANAGER)


def add_car(desk: Desk, plate: str, make: str, model: str, seats: int, rate_cents: int) -> None:
    with desk.db.write() as uow:
        uow.cars.insert(CarRecord(None, plate, make, model, seats, rate_cents))
        uow.commit()


def set_car_rate(target: Target, plate: str, rate_cents: int) -> None:
    """A new price list for one car (what the fleet screen would save)."""
    with raw(target) as db:
        db.execute("UPDATE car SET daily_rate_cents = ? WHERE plate = ?", (rate_cents, plate))


def car_block(plate: str, start: date, days: int, reason: str = "MOT") -> BlockRequest:
    return BlockRequest("car", plate, start, days, reason)


def driver_block(code: str, start: date, days: int, reason: str = "holiday") -> BlockRequest:
    return BlockRequest("driver", code, start, days, reason)


def ledger(target: Target, booking_ref: str) -> list[tuple[str, int, str]]:
    """(kind, amount_cents, description) of a booking's invoice entries, in order."""
    with raw(target) as db:
        return [
            (str(kind), int(amount), str(text))
            for kind, amount, text in db.execute(
                "SELECT e.kind, e.amount_cents, e.description FROM ledger_entry e "
                "JOIN invoice i ON i.id = e.invoice_id JOIN booking b ON b.id = i.booking_id "
                "WHERE b.ref = ? ORDER BY e.id",
                (booking_ref,),
            )
        ]


def invoice_figures(target: Target, booking_ref: str) -> tuple[int, int, str]:
    """(amount_cents, paid_cents, status) of a booking's invoice."""
    with raw(target) as db:
        found = db.execute(
            "SELECT i.amount_cents, i.paid_cents, i.status FROM invoice i "
            "JOIN booking b ON b.id = i.booking_id WHERE b.ref = ?",
            (booking_ref,),
        ).fetchone()
    assert found is not None, f"{booking_ref} has no invoice"
    return int(found[0]), int(found[1]), str(found[2])


def booking_row(target: Target, ref: str) -> dict[str, object]:
    columns = [
        "status",
        "start_date",
        "days",
        "end_date",
        "car_daily_rate_cents",
        "driver_daily_fee_cents",
        "total_cents",
        "pickup_time",
        "pickup",
        "dropoff",
        "passengers",
        "notes",
    ]
    with raw(target) as db:
        found = db.execute(
            f"SELECT {', '.join(columns)}, "
            "(SELECT plate FROM car WHERE car.id = booking.car_id), "
            "(SELECT code FROM driver WHERE driver.id = booking.driver_id) "
            "FROM booking WHERE ref = ?",
            (ref,),
        ).fetchone()
    assert found is not None, f"no booking {ref}"
    return dict(zip([*columns, "car", "driver"], found, strict=True))


def history(target: Target, ref: str) -> list[tuple[str, str, str]]:
    """(action, actor, detail) of the audit entries about one ref, in order."""
    with raw(target) as db:
        return [
            (str(a), str(b), str(c))
            for a, b, c in db.execute(
                "SELECT action, actor, detail FROM audit_entry WHERE ref = ? ORDER BY id", (ref,)
            )
        ]
