"""The invoice document a customer keeps: the statement laid out as PDF (services.invoice_layout)
and written through the one export writer, so the file is private (0600, it holds personal
data) and never replaces an existing file unless the caller says so."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nextcars_tui.domain.errors import NotAllowed
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.services.billing import invoice_statement
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.exports import save_document
from nextcars_tui.services.invoice_layout import invoice_pdf, last_payment, receipt_pdf


@dataclass(frozen=True)
class SavedInvoice:
    ref: str
    path: Path
    pages: int


def save_invoice_pdf(
    desk: Desk, actor: Actor, ref: str, target: str | Path, *, force: bool = False
) -> SavedInvoice:
    """Write the invoice document to target. An existing file raises FileAlreadyExists
    unless force; an unknown invoice raises NotFound before any file is touched. Only the
    desk writes files on its machine: a customer signed in over SSH sees invoices on screen."""
    actor.require(Permission.VIEW_DESK)
    found = invoice_statement(desk, actor, ref)
    settings = desk.settings
    path, document = save_document(
        desk,
        target,
        lambda: invoice_pdf(
            found, settings.business, desk.money, desk.now(), settings.invoice.fallback_fonts
        ),
        force=force,
    )
    return SavedInvoice(found.invoice.ref, path, document.pages)


def save_receipt_pdf(
    desk: Desk, actor: Actor, ref: str, target: str | Path, *, force: bool = False
) -> SavedInvoice:
    """Write a receipt for the invoice's last payment to target, with the same refusals as
    the invoice document; an invoice with no payment yet is refused (NotAllowed) before any
    file is touched."""
    actor.require(Permission.VIEW_DESK)
    found = invoice_statement(desk, actor, ref)
    payment = last_payment(found)
    if payment is None:
        raise NotAllowed(
            f"Nothing has been paid on invoice {found.invoice.ref}: no receipt to write."
        )
    settings = desk.settings
    path, document = save_document(
        desk,
        target,
        lambda: receipt_pdf(
            found,
            payment,
            settings.business,
            desk.money,
            desk.now(),
            settings.invoice.fallback_fonts,
        ),
        force=force,
    )
    return SavedInvoice(found.invoice.ref, path, document.pages)
