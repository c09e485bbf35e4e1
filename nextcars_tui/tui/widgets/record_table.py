"""Refill a DataTable with one page of records, its columns sized up front.

Textual 8.2.8's DataTable measures auto-width columns on an idle event after rows are
added, but lines it painted before that keep their cached (label-wide) widths, so a
refilled table can stay cropped. Giving every column its width when it is added avoids
the deferred measurement altogether.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import DataTable


def cell_width(value: object) -> int:
    text = value if isinstance(value, Text) else Text(str(value))
    return max((line.cell_len for line in text.split()), default=0)


def refill(
    table: DataTable[Any],
    columns: Sequence[tuple[str, Text | str]],
    rows: Sequence[tuple[str, dict[str, object]]],
) -> None:
    """Replace columns (key, label) and rows (key, cells by column key); the cursor stays
    on the row with the same key when that row is still there."""
    selected: str | None = None
    if table.row_count:
        cursor_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        selected = cursor_key.value
    table.clear(columns=True)
    for key, label in columns:
        widest = max((cell_width(cells[key]) for _, cells in rows), default=0)
        table.add_column(label, key=key, width=max(cell_width(label), widest))
    for row_key, cells in rows:
        table.add_row(*(cells[key] for key, _ in columns), key=row_key)
    if selected is not None and selected in {row_key for row_key, _ in rows}:
        table.move_cursor(row=table.get_row_index(selected), animate=False)
