"""The one writer of every file the desk exports (CSV today; invoice PDFs would join it).

Each file is private (0600, it holds customer data), never written over unless the caller
says so (`force`, after asking the clerk), never the database itself, and a CSV opens
correctly in spreadsheet programs: UTF-8 with a byte-order mark, and text cells that a
spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) neutralised.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nextcars_tui.domain.errors import FileAlreadyExists, InvalidInput
from nextcars_tui.services.desk import Desk

Cell = str | int
# What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The database's own files, beside it: never an export target.
_DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


def neutralise(cell: Cell) -> Cell:
    """A text cell a spreadsheet would evaluate gets a leading apostrophe, which spreadsheets
    show as text; numbers pass unchanged."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_text(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], *, line_end: str = "\r\n"
) -> str:
    """Rows as CSV text (every cell neutralised), without the byte-order mark. Files get CRLF
    line ends, as spreadsheet programs expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def export_path(desk: Desk, target: str | Path) -> Path:
    """Where an export would go, or InvalidInput: the absolute path, checked to be neither a
    folder nor one of the database's files."""
    text = str(target).strip()
    if not text:
        raise InvalidInput("Give a file name for the export.", field="path")
    if any(ord(ch) < 32 for ch in text):
        raise InvalidInput("The file name contains a control character.", field="path")
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give a file name.", field="path")
    database = desk.db.path
    if database is not None:
        guarded = {Path(f"{database.resolve()}{suffix}") for suffix in _DATABASE_SUFFIXES}
        if path in guarded or any(_same_file(path, other) for other in guarded):
            raise InvalidInput(
                f"{path} is the desk's database; choose another file name.", field="path"
            )
    return path


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:
        return False


def write_private_file(desk: Desk, target: str | Path, data: bytes, *, force: bool = False) -> Path:
    """Write data to target, created 0600. An existing file raises FileAlreadyExists (ask the
    clerk, then call again with force=True); with force it is replaced whole, never left
    half-written: the data goes to a private file beside it first."""
    path = export_path(desk, target)
    if path.exists() and not force:
        raise FileAlreadyExists(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(
            f"Cannot create the folder {path.parent}: {error.strerror or error}.", field="path"
        ) from None
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(partial, path)
        else:
            # link, not rename: a file that appeared meanwhile is not written over either.
            os.link(partial, path)
    except FileExistsError:
        raise FileAlreadyExists(path) from None
    except OSError as error:
        raise InvalidInput(
            f"Could not write {path}: {error.strerror or error}.", field="path"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
    return path


def write_csv(
    desk: Desk,
    target: str | Path,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    force: bool = False,
) -> ExportResult:
    """Rows as a spreadsheet-safe CSV file (UTF-8 with BOM), written by write_private_file."""
    data = csv_text(header, rows).encode("utf-8-sig")
    return ExportResult(write_private_file(desk, target, data, force=force), len(rows))
