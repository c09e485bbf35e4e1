"""Rows for the report tests, written straight into a desk's tables (outside the store, which
would never write a ledger that disagrees with its invoice), and the reports' figures worked
out again from the raw rows, day by day and entry by entry, sharing no code with the store's
sums: a booking's days as a set of dates, an entry's business date from zoneinfo."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from deskkit import START, ids, plate
from rawdb import raw, url_of
from sqlalchemy import create_engine, update
from sqlalchemy import insert as insert_rows

from nextcars_tui.services.desk import Desk
from nextcars_tui.store.tables import Block, Booking, Car, Invoice, LedgerEntry, table_of

LONDON = ZoneInfo("Europe/London")
KEY_FORMATS = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m"}
REVENUE_FIELDS = {
    "charge": "charges_cents",
    "fee": "fees_cents",
    "adjustment": "adjustments_cents",
    "payment": "payments_cents",
    "refund": "refunds_cents",
}


@dataclass(frozen=True)
class Hold:
    """A booking (car and driver) or a block (car or driver) over [start, start + days)."""

    start: date
    days: int
    car: int | None = None  # 1-based index of deskkit's cars
    driver: int | None = None
    status: str = "confirmed"  # a booking's; None-like "block" for blocks
    removed: bool = False  # a block's

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days)

    @property
    def is_block(self) -> bool:
        return self.status == "block"

    @property
    def holds(self) -> bool:
        """Whether it keeps its car and driver from other holds (the database's rule, and
        completed rentals, which ran)."""
        if self.is_block:
            return not self.removed
        return self.status in ("pending", "confirmed", "completed")


@dataclass(frozen=True)
class Entry:
    kind: str
    amount_cents: int
    at: datetime
    actor: str = "sam"
    method: str | None = None
    invoice: int = 0  # index into the bookings written, modulo their number


@dataclass
class Written:
    """What insert() wrote (some holds are left out: they would overlap one written before)."""

    holds: list[Hold] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)


def _overlaps(one: Hold, other: Hold) -> bool:
    return one.start < other.end and other.start < one.end


def placeable(holds: list[Hold]) -> list[Hold]:
    """The holds in order, each kept unless it would hold a car or driver already held on one
    of its days by a hold kept before (cancelled bookings and removed blocks hold nothing)."""
    kept: list[Hold] = []
    for hold in holds:
        clashes = any(
            other.holds
            and _overlaps(hold, other)
            and (
                (hold.car is not None and hold.car == other.car)
                or (hold.driver is not None and hold.driver == other.driver)
            )
            for other in kept
        )
        if not (hold.holds and clashes):
            kept.append(hold)
    return kept


def insert(
    desk: Desk, holds: list[Hold], entries: list[Entry], retired: set[int] = frozenset()
) -> Written:
    """Write the placeable holds, an invoice per booking (a cancelled one first, so entries
    always have an invoice), the entries and the retired cars, in one transaction."""
    known = ids(desk)
    car_ids = {i: known[plate(i)] for i in range(1, 9)}
    driver_ids = {i: known[f"DRV-{i:02d}"] for i in range(1, 9)}
    kept = placeable(holds)
    bookings = [Hold(START.date() - timedelta(days=400), 1, 1, 1, "cancelled")]
    bookings += [hold for hold in kept if not hold.is_block]
    blocks = [h for h in kept if h.is_block]
    engine = create_engine(url_of(desk))
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            rows: list[tuple[Any, list[dict[str, Any]]]] = [
                (
                    Booking,
                    [
                        _booking(number, hold, car_ids, driver_ids)
                        for number, hold in enumerate(bookings, start=1)
                    ],
                ),
                (Invoice, [_invoice(number) for number in range(1, len(bookings) + 1)]),
                (LedgerEntry, [_entry(e, 1 + e.invoice % len(bookings)) for e in entries]),
                (
                    Block,
                    [
                        _block(number, hold, car_ids, driver_ids)
                        for number, hold in enumerate(blocks, start=1)
                    ],
                ),
            ]
            for model, values in rows:
                if values:
                    connection.execute(insert_rows(table_of(model)), values)
            cars = table_of(Car)
            for index in retired:
                connection.execute(
                    update(cars).where(cars.c.id == car_ids[index]).values(retired_at=START)
                )
    finally:
        engine.dispose()
    return Written(kept, list(entries))


def _booking(
    number: int, hold: Hold, cars: dict[int, int], drivers: dict[int, int]
) -> dict[str, Any]:
    assert hold.car is not None and hold.driver is not None
    return dict(
        id=number,
        ref=f"BK-{number:06d}",
        customer_id=1,
        car_id=cars[hold.car],
        driver_id=drivers[hold.driver],
        start_date=hold.start,
        days=hold.days,
        end_date=hold.end,
        car_daily_rate_cents=5000,
        driver_daily_fee_cents=3000,
        total_cents=8000 * hold.days,
        status=hold.status,
        created_at=START,
        created_by="sam",
        cancel_reason=None,
        pickup_time=None,
        pickup=None,
        dropoff=None,
        passengers=None,
        notes=None,
    )


def _invoice(number: int) -> dict[str, Any]:
    return dict(
        id=number,
        ref=f"INV-{number:06d}",
        booking_id=number,
        amount_cents=0,
        paid_cents=0,
        status="void",
        issued_at=START,
        due_date=START.date(),
    )


def _entry(entry: Entry, invoice_id: int) -> dict[str, Any]:
    return dict(
        invoice_id=invoice_id,
        kind=entry.kind,
        amount_cents=entry.amount_cents,
        method=entry.method,
        description=entry.kind,
        reason="test" if entry.kind == "adjustment" else None,
        at=entry.at,
        actor=entry.actor,
    )


def _block(
    number: int, hold: Hold, cars: dict[int, int], drivers: dict[int, int]
) -> dict[str, Any]:
    return dict(
        ref=f"BL-{number:06d}",
        kind="car" if hold.car is not None else "driver",
        car_id=cars[hold.car] if hold.car is not None else None,
        driver_id=drivers[hold.driver] if hold.driver is not None else None,
        start_date=hold.start,
        days=hold.days,
        end_date=hold.end,
        reason="test",
        created_at=START,
        created_by="mia",
        removed_at=START if hold.removed else None,
        removed_by="mia" if hold.removed else None,
    )


# -- The figures, again, from the raw rows ------------------------------------------------------


def _day(text: object) -> date:
    return date.fromisoformat(str(text)[:10])


def _moment(text: object) -> datetime:
    return datetime.fromisoformat(str(text)).replace(tzinfo=UTC)


def _days(start: date, end: date, first: date, last: date) -> set[date]:
    return {start + timedelta(days=n) for n in range((end - start).days)} & {
        first + timedelta(days=n) for n in range((last - first).days + 1)
    }


@dataclass(frozen=True)
class Expected:
    """Per plate and per code: (booked days, blocked days), for every car and driver shown."""

    cars: dict[str, tuple[int, int]]
    drivers: dict[str, tuple[int, int]]


def expected_utilisation(desk: Desk, first: date, last: date) -> Expected:
    booked: dict[tuple[str, int], set[date]] = defaultdict(set)
    blocked: dict[tuple[str, int], set[date]] = defaultdict(set)
    with raw(desk) as db:
        for car, driver, start, end, status in db.execute(
            "SELECT car_id, driver_id, start_date, end_date, status FROM booking"
        ):
            if status in ("confirmed", "completed"):
                days = _days(_day(start), _day(end), first, last)
                booked["car", car] |= days
                booked["driver", driver] |= days
        for car, driver, start, end, removed in db.execute(
            "SELECT car_id, driver_id, start_date, end_date, removed_at FROM block"
        ):
            if removed is None:
                days = _days(_day(start), _day(end), first, last)
                blocked["car" if car is not None else "driver", car or driver] |= days
        found = {}
        for kind, table, key in (("car", "car", "plate"), ("driver", "driver", "code")):
            rows = db.execute(f"SELECT id, {key}, retired_at FROM {table}").fetchall()
            found[kind] = {
                name: (len(booked[kind, i]), len(blocked[kind, i]))
                for i, name, retired in rows
                if retired is None or booked[kind, i] or blocked[kind, i]
            }
    return Expected(found["car"], found["driver"])


def expected_revenue(desk: Desk, first: date, last: date, by: str) -> dict[str, dict[str, int]]:
    """Period key -> the JSON figures, every period of the days present."""
    keys = [
        (first + timedelta(days=n)).strftime(KEY_FORMATS[by])
        for n in range((last - first).days + 1)
    ]
    sums = {key: dict.fromkeys(REVENUE_FIELDS.values(), 0) for key in keys}
    with raw(desk) as db:
        for kind, cents, at in db.execute("SELECT kind, amount_cents, at FROM ledger_entry"):
            day = _moment(at).astimezone(LONDON).date()
            if first <= day <= last:
                sums[day.strftime(KEY_FORMATS[by])][REVENUE_FIELDS[kind]] += int(cents)
    for figures in sums.values():
        figures["billed_cents"] = (
            figures["charges_cents"] + figures["fees_cents"] + figures["adjustments_cents"]
        )
        figures["collected_cents"] = figures["payments_cents"] - figures["refunds_cents"]
    return sums


def expected_takings(
    desk: Desk, day: date, clerk: str | None = None
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Per method and per clerk: [payments, refunds, entries] of the business day."""
    methods: dict[str, list[int]] = {m: [0, 0, 0] for m in ("card", "cash", "transfer")}
    clerks: dict[str, list[int]] = {clerk: [0, 0, 0]} if clerk else {}
    with raw(desk) as db:
        for kind, cents, method, at, actor in db.execute(
            "SELECT kind, amount_cents, method, at, actor FROM ledger_entry "
            "WHERE kind IN ('payment', 'refund')"
        ):
            if _moment(at).astimezone(LONDON).date() != day or clerk not in (None, actor):
                continue
            column = 0 if kind == "payment" else 1
            for line in (methods[method], clerks.setdefault(actor, [0, 0, 0])):
                line[column] += int(cents)
                line[2] += 1
    return methods, clerks
