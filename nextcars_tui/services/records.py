"""Cars, drivers and customers as records: validation and storage shared by forms and imports.

Validation needs no database, so both paths check everything before a transaction opens.
Field names match the records' (the table columns), so a checked set becomes a record as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Generic, TypeVar

from nextcars_tui.domain.money import cents_to_text
from nextcars_tui.domain.parsing import (
    parse_amount,
    parse_driver_code,
    parse_email,
    parse_flag,
    parse_optional_email,
    parse_phone,
    parse_plate,
    parse_seats,
    parse_text,
    plate_key,
)
from nextcars_tui.store import CarRecord, CustomerRecord, DriverRecord, UnitOfWork


def parse_rate(value: int | str, what: str) -> int:
    """An int is already cents; text is currency units as people type them ('89.00')."""
    return parse_amount(value, what)


Check = Callable[[Any], Any]

CAR_CHECKS: dict[str, Check] = {
    "make": lambda value: parse_text(value, "make"),
    "model": lambda value: parse_text(value, "model"),
    "seats": parse_seats,
    "daily_rate_cents": lambda value: parse_rate(value, "daily rate"),
}
DRIVER_CHECKS: dict[str, Check] = {
    "name": lambda value: parse_text(value, "name"),
    "phone": parse_phone,
    "daily_fee_cents": lambda value: parse_rate(value, "daily fee"),
    # Blank: no address (no run sheet).
    "email": lambda value: parse_optional_email(value, "e-mail"),
}
CUSTOMER_CHECKS: dict[str, Check] = {
    "name": lambda value: parse_text(value, "name"),
    "phone": parse_phone,
    "no_reminders": lambda value: parse_flag(value, "no reminders"),
}
# Fields a record may leave out (None): a new row takes the default, an update keeps what
# the row has (a CSV file without the column changes nothing).
OPTIONAL_DEFAULTS: dict[str, Any] = {"email": None, "no_reminders": False}


def checked(checks: Mapping[str, Check], values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the given fields (None means 'leave unchanged'), in the checks' order."""
    return {
        name: check(values[name]) for name, check in checks.items() if values.get(name) is not None
    }


@dataclass(frozen=True)
class CarFields:
    KEY: ClassVar[str] = "plate"

    plate: str
    make: str
    model: str
    seats: int
    daily_rate_cents: int

    @property
    def key(self) -> str:
        return self.plate


@dataclass(frozen=True)
class DriverFields:
    KEY: ClassVar[str] = "code"

    code: str
    name: str
    phone: str
    daily_fee_cents: int
    email: str | None = None

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True)
class CustomerFields:
    KEY: ClassVar[str] = "email"

    email: str
    name: str
    phone: str
    no_reminders: bool | None = None

    @property
    def key(self) -> str:
        return self.email


Fields = CarFields | DriverFields | CustomerFields


def car_fields(
    plate: str, make: str, model: str, seats: int | str, daily_rate: int | str
) -> CarFields:
    """A whole car; daily_rate is cents as an int or currency text like '89.00'."""
    values = {"make": make, "model": model, "seats": seats, "daily_rate_cents": daily_rate}
    return CarFields(plate=parse_plate(plate), **checked(CAR_CHECKS, values))


def driver_fields(
    code: str, name: str, phone: str, daily_fee: int | str, email: str | None = None
) -> DriverFields:
    values = {"name": name, "phone": phone, "daily_fee_cents": daily_fee, "email": email}
    return DriverFields(code=parse_driver_code(code), **checked(DRIVER_CHECKS, values))


def customer_fields(
    email: str, name: str, phone: str, no_reminders: bool | str | None = None
) -> CustomerFields:
    values = {"name": name, "phone": phone, "no_reminders": no_reminders}
    return CustomerFields(email=parse_email(email), **checked(CUSTOMER_CHECKS, values))


def _shown(name: str, value: Any) -> str:
    return cents_to_text(value) if name.endswith("_cents") else str(value)


def _label(name: str) -> str:
    return name.removesuffix("_cents").replace("_", " ")


def values_of(record: Fields) -> dict[str, Any]:
    """A new row's values: fields left out take their defaults."""
    values = asdict(record)
    for name, default in OPTIONAL_DEFAULTS.items():
        if name in values and values[name] is None:
            values[name] = default
    return values


def changes_of(record: Fields) -> dict[str, Any]:
    """An existing row's new values, without its key and without fields left out."""
    values = asdict(record)
    values.pop(record.KEY)
    return {
        name: value
        for name, value in values.items()
        if not (name in OPTIONAL_DEFAULTS and value is None)
    }


def describe(record: Fields) -> str:
    """'make Toyota, model Corolla, seats 5, daily rate 89.00' for the audit log; the key is
    left out because it is the entry's ref."""
    values = values_of(record)
    values.pop(record.KEY)
    return ", ".join(f"{_label(name)} {_shown(name, value)}" for name, value in values.items())


def changes(row: Any, values: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The checked values that differ from the record's, and what they change as a line for
    the audit log ('' when nothing does)."""
    changed = {name: new for name, new in values.items() if getattr(row, name) != new}
    line = "; ".join(
        f"{_label(name)} {_shown(name, getattr(row, name))} → {_shown(name, new)}"
        for name, new in changed.items()
    )
    return changed, line


Row = TypeVar("Row", CarRecord, DriverRecord, CustomerRecord)


@dataclass(frozen=True)
class Kind(Generic[Row]):
    """How one record type is named, keyed, checked and stored."""

    name: str
    key_name: str
    record: type[Row]
    checks: dict[str, Check]
    find: Callable[[UnitOfWork, str], Row | None]
    # For read-then-change edits.
    for_change: Callable[[UnitOfWork, str], Row | None]
    find_many: Callable[[UnitOfWork, list[str]], Mapping[str, Row]]
    insert: Callable[[UnitOfWork, Row], Row]
    change: Callable[[UnitOfWork, Row, dict[str, Any]], Row]
    insert_many: Callable[[UnitOfWork, list[Row]], None]
    # What two spellings of one key share; find_many's result is keyed by it.
    match: Callable[[str], str] = lambda key: key

    def new(self, values: Mapping[str, Any]) -> Row:
        """A record not inserted yet, of checked values (every field of a Fields)."""
        return self.record(id=None, **values)


CAR: Kind[CarRecord] = Kind(
    name="car",
    key_name="plate",
    record=CarRecord,
    checks=CAR_CHECKS,
    find=lambda uow, key: uow.cars.by_plate(key),
    for_change=lambda uow, key: uow.cars.for_change(key),
    find_many=lambda uow, keys: uow.cars.by_plates(keys),
    insert=lambda uow, row: uow.cars.insert(row),
    change=lambda uow, row, values: uow.cars.change(row, **values),
    insert_many=lambda uow, rows: uow.cars.insert_many(rows),
    match=plate_key,
)
DRIVER: Kind[DriverRecord] = Kind(
    name="driver",
    key_name="code",
    record=DriverRecord,
    checks=DRIVER_CHECKS,
    find=lambda uow, key: uow.drivers.by_code(key),
    for_change=lambda uow, key: uow.drivers.for_change(key),
    find_many=lambda uow, keys: uow.drivers.by_codes(keys),
    insert=lambda uow, row: uow.drivers.insert(row),
    change=lambda uow, row, values: uow.drivers.change(row, **values),
    insert_many=lambda uow, rows: uow.drivers.insert_many(rows),
)
CUSTOMER: Kind[CustomerRecord] = Kind(
    name="customer",
    key_name="e-mail",
    record=CustomerRecord,
    checks=CUSTOMER_CHECKS,
    find=lambda uow, key: uow.customers.by_email(key),
    for_change=lambda uow, key: uow.customers.for_change(key),
    find_many=lambda uow, keys: uow.customers.by_emails(keys),
    insert=lambda uow, row: uow.customers.insert(row),
    change=lambda uow, row, values: uow.customers.change(row, **values),
    insert_many=lambda uow, rows: uow.customers.insert_many(rows),
)
