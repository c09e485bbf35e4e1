"""What holds a car or a driver: an active booking or a block, for days [start, end).

The store reads holds from one table (occupancy); everything that asks whether a car or
driver is free — the clash check, the grids, the wizard, `available`, the disruption
assistant — works on these, and a clash becomes one `Conflict` built here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from nextcars_tui.domain.dates import describe_days, spans_overlap
from nextcars_tui.domain.errors import Conflict, ResourceKind
from nextcars_tui.domain.statuses import BookingStatus


@dataclass(frozen=True, slots=True)
class Hold:
    """A car or driver (`kind`, `resource_id`) held for [start, end) by the booking or block
    `ref`: a booking's id and status, or a block's reason (MOT, holiday)."""

    kind: ResourceKind
    resource_id: int
    start: date
    end: date
    ref: str
    booking_id: int | None = None
    booking_status: BookingStatus | None = None
    block_reason: str | None = None

    @property
    def is_block(self) -> bool:
        return self.booking_id is None

    def overlaps(self, start: date, end: date) -> bool:
        return spans_overlap(self.start, self.end, start, end)


@dataclass(frozen=True, slots=True)
class Resource:
    """A car or driver as a clash names it: plate or code, and a driver's name."""

    kind: ResourceKind
    resource_id: int
    key: str
    name: str = ""

    def holds(self, hold: Hold) -> bool:
        return hold.kind == self.kind and hold.resource_id == self.resource_id

    @property
    def label(self) -> str:
        if self.kind == ResourceKind.CAR:
            return f"Car {self.key}"
        return f"Driver {self.key} ({self.name})" if self.name else f"Driver {self.key}"


def busy(holds: Iterable[Hold], kind: ResourceKind, start: date, end: date) -> set[int]:
    """The cars (or drivers) that `holds` keep for some day of [start, end)."""
    return {h.resource_id for h in holds if h.kind == kind and h.overlaps(start, end)}


def first_clash(
    holds: Iterable[Hold], wanted: Iterable[Resource], start: date, end: date
) -> Conflict | None:
    """The Conflict for the first of `wanted` (in order: the car before the driver) that a
    hold keeps for some day of [start, end), its earliest hold first; None when all are free."""
    found = sorted(holds, key=lambda h: (h.start, h.ref))
    for resource in wanted:
        for hold in found:
            if resource.holds(hold) and hold.overlaps(start, end):
                return clash(hold, resource)
    return None


def clash(hold: Hold, resource: Resource) -> Conflict:
    """'Car KX-204 is already booked 3–5 Dec (BK-000123).', or for a block 'Car KX-204 is
    blocked 3–5 Dec (BL-000002: MOT).', with the fields screens decide from."""
    span = describe_days(hold.start, hold.end)
    if hold.is_block:
        message = f"{resource.label} is blocked {span} ({hold.ref}: {hold.block_reason})."
    else:
        message = f"{resource.label} is already booked {span} ({hold.ref})."
    return Conflict(
        message,
        resource_kind=resource.kind,
        resource=resource.key,
        clashing_ref=hold.ref,
        start=hold.start,
        end=hold.end,
    )


def overlapping_pairs(holds: Iterable[Hold]) -> list[tuple[Hold, Hold]]:
    """Pairs of holds of one car or driver that share a day, each pair once (the earlier
    hold first): what must never be. One pass over the holds sorted by resource and start,
    keeping per resource the hold that reaches furthest so far."""
    pairs: list[tuple[Hold, Hold]] = []
    reaching: dict[tuple[ResourceKind, int], Hold] = {}
    for hold in sorted(holds, key=lambda h: (h.kind, h.resource_id, h.start, h.end, h.ref)):
        key = (hold.kind, hold.resource_id)
        furthest = reaching.get(key)
        if furthest is not None and hold.start < furthest.end:
            pairs.append((furthest, hold))
        if furthest is None or hold.end > furthest.end:
            reaching[key] = hold
    return pairs
