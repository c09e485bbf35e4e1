"""Blocks: cars off the road and drivers off duty, active until removed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from nextcars_tui.store.hot_path import HotPath, columns_of, loaded
from nextcars_tui.store.row_locks import locked
from nextcars_tui.store.tables import Block, Car, Driver

BlockRow = tuple[Block, Car | None, Driver | None]
_START = Block.__table__.c.start_date  # type: ignore[attr-defined]
HOLDING_SQL = " UNION ALL ".join(
    f"SELECT {columns_of(Block)} FROM block WHERE {column} = ? AND removed_at IS NULL "
    "AND start_date < ? AND end_date > ?"
    for column in ("car_id", "driver_id")
)


def _joined() -> Any:
    return (
        select(Block, Car, Driver)
        .outerjoin(Car, col(Car.id) == Block.car_id)
        .outerjoin(Driver, col(Driver.id) == Block.driver_id)
    )


def _active() -> Any:
    return col(Block.removed_at).is_(None)


class BlockRepository:
    def __init__(self, session: Session, hot: HotPath) -> None:
        self._session = session
        self._hot = hot

    def next_number(self) -> int:
        return self._hot.next_number(self._session, Block.__table__)  # type: ignore[attr-defined]

    def add(self, block: Block) -> Block:
        """INSERT at once (the database's triggers check it against bookings and blocks)."""
        values = {column: getattr(block, column) for column in Block.model_fields}
        number = self._hot.insert(self._session, Block.__table__, values)  # type: ignore[attr-defined]
        if block.id is None:
            block.id = number
        return block

    def save(self, block: Block) -> None:
        self._session.add(block)

    def by_ref(self, ref: str, *, lock: bool = False) -> Block | None:
        return self._session.exec(locked(select(Block).where(Block.ref == ref), lock)).first()

    def row_by_ref(self, ref: str) -> BlockRow | None:
        return self._session.exec(_joined().where(Block.ref == ref)).first()

    def overlapping(
        self,
        start: date,
        end: date,
        *,
        car_ids: Sequence[int] = (),
        driver_ids: Sequence[int] = (),
    ) -> list[BlockRow]:
        """Active blocks of these cars or drivers overlapping [start, end), by start date."""
        holders = []
        if car_ids:
            holders.append(col(Block.car_id).in_(list(car_ids)))
        if driver_ids:
            holders.append(col(Block.driver_id).in_(list(driver_ids)))
        if not holders:
            return []
        query = (
            _joined()
            .where(_active(), or_(*holders))
            .where(col(Block.start_date) < end, col(Block.end_date) > start)
            .order_by(col(Block.start_date), col(Block.id))
        )
        return list(self._session.exec(query))

    def holding(self, car_id: int, driver_id: int, start: date, end: date) -> list[Block]:
        """Active blocks of this car or this driver overlapping [start, end), by start date:
        straight to the driver (the booking and change paths), through each one's index."""
        first, last = (self._hot.bind(self._session, _START, day) for day in (start, end))
        found = self._hot.execute(
            self._session, HOLDING_SQL, (car_id, last, first, driver_id, last, first)
        )
        blocks = [loaded(Block, values, self._session) for values in found]
        return sorted(blocks, key=lambda block: (block.start_date, block.id or 0))

    def in_window(self, start: date, end: date) -> list[Block]:
        """Every active block overlapping [start, end): for grids and resource choices."""
        query = select(Block).where(
            _active(), col(Block.start_date) < end, col(Block.end_date) > start
        )
        return list(self._session.exec(query))

    def rows(
        self,
        *,
        car_id: int | None = None,
        driver_id: int | None = None,
        ends_after: date | None = None,
        include_removed: bool = False,
        limit: int = 500,
    ) -> list[BlockRow]:
        query = _joined()
        if not include_removed:
            query = query.where(_active())
        if car_id is not None:
            query = query.where(Block.car_id == car_id)
        if driver_id is not None:
            query = query.where(Block.driver_id == driver_id)
        if ends_after is not None:
            query = query.where(col(Block.end_date) > ends_after)
        query = query.order_by(col(Block.start_date), col(Block.id)).limit(limit)
        return list(self._session.exec(query))

    def remove(self, block: Block, *, at: datetime, by: str) -> None:
        block.removed_at = at
        block.removed_by = by
        self._session.add(block)
