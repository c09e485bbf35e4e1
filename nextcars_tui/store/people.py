"""Customers, cars, drivers, users and desk settings: lookups, searches, inserts and changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select
from sqlmodel import col

from nextcars_tui.domain.parsing import plate_key
from nextcars_tui.domain.roles import Role
from nextcars_tui.store.hot_path import HotPath
from nextcars_tui.store.records import CarRecord, CustomerRecord, DriverRecord, UserRecord
from nextcars_tui.store.table_rows import TableRows
from nextcars_tui.store.tables import (
    PLATE_KEY,
    PLATE_KEY_SQL,
    Car,
    Customer,
    Driver,
    User,
    table_of,
)

_CUSTOMER = table_of(Customer)
_CAR = table_of(Car)
_DRIVER = table_of(Driver)
_USER = table_of(User)

# Characters people put between the digits of a phone number.
_PHONE_PUNCTUATION = (" ", "-", "(", ")", "+", ".", "/")


def marks(count: int) -> str:
    """`?, ?, …`: placeholders for a list of `count` values."""
    return ", ".join("?" * count)


def like_pattern(text: str) -> str:
    """A LIKE pattern finding text anywhere, with the wildcards in it escaped by '\\'."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def digits_of(column: Any) -> Any:
    """The column's phone number with spaces and punctuation removed, in SQL."""
    for mark in _PHONE_PUNCTUATION:
        column = func.replace(column, mark, "")
    return column


def phone_matches(column: Any, digits: str | None) -> Any:
    """A stored phone number containing these digits ('7700900201' finds '+44 7700 900201'
    and '07700 900201'); None when the search text is not a phone number."""
    if not digits:
        return None
    return digits_of(column).like(f"%{digits}%")


def plate_matches(text: str) -> Any:
    """Plates containing the text whatever its case and spaces ('e71r' finds 'CE71 RZW')."""
    return PLATE_KEY.like(like_pattern(plate_key(text)), escape="\\")


def text_matches(
    text: str, columns: tuple[Any, ...], phone: Any, phone_digits: str | None = None
) -> Any:
    """Rows where one of the columns contains the text, or whose phone holds the digits of
    a number typed in another form."""
    pattern = like_pattern(text.strip())
    conditions = [col(column).ilike(pattern, escape="\\") for column in columns]
    by_phone = phone_matches(phone, phone_digits)
    if by_phone is not None:
        conditions.append(by_phone)
    return or_(*conditions)


def customer_matches(text: str, phone_digits: str | None = None) -> Any:
    """Customers whose name, e-mail or phone contains the text (or the typed number)."""
    columns = (Customer.name, Customer.email, Customer.phone)
    return text_matches(text, columns, Customer.phone, phone_digits)


class _People:
    """What customers, cars and drivers share: found by id or key, searched, inserted,
    changed and retired. `key` is the SQL a key is matched on."""

    def __init__(self, connection: Connection, rows: TableRows[Any], key: str) -> None:
        self._connection = connection
        self._rows = rows
        self._key = key

    def _by_key(self, key: str) -> Any:
        return self._rows.one(self._rows.select(f"{self._key} = ?"), (key,))

    def _held(self, key: str) -> Any:
        return self._rows.held(f"{self._key} = ?", (key,))

    def _by_keys(self, keys: Sequence[str]) -> list[Any]:
        if not keys:
            return []
        return self._rows.many(self._rows.select(f"{self._key} IN ({marks(len(keys))})"), keys)

    def _searched(self, query: Any) -> list[Any]:
        """Records of a Core query selecting every column of the table."""
        record = self._rows.record
        return [record(*found) for found in self._connection.execute(query)]

    def _query(self) -> Any:
        return select(*self._rows.table.columns)

    def count(self) -> int:
        return int(self._rows.scalar(f"SELECT count(*) FROM {self._rows.table.name}"))


class CustomerRepository(_People):
    def __init__(self, connection: Connection, hot: HotPath) -> None:
        super().__init__(connection, TableRows(connection, hot, _CUSTOMER, CustomerRecord), "email")

    def get(self, customer_id: int) -> CustomerRecord | None:
        found: CustomerRecord | None = self._rows.one(self._rows.select("id = ?"), (customer_id,))
        return found

    def by_email(self, email: str) -> CustomerRecord | None:
        found: CustomerRecord | None = self._by_key(email)
        return found

    def for_change(self, email: str) -> CustomerRecord | None:
        """The customer, held until the unit of work ends (read, then changed)."""
        found: CustomerRecord | None = self._held(email)
        return found

    def by_ids(self, ids: Sequence[int]) -> dict[int, CustomerRecord]:
        unique = sorted(set(ids))
        if not unique:
            return {}
        found = self._rows.many(self._rows.select(f"id IN ({marks(len(unique))})"), unique)
        return {customer.id or 0: customer for customer in found}

    def by_emails(self, emails: Sequence[str]) -> dict[str, CustomerRecord]:
        return {customer.email: customer for customer in self._by_keys(emails)}

    def search(
        self,
        text: str,
        limit: int = 50,
        offset: int = 0,
        *,
        phone_digits: str | None = None,
        in_service: bool = False,
    ) -> list[CustomerRecord]:
        """Customers whose name, e-mail or phone contains the text; with phone_digits (from
        domain.parsing.phone_digits) also a phone typed in another form; with in_service,
        only those not retired."""
        query = self._query()
        if text.strip():
            query = query.where(customer_matches(text, phone_digits))
        if in_service:
            query = query.where(col(Customer.retired_at).is_(None))
        query = query.order_by(col(Customer.name), col(Customer.id)).limit(limit).offset(offset)
        return self._searched(query)

    def insert(self, customer: CustomerRecord) -> CustomerRecord:
        return self._rows.insert(customer)

    def insert_many(self, customers: Sequence[CustomerRecord]) -> None:
        """New customers in one executemany (bulk imports)."""
        self._rows.insert_many(customers)

    def change(self, customer: CustomerRecord, **columns: Any) -> CustomerRecord:
        return self._rows.change(customer, **columns)

    def retire(self, customer: CustomerRecord, at: datetime) -> CustomerRecord:
        return self._rows.change(customer, retired_at=at)

    def reinstate(self, customer: CustomerRecord) -> CustomerRecord:
        return self._rows.change(customer, retired_at=None)


class CarRepository(_People):
    def __init__(self, connection: Connection, hot: HotPath) -> None:
        # Plates match on their key (upper case, no spaces) through the ix_car_plate_key
        # index, so 'ce71rzw' finds 'CE71 RZW'.
        super().__init__(connection, TableRows(connection, hot, _CAR, CarRecord), PLATE_KEY_SQL)

    def by_plate(self, plate: str) -> CarRecord | None:
        """The car with this plate however it is spaced or cased."""
        found: CarRecord | None = self._by_key(plate_key(plate))
        return found

    def for_change(self, plate: str) -> CarRecord | None:
        """The car, held until the unit of work ends (read, then changed)."""
        found: CarRecord | None = self._held(plate_key(plate))
        return found

    def by_plates(self, plates: Sequence[str]) -> dict[str, CarRecord]:
        """Cars by plate key (domain.parsing.plate_key), whatever the spelling asked for."""
        found = self._by_keys([plate_key(plate) for plate in plates])
        return {plate_key(car.plate): car for car in found}

    def search(self, text: str = "", limit: int = 1000, offset: int = 0) -> list[CarRecord]:
        query = self._query()
        if text.strip():
            pattern = like_pattern(text.strip())
            query = query.where(
                or_(
                    plate_matches(text.strip()),
                    col(Car.make).ilike(pattern, escape="\\"),
                    col(Car.model).ilike(pattern, escape="\\"),
                )
            )
        return self._searched(query.order_by(col(Car.plate)).limit(limit).offset(offset))

    def in_service(self) -> list[CarRecord]:
        """Every car not retired: for plans over the whole fleet."""
        found: list[CarRecord] = self._rows.many(self._rows.select("retired_at IS NULL"))
        return found

    def insert(self, car: CarRecord) -> CarRecord:
        return self._rows.insert(car)

    def insert_many(self, cars: Sequence[CarRecord]) -> None:
        """New cars in one executemany (bulk imports)."""
        self._rows.insert_many(cars)

    def change(self, car: CarRecord, **columns: Any) -> CarRecord:
        return self._rows.change(car, **columns)

    def retire(self, car: CarRecord, at: datetime) -> CarRecord:
        return self._rows.change(car, retired_at=at)

    def reinstate(self, car: CarRecord) -> CarRecord:
        return self._rows.change(car, retired_at=None)


class DriverRepository(_People):
    def __init__(self, connection: Connection, hot: HotPath) -> None:
        super().__init__(connection, TableRows(connection, hot, _DRIVER, DriverRecord), "code")

    def get(self, driver_id: int) -> DriverRecord | None:
        found: DriverRecord | None = self._rows.one(self._rows.select("id = ?"), (driver_id,))
        return found

    def by_code(self, code: str) -> DriverRecord | None:
        found: DriverRecord | None = self._by_key(code)
        return found

    def for_change(self, code: str) -> DriverRecord | None:
        """The driver, held until the unit of work ends (read, then changed)."""
        found: DriverRecord | None = self._held(code)
        return found

    def by_codes(self, codes: Sequence[str]) -> dict[str, DriverRecord]:
        return {driver.code: driver for driver in self._by_keys(codes)}

    def in_service(self) -> list[DriverRecord]:
        """Every driver not retired: for plans over all drivers."""
        found: list[DriverRecord] = self._rows.many(self._rows.select("retired_at IS NULL"))
        return found

    def search(
        self,
        text: str = "",
        limit: int = 1000,
        offset: int = 0,
        *,
        phone_digits: str | None = None,
    ) -> list[DriverRecord]:
        query = self._query()
        if text.strip():
            columns = (Driver.code, Driver.name, Driver.phone)
            query = query.where(text_matches(text, columns, Driver.phone, phone_digits))
        return self._searched(query.order_by(col(Driver.code)).limit(limit).offset(offset))

    def insert(self, driver: DriverRecord) -> DriverRecord:
        return self._rows.insert(driver)

    def insert_many(self, drivers: Sequence[DriverRecord]) -> None:
        """New drivers in one executemany (bulk imports)."""
        self._rows.insert_many(drivers)

    def change(self, driver: DriverRecord, **columns: Any) -> DriverRecord:
        return self._rows.change(driver, **columns)

    def retire(self, driver: DriverRecord, at: datetime) -> DriverRecord:
        return self._rows.change(driver, retired_at=at)

    def reinstate(self, driver: DriverRecord) -> DriverRecord:
        return self._rows.change(driver, retired_at=None)


class UserRepository:
    def __init__(self, connection: Connection, hot: HotPath) -> None:
        self._rows = TableRows(connection, hot, _USER, UserRecord)

    def get(self, user_id: int) -> UserRecord | None:
        return self._rows.one(self._rows.select("id = ?"), (user_id,))

    def by_username(self, username: str) -> UserRecord | None:
        return self._rows.one(self._rows.select("username = ?"), (username,))

    def for_change(self, username: str) -> UserRecord | None:
        """The user, held until the unit of work ends (sign-in counts its outcome under it)."""
        return self._rows.held("username = ?", (username,))

    def all(self) -> list[UserRecord]:
        return self._rows.many(self._rows.select() + " ORDER BY username")

    def enabled_managers(self) -> list[UserRecord]:
        """Managers whose accounts are not disabled, held for change in id order, so writers
        that ask who else manages queue behind each other instead of deadlocking."""
        return self._rows.held_many(f"role = '{Role.MANAGER.value}' AND disabled_at IS NULL")

    def insert(self, user: UserRecord) -> UserRecord:
        return self._rows.insert(user)

    def change(self, user: UserRecord, **columns: Any) -> UserRecord:
        return self._rows.change(user, **columns)


class SettingRepository:
    """Small facts about the database itself, such as whether it holds demo data."""

    _GET = "SELECT value FROM desk_setting WHERE key = ?"
    # One statement on both engines: a new key is added, a known one written over.
    _PUT = (
        "INSERT INTO desk_setting (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )

    def __init__(self, connection: Connection, hot: HotPath) -> None:
        self._connection = connection
        self._hot = hot

    def get(self, key: str) -> str | None:
        found = self._hot.execute(self._connection, self._GET, (key,)).fetchone()
        return None if found is None else str(found[0])

    def put(self, key: str, value: str) -> None:
        self._hot.execute(self._connection, self._PUT, (key, value))
