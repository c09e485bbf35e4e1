"""Ledger entries as the desk writes them: the rental's charge lines and single movements. The
store posts them (InvoiceRepository.post), deriving the invoice's figures and status again."""

from __future__ import annotations

from datetime import datetime

from nextcars_tui.domain.ledger import EntryKind
from nextcars_tui.domain.money import cents_to_text
from nextcars_tui.domain.pricing import Quote
from nextcars_tui.domain.statuses import PaymentMethod
from nextcars_tui.store import LedgerEntryRecord


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
) -> LedgerEntryRecord:
    return LedgerEntryRecord(
        id=None,
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
) -> list[LedgerEntryRecord]:
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
