"""Stored text reaches the CLI's output inert: values planted with raw SQL on each engine
(tests/poison.py: a window title, the clipboard, a cleared screen, a C1 CSI, a bidi override,
a newline, markup) print as visible placeholders in every text command, on stdout and stderr;
JSON stays exact."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest

from nextcars_tui.domain.errors import NotAllowed
from nextcars_tui.services import booking
from tests.cli.clikit import DeskFiles, invoke, nextcars_command
from tests.cli.test_cli_booking import today
from tests.poison import (
    NAME,
    NAME_SHOWN,
    NOTES,
    NOTES_SHOWN,
    PLACE,
    PLACE_SHOWN,
    STEERING,
    plant_customer_name,
    plant_job_sheet,
)


def planted(files: DeskFiles) -> tuple[str, str]:
    """A booking still to run (so it can change) whose customer's name and job sheet are
    poisoned: its booking and invoice refs."""
    ref, invoice, email = files.rows(
        "SELECT b.ref, i.ref, c.email FROM booking b JOIN customer c ON c.id = b.customer_id "
        "JOIN invoice i ON i.booking_id = b.id WHERE b.status = 'confirmed' AND b.start_date > ? "
        "ORDER BY b.ref LIMIT 1",
        (today() + timedelta(days=1)).isoformat(),
    )[0]
    plant_customer_name(files.url, str(email))
    plant_job_sheet(files.url, str(ref))
    return str(ref), str(invoice)


def assert_inert(text: str) -> None:
    leaked = [ch for ch in STEERING if ch in text]
    assert leaked == [], f"{leaked!r} reached the output"


@pytest.mark.parametrize(
    "command",
    [
        ("booking", "{ref}"),
        ("bookings",),
        ("invoices",),
        ("invoice", "{invoice}"),
        ("change", "{ref}", "--pickup-time", "07:43"),
    ],
    ids=lambda args: " ".join(args[:1]),
)
def test_text_commands_show_stored_control_characters_as_placeholders(
    desk_files: DeskFiles, command
):
    ref, invoice = planted(desk_files)
    result = invoke(*(part.format(ref=ref, invoice=invoice) for part in command))
    assert result.code == 0, result.err
    assert_inert(result.out)
    # Whole, on one line: a table may wrap a long name, so compare without the layout.
    squeezed = "".join(ch for ch in result.out if ch not in " │┃\n")
    assert "".join(NAME_SHOWN.split()) in squeezed
    # Markup in data is shown as typed, never read as style.
    assert "[b]Bold[/b]" in squeezed


def test_a_booking_shows_its_job_sheet_inert_line_by_line(desk_files: DeskFiles):
    ref, _invoice = planted(desk_files)
    result = invoke("booking", ref)
    assert result.code == 0, result.err
    assert_inert(result.out)
    assert f"Notes: {NOTES_SHOWN}" in result.out.splitlines()
    assert f"Drop-off: {PLACE_SHOWN}" in result.out.splitlines()


def test_json_keeps_the_stored_values_exactly(desk_files: DeskFiles):
    ref, _invoice = planted(desk_files)
    result = invoke("booking", ref, "--json")
    assert result.code == 0, result.err
    # Escaped by JSON (C0 by json itself, C1 and bidi as \u escapes): nothing raw on stdout…
    assert_inert(result.out)
    assert "\\u001b" in result.out and "\\u202e" in result.out
    # …and the same value once parsed.
    shown = json.loads(result.out)
    assert (shown["notes"], shown["pickup"], shown["dropoff"]) == (NOTES, PLACE, PLACE)
    listed = json.loads(invoke("bookings", "--json").out)
    assert {b["notes"] for b in listed if b["ref"] == ref} == {NOTES}


def test_an_error_line_quoting_stored_text_is_inert(desk_files: DeskFiles, monkeypatch):
    def refuse(*_args: object) -> None:
        raise NotAllowed(f"Booking for {NAME} cannot be confirmed.")

    monkeypatch.setattr(booking, "confirm", refuse)
    result = invoke("confirm", "BK-000001")
    assert result.code == 4
    assert_inert(result.err)
    assert NAME_SHOWN.split()[0] in result.error_line


@pytest.mark.sqlite_only
def test_the_real_commands_bytes_on_stdout_hold_no_escape(desk_files: DeskFiles):
    """What a terminal would receive from the real program, byte for byte."""
    ref, _invoice = planted(desk_files)
    for args in (("booking", ref), ("bookings",)):
        done = subprocess.run(
            nextcars_command(*args),
            env=desk_files.env(),
            cwd=desk_files.folder,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        for steering in STEERING:
            assert steering.encode() not in done.stdout, (args, steering)
        assert b"\x1b" not in done.stdout  # not even an escape of rich's own: not a terminal
        assert NAME_SHOWN.split()[0].encode() in done.stdout
