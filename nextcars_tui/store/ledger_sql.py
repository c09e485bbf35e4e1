"""The ledger's rules in SQL, built from the domain's definitions, for statements that work on
many invoices at once (the lifecycle rules, `db check`). Tests hold them to the domain's
functions on generated cases, so the two cannot drift apart."""

from __future__ import annotations

from nextcars_tui.domain.ledger import BILLED_KINDS, EntryKind
from nextcars_tui.domain.statuses import BookingStatus, InvoiceStatus


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def invoice_status_sql(
    *, billed: str, paid: str, refunded: str, booking_status: str, due: str, today: str
) -> str:
    """domain.ledger.invoice_status as a CASE over these SQL expressions: what the invoice is
    for, what was paid net of refunds, what was refunded, its booking's status, its due date
    and today. `refunded` is read only for a settled invoice of a cancelled booking."""
    balance = f"({billed} - {paid})"
    cancelled = f"{booking_status} = '{BookingStatus.CANCELLED.value}'"
    return (
        f"CASE WHEN {balance} < 0 THEN '{InvoiceStatus.REFUND_DUE.value}' "
        f"WHEN {balance} > 0 THEN CASE "
        f"WHEN {due} < {today} THEN '{InvoiceStatus.OVERDUE.value}' "
        f"WHEN {paid} > 0 THEN '{InvoiceStatus.PARTLY_PAID.value}' "
        f"ELSE '{InvoiceStatus.UNPAID.value}' END "
        f"WHEN {cancelled} AND {refunded} > 0 THEN '{InvoiceStatus.REFUNDED.value}' "
        f"WHEN {cancelled} AND {paid} = 0 THEN '{InvoiceStatus.VOID.value}' "
        f"ELSE '{InvoiceStatus.PAID.value}' END"
    )


def entry_sums_sql() -> str:
    """Per invoice, from its ledger entries in one pass: (invoice_id, billed, paid, refunded),
    signed as domain.ledger.Figures adds them up, and its charges' sum and number of fees."""
    payment, refund = EntryKind.PAYMENT.value, EntryKind.REFUND.value
    billed = _listed(tuple(kind.value for kind in BILLED_KINDS))
    return (
        "SELECT invoice_id, "
        f"sum(CASE WHEN kind IN ({billed}) THEN amount_cents ELSE 0 END) AS billed, "
        f"sum(CASE kind WHEN '{payment}' THEN amount_cents WHEN '{refund}' THEN -amount_cents "
        "ELSE 0 END) AS paid, "
        f"sum(CASE kind WHEN '{refund}' THEN amount_cents ELSE 0 END) AS refunded, "
        f"sum(CASE kind WHEN '{EntryKind.CHARGE.value}' THEN amount_cents ELSE 0 END) AS charged, "
        f"sum(CASE kind WHEN '{EntryKind.FEE.value}' THEN 1 ELSE 0 END) AS fees "
        "FROM ledger_entry GROUP BY invoice_id"
    )


def refunded_sql(invoice: str) -> str:
    """What was refunded on one invoice (through ix_ledger_invoice)."""
    return (
        "(SELECT coalesce(sum(e.amount_cents), 0) FROM ledger_entry AS e "
        f"WHERE e.invoice_id = {invoice} AND e.kind = '{EntryKind.REFUND.value}')"
    )
