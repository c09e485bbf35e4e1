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
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rawdb import (  # raw, row_counts, snapshot and statuses are re-exported for the tests
    Target,  # noqa: F401
    raw,  # noqa: F401
    row_counts,  # noqa: F401
    snapshot,  # noqa: F401
    statuses,  # noqa: F401
    url_of,
)

from nextcars_tui.clock import Clock
from nextcars_tui.config import BusinessSettings, LifecycleSettings, Settings, SignInSettings
from nextcars_tui.domain.roles import Actor, Role, system_actor
from nextcars_tui.services.booking import BookingRequest
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.passwords import PasswordHashing
from nextcars_tui.store import CarRecord, CustomerRecord, DriverRecord, open_database
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
    password_hash_cost: str = "low",
) -> Settings:
    """Settings of a test desk: its hashes are cheap ("low" cost: same argon2id code paths and
    stored format, a thousandth of the work), unless a test asks for the standard cost."""
    return Settings(
        business=BusinessSettings(time_zone=time_zone, max_rental_days=max_rental_days),
        lifecycle=LifecycleSettings(
            pending_ttl_hours=pending_ttl_hours, invoice_due_days=invoice_due_days
        ),
        sign_in=SignInSettings(
            max_failures=max_failures,
            lockout_minutes=lockout_minutes,
            password_hash_cost=password_hash_cost,
        ),
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
    """A desk file built once per run by new_desk and closed cleanly (no WAL left). A run
    that ends removes its temporary folder; mutmut starts the next in the same process."""
    if seed not in _TEMPLATES or not _TEMPLATES[seed].exists():
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
            uow.cars.insert(
                CarRecord(
                    id=None,
                    plate=plate(i),
                    make="Toyota",
                    model=f"Corolla {i}",
                    seats=5,
                    daily_rate_cents=CAR_RATE_CENTS + 100 * i,
                )
            )
        for i in range(1, N_DRIVERS + 1):
            uow.drivers.insert(
                DriverRecord(
                    id=None,
                    code=code(i),
                    name=f"Driver {i}",
                    phone=f"+44 7700 9000{i:02d}",
                    daily_fee_cents=DRIVER_FEE_CENTS + 10 * i,
                )
            )
        for i in range(1, N_CUSTOMERS + 1):
            uow.customers.insert(
                CustomerRecord(
                    id=None, email=email(i), name=f"Customer {i}", phone=f"+44 20 7946 00{i:02d}"
                )
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


def with_settings(desk: Desk, settings: Settings) -> Desk:
    return replace(desk, settings=settings)


def spy_on_verify(monkeypatch: Any, spy: Callable[[str], object]) -> None:
    """Call spy(password_hash) before every password check, on every desk."""
    real_verify = PasswordHashing.verify

    def verify(self: PasswordHashing, password_hash: str, password: str) -> bool:
        spy(password_hash)
        return real_verify(self, password_hash, password)

    monkeypatch.setattr(PasswordHashing, "verify", verify)
