"""When stale holds expire, rentals complete and invoices fall overdue, for a given moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def business_date(now: datetime, zone: ZoneInfo) -> date:
    """The calendar day at the desk, which is what 'today' means for bookings."""
    return now.astimezone(zone).date()


@dataclass(frozen=True)
class LifecycleCutoffs:
    """Everything the rules need to know about 'now', computed once per run."""

    now: datetime
    today: date
    pending_ttl: timedelta

    @property
    def expire_created_before(self) -> datetime:
        """Pending holds created before this moment have waited longer than the TTL."""
        return self.now - self.pending_ttl

    def hold_expires_at(self, created_at: datetime) -> datetime:
        return created_at + self.pending_ttl


def rental_finished(end: date, today: date) -> bool:
    """End is exclusive, so on the end date itself the car is back: the rental is over."""
    return end <= today


def past_due(due: date, today: date) -> bool:
    """A balance is late from the day after its due date."""
    return due < today


def cutoffs_for(now: datetime, zone: ZoneInfo, pending_ttl_hours: int) -> LifecycleCutoffs:
    if now.tzinfo is None:
        raise ValueError("the lifecycle needs a timezone-aware 'now'")
    return LifecycleCutoffs(
        now=now, today=business_date(now, zone), pending_ttl=timedelta(hours=pending_ttl_hours)
    )


def invoice_due_date(end: date, invoice_due_days: int) -> date:
    return end + timedelta(days=invoice_due_days)
