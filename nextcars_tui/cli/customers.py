"""`nextcars customer EMAIL`: one customer's account, as text or as JSON.

The JSON keys are the scripting contract (README): `{"email", "name", "phone", "retired",
"owed_cents", "owed_back_cents", "bookings": [booking], "invoices": [invoice]}`, bookings and
invoices in the shapes every other command prints them."""

from __future__ import annotations

import argparse
from typing import Any

from nextcars_tui.cli import output
from nextcars_tui.cli.context import Context
from nextcars_tui.services.customers import CustomerAccount, customer_account


def account_json(account: CustomerAccount) -> dict[str, Any]:
    customer, balance = account.customer, account.balance
    return {
        "email": customer.email,
        "name": customer.name,
        "phone": customer.phone,
        "retired": customer.retired,
        "owed_cents": balance.owed_cents,
        "owed_back_cents": balance.owed_back_cents,
        "bookings": [output.booking_json(view) for view in account.bookings],
        "invoices": [output.invoice_json(view) for view in account.invoices],
    }


def customer(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    account = customer_account(desk, ctx.actor, args.email)
    if args.json:
        output.print_json(account_json(account))
        return 0
    person, balance, money = account.customer, account.balance, desk.money
    overdue = (
        f" ({balance.overdue_invoices} overdue: {money(balance.overdue_cents)})"
        if balance.overdue_invoices
        else ""
    )
    output.print_lines(
        [
            f"{person.name} <{person.email}>, {person.phone}"
            + (" (retired: no new bookings)" if person.retired else ""),
            f"Owed: {money(balance.owed_cents)}{overdue}; "
            f"owed back: {money(balance.owed_back_cents)}.",
        ]
    )
    output.show(output.bookings_table(account.bookings, money))
    output.show(output.invoices_table(account.invoices, money))
    return 0
