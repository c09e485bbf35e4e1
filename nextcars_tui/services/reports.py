"""Manager reports: ageing of balances still owed, per bucket and per customer, and the
refunds owed back to customers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nextcars_tui.domain.ageing import BUCKETS, bucket_for, days_past_due
from nextcars_tui.domain.money import cents_to_text
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.domain.statuses import OWING_INVOICE_STATUSES, InvoiceStatus
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.exports import ExportResult, csv_text, write_csv
from nextcars_tui.services.views import InvoiceView, invoice_view

MAX_REPORT_ROWS = 20_000


@dataclass(frozen=True)
class AgeingLine:
    invoice: InvoiceView
    days_late: int
    bucket: str


@dataclass(frozen=True)
class CustomerOwes:
    name: str
    email: str
    cents: int
    invoices: int


@dataclass(frozen=True)
class AgeingReport:
    today: date
    lines: list[AgeingLine]
    bucket_cents: dict[str, int]
    bucket_counts: dict[str, int]
    customers: list[CustomerOwes]
    # Invoices owing money back to customers, oldest first: their own group, not debt.
    refunds_due: list[InvoiceView]

    @property
    def refunds_due_cents(self) -> int:
        return sum(-invoice.balance_cents for invoice in self.refunds_due)

    @property
    def total_cents(self) -> int:
        return sum(self.bucket_cents.values())


def ageing_report(desk: Desk, actor: Actor) -> AgeingReport:
    """Every balance still owed, oldest debt first, aged by due date; refunds due apart."""
    actor.require(Permission.VIEW_REPORTS)
    today = desk.today()
    statuses = [s.value for s in OWING_INVOICE_STATUSES]
    with desk.db.read() as uow:
        invoices = [
            invoice_view(*row)
            for row in uow.invoices.rows(statuses=statuses, limit=MAX_REPORT_ROWS)
        ]
        refunds_due = [
            invoice_view(*row)
            for row in uow.invoices.rows(
                statuses=[InvoiceStatus.REFUND_DUE.value], limit=MAX_REPORT_ROWS
            )
        ]
    lines = []
    for invoice in invoices:
        late = days_past_due(invoice.due, today)
        lines.append(AgeingLine(invoice, late, bucket_for(late)))
    lines.sort(key=lambda line: (-line.days_late, line.invoice.ref))
    bucket_cents = dict.fromkeys(BUCKETS, 0)
    bucket_counts = dict.fromkeys(BUCKETS, 0)
    owed: dict[str, CustomerOwes] = {}
    for line in lines:
        bucket_cents[line.bucket] += line.invoice.balance_cents
        bucket_counts[line.bucket] += 1
        email = line.invoice.customer_email
        before = owed.get(email, CustomerOwes(line.invoice.customer_name, email, 0, 0))
        owed[email] = CustomerOwes(
            before.name, email, before.cents + line.invoice.balance_cents, before.invoices + 1
        )
    customers = sorted(owed.values(), key=lambda c: (-c.cents, c.email))
    return AgeingReport(today, lines, bucket_cents, bucket_counts, customers, refunds_due)


AGEING_HEADER: tuple[str, ...] = (
    "invoice",
    "booking",
    "customer",
    "email",
    "status",
    "due",
    "days_late",
    "bucket",
    "amount",
    "paid",
    "balance",
)


def ageing_rows(lines: Sequence[AgeingLine]) -> list[list[str | int]]:
    """The cells of each ageing line, amounts in currency units like the import files."""
    rows: list[list[str | int]] = []
    for line in lines:
        inv = line.invoice
        rows.append(
            [
                inv.ref,
                inv.booking_ref,
                inv.customer_name,
                inv.customer_email,
                inv.status.value,
                inv.due.isoformat(),
                line.days_late,
                line.bucket,
                cents_to_text(inv.amount_cents),
                cents_to_text(inv.paid_cents),
                cents_to_text(inv.balance_cents),
            ]
        )
    return rows


def ageing_csv(report: AgeingReport) -> str:
    """The report's lines as CSV text, cells neutralised. To write a file, use export_ageing:
    private, never over a file unasked, with a byte-order mark."""
    return csv_text(AGEING_HEADER, ageing_rows(report.lines), line_end="\n")


def export_ageing(
    desk: Desk,
    actor: Actor,
    lines: Sequence[AgeingLine],
    target: str | Path,
    *,
    force: bool = False,
) -> ExportResult:
    """Ageing lines (the report's, or the ones a screen shows) to a CSV file through the one
    export writer; an existing file raises FileAlreadyExists unless force."""
    actor.require(Permission.VIEW_REPORTS)
    return write_csv(desk, target, AGEING_HEADER, ageing_rows(lines), force=force)
