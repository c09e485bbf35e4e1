"""Blocks: cars off the road and drivers off duty, active until removed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import col

from nextcars_tui.store.hot_path import HotPath, columns_of
from nextcars_tui.store.records import BlockRecord, BlockRow, CarRecord, DriverRecord
from nextcars_tui.store.table_rows import TableRows, split
from nextcars_tui.store.tables import Block, Car, Driver, table_of

_BLOCK = table_of(Block)
_CAR = table_of(Car)
_DRIVER = table_of(Driver)
_ROW_TABLES = (_BLOCK, _CAR, _DRIVER)
_ROW_WIDTHS = tuple(len(table.columns) for table in _ROW_TABLES)
_ROW_BY_REF = (
    f"SELECT {', '.join(columns_of(table) for table in _ROW_TABLES)} FROM block "
    "LEFT JOIN car ON car.id = block.car_id LEFT JOIN driver ON driver.id = block.driver_id "
    "WHERE block.ref = ?"
)


def _joined() -> Any:
    return (
        select(*_BLOCK.columns, *_CAR.columns, *_DRIVER.columns)
        .select_from(_BLOCK)
        .outerjoin(Car, col(Car.id) == Block.car_id)
        .outerjoin(Driver, col(Driver.id) == Block.driver_id)
    )


class BlockRepository:
    def __init__(self, connection: Connection, hot: HotPath) -> None:
        self._connection = connection
        self._hot = hot
        self._rows = TableRows(connection, hot, _BLOCK, BlockRecord)
        records = (BlockRecord, CarRecord, DriverRecord)
        self._loaders = [
            hot.loader(table, record) for table, record in zip(_ROW_TABLES, records, strict=True)
        ]

    def next_number(self) -> int:
        return self._hot.next_number(self._connection, _BLOCK)

    def hold(
        self, car_ids: Sequence[int], driver_ids: Sequence[int], recheck: Callable[[], None]
    ) -> None:
        """Keep other writers off the cars and drivers a block and its reassignments involve
        until the unit of work ends. Where others could have changed what this unit read
        before (a plan made from it), `recheck` runs under the locks to say whether it
        still stands (it raises to refuse)."""
        self._hot.hold(self._connection, car_ids, driver_ids)
        if self._hot.locks_rows:
            recheck()

    def insert(self, block: BlockRecord) -> BlockRecord:
        """INSERT at once (the database checks it against what holds the car or driver)."""
        return self._rows.insert(block)

    def for_removal(self, ref: str) -> BlockRow | None:
        """The block with its car or driver, the block held until the unit of work ends."""
        sql = _ROW_BY_REF + (" FOR UPDATE OF block" if self._hot.locks_rows else "")
        found = self._hot.execute(self._connection, sql, (ref,)).fetchone()
        return None if found is None else BlockRow(*split(found, self._loaders, _ROW_WIDTHS))

    def remove(self, block: BlockRecord, *, at: datetime, by: str) -> BlockRecord:
        """Unblock: kept for the history, no longer holding anything."""
        return self._rows.change(block, removed_at=at, removed_by=by)

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
            query = query.where(col(Block.removed_at).is_(None))
        if car_id is not None:
            query = query.where(Block.car_id == car_id)
        if driver_id is not None:
            query = query.where(Block.driver_id == driver_id)
        if ends_after is not None:
            query = query.where(col(Block.end_date) > ends_after)
        query = query.order_by(col(Block.start_date), col(Block.id)).limit(limit)
        first, second = _ROW_WIDTHS[0], _ROW_WIDTHS[0] + _ROW_WIDTHS[1]
        return [
            BlockRow(
                BlockRecord(*found[:first]),
                CarRecord(*found[first:second]) if found[first] is not None else None,
                DriverRecord(*found[second:]) if found[second] is not None else None,
            )
            for found in self._connection.execute(query)
        ]
