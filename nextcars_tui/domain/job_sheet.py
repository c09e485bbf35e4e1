"""The job sheet of a chauffeured rental: when and where the driver picks up, for how many,
and what to know (flight number, child seat). Every part is optional."""

from __future__ import annotations

from dataclasses import dataclass

from nextcars_tui.domain.parsing import (
    MAX_NOTES,
    MAX_PLACE,
    parse_optional_text,
    parse_pickup_time,
    parse_whole_number,
)

MAX_PASSENGERS = 60


@dataclass(frozen=True)
class JobSheet:
    pickup_time: str | None = None  # HH:MM, business time
    pickup: str | None = None
    dropoff: str | None = None
    passengers: int | None = None
    notes: str | None = None


def parse_job_sheet(
    *,
    pickup_time: str | None = None,
    pickup: str | None = None,
    dropoff: str | None = None,
    passengers: str | int | None = None,
    notes: str | None = None,
) -> JobSheet:
    """Each part as typed, checked; empty means not set. Passengers are checked against the
    car's seats where the car is known (domain.parsing.parse_passengers)."""
    time_text = pickup_time.strip() if pickup_time is not None else ""
    count: int | None = None
    if passengers is not None and str(passengers).strip():
        count = parse_whole_number(passengers, "passengers", minimum=1, maximum=MAX_PASSENGERS)
    return JobSheet(
        pickup_time=parse_pickup_time(time_text) if time_text else None,
        pickup=parse_optional_text(pickup, "pickup place", MAX_PLACE),
        dropoff=parse_optional_text(dropoff, "drop-off place", MAX_PLACE),
        passengers=count,
        notes=parse_optional_text(notes, "notes", MAX_NOTES),
    )


def run_sheet_order(pickup_time: str | None, ref: str) -> tuple[bool, str, int, str]:
    """Where a job goes on a day's run sheet: by pickup time (HH:MM sorts as text), the
    jobs without one after them by booking ref (the shorter ref first, so BK-1000000 comes
    after BK-999999)."""
    return (pickup_time is None, pickup_time or "", len(ref), ref)
