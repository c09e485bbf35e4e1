"""The money commands: pay, refund, adjust, and one invoice with its statement."""

from __future__ import annotations

import argparse

from nextcars_tui.cli import output
from nextcars_tui.cli.context import Context
from nextcars_tui.services import billing
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.views import InvoiceView


def _show(desk: Desk, view: InvoiceView, as_json: bool) -> int:
    if as_json:
        output.print_json(output.invoice_json(view))
    else:
        output.print_lines(output.invoice_lines(view, desk.money))
    return 0


def pay(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    return _show(desk, billing.pay(desk, ctx.actor, args.ref, args.amount, args.method), args.json)


def refund(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    view = billing.refund(desk, ctx.actor, args.ref, args.amount, args.method, args.reason)
    return _show(desk, view, args.json)


def adjust(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    return _show(
        desk, billing.adjust(desk, ctx.actor, args.ref, args.amount, args.reason), args.json
    )


def invoice(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    found = billing.invoice_statement(desk, ctx.actor, args.ref)
    if args.json:
        output.print_json(output.statement_json(found, desk.settings.business.zone))
    else:
        output.console().print(
            output.statement_table(found, desk.money, desk.settings.business.zone)
        )
    return 0
