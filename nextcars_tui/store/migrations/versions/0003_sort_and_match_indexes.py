"""Indexes for plates typed any way and for sorted, filtered bookings lists.

- `ix_car_plate_key` on the plate without spaces, upper-cased: the booking path and every
  plate lookup match on it, so 'ce71rzw' finds 'CE71 RZW' as fast as an exact plate.
- `ix_booking_total` (total_cents, id): the bookings list sorted by total reads its first
  page from the index instead of sorting the whole history.
- `ix_booking_status` (status, start_date): a list filtered by status reads only those
  bookings (and counts them) instead of scanning the history.

Sorting by customer, car or driver needs no new index: the store walks the parents in order
through their own indexes and each one's bookings through ix_booking_customer,
ix_booking_car_start and ix_booking_driver_start.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Written as SQL: the expression must read exactly as the store's queries write it
    # (store.tables.PLATE_KEY_SQL) for SQLite to use the index.
    op.execute("CREATE INDEX ix_car_plate_key ON car (replace(upper(plate), ' ', ''))")
    op.create_index("ix_booking_total", "booking", ["total_cents", "id"])
    op.create_index("ix_booking_status", "booking", ["status", "start_date"])
