"""Manager reports: ageing of balances still owed, per bucket and per customer, and the
refunds owed back to customers. Sums and counts come from the database; only a page of
invoices is loaded, so the review opens as fast over a million invoices as over a hundred."""

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

# What the review loads at once: the oldest debts first and the customers owing most. The
# buckets, totals and counts cover every invoice owed, summed by the database.
AGEING_PAGE = 100
TOP_CUSTOMERS = 100


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
    # The first page of the invoices owed (of one customer, when asked for), most days late
    # first, then those not yet due by number.
    lines: list[AgeingLine]
    bucket_cents: dict[str, int]
    bucket_counts: dict[str, int]
    # The customers owing most, most first (at most TOP_CUSTOMERS).
    customers: list[CustomerOwes]
    # Invoices owing money back to customers, oldest first: their own group, not debt.
    refunds_due: list[InvoiceView]
    # How many invoices the lines were taken from (all of the customer's, when asked for).
    line_count: int = 0

    @property
    def refunds_due_cents(self) -> int:
        return sum(-invoice.balance_cents for invoice in self.refunds_due)

    @property
    def total_cents(self) -> int:
        return sum(self.bucket_cents.values())

    @property
    def invoice_count(self) -> int:
        """Every invoice still owed, in all buckets."""
        return sum(self.bucket_counts.values())

    @property
    def past_due_count(self) -> int:
        return self.invoice_count - self.bucket_counts[BUCKETS[0]]


def ageing_report(
    desk: Desk,
    actor: Actor,
    *,
    customer_email: str | None = None,
    limit: int | None = AGEING_PAGE,
) -> AgeingReport:
    """Balances still owed, aged by due date: bucket sums over every owing invoice, the
    customers owing most, and the first `limit` invoices (None: all), most days late
    first, of one customer when an e-mail is given; refunds due apart."""
    actor.require(Permission.VIEW_REPORTS)
    today = desk.today()
    statuses = [s.value for s in OWING_INVOICE_STATUSES]
    bucket_cents = dict.fromkeys(BUCKETS, 0)
    bucket_counts = dict.fromkeys(BUCKETS, 0)
    with desk.db.read() as uow:
        for due, owed, count in uow.invoices.owed_by_due_date(statuses):
            bucket = bucket_for(days_past_due(due, today))
            bucket_cents[bucket] += owed
            bucket_counts[bucket] += count
        customers = [
            CustomerOwes(who.name, who.email, cents, count)
            for who, cents, count in uow.invoices.owed_by_customer(statuses, TOP_CUSTOMERS)
        ]
        customer_id: int | None = None
        if customer_email is not None:
            found = uow.customers.by_email(customer_email)
            customer_id = found.id if found is not None and found.id is not None else -1
        # Most days late first, then the ones not yet due (all 0 days late) by number.
        rows = uow.invoices.rows(
            statuses=statuses, customer_id=customer_id, due_before=today, limit=limit
        )
        if limit is None or len(rows) < limit:
            rows += uow.invoices.rows(
                statuses=statuses,
                customer_id=customer_id,
                due_from=today,
                limit=None if limit is None else limit - len(rows),
                by_number=True,
            )
        line_count = (
            sum(bucket_counts.values())
            if customer_id is None
            else uow.invoices.count(statuses=statuses, customer_id=customer_id)
        )
        refunds_due = [
            invoice_view(*row)
            for row in uow.invoices.rows(statuses=[InvoiceStatus.REFUND_DUE.value], limit=limit)
        ]
    lines = []
    for row in rows:
        invoice = invoice_view(*row)
        late = days_past_due(invoice.due, today)
        lines.append(AgeingLine(invoice, late, bucket_for(late)))
    return AgeingReport(
        today, lines, bucket_cents, bucket_counts, customers, refunds_due, line_count
    )


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
