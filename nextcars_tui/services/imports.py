"""CSV imports of cars, drivers and customers: add or update by key, every row or none.

The whole file is validated before anything is written, and every problem is reported with
its line number, so a clerk fixes the file once instead of once per error. A valid file is
then written in batches, each its own short write transaction, so a clerk booking at the
same time waits for one batch at most instead of failing as busy behind a long import.
Rows are added or updated by key, so an import that is interrupted between batches finishes
when it is run again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Generic

from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.records import (
    CAR,
    CUSTOMER,
    DRIVER,
    Fields,
    Kind,
    Row,
    car_fields,
    changes,
    changes_of,
    customer_fields,
    describe,
    driver_fields,
    values_of,
)
from nextcars_tui.store import UnitOfWork, open_regular_file

ProgressCallback = Callable[[int, int], None]

# Rows per write transaction: well under the databases' bound-parameter limits, a few
# milliseconds of other writers waiting, and often enough for a progress bar to move smoothly.
CHUNK = 500
MAX_REPORTED = 10


@dataclass(frozen=True)
class CsvFormat(Generic[Row]):
    kind: Kind[Row]
    columns: tuple[str, ...]
    parse: Callable[[dict[str, str]], Fields]
    # Columns a file may leave out; a row without one keeps what is stored.
    optional: tuple[str, ...] = ()


FORMATS: dict[str, CsvFormat[Any]] = {
    "cars": CsvFormat(
        CAR,
        ("plate", "make", "model", "seats", "daily_rate"),
        lambda r: car_fields(r["plate"], r["make"], r["model"], r["seats"], r["daily_rate"]),
    ),
    "drivers": CsvFormat(
        DRIVER,
        ("code", "name", "phone", "daily_fee"),
        lambda r: driver_fields(
            r["code"], r["name"], r["phone"], r["daily_fee"], r.get("email") or None
        ),
        optional=("email",),
    ),
    "customers": CsvFormat(
        CUSTOMER,
        ("email", "name", "phone"),
        lambda r: customer_fields(
            r["email"], r["name"], r["phone"], (r.get("no_reminders") or "").strip() or None
        ),
        optional=("no_reminders",),
    ),
}
KINDS: tuple[str, ...] = tuple(FORMATS)


@dataclass(frozen=True)
class ImportResult:
    kind: str
    added: int
    updated: int
    unchanged: int
    # Keys (plates, codes or e-mails) in file order, as stored.
    keys: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.keys)


def csv_format(kind: str) -> CsvFormat[Any]:
    try:
        return FORMATS[kind]
    except KeyError:
        raise InvalidInput(f"Import one of {', '.join(KINDS)}, got {kind!r}.") from None


def _numbered_rows(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """Rows with the line they start on; quoted fields may span lines."""
    reader = csv.reader(lines)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInput(f"line {reader.line_num}: not valid CSV ({exc}).") from None


def _header(
    number: int, row: list[str], columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[str]:
    names = [cell.strip().lower() for cell in row]
    expected = ",".join(columns) + "".join(f"[,{name}]" for name in optional)
    missing = [c for c in columns if c not in names]
    unknown = [n for n in names if n not in columns and n not in optional]
    if missing or unknown or len(set(names)) != len(names):
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(repr(n) for n in unknown)}")
        if len(set(names)) != len(names):
            problems.append("a column appears twice")
        raise InvalidInput(f"line {number}: {'; '.join(problems)} (expected {expected}).")
    return names


def parse_csv(kind: str, lines: Iterable[str]) -> list[Fields]:
    """Validate every row; raise one InvalidInput listing the bad lines, or return the records."""
    fmt = csv_format(kind)
    rows = _numbered_rows(lines)
    names: list[str] | None = None
    records: list[Fields] = []
    first_line: dict[str, int] = {}
    problems: list[str] = []
    for number, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if names is None:
            names = _header(number, row, fmt.columns, fmt.optional)
            continue
        if len(row) != len(names):
            problems.append(f"line {number}: expected {len(names)} values, found {len(row)}")
            continue
        try:
            record = fmt.parse(dict(zip(names, row, strict=True)))
        except InvalidInput as exc:
            problems.append(f"line {number}: {exc.message.rstrip('.')}")
            continue
        key = fmt.kind.match(record.key)
        if key in first_line:
            problems.append(
                f"line {number}: {fmt.kind.key_name} {record.key} appears again "
                f"(first on line {first_line[key]})"
            )
            continue
        first_line[key] = number
        records.append(record)
    if names is None:
        raise InvalidInput(f"The file is empty; the first line must be {','.join(fmt.columns)}.")
    if problems:
        shown = "; ".join(problems[:MAX_REPORTED])
        more = len(problems) - MAX_REPORTED
        suffix = f"; and {more} more" if more > 0 else ""
        raise InvalidInput(f"{len(problems)} bad line(s), nothing imported: {shown}{suffix}")
    return records


def read_csv(kind: str, path: Path) -> list[Fields]:
    """Parse a file; problems are InvalidInput naming the file and the lines. Anything but a
    regular file (a device, a fifo, a folder) is refused before a byte is read."""
    handle = io.TextIOWrapper(open_regular_file(path), encoding="utf-8-sig", newline="")
    try:
        with handle:
            return parse_csv(kind, handle)
    except InvalidInput as exc:
        raise InvalidInput(f"{path.name}: {exc.message}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not UTF-8 text; nothing imported.") from None
    except OSError as exc:
        raise InvalidInput(f"{path} cannot be read: {exc.strerror or exc}.") from None


def import_file(
    desk: Desk,
    actor: Actor,
    kind: str,
    path: Path,
    on_progress: ProgressCallback | None = None,
) -> ImportResult:
    """Add or update every row of a CSV file; a bad file imports nothing."""
    actor.require(Permission.MANAGE_FLEET)
    records = read_csv(kind, path)
    return import_records(desk, actor, kind, records, on_progress, source=path.name)


def import_records(
    desk: Desk,
    actor: Actor,
    kind: str,
    records: Sequence[Fields],
    on_progress: ProgressCallback | None = None,
    *,
    source: str = "import",
) -> ImportResult:
    """Write already validated records, one write transaction per batch of CHUNK rows."""
    actor.require(Permission.MANAGE_FLEET)
    fmt = csv_format(kind)
    report = on_progress or (lambda _done, _total: None)
    total = len(records)
    now = desk.now()
    added = updated = 0
    report(0, total)
    for start in range(0, total, CHUNK):
        chunk = records[start : start + CHUNK]
        with desk.db.write() as uow:
            batch_added, batch_updated = _write_batch(uow, fmt, chunk, actor, now, source)
            uow.commit()
        added += batch_added
        updated += batch_updated
        report(min(start + CHUNK, total), total)
    keys = tuple(record.key for record in records)
    return ImportResult(kind, added, updated, total - added - updated, keys)


def _write_batch(
    uow: UnitOfWork,
    fmt: CsvFormat[Any],
    chunk: Sequence[Fields],
    actor: Actor,
    now: datetime,
    source: str,
) -> tuple[int, int]:
    """Add or update one batch by key, with an audit entry per change."""
    added = updated = 0
    existing = fmt.kind.find_many(uow, [record.key for record in chunk])
    new_rows: list[Any] = []
    for record in chunk:
        values = values_of(record)
        row = existing.get(fmt.kind.match(record.key))
        if row is None:
            new_rows.append(fmt.kind.new(values))
            action = "added"
            detail = describe(record)
            added += 1
        else:
            # The key keeps its stored spelling ('CE71 RZW' is not rewritten as 'CE71RZW').
            changed, detail = changes(row, changes_of(record))
            if not changed:
                continue
            fmt.kind.change(uow, row, changed)
            action = "updated"
            updated += 1
        uow.audit.record(
            at=now,
            actor=actor.username,
            action=f"{fmt.kind.name} {action}",
            ref=record.key,
            detail=f"{source}: {detail}",
        )
    fmt.kind.insert_many(uow, new_rows)
    return added, updated
