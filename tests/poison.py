"""Stored text an attacker could leave in the database — by hand in the SQL console, from
another program sharing a PostgreSQL database, or through the first release's import — and
what each output medium must make of it. Every form and command refuses such text, so tests
plant it with raw SQL (tests/integration/rawdb.py)."""

from __future__ import annotations

from nextcars_tui.domain.safe_text import REPLACEMENT, inert
from tests.integration.rawdb import Target, raw

# A window title (OSC 0), the clipboard (OSC 52), a cleared screen (CSI 2J), a one-byte C1
# CSI, a right-to-left override, a newline and content markup, around ordinary words.
TITLE = "\x1b]0;PWNED\x07"
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"
CLEAR = "\x1b[2J"
NAME = f"Ann{TITLE} Lee{CLIPBOARD}{CLEAR}\x9b1m\u202eeviL [b]Bold[/b]"
NOTES = f"Gate 4{TITLE}{CLIPBOARD}{CLEAR}\nsecond line\u202e"
PLACE = f"Heathrow{CLEAR} T5"

# What a terminal, the CLI's text or a CSV shows instead: every character visible.
NAME_SHOWN = inert(NAME)
NOTES_SHOWN = inert(NOTES)
PLACE_SHOWN = inert(PLACE)
# What the PDF prints (its font has no control pictures).
NAME_PRINTED = inert(NAME, placeholder=REPLACEMENT)
# Bytes that must never reach a terminal from stored text.
STEERING = ("\x1b", "\x07", "\x9b", "\u202e")


def plant_customer_name(target: Target, email: str, name: str = NAME) -> None:
    with raw(target) as connection:
        connection.execute("UPDATE customer SET name = ? WHERE email = ?", (name, email))


def plant_job_sheet(target: Target, ref: str, notes: str = NOTES, place: str = PLACE) -> None:
    with raw(target) as connection:
        connection.execute(
            "UPDATE booking SET notes = ?, pickup = ?, dropoff = ? WHERE ref = ?",
            (notes, place, place, ref),
        )
