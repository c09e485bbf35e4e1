"""change, book's job sheet, block, unblock, blocks, available, booking and retire: the CLI
contract's names, JSON keys and exit codes, on the demo desk on each engine. A refused command
writes nothing at all (the whole database compared before and after)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nextcars_tui.domain.lifecycle import business_date
from tests.cli.clikit import DeskFiles, invoke
from tests.integration.rawdb import snapshot

LONDON = ZoneInfo("Europe/London")
SHEET_KEYS = {"pickup_time", "pickup", "dropoff", "passengers", "notes"}
BOOKING_KEYS = {
    "ref",
    "status",
    "customer",
    "car",
    "driver",
    "start",
    "end",
    "last_day",
    "days",
    "total_cents",
    "invoice",
} | SHEET_KEYS
BLOCK_KEYS = {"ref", "kind", "resource", "start", "end", "last_day", "days", "reason"}
HISTORY_KEYS = {"at", "by", "action", "detail"}
CAR_KEYS = {"plate", "make", "model", "seats", "daily_rate_cents"}
DRIVER_KEYS = {"code", "name", "daily_fee_cents"}
# Cars and drivers no demo booking uses (MA71 DPE and the others seat 4; PF21 YAM seats 7);
# DRV-10 is on holiday from day 3 to day 6 and BD70 KLM is off the road on days 5 and 6.
CAR, OTHER_CAR, BIG_CAR, CUSTOMER = "MA71 DPE", "KY22 VOL", "PF21 YAM", "ben.carter@example.com"
DRIVER, OTHER_DRIVER = "DRV-09", "DRV-11"


def today() -> date:
    return business_date(datetime.now(UTC), LONDON)


def day(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def run_json(*args: str) -> object:
    result = invoke(*args, "--json")
    assert result.code == 0, result.err
    assert result.err == ""
    return json.loads(result.out)


def book(start: int, days: int = 2, car: str = CAR, driver: str = DRIVER, *sheet: str) -> dict:
    data = run_json(
        "book",
        "--customer",
        CUSTOMER,
        "--car",
        car,
        "--driver",
        driver,
        "--start",
        day(start),
        "--days",
        str(days),
        *sheet,
    )
    assert isinstance(data, dict)
    return data


def refused(files: DeskFiles, code: int, *args: str) -> str:
    """The command exits `code` with one error line, prints nothing and writes nothing."""
    before = snapshot(files.url)
    result = invoke(*args)
    assert result.code == code, (result.code, result.out, result.err)
    assert result.out == ""
    line = result.error_line
    assert snapshot(files.url) == before
    return line


# --- change ---------------------------------------------------------------------------------------


def test_change_with_every_option_prints_one_booking_object(desk_files: DeskFiles):
    made = book(10)
    assert made["pickup_time"] is None and set(made) == BOOKING_KEYS

    data = run_json(
        "change",
        made["ref"],
        "--start",
        day(11),
        "--days",
        "3",
        "--car",
        OTHER_CAR,
        "--driver",
        OTHER_DRIVER,
        "--pickup-time",
        "9:30",
        "--pickup",
        "Heathrow T5",
        "--dropoff",
        "The Savoy",
        "--passengers",
        "3",
        "--notes",
        "BA117",
    )

    assert isinstance(data, dict) and set(data) == BOOKING_KEYS
    assert (data["ref"], data["start"], data["end"], data["days"]) == (
        made["ref"],
        day(11),
        day(14),
        3,
    )
    assert (data["car"], data["driver"]) == (OTHER_CAR, OTHER_DRIVER)
    assert [data[k] for k in ("pickup_time", "pickup", "dropoff", "passengers", "notes")] == [
        "09:30",
        "Heathrow T5",
        "The Savoy",
        3,
        "BA117",
    ]
    # KY22 VOL 115.00 and DRV-11 70.00 a day, at their current rates.
    assert data["total_cents"] == 3 * (11_500 + 7_000) == data["invoice"]["amount_cents"]
    assert desk_files.rows(
        "SELECT c.plate, b.pickup_time, b.notes FROM booking b JOIN car c ON c.id = b.car_id "
        "WHERE b.ref = ?",
        made["ref"],
    ) == [(OTHER_CAR, "09:30", "BA117")]


def test_change_for_people_prints_the_booking(desk_files: DeskFiles):
    made = book(10)
    result = invoke("change", made["ref"], "--days", "4")
    assert result.code == 0, result.err
    assert made["ref"] in result.out and CAR in result.out


def test_an_empty_text_clears_a_job_sheet_part(desk_files: DeskFiles):
    made = book(10, 2, CAR, DRIVER, "--notes", "Child seat", "--passengers", "2")
    assert (made["notes"], made["passengers"]) == ("Child seat", 2)

    data = run_json("change", made["ref"], "--notes", "", "--passengers", "")

    assert (data["notes"], data["passengers"]) == (None, None)


def test_book_takes_the_job_sheet(desk_files: DeskFiles):
    made = book(
        10,
        2,
        CAR,
        DRIVER,
        "--pickup-time",
        "07:05",
        "--pickup",
        "Gatwick North",
        "--dropoff",
        "Canary Wharf",
        "--passengers",
        "4",
        "--notes",
        "EZY 8012",
    )
    assert set(made) == BOOKING_KEYS
    assert [made[k] for k in ("pickup_time", "pickup", "dropoff", "passengers", "notes")] == [
        "07:05",
        "Gatwick North",
        "Canary Wharf",
        4,
        "EZY 8012",
    ]


def book_args(start: int, *extra: str) -> list[str]:
    return [
        "book",
        "--customer",
        CUSTOMER,
        "--car",
        CAR,
        "--driver",
        DRIVER,
        "--start",
        day(start),
        "--days",
        "2",
        *extra,
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--pickup-time", "25:00"), "not a time of day"),
        (("--pickup-time", "half nine"), "a time like 09:30"),
        (("--passengers", "5"), "the car has 4 seats"),
        (("--passengers", "0"), "passengers"),
    ],
)
def test_book_with_a_bad_job_sheet_is_exit_2(desk_files: DeskFiles, extra, message):
    assert message in refused(desk_files, 2, *book_args(10, *extra))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--pickup-time", "25:00"), "not a time of day"),
        (("--passengers", "5"), "the car has 4 seats"),
        (("--days", "2"), "changes nothing"),
        (("--car", CAR, "--driver", DRIVER), "changes nothing"),
        ((), "changes nothing"),
        (("--days", "0"), "at least one day"),
        (("--start", "next week"), "YYYY-MM-DD"),
    ],
)
def test_bad_changes_are_exit_2(desk_files: DeskFiles, options, message):
    made = book(10)
    assert message in refused(desk_files, 2, "change", made["ref"], *options)


def test_swapping_a_full_car_for_a_smaller_one_is_exit_2(desk_files: DeskFiles):
    made = book(10, 2, BIG_CAR, DRIVER, "--passengers", "6")
    line = refused(desk_files, 2, "change", made["ref"], "--car", CAR)
    assert "6 passengers" in line and "4 seats" in line


def test_a_change_onto_a_taken_car_is_exit_3_naming_the_booking(desk_files: DeskFiles):
    holder = book(10, 3, OTHER_CAR, OTHER_DRIVER)
    made = book(15)

    line = refused(
        desk_files, 3, "change", made["ref"], "--start", day(11), "--car", OTHER_CAR, "--json"
    )

    assert f"Car {OTHER_CAR} is already booked" in line and f"({holder['ref']})" in line


def test_an_extension_into_a_drivers_holiday_is_exit_3_naming_the_block(desk_files: DeskFiles):
    (ref,) = desk_files.rows("SELECT ref FROM block WHERE kind = 'driver'")[0]
    made = book(1, 1, CAR, "DRV-10")

    line = refused(desk_files, 3, "change", made["ref"], "--days", "4")

    assert f"({ref}: holiday)" in line and "DRV-10" in line


@pytest.mark.parametrize(
    ("status", "word"), [("cancelled", "cancelled"), ("completed", "completed")]
)
def test_history_cannot_change_exit_4(desk_files: DeskFiles, status, word):
    (ref,) = desk_files.rows(
        "SELECT ref FROM booking WHERE status = ? ORDER BY id LIMIT 1", status
    )[0]
    assert word in refused(desk_files, 4, "change", str(ref), "--days", "1")


def test_a_started_rental_keeps_its_start_exit_4(desk_files: DeskFiles):
    made = book(0, 3)
    assert "its start cannot move" in refused(
        desk_files, 4, "change", made["ref"], "--start", day(1)
    )
    assert run_json("change", made["ref"], "--days", "1")["end"] == day(1)


@pytest.mark.parametrize(
    "args",
    [
        ["change", "BK-999999", "--days", "2"],
        ["booking", "BK-999999"],
        ["unblock", "BL-999999"],
        ["block", "car", "ZZ99 ZZZ", "--start", "+1", "--days", "1", "--reason", "MOT"],
        ["block", "driver", "DRV-99", "--start", "+1", "--days", "1", "--reason", "sick"],
        ["blocks", "--car", "ZZ99 ZZZ"],
        ["retire", "car", "ZZ99 ZZZ"],
        ["retire", "driver", "DRV-99"],
        ["retire", "customer", "nobody@example.com"],
    ],
)
def test_unknown_refs_plates_codes_and_customers_are_exit_5(desk_files: DeskFiles, args):
    refused(desk_files, 5, *args)


def test_change_of_an_unknown_car_is_exit_5(desk_files: DeskFiles):
    made = book(10)
    assert "ZZ99 ZZZ" in refused(desk_files, 5, "change", made["ref"], "--car", "ZZ99 ZZZ")


# --- change --dry-run -----------------------------------------------------------------------------


def test_a_dry_run_prints_the_booking_as_it_would_be_and_writes_nothing(desk_files: DeskFiles):
    made = book(10)
    run_json("pay", made["invoice"]["ref"], "--amount", "100.00", "--method", "card")
    before = snapshot(desk_files.url)

    data = run_json("change", made["ref"], "--days", "4", "--car", OTHER_CAR, "--dry-run")

    assert snapshot(desk_files.url) == before
    assert set(data) == BOOKING_KEYS | {"difference_cents", "balance_after_cents"}
    assert (data["ref"], data["start"], data["end"], data["days"], data["car"]) == (
        made["ref"],
        day(10),
        day(14),
        4,
        OTHER_CAR,
    )
    # MA71 DPE 89.00 and DRV-09 90.00 for 2 days, then KY22 VOL 115.00 at its current rate
    # and DRV-09 at the booked fee for 4.
    new_total = 4 * (11_500 + 9_000)
    assert data["total_cents"] == new_total == data["invoice"]["amount_cents"]
    assert data["difference_cents"] == new_total - made["total_cents"]
    assert data["balance_after_cents"] == new_total - 10_000 == data["invoice"]["balance_cents"]
    # The real change agrees with its preview to the cent.
    done = run_json("change", made["ref"], "--days", "4", "--car", OTHER_CAR)
    assert done == {
        k: v for k, v in data.items() if k not in {"difference_cents", "balance_after_cents"}
    }


def test_a_shorter_dry_run_shows_money_owed_back_for_people(desk_files: DeskFiles):
    made = book(10, 3)
    run_json("checkout", made["invoice"]["ref"], "--method", "card")
    before = snapshot(desk_files.url)

    result = invoke("change", made["ref"], "--days", "1", "--dry-run")

    assert result.code == 0, result.err
    assert snapshot(desk_files.url) == before
    assert "nothing was written" in result.out
    # Two days of 89.00 + 90.00 taken off: £358.00 owed back.
    assert "Difference: -£358.00; £358.00 owed back after the change." in result.out


@pytest.mark.parametrize(
    ("options", "code", "message"),
    [
        (("--days", "0"), 2, "at least one day"),
        (("--days", "2"), 2, "changes nothing"),
        (("--car", "ZZ99 ZZZ"), 5, "ZZ99 ZZZ"),
    ],
)
def test_a_dry_run_is_refused_as_the_change_would_be(desk_files: DeskFiles, options, code, message):
    made = book(10)
    assert message in refused(desk_files, code, "change", made["ref"], *options, "--dry-run")


def test_a_dry_run_onto_a_taken_car_is_exit_3(desk_files: DeskFiles):
    holder = book(10, 3, OTHER_CAR, OTHER_DRIVER)
    made = book(15)
    line = refused(
        desk_files, 3, "change", made["ref"], "--start", day(11), "--car", OTHER_CAR,
        "--dry-run", "--json",
    )  # fmt: skip
    assert f"({holder['ref']})" in line


# --- change --customer ----------------------------------------------------------------------------


def idle_customer(files: DeskFiles) -> str:
    """A demo customer other than CUSTOMER with no booking to come (so retiring is allowed)."""
    (found,) = files.rows(
        "SELECT c.email FROM customer c WHERE c.email <> ? AND NOT EXISTS (SELECT 1 FROM "
        "booking b WHERE b.customer_id = c.id AND b.status IN ('pending', 'confirmed')) "
        "ORDER BY c.email LIMIT 1",
        CUSTOMER,
    )[0]
    return str(found)


def test_change_customer_moves_the_booking_and_its_invoice(desk_files: DeskFiles):
    made = book(10)
    other = idle_customer(desk_files)

    data = run_json("change", made["ref"], "--customer", other.upper())

    assert set(data) == BOOKING_KEYS and data["customer"] == other
    assert data["invoice"]["ref"] == made["invoice"]["ref"]
    detail = run_json("booking", made["ref"])
    assert detail["history"][-1]["detail"] == f"customer {CUSTOMER} → {other}"
    owner = desk_files.rows(
        "SELECT c.email FROM invoice i JOIN booking b ON b.id = i.booking_id "
        "JOIN customer c ON c.id = b.customer_id WHERE i.ref = ?",
        made["invoice"]["ref"],
    )
    assert owner == [(other,)]


def test_change_customer_refuses_unknown_retired_and_finished(desk_files: DeskFiles):
    made = book(10)
    other = idle_customer(desk_files)
    assert "nobody@example.com" in refused(
        desk_files, 5, "change", made["ref"], "--customer", "nobody@example.com"
    )
    assert "e-mail" in refused(desk_files, 2, "change", made["ref"], "--customer", "not-an-email")
    (done,) = desk_files.rows("SELECT ref FROM booking WHERE status = 'completed' LIMIT 1")[0]
    assert "completed" in refused(desk_files, 4, "change", str(done), "--customer", other)
    retired = invoke("retire", "customer", other)
    assert retired.code == 0, retired.err
    assert "retired" in refused(desk_files, 4, "change", made["ref"], "--customer", other)


# --- booking with its history ---------------------------------------------------------------------


def test_booking_json_adds_the_history(desk_files: DeskFiles):
    made = book(10)
    run_json("change", made["ref"], "--days", "3", "--car", OTHER_CAR)

    data = run_json("booking", made["ref"])

    assert isinstance(data, dict) and set(data) == BOOKING_KEYS | {"history"}
    assert all(set(entry) == HISTORY_KEYS for entry in data["history"])
    actions = [(e["action"], e["by"]) for e in data["history"]]
    assert actions == [("booked", "system:cli"), ("changed", "system:cli")]
    assert data["history"][1]["detail"] == f"days 2 → 3; car {CAR} → {OTHER_CAR}"
    datetime.fromisoformat(data["history"][1]["at"])


def test_booking_for_people_shows_the_job_sheet_and_history(desk_files: DeskFiles):
    made = book(10, 2, CAR, DRIVER, "--pickup", "The Savoy", "--notes", "Child seat")
    result = invoke("booking", made["ref"])
    assert result.code == 0, result.err
    assert "The Savoy" in result.out and "Child seat" in result.out and "booked" in result.out


# --- blocks ---------------------------------------------------------------------------------------


def test_block_unblock_and_blocks(desk_files: DeskFiles):
    data = run_json("block", "car", CAR, "--start", day(20), "--days", "3", "--reason", "tyres")

    assert isinstance(data, dict) and set(data) == BLOCK_KEYS
    assert data["ref"].startswith("BL-") and len(data["ref"]) == 9
    assert (data["kind"], data["resource"], data["start"], data["end"], data["days"]) == (
        "car",
        CAR,
        day(20),
        day(23),
        3,
    )
    assert data["reason"] == "tyres"
    assert data["last_day"] == day(22)  # `end` stays the first day free again
    listed = run_json("blocks")
    assert isinstance(listed, list) and all(set(b) == BLOCK_KEYS for b in listed)
    assert data in listed and len(listed) == 3  # with the demo's MOT and holiday
    assert run_json("blocks", "--car", CAR) == [data]
    assert [b["reason"] for b in run_json("blocks", "--driver", "DRV-10")] == ["holiday"]
    # A booking over it is exit 3 and names the block and why.
    line = refused(desk_files, 3, *book_args(21))
    assert f"({data['ref']}: tyres)" in line

    result = invoke("unblock", data["ref"])
    assert result.code == 0, result.err
    assert data["ref"] in result.out
    assert run_json("blocks", "--car", CAR) == []
    assert book(21)["car"] == CAR
    assert "already removed" in refused(desk_files, 4, "unblock", data["ref"])


def test_blocks_for_people_is_a_table(desk_files: DeskFiles):
    result = invoke("blocks")
    assert result.code == 0, result.err
    assert "MOT" in result.out and "holiday" in result.out


def test_a_block_over_bookings_without_reassign_is_exit_3_naming_them(desk_files: DeskFiles):
    first, second = book(10), book(13)

    line = refused(
        desk_files, 3, "block", "car", CAR, "--start", day(9), "--days", "7", "--reason", "MOT"
    )

    assert f"{first['ref']}, {second['ref']}" in line


def test_block_with_reassign_moves_the_bookings_and_keeps_the_price(desk_files: DeskFiles):
    first, second = book(10), book(13)

    data = run_json(
        "block", "car", CAR, "--start", day(9), "--days", "7", "--reason", "MOT", "--reassign"
    )

    assert isinstance(data, dict) and set(data) == {"block", "reassigned"}
    assert set(data["block"]) == BLOCK_KEYS
    moved = data["reassigned"]
    assert [set(m) for m in moved] == [{"booking", "from", "to"}] * 2
    assert [(m["booking"], m["from"]) for m in moved] == [(first["ref"], CAR), (second["ref"], CAR)]
    for made, move in zip((first, second), moved, strict=True):
        shown = run_json("booking", made["ref"])
        assert shown["car"] == move["to"] != CAR
        assert shown["total_cents"] == made["total_cents"]
        assert shown["invoice"]["amount_cents"] == made["invoice"]["amount_cents"]


def test_block_for_people_prints_the_block_and_the_moves(desk_files: DeskFiles):
    made = book(10)
    result = invoke(
        "block", "car", CAR, "--start", day(10), "--days", "1", "--reason", "MOT", "--reassign"
    )
    assert result.code == 0, result.err
    assert "BL-" in result.out and made["ref"] in result.out


@pytest.mark.parametrize(
    "args",
    [
        ["block", "car", CAR, "--start", "+1", "--days", "0", "--reason", "MOT"],
        ["block", "car", CAR, "--start", "+1", "--days", "1", "--reason", "  "],
        ["block", "car", CAR, "--start", "someday", "--days", "1", "--reason", "MOT"],
        ["unblock", "not-a-ref"],
    ],
)
def test_bad_blocks_are_exit_2(desk_files: DeskFiles, args):
    refused(desk_files, 2, *args)


def test_an_overlapping_block_is_exit_3(desk_files: DeskFiles):
    (ref,) = desk_files.rows("SELECT ref FROM block WHERE kind = 'car'")[0]
    line = refused(
        desk_files, 3, "block", "car", "BD70 KLM", "--start", day(6), "--days", "2", "--reason", "x"
    )
    assert ref in line


# --- available ------------------------------------------------------------------------------------


def test_available_lists_what_is_free_for_every_day(desk_files: DeskFiles):
    made = book(10, 3)

    during = run_json("available", "--start", day(5), "--days", "7")
    after = run_json("available", "--start", day(40), "--days", "2")

    assert isinstance(during, dict) and set(during) == {"cars", "drivers"}
    assert all(set(car) == CAR_KEYS for car in during["cars"] + after["cars"])
    assert all(set(driver) == DRIVER_KEYS for driver in during["drivers"] + after["drivers"])
    cars = {car["plate"] for car in during["cars"]}
    drivers = {driver["code"] for driver in during["drivers"]}
    assert CAR not in cars and DRIVER not in drivers
    assert "BD70 KLM" not in cars  # its MOT is on days 5 and 6
    assert "DRV-10" not in drivers  # on holiday until day 6
    assert OTHER_CAR in cars and OTHER_DRIVER in drivers
    later_cars = {car["plate"]: car for car in after["cars"]}
    later_drivers = {driver["code"]: driver for driver in after["drivers"]}
    assert {CAR, "BD70 KLM"} <= set(later_cars) and {DRIVER, "DRV-10"} <= set(later_drivers)
    assert len(after["cars"]) == desk_files.count("car")
    ((make, model, seats, rate),) = desk_files.rows(
        f"SELECT make, model, seats, daily_rate_cents FROM car WHERE plate = '{BIG_CAR}'"
    )
    assert later_cars[BIG_CAR] == {
        "plate": BIG_CAR,
        "make": make,
        "model": model,
        "seats": seats,
        "daily_rate_cents": rate,
    }
    ((name, fee),) = desk_files.rows(
        f"SELECT name, daily_fee_cents FROM driver WHERE code = '{DRIVER}'"
    )
    assert later_drivers[DRIVER] == {"code": DRIVER, "name": name, "daily_fee_cents": fee}
    assert made["ref"]


def test_available_for_people_shows_model_seats_and_rate(desk_files: DeskFiles):
    result = invoke("available", "--start", day(40), "--days", "1")
    assert result.code == 0, result.err
    assert CAR in result.out and DRIVER in result.out
    line = next(line for line in result.out.splitlines() if BIG_CAR in line)
    ((model, seats),) = desk_files.rows(f"SELECT model, seats FROM car WHERE plate = '{BIG_CAR}'")
    assert model in line and f" {seats} " in line and "£" in line


# --- retire ---------------------------------------------------------------------------------------


def test_retire_a_car_then_it_takes_no_bookings(desk_files: DeskFiles):
    result = invoke("retire", "car", CAR)
    assert result.code == 0, result.err
    assert "retired" in result.out

    assert "retired" in refused(desk_files, 4, *book_args(10))
    free = run_json("available", "--start", day(10), "--days", "1")
    assert CAR not in {car["plate"] for car in free["cars"]}
    assert "already retired" in refused(desk_files, 4, "retire", "car", CAR)


def test_a_car_with_future_bookings_cannot_retire_exit_4(desk_files: DeskFiles):
    made = book(10)
    assert made["ref"] in refused(desk_files, 4, "retire", "car", CAR)
    assert made["ref"] in refused(desk_files, 4, "retire", "driver", DRIVER)


def test_retire_a_customer(desk_files: DeskFiles):
    result = invoke("retire", "customer", CUSTOMER)
    assert result.code == 0, result.err
    assert "retired" in refused(desk_files, 4, *book_args(10))


def test_a_car_with_bookings_to_run_retires_with_reassign(desk_files: DeskFiles):
    made = book(10)

    result = invoke("retire", "car", CAR, "--reassign")

    assert result.code == 0, result.err
    moved = run_json("booking", made["ref"])
    assert moved["car"] != CAR and moved["total_cents"] == made["total_cents"]  # price kept
    assert f"Moved {made['ref']} to {moved['car']}" in result.out
    assert "retired" in moved["history"][-1]["detail"]
    assert "already retired" in refused(desk_files, 4, "retire", "car", CAR)


def test_reassign_and_retire_writes_nothing_when_a_booking_cannot_move(desk_files: DeskFiles):
    # A party of seven, and the other cars that seat seven are taken for those days.
    made = book(10, 2, BIG_CAR, DRIVER, "--passengers", "7")
    book(10, 2, "BF22 XPR", OTHER_DRIVER)
    book(10, 2, "VK23 MEH", "DRV-12")
    line = refused(desk_files, 3, "retire", "car", BIG_CAR, "--reassign")
    assert made["ref"] in line and "nothing was changed" in line


def test_a_customer_with_bookings_to_come_cannot_retire_exit_4(desk_files: DeskFiles):
    made = book(10)
    line = refused(desk_files, 4, "retire", "customer", CUSTOMER)
    assert made["ref"] in line and "bookings to come" in line
    assert invoke("cancel", made["ref"], "--reason", "plans changed").code == 0
    assert invoke("retire", "customer", CUSTOMER).code == 0


def test_retiring_a_customer_who_owes_money_says_so(desk_files: DeskFiles):
    made = book(10)
    assert invoke("cancel", made["ref"], "--reason", "plans changed").code == 0
    invoice = made["invoice"]["ref"]
    assert invoke("adjust", invoice, "--amount", "25.00", "--reason", "damage").code == 0

    result = invoke("retire", "customer", CUSTOMER)

    assert result.code == 0, result.err
    # What they owe in all (the demo may have them owing elsewhere too), naming the invoice.
    assert "retired" in result.out and "still owe £" in result.out
    owing = result.out.split("still owe ")[1]
    assert invoice in owing.split(";")[0]


def test_reinstate_puts_a_car_back_in_service(desk_files: DeskFiles):
    assert invoke("retire", "car", CAR).code == 0
    assert invoke("retire", "customer", CUSTOMER).code == 0

    for kind, key in (("car", CAR), ("customer", CUSTOMER)):
        result = invoke("reinstate", kind, key)
        assert result.code == 0, result.err
        assert "back in service" in result.out

    assert book(10)["car"] == CAR
    assert "not retired" in refused(desk_files, 4, "reinstate", "driver", DRIVER)


@pytest.mark.parametrize(
    ("code", "args"),
    [
        (5, ["reinstate", "car", "ZZ99 ZZZ"]),
        (5, ["reinstate", "customer", "nobody@example.com"]),
        (2, ["reinstate", "boat", CAR]),
        (2, ["reinstate", "driver", "not a code"]),
    ],
)
def test_reinstate_refusals(desk_files: DeskFiles, code: int, args: list[str]):
    refused(desk_files, code, *args)


def test_retire_something_else_is_exit_2(desk_files: DeskFiles):
    refused(desk_files, 2, "retire", "boat", CAR)
