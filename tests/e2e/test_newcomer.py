"""A newcomer's first minutes: an empty folder, `nextcars`, sign in, book, see it on the grid."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from nextcars_tui.services.demo import DEMO_DIR
from tests.e2e.conftest import cli_json, new_desk_folder
from tests.e2e.desk_keys import sign_in, wizard_to_review
from tests.e2e.terminal import Tmux, exiting, wait_for

pytestmark = pytest.mark.e2e


def demo_rows(name: str) -> list[dict[str, str]]:
    with (DEMO_DIR / name).open(newline="", encoding="utf-8") as rows:
        return list(csv.DictReader(rows))


def test_newcomer_creates_the_demo_signs_in_books_and_sees_it(
    tmux: Tmux, nextcars_bin: Path, tmp_path: Path
) -> None:
    config = new_desk_folder(tmp_path / "newcomer")
    database = config.parent / "data" / "nextcars.db"
    assert sorted(p.name for p in config.parent.iterdir()) == ["nextcars.toml"]
    # The demo keeps every third car and drivers 9-12 out of its bookings: free to book.
    plate = demo_rows("cars.csv")[1]["plate"]
    driver = demo_rows("drivers.csv")[8]["code"]
    customer = demo_rows("customers.csv")[0]

    pane = tmux.open("desk", exiting([str(nextcars_bin)]), cwd=config.parent)
    sign_in(pane, "staff", "staff-demo", timeout=60)
    assert database.is_file()

    wizard_to_review(
        pane,
        customer_email=customer["email"],
        customer_name=customer["name"],
        start=None,  # the wizard's default: today
        days=3,
        plate=plate,
        driver_code=driver,
    )
    pane.keys("Enter")  # Confirm booking
    detail = wait_for(pane, re.compile(r"BK-\d{6}\s+Pending"), 15)
    ref = re.search(r"BK-\d{6}", detail)
    assert ref is not None

    pane.keys("F5")  # the car grid, which opens on a window that includes today
    grid = wait_for(pane, re.compile(rf"^{re.escape(plate)} .*\?", re.MULTILINE), 15)
    row = next(line for line in grid.splitlines() if line.startswith(plate))
    assert row.count("?") >= 3, row  # pending, one mark per day

    made = cli_json(nextcars_bin, config, "bookings", "--car", plate)
    assert [b["ref"] for b in made] == [ref.group()]
    booking = made[0]
    assert booking["status"] == "pending"
    assert (booking["customer"], booking["driver"], booking["days"]) == (
        customer["email"],
        driver,
        3,
    )
    assert booking["invoice"]["status"] == "unpaid"
    assert booking["invoice"]["amount_cents"] == booking["total_cents"] > 0
    invoices = cli_json(nextcars_bin, config, "invoices", "--status", "unpaid")
    assert [i["ref"] for i in invoices if i["booking"] == ref.group()] == [
        booking["invoice"]["ref"]
    ]

    pane.keys("C-q")
    assert pane.wait_exit(15) == 0
    # Back on the normal screen: what the first run printed before the desk opened.
    assert "demo" in pane.screen().lower()
