"""The money commands: pay, refund, adjust, and one invoice with its statement."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from nextcars_tui.cli import output
from nextcars_tui.cli.context import Context
from nextcars_tui.domain.errors import FileAlreadyExists, InvalidInput
from nextcars_tui.domain.roles import Actor
from nextcars_tui.services import billing
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.views import InvoiceView

if TYPE_CHECKING:
    from nextcars_tui.services.invoice_document import SavedInvoice


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
    # `is None`, not falsiness: `--pdf ''` is a (bad) file name, refused by the file writer.
    if args.force and args.pdf is None:
        raise InvalidInput("--force goes with --pdf FILE: it allows replacing that file.")
    if args.email and args.pdf:
        raise InvalidInput("--email and --pdf: one at a time.")
    desk = ctx.desk()
    if args.email:
        return _invoice_email(desk, ctx.actor, args)
    if args.pdf is not None:
        return _invoice_pdf(desk, ctx.actor, args)
    found = billing.invoice_statement(desk, ctx.actor, args.ref)
    if args.json:
        output.print_json(output.statement_json(found, desk.settings.business.zone))
    else:
        output.show(output.statement_table(found, desk.money, desk.settings.business.zone))
    return 0


def _invoice_pdf(desk: Desk, actor: Actor, args: argparse.Namespace) -> int:
    # Imported here: the PDF library (with Pillow and fontTools) is slow to load, and only
    # the commands that write a document need it.
    from nextcars_tui.services.invoice_document import save_invoice_pdf

    return _write_pdf(save_invoice_pdf, "invoice", desk, actor, args)


def receipt(ctx: Context, args: argparse.Namespace) -> int:
    from nextcars_tui.services.invoice_document import save_receipt_pdf

    return _write_pdf(save_receipt_pdf, "the receipt for invoice", ctx.desk(), ctx.actor, args)


def _write_pdf(
    save: Callable[..., SavedInvoice],
    what: str,
    desk: Desk,
    actor: Actor,
    args: argparse.Namespace,
) -> int:
    """Write a document through the one file writer: the same refusals for every PDF."""
    try:
        saved = save(desk, actor, args.ref, args.pdf, force=args.force)
    except FileAlreadyExists as exists:
        raise InvalidInput(
            f"{exists.path} already exists; give --force to replace it, or choose another name.",
            field="path",
        ) from None
    if args.json:
        output.print_json({"ref": saved.ref, "path": str(saved.path), "pages": saved.pages})
    else:
        pages = f"{saved.pages} page{'s' if saved.pages != 1 else ''}"
        output.print_lines([f"Wrote {what} {saved.ref} to {saved.path} ({pages})."])
    return 0


def _invoice_email(desk: Desk, actor: Actor, args: argparse.Namespace) -> int:
    from nextcars_tui.cli.mail import outbox_json
    from nextcars_tui.services.outbox import email_invoice

    queued = email_invoice(desk, actor, args.ref)
    if args.json:
        output.print_json(outbox_json(queued, desk.settings.business.zone))
    else:
        output.print_lines(
            [
                f"Queued invoice {queued.invoice} to {queued.to} (message {queued.id}); it "
                "leaves with the next 'nextcars mail send' or the desk's worker."
            ]
        )
    return 0
