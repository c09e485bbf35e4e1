"""Customers, cars, drivers, users and desk settings: lookups, searches and upserts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, or_
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from nextcars_tui.domain.parsing import plate_key
from nextcars_tui.domain.roles import Role
from nextcars_tui.store.hot_path import row
from nextcars_tui.store.row_locks import locked
from nextcars_tui.store.tables import PLATE_KEY, Car, Customer, Driver, Setting, User

# Lookups by key run on every booking attempt; built once, they skip rebuilding the
# expression each call, which costs more than running the query.
_CUSTOMER_BY_EMAIL = select(Customer).where(Customer.email == bindparam("key"))
# Plates match on their key (upper case, no spaces) through the ix_car_plate_key index, so
# 'ce71rzw' finds 'CE71 RZW'.
_CAR_BY_PLATE = select(Car).where(PLATE_KEY == bindparam("key"))  # noqa: SIM300
_DRIVER_BY_CODE = select(Driver).where(Driver.code == bindparam("key"))

# Characters people put between the digits of a phone number.
_PHONE_PUNCTUATION = (" ", "-", "(", ")", "+", ".", "/")


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


class CustomerRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, customer_id: int) -> Customer | None:
        return self._session.get(Customer, customer_id)

    def by_email(self, email: str, *, lock: bool = False) -> Customer | None:
        return self._session.exec(locked(_CUSTOMER_BY_EMAIL, lock), params={"key": email}).first()

    def by_ids(self, ids: Sequence[int]) -> dict[int, Customer]:
        rows = self._session.exec(select(Customer).where(col(Customer.id).in_(list(ids))))
        return {row.id or 0: row for row in rows}

    def by_emails(self, emails: list[str]) -> dict[str, Customer]:
        rows = self._session.exec(select(Customer).where(col(Customer.email).in_(emails)))
        return {row.email: row for row in rows}

    def search(
        self, text: str, limit: int = 50, offset: int = 0, *, phone_digits: str | None = None
    ) -> list[Customer]:
        """Customers whose name, e-mail or phone contains the text; with phone_digits (from
        domain.parsing.phone_digits) also a phone typed in another form."""
        query = select(Customer)
        if text.strip():
            query = query.where(customer_matches(text, phone_digits))
        query = query.order_by(col(Customer.name), col(Customer.id)).limit(limit).offset(offset)
        return list(self._session.exec(query))

    def add(self, customer: Customer) -> Customer:
        self._session.add(customer)
        self._session.flush()
        return customer

    def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """One executemany of column values: bulk imports skip building an ORM object per row."""
        if rows:
            self._session.execute(insert(Customer), list(rows))


class CarRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, car_id: int) -> Car | None:
        return self._session.get(Car, car_id)

    def by_plate(self, plate: str, *, lock: bool = False) -> Car | None:
        """The car with this plate however it is spaced or cased."""
        key = plate_key(plate)
        return self._session.exec(locked(_CAR_BY_PLATE, lock), params={"key": key}).first()

    def by_plates(self, plates: list[str]) -> dict[str, Car]:
        """Cars by plate key (domain.parsing.plate_key), whatever the spelling asked for."""
        keys = [plate_key(plate) for plate in plates]
        rows = self._session.exec(select(Car).where(PLATE_KEY.in_(keys)))
        return {plate_key(row.plate): row for row in rows}

    def search(self, text: str = "", limit: int = 1000, offset: int = 0) -> list[Car]:
        query = select(Car)
        if text.strip():
            pattern = like_pattern(text.strip())
            query = query.where(
                or_(
                    plate_matches(text.strip()),
                    col(Car.make).ilike(pattern, escape="\\"),
                    col(Car.model).ilike(pattern, escape="\\"),
                )
            )
        query = query.order_by(col(Car.plate)).limit(limit).offset(offset)
        return list(self._session.exec(query))

    def in_service(self) -> list[Car]:
        """Every car not retired, as read-only snapshots: for plans over the whole fleet."""
        return _snapshots(self._session, Car)

    def count(self) -> int:
        return self._session.exec(select(func.count()).select_from(Car)).one()

    def add(self, car: Car) -> Car:
        self._session.add(car)
        self._session.flush()
        return car

    def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """One executemany of column values: bulk imports skip building an ORM object per row."""
        if rows:
            self._session.execute(insert(Car), list(rows))


class DriverRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, driver_id: int) -> Driver | None:
        return self._session.get(Driver, driver_id)

    def by_code(self, code: str, *, lock: bool = False) -> Driver | None:
        return self._session.exec(locked(_DRIVER_BY_CODE, lock), params={"key": code}).first()

    def in_service(self) -> list[Driver]:
        """Every driver not retired, as read-only snapshots: for plans over all drivers."""
        return _snapshots(self._session, Driver)

    def by_codes(self, codes: list[str]) -> dict[str, Driver]:
        rows = self._session.exec(select(Driver).where(col(Driver.code).in_(codes)))
        return {row.code: row for row in rows}

    def search(
        self,
        text: str = "",
        limit: int = 1000,
        offset: int = 0,
        *,
        phone_digits: str | None = None,
    ) -> list[Driver]:
        query = select(Driver)
        if text.strip():
            columns = (Driver.code, Driver.name, Driver.phone)
            query = query.where(text_matches(text, columns, Driver.phone, phone_digits))
        query = query.order_by(col(Driver.code)).limit(limit).offset(offset)
        return list(self._session.exec(query))

    def add(self, driver: Driver) -> Driver:
        self._session.add(driver)
        self._session.flush()
        return driver

    def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """One executemany of column values: bulk imports skip building an ORM object per row."""
        if rows:
            self._session.execute(insert(Driver), list(rows))


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, user_id: int) -> User | None:
        return self._session.get(User, user_id)

    def by_username(self, username: str, *, lock: bool = False) -> User | None:
        query = locked(select(User).where(User.username == username), lock)
        return self._session.exec(query).first()

    def all(self) -> list[User]:
        return list(self._session.exec(select(User).order_by(col(User.username))))

    def enabled_managers(self, *, lock: bool = False) -> list[User]:
        """Managers whose accounts are not disabled, by id. Held in that order, so writers
        that ask who else manages queue behind each other instead of deadlocking."""
        query = (
            select(User)
            .where(User.role == Role.MANAGER.value, col(User.disabled_at).is_(None))
            .order_by(col(User.id))
        )
        return list(self._session.exec(locked(query, lock)))

    def add(self, user: User) -> User:
        self._session.add(user)
        self._session.flush()
        return user


class SettingRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, key: str) -> str | None:
        row = self._session.get(Setting, key)
        return row.value if row is not None else None

    def put(self, key: str, value: str) -> None:
        row = self._session.get(Setting, key)
        if row is None:
            self._session.add(Setting(key=key, value=value))
        else:
            row.value = value
            self._session.add(row)


def _snapshots(session: Session, model: type[Car] | type[Driver]) -> list[Any]:
    """The rows not retired, read as plain columns and built with row(): the ORM's identity
    map and change tracking cost ten times as much per row, and a plan changes none of them."""
    table: Table = model.__table__  # type: ignore[union-attr]
    query = select_columns(*table.columns).where(table.c.retired_at.is_(None))
    keys = [column.key for column in table.columns]
    return [row(model, **dict(zip(keys, values, strict=True))) for values in session.execute(query)]
