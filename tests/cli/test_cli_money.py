"""pay, checkout, refund, adjust, invoice and invoices: the money commands' contract (names,
JSON keys and exit codes), on each engine, with every refusal proven to write nothing."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nextcars_tui.domain.lifecycle import business_date
from tests.cli.clikit import CliResult, DeskFiles, invoke, nextcars_command, start_nextcars
from tests.integration.rawdb import snapshot

LONDON = ZoneInfo("Europe/London")
INVOICE_KEYS = {"ref", "status", "amount_cents", "paid_cents", "balance_cents", "due", "booking"}
ENTRY_KEYS = {"kind", "description", "amount_cents", "method", "reason", "at", "by"}
# The demo leaves this car (89.00 a day) and drivers DRV-09..12 (DRV-09: 90.00) unbooked.
FREE_CAR, FREE_DRIVER, CUSTOMER = "MA71 DPE", "DRV-09", "ben.carter@example.com"
DAYS = 3
TOTAL = DAYS * (8_900 + 9_000)  # 537.00


def today() -> date:
    return business_date(datetime.now(UTC), LONDON)


def book(desk_files: DeskFiles, days_ahead: int = 5) -> dict[str, Any]:
    """A new booking of the free car through the CLI; its JSON."""
    result = invoke(
        "book",
        "--customer",
        CUSTOMER,
        "--car",
        FREE_CAR,
        "--driver",
        FREE_DRIVER,
        "--start",
        (today() + timedelta(days=days_ahead)).isoformat(),
        "--days",
        str(DAYS),
        "--json",
    )
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    assert data["total_cents"] == TOTAL
    return data


def invoice_ref(desk_files: DeskFiles, days_ahead: int = 5) -> str:
    return str(book(desk_files, days_ahead)["invoice"]["ref"])


def ok_json(*args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.code == 0, result.err
    assert result.err == ""
    return json.loads(result.out)


def refused(desk_files: DeskFiles, code: int, *args: str) -> CliResult:
    """Run a command that must fail with `code`, one error line and nothing written."""
    before = snapshot(desk_files.url)
    result = invoke(*args)
    assert result.code == code, (result.code, result.out, result.err)
    assert result.out == ""
    result.error_line  # noqa: B018 - asserts the one-line error contract
    assert snapshot(desk_files.url) == before
    return result


def ledger(desk_files: DeskFiles, ref: str) -> list[tuple[object, ...]]:
    return desk_files.rows(
        "SELECT e.kind, e.amount_cents, e.method, e.reason, e.actor FROM ledger_entry e "
        "JOIN invoice i ON i.id = e.invoice_id WHERE i.ref = ? ORDER BY e.id",
        ref,
    )


def stored(desk_files: DeskFiles, ref: str) -> tuple[object, ...]:
    """(status, amount_cents, paid_cents) of an invoice as committed."""
    return desk_files.rows(
        "SELECT status, amount_cents, paid_cents FROM invoice WHERE ref = ?", ref
    )[0]


def assert_invoice(data: dict[str, Any], status: str, amount: int, paid: int) -> None:
    assert set(data) == INVOICE_KEYS
    assert (data["status"], data["amount_cents"], data["paid_cents"]) == (status, amount, paid)
    assert data["balance_cents"] == amount - paid


# --- pay and checkout -------------------------------------------------------------------------


def test_pay_takes_part_of_the_balance_and_prints_the_invoice(desk_files: DeskFiles):
    booking = book(desk_files)
    ref = booking["invoice"]["ref"]

    data = ok_json("pay", ref, "--amount", "120.00", "--method", "card")

    assert_invoice(data, "partly_paid", TOTAL, 12_000)
    assert (data["ref"], data["booking"]) == (ref, booking["ref"])
    assert data["due"] == booking["invoice"]["due"]
    assert stored(desk_files, ref) == ("partly_paid", TOTAL, 12_000)
    assert ledger(desk_files, ref)[-1] == ("payment", 12_000, "card", None, "system:cli")
    # A payment confirms the pending hold.
    assert desk_files.rows("SELECT status FROM booking WHERE ref = ?", booking["ref"]) == [
        ("confirmed",)
    ]


def test_pay_for_people_says_what_is_left(desk_files: DeskFiles):
    ref = invoice_ref(desk_files)

    result = invoke("pay", ref, "--amount", "37", "--method", "CASH")

    assert result.code == 0, result.err
    assert f"Invoice {ref} partly paid" in result.out
    assert "paid £37.00, balance £500.00" in result.out


def test_paying_the_exact_balance_makes_the_invoice_paid(desk_files: DeskFiles):
    ref = invoice_ref(desk_files)
    ok_json("pay", ref, "--amount", "120.00", "--method", "card")

    data = ok_json("pay", ref, "--amount", "417.00", "--method", "transfer")

    assert_invoice(data, "paid", TOTAL, TOTAL)


def test_checkout_pays_the_rest_and_prints_the_booking_with_its_invoice(desk_files: DeskFiles):
    booking = book(desk_files)
    ref = booking["invoice"]["ref"]
    ok_json("pay", ref, "--amount", "100.00", "--method", "card")

    data = ok_json("checkout", ref, "--method", "cash")

    assert data["ref"] == booking["ref"]
    assert data["status"] == "confirmed"
    assert_invoice(data["invoice"], "paid", TOTAL, TOTAL)
    assert ledger(desk_files, ref)[-1][:3] == ("payment", TOTAL - 10_000, "cash")


# --- refund and adjust ------------------------------------------------------------------------


def test_refund_pays_back_part_of_what_was_paid(desk_files: DeskFiles):
    ref = invoice_ref(desk_files)
    ok_json("pay", ref, "--amount", "200.00", "--method", "card")

    data = ok_json(
        "refund", ref, "--amount", "50.00", "--method", "card", "--reason", "deposit too high"
    )

    assert_invoice(data, "partly_paid", TOTAL, 15_000)
    assert ledger(desk_files, ref)[-1] == (
        "refund",
        5_000,
        "card",
        "deposit too high",
        "system:cli",
    )


def test_a_refund_beyond_what_is_owed_back_needs_a_reason_exit_2(desk_files: DeskFiles):
    ref = invoice_ref(desk_files)
    ok_json("checkout", ref, "--method", "card")

    line = refused(desk_files, 2, "refund", ref, "--amount", "100.50", "--method", "card")

    assert line.error_line == (
        "error: A refund of £100.50 would leave £100.50 owed; give a reason (--reason) to "
        "record it as a correction."
    )
    data = ok_json(
        "refund", ref, "--amount", "100.50", "--method", "card", "--reason", "charged twice"
    )
    assert_invoice(data, "partly_paid", TOTAL, TOTAL - 10_050)
    assert ledger(desk_files, ref)[-1] == ("refund", 10_050, "card", "charged twice", "system:cli")


def test_a_refund_of_what_is_owed_back_needs_no_reason_but_a_cent_more_does(
    desk_files: DeskFiles,
):
    booking = book(desk_files)
    ref = booking["invoice"]["ref"]
    ok_json("checkout", ref, "--method", "card")
    ok_json("change", booking["ref"], "--days", "2")  # one day less: £179.00 owed back

    line = refused(desk_files, 2, "refund", ref, "--amount", "179.01", "--method", "cash")
    assert "would leave £0.01 owed" in line.error_line
    data = ok_json("refund", ref, "--amount", "179.00", "--method", "cash")
    assert_invoice(data, "paid", TOTAL - 17_900, TOTAL - 17_900)


def test_a_cancelled_paid_booking_is_refund_due_until_refunded(desk_files: DeskFiles):
    booking = book(desk_files)
    ref = booking["invoice"]["ref"]
    ok_json("checkout", ref, "--method", "card")

    cancelled = invoke("cancel", booking["ref"], "--reason", "flight moved")

    assert cancelled.code == 0, cancelled.err
    assert "no cancellation fee" in cancelled.out
    assert f"invoice {ref} is now refund due (£537.00 to refund)" in cancelled.out
    due = ok_json("invoices", "--status", "refund_due")
    assert ref in {item["ref"] for item in due}
    assert {item["status"] for item in due} == {"refund_due"}
    mine = next(item for item in due if item["ref"] == ref)
    assert_invoice(mine, "refund_due", 0, TOTAL)

    data = ok_json("refund", ref, "--amount", "537.00", "--method", "card")

    assert_invoice(data, "refunded", 0, 0)
    assert ref not in {item["ref"] for item in ok_json("invoices", "--status", "refund_due")}


def test_a_late_cancellation_says_what_the_fee_is(desk_files: DeskFiles):
    with desk_files.config.open("a", encoding="utf-8") as config:
        # No grace period: the booking is cancelled straight after it is made.
        config.write(
            "\n[billing]\ncancel_fee_percent = 10\ncancel_fee_hours = 48\n"
            "cancel_grace_minutes = 0\n"
        )
    booking = book(desk_files, days_ahead=1)
    ref = booking["invoice"]["ref"]

    cancelled = invoke("cancel", booking["ref"], "--reason", "too late")

    assert cancelled.code == 0, cancelled.err
    assert "late-cancellation fee £53.70 charged" in cancelled.out
    assert f"invoice {ref} is now unpaid (£53.70 due)" in cancelled.out
    shown = ok_json("invoice", ref)
    assert (shown["status"], shown["amount_cents"], shown["balance_cents"]) == (
        "unpaid",
        5_370,
        5_370,
    )
    assert [e["kind"] for e in shown["entries"]][-2:] == ["charge", "fee"]


def late_fees(desk_files: DeskFiles, grace_minutes: int | None = None) -> None:
    """10 % kept on a cancellation within 48 h of the start; the grace period as given."""
    grace = "" if grace_minutes is None else f"cancel_grace_minutes = {grace_minutes}\n"
    with desk_files.config.open("a", encoding="utf-8") as config:
        config.write(f"\n[billing]\ncancel_fee_percent = 10\ncancel_fee_hours = 48\n{grace}")


def test_a_booking_cancelled_straight_after_it_was_made_pays_no_fee(desk_files: DeskFiles):
    late_fees(desk_files)  # the default grace period: 30 minutes
    booking = book(desk_files, days_ahead=1)
    ref = booking["invoice"]["ref"]

    cancelled = invoke("cancel", booking["ref"], "--reason", "wrong dates")

    assert cancelled.code == 0, cancelled.err
    assert (
        "no cancellation fee (cancelled within 30 minutes of being booked, so the late fee of "
        "£53.70 does not apply)"
    ) in cancelled.out
    assert f"invoice {ref} is now void (nothing owed)" in cancelled.out
    assert [e["kind"] for e in ok_json("invoice", ref)["entries"]] == ["charge", "charge", "charge"]


def test_cancel_waive_fee_needs_a_reason_exit_2(desk_files: DeskFiles):
    late_fees(desk_files, grace_minutes=0)
    booking = book(desk_files, days_ahead=1)

    result = refused(desk_files, 2, "cancel", booking["ref"], "--waive-fee")

    assert "Say why the fee is waived (--reason)" in result.error_line


def test_cancel_waive_fee_cancels_with_no_fee_and_says_so(desk_files: DeskFiles):
    late_fees(desk_files, grace_minutes=0)
    booking = book(desk_files, days_ahead=1)
    ref = booking["invoice"]["ref"]
    ok_json("pay", ref, "--amount", "100.00", "--method", "card")

    cancelled = invoke(
        "cancel", booking["ref"], "--waive-fee", "--reason", "booked for the wrong customer"
    )

    assert cancelled.code == 0, cancelled.err
    assert (
        f"{booking['ref']} cancelled (booked for the wrong customer); no cancellation fee (the "
        f"late fee of £53.70 is waived); invoice {ref} is now refund due (£100.00 to refund)."
    ) == cancelled.out.strip()
    shown = ok_json("invoice", ref)
    assert (shown["amount_cents"], shown["balance_cents"]) == (0, -10_000)
    assert "fee" not in [e["kind"] for e in shown["entries"]]
    history = ok_json("booking", booking["ref"])["history"]
    (said,) = [h["detail"] for h in history if h["action"] == "cancelled"]
    assert said.startswith("booked for the wrong customer") and "is waived" in said


def test_adjust_corrects_the_amount_with_a_reason(desk_files: DeskFiles):
    ref = invoice_ref(desk_files)

    data = ok_json("adjust", ref, "--amount", "-15.00", "--reason", "scratched door")

    assert_invoice(data, "unpaid", TOTAL - 1_500, 0)
    assert ledger(desk_files, ref)[-1] == (
        "adjustment",
        -1_500,
        None,
        "scratched door",
        "system:cli",
    )


# --- invoice and invoices ---------------------------------------------------------------------


def test_invoice_json_lists_every_entry(desk_files: DeskFiles):
    booking = book(desk_files)
    ref = booking["invoice"]["ref"]
    ok_json("pay", ref, "--amount", "120.00", "--method", "card")
    ok_json("adjust", ref, "--amount", "+10.00", "--reason", "child seat")
    ok_json("refund", ref, "--amount", "20.00", "--method", "cash", "--reason", "goodwill")

    data = ok_json("invoice", ref)

    assert set(data) == INVOICE_KEYS | {"entries"}
    assert_invoice(
        {k: v for k, v in data.items() if k != "entries"}, "partly_paid", TOTAL + 1_000, 10_000
    )
    assert all(set(entry) == ENTRY_KEYS for entry in data["entries"])
    assert [
        (e["kind"], e["amount_cents"], e["method"], e["reason"], e["by"]) for e in data["entries"]
    ] == [
        ("charge", 3 * 8_900, None, None, "system:cli"),
        ("charge", 3 * 9_000, None, None, "system:cli"),
        ("payment", 12_000, "card", None, "system:cli"),
        ("adjustment", 1_000, None, "child seat", "system:cli"),
        ("refund", 2_000, "cash", "goodwill", "system:cli"),
    ]
    descriptions = [e["description"] for e in data["entries"]]
    assert all(isinstance(text, str) and text for text in descriptions)
    assert "3 day(s)" in descriptions[0]
    for entry in data["entries"]:
        moment = datetime.fromisoformat(entry["at"])
        assert moment.utcoffset() is not None
        assert abs(datetime.now(UTC) - moment) < timedelta(minutes=10)


def test_invoice_for_people_shows_the_statement(desk_files: DeskFiles):
    ref = invoice_ref(desk_files)
    ok_json("pay", ref, "--amount", "120.00", "--method", "card")

    result = invoke("invoice", ref)

    assert result.code == 0, result.err
    assert ref in result.out
    assert "paid £120.00, balance £417.00" in result.out


def test_the_statement_signs_payments_and_refunds_as_the_desk_does(desk_files: DeskFiles):
    """A payment takes the balance down (shown negative), a refund puts it back up."""
    ref = invoice_ref(desk_files)
    ok_json("pay", ref, "--amount", "120.00", "--method", "card")
    ok_json("refund", ref, "--amount", "20.00", "--method", "cash", "--reason", "goodwill")

    result = invoke("invoice", ref)

    assert result.code == 0, result.err
    payment = next(line for line in result.out.splitlines() if "card" in line)
    refund = next(line for line in result.out.splitlines() if "cash" in line)
    assert "-£120.00" in payment and "£417.00" in payment
    assert "£20.00" in refund and "-£20.00" not in refund and "£437.00" in refund


def test_invoices_filter_by_the_new_statuses(desk_files: DeskFiles):
    part = invoice_ref(desk_files)
    ok_json("pay", part, "--amount", "1.00", "--method", "card")

    listed = ok_json("invoices", "--status", "partly_paid")

    assert part in {item["ref"] for item in listed}
    assert all(set(item) == INVOICE_KEYS for item in listed)
    assert {item["status"] for item in listed} == {"partly_paid"}
    assert all(0 < item["paid_cents"] < item["amount_cents"] for item in listed)
    everything = ok_json("invoices")
    assert all(set(item) == INVOICE_KEYS for item in everything)
    assert all(
        item["balance_cents"] == item["amount_cents"] - item["paid_cents"] for item in everything
    )


def test_booking_json_nests_the_invoice_with_its_figures(desk_files: DeskFiles):
    booking = book(desk_files)

    assert set(booking["invoice"]) == INVOICE_KEYS
    assert_invoice(booking["invoice"], "unpaid", TOTAL, 0)
    listed = ok_json("bookings")
    assert all(set(item["invoice"]) == INVOICE_KEYS for item in listed)


# --- refusals ---------------------------------------------------------------------------------

MALFORMED = ["0", "0.00", "-5.00", "10.005", "ten", "1,50", ""]


@pytest.mark.parametrize("amount", MALFORMED)
@pytest.mark.parametrize("command", ["pay", "refund"])
def test_a_malformed_amount_is_exit_2(desk_files: DeskFiles, command, amount):
    ref = invoice_ref(desk_files)
    ok_json("pay", ref, "--amount", "100.00", "--method", "card")

    refused(desk_files, 2, command, ref, f"--amount={amount}", "--method", "card", "--json")


@pytest.mark.parametrize(
    "args",
    [
        ["--amount", "-15.00"],
        ["--amount", "-15.00", "--reason", "   "],
        ["--amount", "0", "--reason", "nothing"],
        ["--amount", "1.234", "--reason", "three decimals"],
        ["--amount", "a lot", "--reason", "not a number"],
    ],
)
def test_an_adjustment_without_a_reason_or_with_a_bad_amount_is_exit_2(desk_files, args):
    ref = invoice_ref(desk_files)

    refused(desk_files, 2, "adjust", ref, *args, "--json")


def test_a_bad_method_is_exit_2(desk_files: DeskFiles):
    ref = invoice_ref(desk_files)

    refused(desk_files, 2, "pay", ref, "--amount", "10.00", "--method", "cheque")


def test_states_that_do_not_allow_it_are_exit_4(desk_files: DeskFiles):
    booking = book(desk_files)
    ref = booking["invoice"]["ref"]

    refused(desk_files, 4, "refund", ref, "--amount", "1.00", "--method", "card")
    refused(desk_files, 4, "pay", ref, "--amount", "537.01", "--method", "card", "--json")
    refused(desk_files, 4, "adjust", ref, "--amount", "-537.01", "--reason", "too much")
    ok_json("pay", ref, "--amount", "100.00", "--method", "card")
    over = refused(desk_files, 4, "pay", ref, "--amount", "437.01", "--method", "card")
    assert "£437.00 due" in over.error_line
    refused(desk_files, 4, "refund", ref, "--amount", "100.01", "--method", "card")
    ok_json("checkout", ref, "--method", "card")
    refused(desk_files, 4, "checkout", ref, "--method", "card")
    refused(desk_files, 4, "pay", ref, "--amount", "0.01", "--method", "card")


def test_a_void_invoice_takes_no_payment_and_gives_no_refund(desk_files: DeskFiles):
    booking = book(desk_files)
    ref = booking["invoice"]["ref"]
    assert invoke("cancel", booking["ref"]).code == 0
    assert stored(desk_files, ref) == ("void", 0, 0)

    refused(desk_files, 4, "pay", ref, "--amount", "1.00", "--method", "card")
    refused(desk_files, 4, "checkout", ref, "--method", "card")
    refused(desk_files, 4, "refund", ref, "--amount", "1.00", "--method", "card")


@pytest.mark.parametrize(
    "args",
    [
        ["pay", "INV-999999", "--amount", "1.00", "--method", "card"],
        ["checkout", "INV-999999", "--method", "card"],
        ["refund", "INV-999999", "--amount", "1.00", "--method", "card"],
        ["adjust", "INV-999999", "--amount", "-1.00", "--reason", "typo"],
        ["invoice", "INV-999999"],
    ],
)
def test_an_unknown_invoice_is_exit_5(desk_files: DeskFiles, args):
    result = refused(desk_files, 5, *args, "--json")
    assert "INV-999999" in result.error_line


# --- the real command -------------------------------------------------------------------------


def test_the_real_command_pays_and_refuses_an_overpayment(desk_files: DeskFiles):
    ref = invoice_ref(desk_files)

    paid = start_nextcars(
        desk_files, "pay", ref, "--amount", "120.00", "--method", "card", "--json"
    )
    out, err = paid.communicate(timeout=120)
    assert paid.returncode == 0, err
    assert_invoice(json.loads(out), "partly_paid", TOTAL, 12_000)

    before = snapshot(desk_files.url)
    over = start_nextcars(desk_files, "pay", ref, "--amount", "417.01", "--method", "cash")
    out, err = over.communicate(timeout=120)
    assert (over.returncode, out) == (4, "")
    assert err.startswith("error: ") and "Traceback" not in err
    assert snapshot(desk_files.url) == before


def test_the_real_command_reads_a_negative_adjustment_as_an_amount(desk_files: DeskFiles):
    ref = invoice_ref(desk_files)

    run = subprocess.run(
        nextcars_command("adjust", ref, "--amount", "-15.00", "--reason", "scratch", "--json"),
        env=desk_files.env(),
        cwd=desk_files.folder,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stderr
    assert_invoice(json.loads(run.stdout), "unpaid", TOTAL - 1_500, 0)


def test_eight_real_pay_commands_of_forty_percent_take_two_payments(desk_files: DeskFiles):
    ref = invoice_ref(desk_files)
    share = "214.80"  # 40 % of 537.00: two fit, a third would overpay
    before = desk_files.rows("SELECT count(*) FROM ledger_entry")[0][0]

    racers = [
        start_nextcars(desk_files, "pay", ref, "--amount", share, "--method", "card", "--json")
        for _ in range(8)
    ]
    results = [(racer, *racer.communicate(timeout=180)) for racer in racers]

    codes = sorted(racer.returncode for racer, _, _ in results)
    assert codes == [0, 0] + [4] * 6, [(r.returncode, err) for r, _, err in results]
    for racer, out, err in results:
        if racer.returncode == 4:
            assert out == ""
            assert err.startswith("error: ") and "more than that" in err, err
            assert "Traceback" not in err
    assert sorted(json.loads(out)["paid_cents"] for r, out, _ in results if r.returncode == 0) == [
        21_480,
        42_960,
    ]
    assert ledger(desk_files, ref)[-2:] == [("payment", 21_480, "card", None, "system:cli")] * 2
    assert desk_files.rows("SELECT count(*) FROM ledger_entry")[0][0] == before + 2
    assert stored(desk_files, ref) == ("partly_paid", TOTAL, 42_960)
