"""Reading occupancy: the one table of what holds a car or driver (revision 0007).

The database writes the rows itself, from the bookings and blocks, and refuses two holds of
one resource that overlap; here they are only read, as domain `Hold`s, each with the ref of
the booking or block it belongs to (and a block's reason, a booking's status).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from nextcars_tui.domain.errors import ResourceKind
from nextcars_tui.domain.holds import Hold
from nextcars_tui.domain.statuses import BookingStatus
from nextcars_tui.store.hot_path import HotPath
from nextcars_tui.store.tables import Occupancy

_SELECT = (
    "SELECT o.kind, o.resource_id, o.start_date, o.end_date, o.booking_id, "
    "coalesce(b.ref, k.ref), b.status, k.reason FROM occupancy AS o "
    "LEFT JOIN booking AS b ON b.id = o.booking_id LEFT JOIN block AS k ON k.id = o.block_id "
)
# One resource's holds through ix_occupancy_resource (PostgreSQL: the EXCLUDE's gist index).
_OF_RESOURCE = _SELECT + (
    "WHERE o.kind = ? AND o.resource_id = ? AND o.start_date < ? AND o.end_date > ?"
)


@lru_cache(maxsize=16)
def holding_sql(resources: int) -> str:
    """The holds of this many resources over some days: (kind, id, end, start) per resource."""
    return " UNION ALL ".join([_OF_RESOURCE] * resources)


_IN_WINDOW = _SELECT + "WHERE o.start_date < ? AND o.end_date > ?"
_START = Occupancy.__table__.c.start_date  # type: ignore[attr-defined]
_KINDS = {kind.value: kind for kind in ResourceKind}
_STATUSES = {status.value: status for status in BookingStatus}


class OccupancyRepository:
    def __init__(self, connection: Connection, hot: HotPath) -> None:
        self._connection = connection
        self._hot = hot

    def holding(
        self, resources: Sequence[tuple[ResourceKind, int]], start: date, end: date
    ) -> list[Hold]:
        """The holds of these cars and drivers on any day of [start, end): one indexed read
        per resource, in one statement (the booking and change paths)."""
        if not resources:
            return []
        first, last = self._days(start, end)
        sql = holding_sql(len(resources))
        params: list[Any] = []
        for kind, resource_id in resources:
            params += [kind.value, resource_id, last, first]
        return self._holds(sql, params)

    def in_window(self, start: date, end: date, kind: ResourceKind | None = None) -> list[Hold]:
        """Every hold on some day of [start, end), of cars or drivers or both: for grids,
        the wizard's choices, what is available and the disruption assistant's plans."""
        first, last = self._days(start, end)
        holds = self._holds(_IN_WINDOW, [last, first])
        return holds if kind is None else [h for h in holds if h.kind == kind]

    def _days(self, start: date, end: date) -> tuple[Any, Any]:
        return self._hot.bind(_START, start), self._hot.bind(_START, end)

    def _holds(self, sql: str, params: Sequence[Any]) -> list[Hold]:
        day = self._hot.read_date
        return [
            Hold(
                kind=_KINDS[kind],
                resource_id=resource_id,
                start=day(start),
                end=day(end),
                ref=ref,
                booking_id=booking_id,
                booking_status=_STATUSES[status] if status is not None else None,
                block_reason=reason,
            )
            for kind, resource_id, start, end, booking_id, ref, status, reason in self._hot.execute(
                self._connection, sql, params
            )
        ]
