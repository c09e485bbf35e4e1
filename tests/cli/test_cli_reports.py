"""`nextcars report utilisation|revenue|takings`: the contract's JSON keys exactly as the README
writes them, figures that agree with the demo desk's raw rows, CSV files through the one
writer, and the exit codes, on each engine."""

from __future__ import annotations

import json
import re
import stat
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nextcars_tui.domain.lifecycle import business_date
from tests.cli.clikit import DeskFiles, invoke

LONDON = ZoneInfo("Europe/London")
FIGURES = {"booked_days", "blocked_days", "utilisation_percent"}
MONEY = {
    "charges_cents",
    "fees_cents",
    "adjustments_cents",
    "payments_cents",
    "refunds_cents",
    "billed_cents",
    "collected_cents",
}
TILL = {"payments_cents", "refunds_cents", "net_cents", "count"}


def today() -> date:
    return business_date(datetime.now(UTC), LONDON)


def ok_json(*args: str) -> Any:
    result = invoke("report", *args, "--json")
    assert result.code == 0, result.err
    assert result.err == ""
    return json.loads(result.out)


def percent(booked: int, available: int) -> float:
    if available <= 0:
        return 0
    exact = Decimal(100 * booked) / Decimal(available)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def test_utilisation_json_has_the_contracts_keys_and_its_sums(desk_files: DeskFiles):
    first, last = today() - timedelta(days=20), today() + timedelta(days=10)
    data = ok_json("utilisation", "--from", first.isoformat(), "--to", last.isoformat())
    assert set(data) == {"from", "to", "days", "cars", "drivers", "fleet"}
    assert (data["from"], data["to"], data["days"]) == (first.isoformat(), last.isoformat(), 31)
    assert all(set(car) == {"plate"} | FIGURES for car in data["cars"])
    assert all(set(driver) == {"code"} | FIGURES for driver in data["drivers"])
    assert set(data["fleet"]) == FIGURES
    plates = [car["plate"] for car in data["cars"]]
    assert plates == sorted(plates) and len(plates) == desk_files.count("car")
    assert len(data["drivers"]) == desk_files.count("driver")
    for line in data["cars"] + data["drivers"]:
        available = data["days"] - line["blocked_days"]
        assert line["utilisation_percent"] == percent(line["booked_days"], available)
    fleet = data["fleet"]
    for key in ("booked_days", "blocked_days"):
        assert fleet[key] == sum(car[key] for car in data["cars"])
    capacity = data["days"] * len(data["cars"])
    assert fleet["utilisation_percent"] == percent(
        fleet["booked_days"], capacity - fleet["blocked_days"]
    )
    # The demo has rentals under way and blocks in force around today.
    assert fleet["booked_days"] > 0 and fleet["blocked_days"] > 0
    booked = _booked_days(desk_files, first, last)
    assert {car["plate"]: car["booked_days"] for car in data["cars"]} == booked


def _booked_days(desk_files: DeskFiles, first: date, last: date) -> dict[str, int]:
    """Per plate, the days of [first, last] held by confirmed or completed bookings."""
    days: dict[str, set[date]] = {
        str(p): set() for (p,) in desk_files.rows("SELECT plate FROM car")
    }
    for plate, start, end in desk_files.rows(
        "SELECT c.plate, b.start_date, b.end_date FROM booking b JOIN car c ON c.id = b.car_id "
        "WHERE b.status IN ('confirmed', 'completed')"
    ):
        day = date.fromisoformat(str(start))
        while day < date.fromisoformat(str(end)):
            if first <= day <= last:
                days[str(plate)].add(day)
            day += timedelta(days=1)
    return {plate: len(held) for plate, held in days.items()}


@pytest.mark.parametrize(
    ("by", "pattern"),
    [("day", r"\d{4}-\d{2}-\d{2}"), ("week", r"\d{4}-W\d{2}"), ("month", r"\d{4}-\d{2}")],
)
def test_revenue_json_has_every_period_and_totals_equal_to_the_ledger(
    desk_files: DeskFiles, by: str, pattern: str
):
    first, last = today() - timedelta(days=400), today() + timedelta(days=30)
    data = ok_json("revenue", "--from", first.isoformat(), "--to", last.isoformat(), "--by", by)
    assert set(data) == {"from", "to", "by", "periods", "total"}
    assert data["by"] == by
    assert all(set(period) == {"period"} | MONEY for period in data["periods"])
    assert set(data["total"]) == MONEY
    keys = [period["period"] for period in data["periods"]]
    assert all(re.fullmatch(pattern, key) for key in keys)
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    if by == "day":
        assert len(keys) == (last - first).days + 1
    for key in MONEY:
        assert data["total"][key] == sum(period[key] for period in data["periods"])
    # Every demo entry was written in this window: the totals are the whole ledger's.
    sums = Counter[str]()
    for kind, cents in desk_files.rows("SELECT kind, amount_cents FROM ledger_entry"):
        sums[str(kind)] += int(str(cents))
    total = data["total"]
    assert total["charges_cents"] == sums["charge"] and total["refunds_cents"] == sums["refund"]
    assert total["billed_cents"] == sums["charge"] + sums["fee"] + sums["adjustment"]
    assert total["collected_cents"] == sums["payment"] - sums["refund"] > 0


def test_revenue_is_by_month_unless_asked(desk_files: DeskFiles):
    data = ok_json("revenue", "--from", "2027-01-15", "--to", "2027-03-02")
    assert data["by"] == "month"
    assert [period["period"] for period in data["periods"]] == ["2027-01", "2027-02", "2027-03"]


def test_takings_json_per_method_and_clerk_add_up_to_the_days_entries(desk_files: DeskFiles):
    data = ok_json("takings")
    assert set(data) == {"date", "methods", "clerks", "total"}
    assert data["date"] == today().isoformat()
    assert [line["method"] for line in data["methods"]] == ["card", "cash", "transfer"]
    assert all(set(line) == {"method"} | TILL for line in data["methods"])
    assert all(set(line) == {"user"} | TILL for line in data["clerks"])
    assert set(data["total"]) == TILL
    for key in TILL:
        assert data["total"][key] == sum(line[key] for line in data["methods"])
        assert data["total"][key] == sum(line[key] for line in data["clerks"])
    for line in data["methods"] + data["clerks"] + [data["total"]]:
        assert line["net_cents"] == line["payments_cents"] - line["refunds_cents"]
    moved = [
        (str(kind), int(str(cents)))
        for kind, cents, at in desk_files.rows(
            "SELECT kind, amount_cents, at FROM ledger_entry WHERE kind IN ('payment', 'refund')"
        )
        if datetime.fromisoformat(str(at)).replace(tzinfo=UTC).astimezone(LONDON).date() == today()
    ]
    assert data["total"]["count"] == len(moved)
    assert data["total"]["payments_cents"] == sum(c for k, c in moved if k == "payment")


def test_takings_of_another_day(desk_files: DeskFiles):
    data = ok_json("takings", "--date", "2027-02-03")
    assert data["date"] == "2027-02-03"
    assert data["clerks"] == [] and data["total"]["count"] == 0


def test_text_reports_name_their_period_and_figures(desk_files: DeskFiles):
    result = invoke("report", "utilisation", "--from", "2027-01-01", "--to", "2027-01-31")
    assert result.code == 0, result.err
    assert "Cars, Fri 01 Jan 2027 to Sun 31 Jan 2027 (31 days)" in result.out
    assert re.search(r"Fleet \(\d+ cars\): \d+ days booked, \d+ blocked, [\d.]+% of", result.out)
    result = invoke("report", "revenue", "--from", "2027-01-01", "--to", "2027-01-31")
    assert result.code == 0, result.err
    assert "2027-01" in result.out and "Total" in result.out and "£0.00" in result.out
    result = invoke("report", "takings", "--date", "2027-01-05")
    assert result.code == 0, result.err
    assert "Takings on Tue 05 Jan 2027" in result.out and "Total: £0.00 taken" in result.out


def test_csv_goes_through_the_one_writer_and_never_over_a_file(desk_files: DeskFiles):
    target = desk_files.folder / "january.csv"
    args = ("report", "revenue", "--from", "2027-01-01", "--to", "2027-01-31", "--by", "week")
    result = invoke(*args, "--csv", str(target))
    assert result.code == 0, result.err
    assert f"Wrote 6 rows to {target}." in result.out
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == ["period", *sorted(MONEY, key=_revenue_order)]
    assert lines[1].startswith("2026-W53,") and lines[-1].startswith("total,")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    again = invoke(*args, "--csv", str(target))
    assert again.code == 2
    assert "already exists" in again.error_line
    assert target.read_bytes() == data
    util = desk_files.folder / "util.csv"
    result = invoke(
        "report", "utilisation", "--from", "2027-01-01", "--to", "2027-01-31",
        "--json", "--csv", str(util),
    )  # fmt: skip
    assert result.code == 0, result.err
    json.loads(result.out)  # nothing but the JSON on stdout
    rows = util.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == ("kind,resource,booked_days,blocked_days,available_days,utilisation_percent")
    assert rows[-1].startswith("fleet,all cars,")


def _revenue_order(key: str) -> int:
    return [
        "charges_cents",
        "fees_cents",
        "adjustments_cents",
        "payments_cents",
        "refunds_cents",
        "billed_cents",
        "collected_cents",
    ].index(key)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("utilisation", "--from", "2027-02-01", "--to", "2027-01-31"), "after its last day"),
        (("revenue", "--from", "2027-02-01", "--to", "2027-01-31"), "after its last day"),
        (("utilisation", "--from", "2027-13-01", "--to", "2027-01-31"), "--from"),
        (("revenue", "--from", "2027-01-01", "--to", "soon"), "--to"),
        (("revenue", "--from", "2027-01-01", "--to", "2027-01-31", "--by", "year"), "--by"),
        (("utilisation", "--from", "2027-01-01"), "--to"),
        (("takings", "--date", "yesterday-ish"), "--date"),
        (("forecast",), "invalid choice"),
    ],
)
def test_bad_requests_exit_2_with_one_error_line(desk_files: DeskFiles, args, says):
    result = invoke("report", *args)
    assert result.code == 2
    assert says in result.error_line
    assert result.out == ""
