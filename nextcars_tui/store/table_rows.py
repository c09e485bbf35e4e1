"""One table's rows as records: read, inserted and changed straight through the driver.

Every repository writes through one of these, so there is one way a row changes: an explicit
insert or change, sent at once, handing back the record as it now is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from operator import attrgetter
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Connection, Table

from nextcars_tui.store.hot_path import HotPath, Loader, columns_of


class Identified(Protocol):
    @property
    def id(self) -> int | None: ...


R = TypeVar("R", bound=Identified)


@lru_cache(maxsize=32)
def _values_of(table: Table) -> Callable[[Any], tuple[Any, ...]]:
    """A record's values in table order (its fields are the columns, in that order)."""
    return attrgetter(*(column.key for column in table.columns))


def split(
    values: Sequence[Any], loaders: Sequence[Loader[Any]], widths: Sequence[int]
) -> list[Any]:
    """A joined row's values as one record per table, in the tables' order; None for a table
    an outer join found no row of (its id NULL)."""
    records: list[Any] = []
    start = 0
    for load, width in zip(loaders, widths, strict=True):
        part = values[start : start + width]
        records.append(None if part[0] is None else load(part))
        start += width
    return records


class TableRows(Generic[R]):
    def __init__(self, connection: Connection, hot: HotPath, table: Table, record: type[R]) -> None:
        self._connection = connection
        self._hot = hot
        self.table = table
        # Builds a record from the driver's values (converting them); `record` from values
        # SQLAlchemy has converted already (a Core query's row).
        self.load: Loader[R] = hot.loader(table, record)
        self.record = record
        self.columns = columns_of(table)

    def select(self, where: str | None = None) -> str:
        """SELECT every column of the table (as `load` takes them) WHERE `where`."""
        found = f"SELECT {self.columns} FROM {self.table.name}"
        return found if where is None else f"{found} WHERE {where}"

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row."""
        return self._hot.execute(self._connection, sql, params).fetchone()[0]

    def one(self, sql: str, params: Sequence[Any] = ()) -> R | None:
        found = self._hot.execute(self._connection, sql, params).fetchone()
        return None if found is None else self.load(found)

    def many(self, sql: str, params: Sequence[Any] = ()) -> list[R]:
        load = self.load
        return [load(found) for found in self._hot.execute(self._connection, sql, params)]

    def held_many(self, where: str, params: Sequence[Any] = ()) -> list[R]:
        """The rows WHERE `where`, by id, kept from other writers until the unit of work ends
        (held in id order, so two writers holding overlapping sets queue, never deadlock)."""
        return self.many(self.select(where) + (self._hot.lock_rows or " ORDER BY id"), params)

    def held(self, where: str, params: Sequence[Any]) -> R | None:
        """The one row WHERE `where`, kept from other writers until the unit of work ends and
        read as it is now (what the caller goes on to change)."""
        return self.one(self.select(where) + self._hot.lock_rows, params)

    def insert(self, record: R) -> R:
        """INSERT the record at once; one with id None comes back with the id it was given."""
        number = self.add(record)
        return record if record.id is not None else replace(record, id=number)  # type: ignore[type-var]

    def add(self, record: R) -> int:
        """INSERT the record at once, for a caller that needs only its id back (no new
        record is made)."""
        return self._hot.insert(self._connection, self.table, _values_of(self.table)(record))

    def insert_many(self, records: Sequence[R]) -> None:
        """INSERT new records (ids None) in one executemany; their ids are not read back."""
        values = _values_of(self.table)
        self._hot.insert_many(self._connection, self.table, [values(record) for record in records])

    def change(self, record: R, **columns: Any) -> R:
        """UPDATE the columns whose values differ from the record's, at once; the record as
        it is afterwards."""
        changed = {key: value for key, value in columns.items() if getattr(record, key) != value}
        if not changed:
            return record
        after = replace(record, **changed)  # type: ignore[type-var]
        self._hot.update(self._connection, self.table, record.id or 0, changed)
        return after
