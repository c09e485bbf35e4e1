"""Building blocks for the tests of changes, blocks and retiring: extra cars, the ledger and
history of a booking read straight from the database, and the invariants that hold once
blocks take part (no overlap among active bookings and blocks per car and per driver, invoice
figures equal to their ledger sums).

Plain functions, so child processes and the Hypothesis machine use them as the tests do.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from rawdb import Target, raw

from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.blocks import BlockRequest
from nextcars_tui.services.desk import Desk
from nextcars_tui.store.tables import Car

MANAGER = Actor(username="mia", role=Role.MANAGER)


def add_car(desk: Desk, plate: str, make: str, model: str, seats: int, rate_cents: int) -> None:
    with desk.db.write() as uow:
        uow.cars.add(
            Car(plate=plate, make=make, model=model, seats=seats, daily_rate_cents=rate_cents)
        )
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


def overlap_problems(target: Target) -> list[str]:
    """Any two active bookings or blocks of one car or one driver sharing a day."""
    problems: list[str] = []
    with raw(target) as db:
        for kind in ("car", "driver"):
            holds = db.execute(
                f"SELECT ref, {kind}_id, start_date, end_date FROM booking "
                f"WHERE status IN ('pending', 'confirmed') "
                f"UNION ALL SELECT ref, {kind}_id, start_date, end_date FROM block "
                f"WHERE removed_at IS NULL AND {kind}_id IS NOT NULL"
            ).fetchall()
            by_holder: dict[object, list[tuple[str, str, str]]] = {}
            for ref, holder, start, end in holds:
                by_holder.setdefault(holder, []).append((str(ref), str(start), str(end)))
            for holder, spans in by_holder.items():
                spans.sort(key=lambda span: span[1])
                for (a, _sa, ea), (b, sb, _eb) in pairwise(spans):
                    if sb < ea:
                        problems.append(f"{a} and {b} overlap on {kind} {holder}")
    return problems


def ledger_problems(target: Target) -> list[str]:
    """Invoices whose figures are not their ledger's sums, and bookings whose end is not
    start + days."""
    problems: list[str] = []
    with raw(target) as db:
        for ref, amount, paid, billed, money in db.execute(
            "SELECT i.ref, i.amount_cents, i.paid_cents, "
            "COALESCE(SUM(CASE WHEN e.kind IN ('charge', 'fee', 'adjustment') "
            "THEN e.amount_cents ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN e.kind = 'payment' THEN e.amount_cents "
            "WHEN e.kind = 'refund' THEN -e.amount_cents ELSE 0 END), 0) "
            "FROM invoice i LEFT JOIN ledger_entry e ON e.invoice_id = i.id "
            "GROUP BY i.id, i.ref, i.amount_cents, i.paid_cents"
        ):
            if (amount, paid) != (billed, money):
                problems.append(f"{ref} shows {amount}/{paid} but its ledger sums {billed}/{money}")
        for ref, start, days, end in db.execute(
            "SELECT ref, start_date, days, end_date FROM booking"
        ):
            if date.fromisoformat(str(start)) + timedelta(days=int(days)) != date.fromisoformat(
                str(end)
            ):
                problems.append(f"{ref} ends on {end}, not {start} + {days} days")
    return problems
