"""Blocks: cars off the road and drivers off duty, active until removed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from nextcars_tui.store.hot_path import HotPath
from nextcars_tui.store.row_locks import locked
from nextcars_tui.store.tables import Block, Car, Driver

BlockRow = tuple[Block, Car | None, Driver | None]


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
