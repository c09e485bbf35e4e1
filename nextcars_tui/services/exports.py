"""Files the desk exports (CSV files, invoice PDFs), written by the desk's one file writer
(store.files): private (0600, they hold customer data), in a folder that exists, never through
a link, never over a file unless the caller says so (`force`, after asking the clerk), never
the database itself.

A CSV opens correctly in spreadsheet programs: UTF-8 with a byte-order mark, stored text with
its control characters inert (domain.safe_text), and text cells that a spreadsheet would run
as a formula (=, +, -, @ first) neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from nextcars_tui.domain.safe_text import inert
from nextcars_tui.services.desk import Desk
from nextcars_tui.store import sqlite_files
from nextcars_tui.store import write_private_file as write_file


class Document(Protocol):
    @property
    def data(self) -> bytes: ...


D = TypeVar("D", bound=Document)

Cell = str | int
# What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list; a tab or
# carriage return first is already inert, shown as ␉ or ␍).
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


def csv_cell(cell: Cell) -> Cell:
    """A cell as the file holds it: numbers unchanged; text inert, and with a leading
    apostrophe (which spreadsheets show as text) where a spreadsheet would evaluate it."""
    if not isinstance(cell, str):
        return cell
    text = inert(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], *, line_end: str = "\r\n"
) -> str:
    """Rows as CSV text (every cell through csv_cell), without the byte-order mark. Files get
    CRLF line ends, as spreadsheet programs expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow([csv_cell(cell) for cell in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def write_private_file(
    desk: Desk, target: str | Path, data: bytes | Callable[[], bytes], *, force: bool = False
) -> Path:
    """data as a new file at target (store.files' rules), never one of the database's own
    files. An existing file raises FileAlreadyExists (ask the clerk, then call again with
    force=True), which then replaces it whole. A function for data is called only once the
    target has passed those checks."""
    return write_file(target, data, force=force, protected=sqlite_files(desk.db.path))


def save_document(
    desk: Desk, target: str | Path, lay_out: Callable[[], D], *, force: bool = False
) -> tuple[Path, D]:
    """A laid-out document (PDF) written by write_private_file, laid out only once the
    target is known to be writable: a mistyped path is refused at once."""
    laid_out: list[D] = []

    def data() -> bytes:
        laid_out.append(lay_out())
        return laid_out[0].data

    path = write_private_file(desk, target, data, force=force)
    return path, laid_out[0]


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
