"""The price of a rental: days × (car daily rate + driver daily fee), in cents."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quote:
    days: int
    car_daily_rate_cents: int
    driver_daily_fee_cents: int

    @property
    def car_cents(self) -> int:
        return self.days * self.car_daily_rate_cents

    @property
    def driver_cents(self) -> int:
        return self.days * self.driver_daily_fee_cents

    @property
    def total_cents(self) -> int:
        return self.car_cents + self.driver_cents
