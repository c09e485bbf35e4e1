"""Changing a booking: what may change in which state, and how a change reads in history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from nextcars_tui.domain.statuses import ACTIVE_BOOKING_STATUSES


def change_refusal(ref: str, status: str) -> str | None:
    """Only a pending or confirmed booking changes; completed and cancelled ones are history."""
    if status not in ACTIVE_BOOKING_STATUSES:
        return f"Booking {ref} is {status}; only a pending or confirmed booking can change."
    return None


def started(start: date, today: date) -> bool:
    return start <= today


def dates_refusal(
    ref: str, old_start: date, new_start: date, new_end: date, today: date
) -> str | None:
    """A rental under way keeps its start, and can end early but not before today (its last
    day is today at the earliest). A booking not yet started may move; its new start obeys
    the rule every booking's start obeys (domain.parsing.check_booking_start: not in the
    past, within the horizon), which is invalid input rather than a state refusal."""
    if not started(old_start, today):
        return None
    if new_start != old_start:
        return (
            f"Booking {ref} started on {old_start.isoformat()}; its start cannot move "
            "(change its days to end it early or extend it)."
        )
    if new_end <= today:
        return (
            f"Booking {ref} is under way; it can end today at the earliest "
            f"({today.isoformat()}), not before."
        )
    return None


@dataclass(frozen=True)
class Difference:
    """One field a change changes, as the history says it."""

    label: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        return f"{self.label} {self.before or '—'} → {self.after or '—'}"


def describe(differences: Iterable[Difference]) -> str:
    """'days 3 → 5; car KX-204 → BD70 KLM': every field that changed, in order."""
    return "; ".join(str(d) for d in differences if d.before != d.after)


@dataclass(frozen=True)
class CarChoice:
    """A car a disrupted booking could move to."""

    car_id: int
    plate: str
    make: str
    model: str
    seats: int
    daily_rate_cents: int


@dataclass(frozen=True)
class DriverChoice:
    driver_id: int
    code: str
    name: str
    # Bookings the driver has in the week of the disrupted booking: the fewest gets the job.
    week_assignments: int


def rank_cars(original: CarChoice, free: Iterable[CarChoice]) -> list[CarChoice]:
    """Free cars that can replace `original`, best first: at least as many seats; the same
    make and model first, then the closest daily rate, then by plate."""
    fitting = [car for car in free if car.seats >= original.seats and car.car_id != original.car_id]
    return sorted(
        fitting,
        key=lambda car: (
            (car.make, car.model) != (original.make, original.model),
            abs(car.daily_rate_cents - original.daily_rate_cents),
            car.plate,
        ),
    )


def rank_drivers(original_id: int, free: Iterable[DriverChoice]) -> list[DriverChoice]:
    """Free drivers, best first: the fewest assignments that week, then by code."""
    others = [driver for driver in free if driver.driver_id != original_id]
    return sorted(others, key=lambda driver: (driver.week_assignments, driver.code))
