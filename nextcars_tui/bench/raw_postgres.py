"""The booking transaction written straight against psycopg: the floor the service is held to
on PostgreSQL.

It sends the statements the service sends, with the same SQL, locks and parameters: the
customer, car and driver in one joined read, the car's and then the driver's row locked
(FOR NO KEY UPDATE), the overlap checks (bookings, then blocks), nextval for the number,
INSERT booking, invoice, its two charge lines and the audit entry (each RETURNING id), COMMIT;
on its own connection, nothing more.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import psycopg

from nextcars_tui.bench.pg_target import conninfo
from nextcars_tui.domain.money import cents_to_text, format_money
from nextcars_tui.domain.parsing import plate_key
from nextcars_tui.domain.refs import booking_ref, invoice_ref
from nextcars_tui.store.occupancy import holding_sql

PARTIES = (
    "SELECT customer.id, customer.email, customer.name, customer.phone, customer.retired_at, "
    "customer.no_reminders, "
    "car.id, car.plate, car.make, car.model, car.seats, car.daily_rate_cents, car.retired_at, "
    "driver.id, driver.code, driver.name, driver.phone, driver.daily_fee_cents, "
    "driver.retired_at, driver.email FROM (SELECT 1) AS one "
    "LEFT JOIN customer ON customer.email = %s "
    "LEFT JOIN car ON replace(upper(car.plate), ' ', '') = %s "
    "LEFT JOIN driver ON driver.code = %s"
)
LOCK_CAR = "SELECT 1 FROM car WHERE id = %s FOR NO KEY UPDATE"
LOCK_DRIVER = "SELECT 1 FROM driver WHERE id = %s FOR NO KEY UPDATE"
HOLDS = holding_sql(2).replace("?", "%s")
NEXT_NUMBER = "SELECT nextval(pg_get_serial_sequence('booking', 'id'))"
INSERT_BOOKING = (
    "INSERT INTO booking (id, ref, customer_id, car_id, driver_id, start_date, days, end_date, "
    "car_daily_rate_cents, driver_daily_fee_cents, total_cents, status, created_at, created_by, "
    "cancel_reason, pickup_time, pickup, dropoff, passengers, notes) VALUES (%s, %s, %s, %s, "
    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)
INSERT_INVOICE = (
    "INSERT INTO invoice (id, ref, booking_id, amount_cents, paid_cents, status, issued_at, "
    "due_date) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)
INSERT_CHARGE = (
    "INSERT INTO ledger_entry (invoice_id, kind, amount_cents, method, description, reason, "
    "at, actor) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)
INSERT_AUDIT = (
    "INSERT INTO audit_entry (at, actor, action, ref, detail) VALUES (%s, %s, %s, %s, %s) "
    "RETURNING id"
)
# In the order the service sends them, for the test that holds the two to the same work.
STATEMENTS = (
    PARTIES, LOCK_CAR, LOCK_DRIVER, HOLDS, NEXT_NUMBER,
    INSERT_BOOKING, INSERT_INVOICE, INSERT_CHARGE, INSERT_CHARGE, INSERT_AUDIT,
)  # fmt: skip


class RawPgBooking:
    """One psycopg connection that books with hand-written SQL, one transaction a booking."""

    def __init__(self, url: str, *, invoice_due_days: int, currency: str) -> None:
        self._conn = psycopg.connect(conninfo(url), autocommit=False)
        self._due_days = invoice_due_days
        self._currency = currency

    def book(
        self, email: str, plate: str, code: str, start: date, days: int, actor: str
    ) -> str | None:
        """The new booking's ref, or None when the car or driver is taken (nothing written)."""
        conn, now = self._conn, datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC
        end = start + timedelta(days=days)
        try:
            parties = conn.execute(PARTIES, (email, plate_key(plate), code)).fetchone()
            assert parties is not None
            customer_id, car_id, rate, driver_id, fee = (parties[i] for i in (0, 6, 11, 13, 17))
            conn.execute(LOCK_CAR, (car_id,))
            conn.execute(LOCK_DRIVER, (driver_id,))
            span = ("car", car_id, end, start, "driver", driver_id, end, start)
            if conn.execute(HOLDS, span).fetchall():
                conn.rollback()
                return None
            number = conn.execute(NEXT_NUMBER).fetchone()[0]  # type: ignore[index]
            total = days * (rate + fee)
            ref, iref = booking_ref(number), invoice_ref(number)
            conn.execute(
                INSERT_BOOKING,
                (number, ref, customer_id, car_id, driver_id, start, days, end,
                 rate, fee, total, "pending", now, actor, None, None, None, None, None, None),
            )  # fmt: skip
            due = end + timedelta(days=self._due_days)
            conn.execute(INSERT_INVOICE, (number, iref, number, total, 0, "unpaid", now, due))
            for what, each in ((f"Car {parties[7]}", rate), (f"Driver {code}", fee)):
                if each:
                    line = f"{what}: {days} day(s) × {cents_to_text(each)}"
                    charge = (number, "charge", days * each, None, line, None, now, actor)
                    conn.execute(INSERT_CHARGE, charge)
            detail = (
                f"{plate} with {code} for {email}, {start}..{end}, "
                f"{format_money(total, self._currency)}; invoice {iref}"
            )
            conn.execute(INSERT_AUDIT, (now, actor, "booked", ref, detail))
            conn.commit()
            return ref
        except BaseException:
            conn.rollback()
            raise

    def close(self) -> None:
        self._conn.close()
