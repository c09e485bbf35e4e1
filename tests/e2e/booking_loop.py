"""Write to the desk in a loop until killed: the process the kill-mid-write test SIGKILLs.

    python -m tests.e2e.booking_loop CONFIG SEED

Books random cars with random drivers through the real services, and now and then takes
payment or cancels, so a kill can land inside any kind of write transaction. Prints `ready`
after its first commit and one line per committed change.
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import timedelta

from nextcars_tui.config import database_path, load_settings
from nextcars_tui.domain.errors import Conflict
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services import billing, booking
from nextcars_tui.services.demo import DEMO_DIR
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import open_database


def _column(name: str, column: str) -> list[str]:
    with (DEMO_DIR / name).open(newline="", encoding="utf-8") as rows:
        return [row[column] for row in csv.DictReader(rows)]


def main(config: str, seed: int) -> None:
    settings = load_settings(config)
    desk = Desk(open_database(database_path(settings), create=False), settings)
    actor = system_actor("e2e-loop")
    rng = random.Random(seed)
    cars = _column("cars.csv", "plate")
    drivers = _column("drivers.csv", "code")
    customers = _column("customers.csv", "email")
    ready = False
    while True:
        request = booking.BookingRequest(
            customer_email=rng.choice(customers),
            car_plate=rng.choice(cars),
            driver_code=rng.choice(drivers),
            # From tomorrow: a rental that has started can no longer be cancelled.
            start=desk.today() + timedelta(days=rng.randrange(1, 400)),
            days=rng.randint(1, 5),
        )
        try:
            made = booking.book(desk, actor, request)
        except Conflict:
            continue
        print(f"booked {made.ref}", flush=True)
        roll = rng.random()
        if roll < 0.3:
            billing.checkout(desk, actor, made.invoice.ref, "card")
            print(f"paid {made.invoice.ref}", flush=True)
        elif roll < 0.5:
            booking.cancel(desk, actor, made.ref, "e2e kill test")
            print(f"cancelled {made.ref}", flush=True)
        if not ready:
            print("ready", flush=True)
            ready = True


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
