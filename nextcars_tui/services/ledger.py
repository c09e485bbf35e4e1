"""Posting to an invoice's ledger: the entries go in, and the invoice's figures and status are
derived from them again, in the same transaction (so lists never sum the ledger)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from nextcars_tui.domain.ledger import EntryKind, Figures, invoice_status
from nextcars_tui.domain.money import cents_to_text
from nextcars_tui.domain.pricing import Quote
from nextcars_tui.domain.statuses import PaymentMethod
from nextcars_tui.store import UnitOfWork
from nextcars_tui.store.hot_path import row
from nextcars_tui.store.tables import Invoice, LedgerEntry


def entry(
    invoice_id: int,
    kind: EntryKind,
    amount_cents: int,
    description: str,
    *,
    at: datetime,
    actor: str,
    method: PaymentMethod | None = None,
    reason: str | None = None,
) -> LedgerEntry:
    return row(
        LedgerEntry,
        invoice_id=invoice_id,
        kind=kind.value,
        amount_cents=amount_cents,
        method=method.value if method is not None else None,
        description=description,
        reason=reason,
        at=at,
        actor=actor,
    )


def rental_charges(
    invoice_id: int, quote: Quote, car_plate: str, driver_code: str, *, at: datetime, actor: str
) -> list[LedgerEntry]:
    """The rental as two charge lines: days × the car's rate, days × the driver's fee (a
    line for nothing is left out)."""
    lines = (
        (f"Car {car_plate}", quote.car_daily_rate_cents, quote.car_cents),
        (f"Driver {driver_code}", quote.driver_daily_fee_cents, quote.driver_cents),
    )
    return [
        entry(
            invoice_id,
            EntryKind.CHARGE,
            cents,
            f"{what}: {quote.days} day(s) × {cents_to_text(rate)}",
            at=at,
            actor=actor,
        )
        for what, rate, cents in lines
        if cents
    ]


def post(
    uow: UnitOfWork,
    invoice: Invoice,
    booking_status: str,
    entries: Sequence[LedgerEntry],
    today: date,
) -> Figures:
    """Add entries to a held invoice and bring its figures and status up to date."""
    uow.invoices.add_entries(entries)
    figures = uow.invoices.figures(invoice.id or 0)
    status = invoice_status(figures, booking_status, invoice.due_date, today)
    uow.invoices.set_figures(invoice, figures, status)
    return figures
