"""`nextcars customer EMAIL [--json]`: the contract's keys exactly, every booking and invoice
of the customer in the shapes `bookings --json` and `invoices --json` print, what is owed and
owed back from the raw invoice rows, retired as a bool; an unknown customer exit 5; on each
engine."""

from __future__ import annotations

import json
from typing import Any

from tests.cli.clikit import DeskFiles, invoke

KEYS = {
    "email",
    "name",
    "phone",
    "retired",
    "owed_cents",
    "owed_back_cents",
    "bookings",
    "invoices",
}


def ok_json(*args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.code == 0, result.err
    assert result.err == ""
    return json.loads(result.out)


def busiest_customer(files: DeskFiles) -> tuple[str, str, str]:
    """The customer with the most bookings (email, name, phone)."""
    row = files.rows(
        "SELECT c.email, c.name, c.phone FROM customer c JOIN booking b ON b.customer_id = c.id "
        "GROUP BY c.id, c.email, c.name, c.phone ORDER BY count(*) DESC, c.email LIMIT 1"
    )[0]
    return str(row[0]), str(row[1]), str(row[2])


def test_customer_json_is_the_contract_with_every_booking_and_invoice(desk_files: DeskFiles):
    address, name, phone = busiest_customer(desk_files)
    data = ok_json("customer", address.upper())
    assert set(data) == KEYS
    assert (data["email"], data["name"], data["phone"], data["retired"]) == (
        address,
        name,
        phone,
        False,
    )
    refs = {
        str(ref)
        for (ref,) in desk_files.rows(
            "SELECT b.ref FROM booking b JOIN customer c ON c.id = b.customer_id WHERE c.email = ?",
            address,
        )
    }
    assert len(refs) > 1
    assert {b["ref"] for b in data["bookings"]} == refs
    assert {i["booking"] for i in data["invoices"]} == refs
    # The same objects every other command prints.
    listed = {b["ref"]: b for b in ok_json("bookings")}
    assert data["bookings"] == [listed[b["ref"]] for b in data["bookings"]]
    invoices = {i["ref"]: i for i in ok_json("invoices")}
    assert data["invoices"] == [invoices[i["ref"]] for i in data["invoices"]]
    # Newest first.
    starts = [b["start"] for b in data["bookings"]]
    assert starts == sorted(starts, reverse=True)


def test_owed_and_owed_back_come_from_the_invoices_balances(desk_files: DeskFiles):
    for (address,) in desk_files.rows("SELECT email FROM customer ORDER BY email"):
        balances = [
            int(balance)
            for (balance,) in desk_files.rows(
                "SELECT i.amount_cents - i.paid_cents FROM invoice i "
                "JOIN booking b ON b.id = i.booking_id JOIN customer c ON c.id = b.customer_id "
                "WHERE c.email = ?",
                address,
            )
        ]
        data = ok_json("customer", str(address))
        assert data["owed_cents"] == sum(b for b in balances if b > 0), address
        assert data["owed_back_cents"] == -sum(b for b in balances if b < 0), address


def test_a_retired_customer_says_so(desk_files: DeskFiles):
    address = str(
        desk_files.rows(
            "SELECT email FROM customer c WHERE NOT EXISTS (SELECT 1 FROM booking b WHERE "
            "b.customer_id = c.id AND b.status IN ('pending', 'confirmed')) ORDER BY email"
        )[0][0]
    )
    assert invoke("retire", "customer", address).code == 0
    assert ok_json("customer", address)["retired"] is True


def test_an_unknown_customer_is_exit_5(desk_files: DeskFiles):
    for typed in ("nobody@example.com", "nobody"):
        result = invoke("customer", typed, "--json")
        assert result.code == 5
        assert result.out == ""
        assert typed in result.error_line


def test_the_text_lists_contact_money_bookings_and_invoices(desk_files: DeskFiles):
    address, name, phone = busiest_customer(desk_files)
    result = invoke("customer", address)
    assert result.code == 0, result.err
    assert f"{name} <{address}>, {phone}" in result.out
    assert "Owed: £" in result.out and "owed back: £" in result.out
    for booking in ok_json("customer", address)["bookings"]:
        assert booking["ref"] in result.out
        assert booking["invoice"]["ref"] in result.out
