"""Ageing of money owed: how many days past due, and which bucket that falls in."""

from __future__ import annotations

from datetime import date

BUCKETS: tuple[str, ...] = ("current", "1–30", "31–60", "61–90", "90+")


def days_past_due(due: date, today: date) -> int:
    return max(0, (today - due).days)


def bucket_for(days_late: int) -> str:
    if days_late <= 0:
        return BUCKETS[0]
    if days_late <= 30:
        return BUCKETS[1]
    if days_late <= 60:
        return BUCKETS[2]
    if days_late <= 90:
        return BUCKETS[3]
    return BUCKETS[4]
