"""Building blocks for the integration tests: a desk on a fresh SQLite file or PostgreSQL
database, seed data, raw row counts and the invariants every state of the database must
satisfy.

Plain functions (not fixtures) so that child processes and the Hypothesis state machine,
which cannot use pytest fixtures, build their desks the same way the fixtures do.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rawdb import (  # row_counts, snapshot and statuses are re-exported for the tests
    Target,
    raw,
    row_counts,  # noqa: F401
    snapshot,  # noqa: F401
    statuses,  # noqa: F401
    url_of,
)

from nextcars_tui.clock import Clock
from nextcars_tui.config import BusinessSettings, LifecycleSettings, Settings, SignInSettings
from nextcars_tui.domain.ledger import EntryKind, figures_of, invoice_status
from nextcars_tui.domain.roles import Actor, Role, system_actor
from nextcars_tui.services.booking import BookingRequest
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import open_database
from nextcars_tui.store.tables import Car, Customer, Driver
from tests.pgserver import PgServer

# Tuesday 10 March 2026, 09:00 in London (GMT, so UTC and business dates agree).
START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)

CAR_RATE_CENTS = 8_900
DRIVER_FEE_CENTS = 6_000
N_CARS = 8
N_DRIVERS = 8
N_CUSTOMERS = 3


def plate(i: int) -> str:
    return f"NC{i:02d} CAR"


def code(i: int) -> str:
    return f"DRV-{i:02d}"


def email(i: int) -> str:
    return f"cust{i:02d}@example.com"


PLATES = tuple(plate(i) for i in range(1, N_CARS + 1))
CODES = tuple(code(i) for i in range(1, N_DRIVERS + 1))
EMAILS = tuple(email(i) for i in range(1, N_CUSTOMERS + 1))


class FakeClock:
    """A clock that stays where it is put; tests move it explicitly."""

    def __init__(self, moment: datetime = START) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def make_settings(
    *,
    time_zone: str = "Europe/London",
    max_rental_days: int = 30,
    pending_ttl_hours: int = 24,
    invoice_due_days: int = 14,
    max_failures: int = 3,
    lockout_minutes: int = 15,
) -> Settings:
    return Settings(
        business=BusinessSettings(time_zone=time_zone, max_rental_days=max_rental_days),
        lifecycle=LifecycleSettings(
            pending_ttl_hours=pending_ttl_hours, invoice_due_days=invoice_due_days
        ),
        sign_in=SignInSettings(max_failures=max_failures, lockout_minutes=lockout_minutes),
    )


def target(desk: Desk) -> Path | str:
    """What another process opens to reach the same database: the file, or the URL."""
    return desk.db.path or url_of(desk)


def open_desk(
    target: Path | str, settings: Settings | None = None, clock: Clock | None = None
) -> Desk:
    """Open an existing desk (a SQLite file or a PostgreSQL URL), as a second terminal or a
    child process would."""
    return Desk(open_database(target), settings or make_settings(), clock or FakeClock())


def new_desk(
    path: Path | str,
    settings: Settings | None = None,
    clock: Clock | None = None,
    *,
    seed: bool = True,
) -> Desk:
    """Create the schema, and add cars, drivers and customers through the store."""
    desk = open_desk(path, settings, clock)
    desk.db.create_schema()
    if seed:
        seed_fleet(desk)
    return desk


_TEMPLATES: dict[bool, Path] = {}


def _template(seed: bool) -> Path:
    """A desk file built once per process by new_desk and closed cleanly (no WAL left)."""
    if seed not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="nextcars-template-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "template.db"
        new_desk(path, seed=seed).db.close()
        assert not path.with_name("template.db-wal").exists(), "template left a WAL behind"
        _TEMPLATES[seed] = path
    return _TEMPLATES[seed]


def copy_desk(
    path: Path,
    settings: Settings | None = None,
    clock: Clock | None = None,
    *,
    seed: bool = True,
) -> Desk:
    """Like new_desk, but copies a file new_desk built earlier: same schema, triggers and
    rows, without paying for a dozen synced transactions in every test."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template(seed), path)
    path.chmod(0o600)
    return open_desk(path, settings, clock)


_PG_TEMPLATES: dict[tuple[str, bool], str] = {}


def copy_pg_desk(
    server: PgServer,
    name: str,
    settings: Settings | None = None,
    clock: Clock | None = None,
    *,
    seed: bool = True,
) -> Desk:
    """copy_desk on PostgreSQL: a new database made from a template database that new_desk
    built once per server."""
    key = (server.url(), seed)
    if key not in _PG_TEMPLATES:
        template = server.create_database(f"template_{'seeded' if seed else 'empty'}")
        new_desk(server.url(template), seed=seed).db.close()
        _PG_TEMPLATES[key] = template
    server.create_database(name, template=_PG_TEMPLATES[key])
    return open_desk(server.url(name), settings, clock)


def seed_fleet(desk: Desk) -> None:
    with desk.db.write() as uow:
        for i in range(1, N_CARS + 1):
            uow.cars.add(
                Car(
                    plate=plate(i),
                    make="Toyota",
                    model=f"Corolla {i}",
                    seats=5,
                    daily_rate_cents=CAR_RATE_CENTS + 100 * i,
                )
            )
        for i in range(1, N_DRIVERS + 1):
            uow.drivers.add(
                Driver(
                    code=code(i),
                    name=f"Driver {i}",
                    phone=f"+44 7700 9000{i:02d}",
                    daily_fee_cents=DRIVER_FEE_CENTS + 10 * i,
                )
            )
        for i in range(1, N_CUSTOMERS + 1):
            uow.customers.add(
                Customer(email=email(i), name=f"Customer {i}", phone=f"+44 20 7946 00{i:02d}")
            )
        uow.commit()


def ids(desk: Desk) -> dict[str, int]:
    """Database ids of the seeded plates, codes and e-mails, keyed by those values."""
    found: dict[str, int] = {}
    with desk.db.read() as uow:
        for p in PLATES:
            car = uow.cars.by_plate(p)
            assert car is not None and car.id is not None
            found[p] = car.id
        for c in CODES:
            driver = uow.drivers.by_code(c)
            assert driver is not None and driver.id is not None
            found[c] = driver.id
        for e in EMAILS:
            customer = uow.customers.by_email(e)
            assert customer is not None and customer.id is not None
            found[e] = customer.id
    return found


def request(
    *,
    car: int = 1,
    driver: int = 1,
    customer: int = 1,
    start: date | str = TODAY,
    days: int | str = 3,
) -> BookingRequest:
    return BookingRequest(
        customer_email=email(customer),
        car_plate=plate(car),
        driver_code=code(driver),
        start=start,
        days=days,
    )


def actors_for(desk: Desk) -> dict[str, Actor]:
    """One actor per role; the driver is DRV-01 and the customer cust01."""
    known = ids(desk)
    return {
        "manager": Actor(username="mia", role=Role.MANAGER),
        "staff": Actor(username="sam", role=Role.STAFF),
        "driver": Actor(username="dan", role=Role.DRIVER, driver_id=known[code(1)]),
        "customer": Actor(username="cat", role=Role.CUSTOMER, customer_id=known[email(1)]),
        "system": system_actor("tests"),
    }


def invariant_violations(target: Target, today: date) -> list[str]:
    """Everything wrong with the database's state; empty when all the desk's invariants hold.

    `today` is the latest business date the desk has seen (time only moves forward).
    """
    problems: list[str] = []
    with raw(target) as connection:

        def rows(sql: str, *params: object) -> list[tuple[object, ...]]:
            return connection.execute(sql, params).fetchall()

        for kind in ("car", "driver"):
            for a, b in rows(
                f"SELECT a.ref, b.ref FROM booking a JOIN booking b "
                f"ON a.{kind}_id = b.{kind}_id AND a.id < b.id "
                "WHERE a.status IN ('pending','confirmed') AND b.status IN ('pending','confirmed') "
                "AND a.start_date < b.end_date AND b.start_date < a.end_date"
            ):
                problems.append(f"active bookings {a} and {b} overlap on one {kind}")
        for ref, n in rows(
            "SELECT b.ref, count(i.id) FROM booking b LEFT JOIN invoice i ON i.booking_id = b.id "
            "GROUP BY b.id HAVING count(i.id) <> 1"
        ):
            problems.append(f"{ref} has {n} invoices")
        for (ref,) in rows(
            "SELECT i.ref FROM invoice i LEFT JOIN booking b ON b.id = i.booking_id "
            "WHERE b.id IS NULL"
        ):
            problems.append(f"{ref} belongs to no booking")
        entries: dict[object, list[tuple[str, int]]] = {}
        for ref, kind, cents in rows(
            "SELECT i.ref, e.kind, e.amount_cents FROM ledger_entry e "
            "JOIN invoice i ON i.id = e.invoice_id ORDER BY e.id"
        ):
            entries.setdefault(ref, []).append((str(kind), int(str(cents))))
        for ref, b_status, total, i_status, amount, paid, due in rows(
            "SELECT i.ref, b.status, b.total_cents, i.status, i.amount_cents, i.paid_cents, "
            "i.due_date FROM booking b JOIN invoice i ON i.booking_id = b.id"
        ):
            mine = entries.get(ref, [])
            figures = figures_of(mine)
            if (figures.amount_cents, figures.paid_cents) != (amount, paid):
                problems.append(f"{ref} says {amount}/{paid} but its ledger sums to {figures}")
            charged = sum(cents for kind, cents in mine if kind == EntryKind.CHARGE)
            # A cancelled rental's reversal is checked where it happens (the cancel steps):
            # it reverses whatever was billed by then, corrections included.
            if b_status != "cancelled" and charged != total:
                problems.append(f"{ref} charges {charged} for a {b_status} rental of {total}")
            if b_status != "cancelled" and any(kind == EntryKind.FEE for kind, _ in mine):
                problems.append(f"{ref} has a cancellation fee but its booking is {b_status}")
            adjusted = any(kind == EntryKind.ADJUSTMENT for kind, _ in mine)
            if figures.balance_cents < 0 and b_status != "cancelled" and not adjusted:
                problems.append(f"{ref} took more than it asked for")
            # The status its figures give, but for overdue, which only a lifecycle run sets.
            due_day = date.fromisoformat(str(due))
            derived = invoice_status(figures, str(b_status), due_day, due_day)
            late = i_status == "overdue" and figures.balance_cents > 0 and due_day < today
            if i_status != derived and not late:
                problems.append(f"{ref} is {i_status} but its ledger makes it {derived}")
        for (ref,) in rows(
            "SELECT ref FROM booking WHERE status = 'completed' AND end_date > ?", today
        ):
            problems.append(f"{ref} is completed before it ended")
        for (ref,) in rows(
            "SELECT i.ref FROM invoice i JOIN booking b ON b.id = i.booking_id "
            "WHERE i.status = 'overdue' AND i.due_date >= ?",
            today,
        ):
            problems.append(f"{ref} is overdue but not past due")
        for (ref,) in rows(
            "SELECT ref FROM booking "
            "WHERE total_cents <> days * (car_daily_rate_cents + driver_daily_fee_cents) "
            "OR days < 1"
        ):
            problems.append(f"{ref} has inconsistent days or total")
        for ref, start, days, end in rows("SELECT ref, start_date, days, end_date FROM booking"):
            if date.fromisoformat(str(start)) + timedelta(days=int(str(days))) != (
                date.fromisoformat(str(end))
            ):
                problems.append(f"{ref} has an end date that is not start + days")
        for (ref,) in rows(
            "SELECT b.ref FROM booking b WHERE NOT EXISTS ("
            "SELECT 1 FROM audit_entry a WHERE a.ref = b.ref AND a.action = 'booked')"
        ):
            problems.append(f"{ref} has no 'booked' audit entry")
    return problems


def with_settings(desk: Desk, settings: Settings) -> Desk:
    return replace(desk, settings=settings)
