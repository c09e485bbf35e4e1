"""Another terminal that keeps booking: `python -m tests.cli.busy_writer CONFIG`.

Through the services, in a loop until its stdin closes: book the demo's free car and driver
for one day (each day later than the last), then take the payment, so every pass commits a
booking with its invoice and audit entry, then a payment. It prints each booking's ref once
both are committed, so the test knows it is writing before, during and after a backup.
"""

from __future__ import annotations

import sys
import threading
from datetime import timedelta

from nextcars_tui.clock import system_clock
from nextcars_tui.config import database_target, load_settings
from nextcars_tui.domain.lifecycle import business_date
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services import billing, booking
from nextcars_tui.services.booking import BookingRequest
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import open_database

# The demo leaves this car and driver unbooked (tests/cli/test_cli_booking.py).
CAR, DRIVER, CUSTOMER = "MA71 DPE", "DRV-09", "ben.carter@example.com"
FIRST_DAY_AHEAD = 60


def main(config: str) -> None:
    settings = load_settings(config)
    desk = Desk(open_database(database_target(settings), create=False), settings)
    actor = system_actor("busy-writer")
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    first = business_date(system_clock(), settings.business.zone) + timedelta(FIRST_DAY_AHEAD)
    day = 0
    try:
        while not stop.is_set():
            request = BookingRequest(CUSTOMER, CAR, DRIVER, first + timedelta(day), 1)
            booked = booking.book(desk, actor, request)
            billing.checkout(desk, actor, booked.invoice.ref, "card")
            print(booked.ref, flush=True)
            day += 1
    finally:
        desk.db.close()


if __name__ == "__main__":
    main(sys.argv[1])
