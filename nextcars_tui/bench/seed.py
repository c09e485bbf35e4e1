"""Seeding for the benchmark: a fleet and a realistic booking history, loaded fast.

Every invoice has its ledger: two charge lines, a payment for what was paid (a deposit for a
part-paid one), and for a cancelled booking the charges reversed (and a refund when it had
been paid); invoice.amount_cents, paid_cents and status agree with those entries.

Rows go in through raw sqlite3 `executemany` in one large unsynced transaction, most indexes
and the triggers dropped for it and rebuilt afterwards from their own stored SQL; the schema
is compared, so what the benchmark measures is exactly what `create_schema` made.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from nextcars_tui.config import BusinessSettings, Settings
from nextcars_tui.domain.dates import DateRange
from nextcars_tui.domain.ledger import percent_of
from nextcars_tui.domain.money import cents_to_text
from nextcars_tui.domain.refs import block_ref, booking_ref, invoice_ref

CARS, DRIVERS, CUSTOMERS = 500, 300, 20_000
HISTORY_DAYS = 3650
# Active bookings (pending or confirmed) lie in this window around today; the benchmark's own
# attempts start after it, so they never clash with seeded rows.
ACTIVE_FROM, ACTIVE_UNTIL = -10, 120
ATTEMPTS_FROM = 150
# The benchmark's own later bookings, each kind in its own stretch of days beyond FreeSlots'
# attempts (up to 30,000 of them, about 1,650 days): the disruption rounds of the block
# benchmark, then the bookings the change benchmark changes.
DISRUPTIONS_FROM = ATTEMPTS_FROM + 15 * 110
DISRUPTION_SPAN = 25  # days per round: ten 2-day bookings of one car, then some slack
MAX_DISRUPTIONS = 16
DISRUPTED = 10  # bookings of the blocked car, each on its own driver
CHANGES_FROM = DISRUPTIONS_FROM + DISRUPTION_SPAN * MAX_DISRUPTIONS
CHANGES_PER_SPAN = 200  # bookings changed per 15 days; the fleet's other 300 cars stay free
# Blocks in force in the TUI benchmark's grid window (-14 to +100 days): every 12th car and
# every 15th driver, each off for a few days where it has no active booking.
BLOCKED_FROM, BLOCKED_UNTIL = -14, 100
BLOCKED_CARS, BLOCKED_DRIVERS = range(1, CARS + 1, 12), range(7, DRIVERS + 1, 15)
_CAR_REASONS = ("MOT", "service", "tyres", "bodywork repair")
_DRIVER_REASONS = ("holiday", "sick", "training")
INVOICE_DUE_DAYS = 14
# Rentals skew short: weights for 1..14 days.
_DAY_WEIGHTS = (14, 14, 13, 12, 10, 8, 9, 5, 4, 3, 3, 2, 2, 3)
_DAY_COUNTS = tuple(range(1, 15))


def _marks(count: int) -> str:
    return ",".join("?" * count)


_MAKES = (
    ("Toyota", "Corolla", 5, 5900),
    ("Skoda", "Octavia", 5, 6400),
    ("Ford", "Transit", 9, 9800),
    ("Mercedes", "V-Class", 7, 14900),
    ("BMW", "5 Series", 5, 13900),
    ("Volkswagen", "Multivan", 8, 11900),
    ("Tesla", "Model Y", 5, 12900),
    ("Kia", "Sportage", 5, 7400),
)
_FIRST = ("Ava", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack", "Maya")
_LAST = ("Khan", "Smith", "Jones", "Patel", "Brown", "Evans", "Wilson", "Taylor", "Novak", "Lee")
_STAFF = ("staff:anna", "staff:bilal", "staff:carla", "staff:dmitri", "system:cli")
_METHODS = ("card", "card", "card", "cash", "transfer")
_REASONS = ("customer changed plans", "flight cancelled", "found a cheaper offer", "duplicate")
_TIMES = tuple(f" {h:02d}:{m:02d}:00.000000" for h in range(7, 21) for m in range(0, 60, 5))

# Columns named: later revisions add columns (the job sheet, retired_at) that seeded rows
# leave NULL, and on PostgreSQL a migrated invoice table has paid_cents last.
FLEET_COLUMNS = {
    "car": ("id", "plate", "make", "model", "seats", "daily_rate_cents"),
    "driver": ("id", "code", "name", "phone", "daily_fee_cents"),
    "customer": ("id", "email", "name", "phone"),
}
BOOKING_COLUMNS = (
    "id", "ref", "customer_id", "car_id", "driver_id", "start_date", "days", "end_date",
    "car_daily_rate_cents", "driver_daily_fee_cents", "total_cents", "status", "created_at",
    "created_by", "cancel_reason",
)  # fmt: skip
INVOICE_COLUMNS = (
    "id", "ref", "booking_id", "amount_cents", "paid_cents", "status", "issued_at", "due_date",
)  # fmt: skip
LEDGER_COLUMNS = (
    "invoice_id", "kind", "amount_cents", "method", "description", "reason", "at", "actor",
)  # fmt: skip
BOOKING_SQL = (
    f"INSERT INTO booking ({', '.join(BOOKING_COLUMNS)}) VALUES ({_marks(len(BOOKING_COLUMNS))})"
)
INVOICE_SQL = f"INSERT INTO invoice ({', '.join(INVOICE_COLUMNS)}) VALUES (?,?,?,?,?,?,?,?)"
LEDGER_SQL = f"INSERT INTO ledger_entry ({', '.join(LEDGER_COLUMNS)}) VALUES (?,?,?,?,?,?,?,?)"
DEPOSIT_PERCENT = 30  # what a part-paid invoice has had paid
AUDIT_SQL = "INSERT INTO audit_entry (at, actor, action, ref, detail) VALUES (?,?,?,?,?)"


def plate(car_id: int) -> str:
    return f"NC-{car_id:04d}"


def driver_code(driver_id: int) -> str:
    return f"DRV-{driver_id:03d}"


def email(customer_id: int) -> str:
    return f"customer{customer_id:05d}@example.com"


class Planned(NamedTuple):
    """One booking to insert, before it gets its id."""

    car: int
    driver: int
    start: int  # day offset from today
    days: int
    status: str
    created: str
    # What happened to the money: paid, unpaid, partly_paid (a deposit), overdue (nothing
    # paid), overdue_part (a deposit), void or refunded (cancelled; refunded had been paid).
    money: str


class Rows(NamedTuple):
    """The rows of one batch of bookings, in the column order of the INSERTs above."""

    bookings: list[tuple]
    invoices: list[tuple]
    entries: list[tuple]
    audits: list[tuple]


class Seeder:
    """Adds bookings to one database in stages, keeping active bookings free of overlaps."""

    def __init__(self, path: Path | None, today: date, now: datetime, seed: int = 2024) -> None:
        self.path = path  # the SQLite file; None where only the rows are wanted
        self.today = today
        self.rng = random.Random(seed)
        self._days = {k: (today + timedelta(days=k)).isoformat() for k in range(-4000, 4000)}
        self._now = now.astimezone(UTC)  # stored datetimes are naive UTC text
        self._rates = [0] + [_MAKES[i % len(_MAKES)][3] for i in range(CARS)]
        self._fees = [0] + [3500 + 250 * (i % 9) for i in range(DRIVERS)]
        # The charge lines' descriptions, as services.ledger.rental_charges words them.
        self._car_lines = [("", "")] + [
            (f"Car {plate(i)}: ", f" day(s) × {cents_to_text(self._rates[i])}")
            for i in range(1, CARS + 1)
        ]
        self._driver_lines = [("", "")] + [
            (f"Driver {driver_code(i)}: ", f" day(s) × {cents_to_text(self._fees[i])}")
            for i in range(1, DRIVERS + 1)
        ]
        self._active = self._active_timeline()

    @property
    def file(self) -> Path:
        if self.path is None:
            raise RuntimeError("this seeder makes rows only; it has no SQLite file")
        return self.path

    def _ts(self, day: int) -> str:
        return self._days[day] + _TIMES[int(self.rng.random() * len(_TIMES))]

    def _ago(self, hours: float) -> str:
        return (self._now - timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S.%f")

    def fleet_rows(self) -> dict[str, list[tuple]]:
        """Every column of every car, driver and customer, by table."""
        cars = [
            (i, plate(i), *_MAKES[(i - 1) % len(_MAKES)][:3], self._rates[i])
            for i in range(1, CARS + 1)
        ]
        drivers = [
            (
                i,
                driver_code(i),
                f"{_FIRST[i % 11]} {_LAST[i % 10]}",
                f"+44 7700 9{i:05d}",
                self._fees[i],
            )
            for i in range(1, DRIVERS + 1)
        ]
        customers = [
            (i, email(i), f"{_FIRST[i % 11]} {_LAST[(i // 11) % 10]}", f"+44 7{i:09d}")
            for i in range(1, CUSTOMERS + 1)
        ]
        return {"car": cars, "driver": drivers, "customer": customers}

    def seed_fleet(self) -> None:
        with bulk_load(self.file) as conn:
            for table, rows in self.fleet_rows().items():
                columns = FLEET_COLUMNS[table]
                conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(len(columns))})",
                    rows,
                )

    def _active_timeline(self) -> list[Planned]:
        """Back-to-back rentals per driver; each car belongs to one driver, so nothing overlaps."""
        rng, planned = self.rng, []
        for driver in range(1, DRIVERS + 1):
            cars = [c for c in (driver, driver + DRIVERS) if c <= CARS]
            day = ACTIVE_FROM + rng.randrange(6)
            while day < ACTIVE_UNTIL:
                days = rng.choices(_DAY_COUNTS, _DAY_WEIGHTS)[0]
                end = day + days
                if day <= 0:
                    status, created = "confirmed", self._ts(day - rng.randrange(1, 30))
                elif rng.random() < 0.25:
                    status = "pending"
                    stale = rng.random() < 0.4
                    created = self._ago(rng.uniform(30, 140) if stale else rng.uniform(0.5, 20))
                else:
                    status, created = "confirmed", self._ago(rng.uniform(24, 24 * 40))
                money, r = "unpaid", rng.random()
                if status == "confirmed" and r < 0.6:
                    money = "paid"
                elif status == "confirmed" and r < 0.75:
                    money = "partly_paid"
                planned.append(Planned(rng.choice(cars), driver, day, days, status, created, money))
                day = end + rng.randrange(4)
        rng.shuffle(planned)
        return planned

    def _history(self, count: int) -> Iterator[Planned]:
        """Past rentals day by day over ten years: mostly completed, some cancelled."""
        rng, rand = self.rng, self.rng.random
        first, last = -HISTORY_DAYS, -INVOICE_DUE_DAYS - 1
        span, emitted = last - first, 0
        for index, start in enumerate(range(first, last)):
            today_count = (count * (index + 1)) // span - emitted
            emitted += today_count
            for days in rng.choices(_DAY_COUNTS, _DAY_WEIGHTS, k=today_count):
                created = self._ts(start - int(rng.expovariate(1 / 9)) - 1)
                r = rand()
                if r < 0.16:
                    status, invoice = "cancelled", "refunded" if r < 0.04 else "void"
                else:
                    status = "completed"
                    due_day = start + days + INVOICE_DUE_DAYS
                    if due_day >= -30:
                        invoice = "unpaid" if r > 0.94 else "paid"  # left for the lifecycle
                    elif r > 0.995:
                        invoice = "overdue_part"
                    else:
                        invoice = "overdue" if r > 0.99 else "paid"
                car, driver = 1 + int(rand() * CARS), 1 + int(rand() * DRIVERS)
                yield Planned(car, driver, start, days, status, created, invoice)

    def count(self) -> int:
        conn = sqlite3.connect(self.file)
        try:
            return int(conn.execute("SELECT count(*) FROM booking").fetchone()[0])
        finally:
            conn.close()

    def add_bookings(self, count: int) -> int:
        """Insert `count` more bookings (a size-proportional share active); returns the total."""
        with bulk_load(self.file) as conn:
            next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM booking").fetchone()[0]
            for batch in self.batches(count, next_id):
                conn.executemany(BOOKING_SQL, batch.bookings)
                conn.executemany(INVOICE_SQL, batch.invoices)
                conn.executemany(LEDGER_SQL, batch.entries)
                conn.executemany(AUDIT_SQL, batch.audits)
            total = conn.execute("SELECT count(*) FROM booking").fetchone()[0]
        return int(total)

    def add_disruption_background(self, rounds: int) -> int:
        """Back-to-back rentals over the days of `rounds` disruption rounds for every driver
        but the last DISRUPTED, each driver on the car of its own number, so the fleet around
        a blocked car is about as busy as in the active window; the cars after those stay
        free to take its bookings. Inserted with the triggers in force; returns how many."""
        rng, planned = self.rng, []
        first, last = DISRUPTIONS_FROM, DISRUPTIONS_FROM + DISRUPTION_SPAN * rounds
        for driver in range(1, DRIVERS - DISRUPTED + 1):
            day = first + rng.randrange(4)
            while day < last:
                days = min(rng.choices(_DAY_COUNTS, _DAY_WEIGHTS)[0], last - day)
                status = "pending" if rng.random() < 0.25 else "confirmed"
                money = "paid" if status == "confirmed" and rng.random() < 0.6 else "unpaid"
                created = self._ago(rng.uniform(1, 24 * 40))
                planned.append(Planned(driver, driver, day, days, status, created, money))
                day += days + rng.randrange(4)
        conn = sqlite3.connect(self.file)
        try:
            with conn:
                next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM booking").fetchone()
                rows = self._rows(next_id[0], sorted(planned, key=lambda p: p.created))
                conn.executemany(BOOKING_SQL, rows.bookings)
                conn.executemany(INVOICE_SQL, rows.invoices)
                conn.executemany(LEDGER_SQL, rows.entries)
                conn.executemany(AUDIT_SQL, rows.audits)
        finally:
            conn.close()
        return len(planned)

    def batches(self, count: int, next_id: int) -> Iterator[Rows]:
        """The rows of `count` more bookings numbered from `next_id`, history first, then a
        size-proportional share of the active timeline, in batches of at most 50,000."""
        active_share = min(len(self._active), count // 20)
        active, self._active = self._active[:active_share], self._active[active_share:]
        history = self._history(count - active_share)
        while batch := list(islice(history, 50_000)):
            yield self._rows(next_id, batch)
            next_id += len(batch)
        yield self._rows(next_id, sorted(active, key=lambda p: p.created))

    def _rows(self, first_id: int, plans: list[Planned]) -> Rows:
        rand, days_of = self.rng.random, self._days
        bookings, invoices, entries, audits = [], [], [], []
        customers = self.rng.choices(range(1, CUSTOMERS + 1), k=len(plans))
        for offset, (p, customer) in enumerate(zip(plans, customers, strict=True)):
            number = first_id + offset
            ref, iref = booking_ref(number), invoice_ref(number)
            rate, fee = self._rates[p.car], self._fees[p.driver]
            total = p.days * (rate + fee)
            start, end = days_of[p.start], days_of[p.start + p.days]
            actor = _STAFF[int(rand() * len(_STAFF))]
            reason = _REASONS[int(rand() * len(_REASONS))] if p.status == "cancelled" else None
            bookings.append(
                (
                    number,
                    ref,
                    customer,
                    p.car,
                    p.driver,
                    start,
                    p.days,
                    end,
                    rate,
                    fee,
                    total,
                    p.status,
                    p.created,
                    actor,
                    reason,
                )
            )
            entries.extend(self._entries(number, p, ref, reason, actor))
            paid = _PAID[p.money](total)
            amount = 0 if p.status == "cancelled" else total
            due = days_of[p.start + p.days + INVOICE_DUE_DAYS]
            status = "overdue" if p.money == "overdue_part" else p.money
            invoices.append((number, iref, number, amount, paid, status, p.created, due))
            audits.append(
                (
                    p.created,
                    actor,
                    "booked",
                    ref,
                    f"{plate(p.car)} with {driver_code(p.driver)}; invoice {iref}",
                )
            )
        return Rows(bookings, invoices, entries, audits)

    def _entries(
        self, invoice: int, p: Planned, ref: str, reason: str | None, actor: str
    ) -> list[tuple]:
        """The invoice's ledger, in the order it happened (columns of LEDGER_COLUMNS)."""
        car_rate, driver_fee = self._rates[p.car], self._fees[p.driver]
        (car_head, car_tail), (driver_head, driver_tail) = (
            self._car_lines[p.car],
            self._driver_lines[p.driver],
        )
        days, at = str(p.days), p.created
        total = p.days * (car_rate + driver_fee)
        rows: list[tuple] = [
            (invoice, "charge", p.days * car_rate, None, car_head + days + car_tail, None, at,
             actor),
            (invoice, "charge", p.days * driver_fee, None, driver_head + days + driver_tail,
             None, at, actor),
        ]  # fmt: skip
        paid = _PAID[p.money](total) or (total if p.money == "refunded" else 0)
        if paid:
            method = _METHODS[int(self.rng.random() * len(_METHODS))]
            rows.append((invoice, "payment", paid, method, "Payment", None, at, actor))
        if p.status == "cancelled":
            reversed_ = f"Booking {ref} cancelled: charges reversed"
            rows.append((invoice, "charge", -total, None, reversed_, reason, at, actor))
            if paid:
                rows.append((invoice, "refund", paid, rows[2][3], "Refund", reason, at, actor))
        return rows


def _deposit(total: int) -> int:
    return percent_of(total, DEPOSIT_PERCENT)


# Per Planned.money: what invoice.paid_cents ends at. Its status is Planned.money, as the
# ledger derives it, except that unpaid ones past due are left for the lifecycle to mark.
_PAID = {
    "paid": lambda total: total,
    "unpaid": lambda _total: 0,
    "partly_paid": _deposit,
    "overdue": lambda _total: 0,
    "overdue_part": _deposit,
    "void": lambda _total: 0,
    "refunded": lambda _total: 0,
}

# Indexes that grow at many points at once (one per car, driver or customer), so in a desk's
# own database their pages have room; built in one go after the load, every page would be
# full and each booking would split one. They are kept and filled row by row instead; the
# rest grow at one end (ids, refs, dates), full in use too, and are rebuilt after the load.
SCATTERED = ("ix_booking_customer", "ix_booking_car_start", "ix_booking_driver_start")
# What keeps occupancy (revision 0007): the database writes a row per car and driver an active
# booking holds, so these triggers and indexes stay in force during a load; they fire only for
# the active bookings, a small share of the history.
HOLDING = ("booking_holds_", "block_holds_", "occupancy_", "ix_occupancy_")


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str, str, str | None]]:
    query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    return conn.execute(query).fetchall()


@contextmanager
def bulk_load(path: Path) -> Iterator[sqlite3.Connection]:
    """One unsynced transaction; indexes (but SCATTERED) and triggers (but HOLDING) are
    dropped for it and rebuilt from their own SQL afterwards, and the schema is compared with
    what it was."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("synchronous=OFF", "cache_size=-524288", "temp_store=MEMORY"):
            conn.execute(f"PRAGMA {pragma}")
        before = _schema(conn)
        derived = [
            (kind, name, sql)
            for kind, name, sql in conn.execute(
                "SELECT type, name, sql FROM sqlite_master "
                "WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY rowid"
            )
            if name not in SCATTERED and not name.startswith(HOLDING)
        ]
        conn.execute("BEGIN")
        for kind, name, _sql in derived:
            conn.execute(f'DROP {kind.upper()} "{name}"')
        yield conn
        for _kind, _name, sql in derived:
            conn.execute(sql)
        conn.execute("COMMIT")
        if _schema(conn) != before:
            raise RuntimeError("bulk load changed the schema")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


def active_overlaps(path: Path) -> int:
    """Active bookings sharing a car or driver on some day; must be 0 after seeding."""
    conn = sqlite3.connect(path)
    try:
        query = (
            "SELECT count(*) FROM booking a JOIN booking b ON a.{col} = b.{col} AND a.id < b.id "
            "AND a.start_date < b.end_date AND b.start_date < a.end_date "
            "WHERE a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed')"
        )
        return sum(conn.execute(query.format(col=c)).fetchone()[0] for c in ("car_id", "driver_id"))
    finally:
        conn.close()


def bench_settings() -> Settings:
    """Default settings, except that bookings may start as far ahead as FreeSlots reaches
    (about five years) instead of the default two-year horizon."""
    return Settings(business=BusinessSettings(booking_horizon_days=3650))


class FreeSlots:
    """Car, driver and dates for benchmark attempts, each free of every earlier one."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.issued = 0

    def take(self) -> tuple[str, str, date, int]:
        block, index = divmod(self.issued, DRIVERS)
        self.issued += 1
        car = (index + block * 7) % CARS + 1
        start = self.today + timedelta(days=ATTEMPTS_FROM + 15 * block)
        return plate(car), driver_code(index + 1), start, 1 + index % 14


class ChangeSlots:
    """Bookings for the change benchmark, CHANGES_PER_SPAN every 15 days from CHANGES_FROM:
    each leaves room for one more day, and has a car free all those 15 days to move to."""

    def __init__(self, today: date) -> None:
        self.today = today

    def slot(self, number: int) -> tuple[str, str, date, int, str]:
        """(plate, driver code, start, days, free plate) of the number-th booking. The free
        car is of another make, so a move re-prices the booking."""
        span, index = divmod(number, CHANGES_PER_SPAN)
        start = self.today + timedelta(days=CHANGES_FROM + 15 * span)
        car, free = ((index + offset + 7 * span) % CARS + 1 for offset in (0, CHANGES_PER_SPAN + 1))
        return plate(car), driver_code(index + 1), start, 1 + index % 13, plate(free)


def disruption(today: date, number: int) -> tuple[str, list[tuple[str, date, int]]]:
    """The car the number-th block round takes off the road, and its DISRUPTED bookings
    (driver code, start, days), back to back over its first days. Its drivers and the cars
    from DRIVERS - DISRUPTED + 1 on are free of Seeder.add_disruption_background's rentals."""
    if number >= MAX_DISRUPTIONS:
        raise ValueError(f"at most {MAX_DISRUPTIONS} disruption rounds")
    start = today + timedelta(days=DISRUPTIONS_FROM + DISRUPTION_SPAN * number)
    bookings = [
        (driver_code(DRIVERS - DISRUPTED + 1 + k), start + timedelta(days=2 * k), 2)
        for k in range(DISRUPTED)
    ]
    return plate(DRIVERS + 1 + number), bookings


BLOCK_SQL = (
    "INSERT INTO block (id, ref, kind, car_id, driver_id, start_date, days, end_date, reason, "
    "created_at, created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
)


def seed_blocks(path: Path, today: date, now: datetime) -> int:
    """Blocks in force in the grid window: each of BLOCKED_CARS and BLOCKED_DRIVERS off for
    two to seven days from the first day, staggered over the window, where it has no active
    booking. Inserted with the triggers in force, which refuse any overlap; returns how many."""
    stamp = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    until = today + timedelta(days=BLOCKED_UNTIL)
    conn = sqlite3.connect(path)
    try:
        with conn:
            number = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM block").fetchone()[0]
            first = number
            for kind, ids, reasons in (
                ("car", BLOCKED_CARS, _CAR_REASONS),
                ("driver", BLOCKED_DRIVERS, _DRIVER_REASONS),
            ):
                for index, resource in enumerate(ids):
                    offset = BLOCKED_FROM + (index * 11) % (BLOCKED_UNTIL - BLOCKED_FROM - 10)
                    day = today + timedelta(days=offset)
                    start, end = _first_gap(conn, kind, resource, day, 2 + index % 6)
                    if start >= until:
                        continue
                    key = plate(resource) if kind == "car" else driver_code(resource)
                    reason, days = reasons[index % len(reasons)], (end - start).days
                    ids_ = (resource, None) if kind == "car" else (None, resource)
                    conn.execute(
                        BLOCK_SQL,
                        (number, block_ref(number), kind, *ids_, start.isoformat(), days,
                         end.isoformat(), reason, stamp, "staff:bench"),
                    )  # fmt: skip
                    detail = f"{kind} {key}, {DateRange(start, days)}: {reason}"
                    conn.execute(
                        AUDIT_SQL, (stamp, "staff:bench", "blocked", block_ref(number), detail)
                    )
                    number += 1
        return number - first
    finally:
        conn.close()


def _first_gap(
    conn: sqlite3.Connection, kind: str, resource: int, day: date, wanted: int
) -> tuple[date, date]:
    """The first days from `day`, at most `wanted` of them, when the car or driver has no
    active booking."""
    column = "car_id" if kind == "car" else "driver_id"
    busy = conn.execute(
        f"SELECT start_date, end_date FROM booking WHERE {column} = ? "
        "AND status IN ('pending', 'confirmed') AND end_date > ? ORDER BY start_date",
        (resource, day.isoformat()),
    )
    for start_text, end_text in busy:
        start = date.fromisoformat(start_text)
        if start > day:
            return day, min(start, day + timedelta(days=wanted))
        day = max(day, date.fromisoformat(end_text))
    return day, day + timedelta(days=wanted)
