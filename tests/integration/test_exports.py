"""Exports through the one file writer (store.files, whose own rules are tested in
test_file_writer.py): private, never over a file unasked nor over the database, and CSVs a
spreadsheet opens as text, with stored control characters inert. Every test reads the file
back."""

from __future__ import annotations

import csv
import stat
from datetime import timedelta

import pytest
from deskkit import request

from nextcars_tui.domain.errors import FileAlreadyExists, InvalidInput
from nextcars_tui.services.booking import book
from nextcars_tui.services.exports import write_csv
from nextcars_tui.services.reports import AGEING_HEADER, ageing_report, export_ageing

HEADER = ("name", "note", "amount")
ROWS = [
    ["Zoë Ångström", '=HYPERLINK("http://evil")', "12.50"],
    ["+44 hotline", "-2+3", "0.00"],
    ["@sum", "\tindented", 7],
    ["plain", "fine", "1.00"],
    ["Ann\x1b]0;owned\x07", "two\r\nlines", "\u202eevil"],
]


def read_back(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_a_csv_is_private_has_a_bom_and_neutralises_formulas(desk, tmp_path):
    (tmp_path / "exports").mkdir()
    path = tmp_path / "exports" / "out.csv"
    result = write_csv(desk, path, HEADER, ROWS)
    assert (result.path, result.rows) == (path, len(ROWS))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_back(path) == [
        list(HEADER),
        ["Zoë Ångström", '\'=HYPERLINK("http://evil")', "12.50"],
        ["'+44 hotline", "'-2+3", "0.00"],
        ["'@sum", "␉indented", "7"],
        ["plain", "fine", "1.00"],
        ["Ann␛]0;owned␇", "two␍␊lines", "\ufffdevil"],
    ]
    assert [p.name for p in path.parent.iterdir()] == ["out.csv"]  # no partial file left


def test_an_existing_file_is_kept_unless_the_clerk_confirms(desk, tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("precious\n")
    path.chmod(0o644)
    with pytest.raises(FileAlreadyExists) as exists:
        write_csv(desk, path, HEADER, ROWS)
    assert exists.value.path == path
    assert exists.value.field == "path"
    assert path.read_text() == "precious\n"
    write_csv(desk, path, HEADER, ROWS, force=True)
    assert read_back(path)[0] == list(HEADER)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.sqlite_only
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_the_database_is_never_an_export_target_even_with_force(desk, suffix):
    target = f"{desk.db.path}{suffix}"
    before = desk.db.path.read_bytes()
    with pytest.raises(InvalidInput, match="is the desk's database"):
        write_csv(desk, target, HEADER, ROWS, force=True)
    assert desk.db.path.read_bytes() == before


def test_a_folder_an_empty_name_or_a_missing_folder_is_refused(desk, tmp_path):
    with pytest.raises(InvalidInput, match="is a folder"):
        write_csv(desk, tmp_path, HEADER, ROWS)
    with pytest.raises(InvalidInput, match="file name"):
        write_csv(desk, "  ", HEADER, ROWS)
    with pytest.raises(InvalidInput, match="does not exist"):
        write_csv(desk, tmp_path / "new-folder" / "out.csv", HEADER, ROWS)
    assert not (tmp_path / "new-folder").exists()


def test_the_ageing_export_reads_back_as_the_report(desk, staff, manager, clock, tmp_path):
    view = book(desk, staff, request(days=2))
    clock.advance(days=40)
    report = ageing_report(desk, manager)
    path = tmp_path / "ageing.csv"
    result = export_ageing(desk, manager, report.lines, path)
    assert result.rows == 1
    header, row = read_back(path)
    assert tuple(header) == AGEING_HEADER
    assert row[:2] == [view.invoice.ref, view.ref]
    assert row[5] == (view.end + timedelta(days=14)).isoformat()
    assert row[-1] == f"{view.total_cents // 100}.{view.total_cents % 100:02d}"
