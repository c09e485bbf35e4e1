"""The ledger read outside the store: entries, sums and the invariants every invoice keeps.

Plain functions over rawdb connections, so the service tests, the race tests (whose racers
are separate processes) and the Hypothesis state machine check the same things the same way:
an invoice's stored figures are what its entries add up to, and its status is what
domain.ledger derives from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rawdb import Target, raw

from nextcars_tui.domain.ledger import EntryKind, Figures

ENTRY_COLUMNS = "e.id, e.kind, e.amount_cents, e.method, e.description, e.reason, e.at, e.actor"


@dataclass(frozen=True)
class Books:
    """One invoice as stored, next to the sums of its ledger entries."""

    ref: str
    booking_status: str
    status: str
    due: date
    amount_cents: int
    paid_cents: int
    billed_sum: int
    payments_sum: int
    refunds_sum: int

    @property
    def figures(self) -> Figures:
        """The figures the entries give."""
        return Figures(self.billed_sum, self.payments_sum - self.refunds_sum, self.refunds_sum)

    @property
    def balance_cents(self) -> int:
        return self.amount_cents - self.paid_cents


_BOOKS_SQL = (
    "SELECT i.ref, b.status, i.status, i.due_date, i.amount_cents, i.paid_cents, "
    "COALESCE(SUM(CASE WHEN e.kind IN ('charge', 'fee', 'adjustment') "
    "THEN e.amount_cents ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN e.kind = 'payment' THEN e.amount_cents ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN e.kind = 'refund' THEN e.amount_cents ELSE 0 END), 0) "
    "FROM invoice i JOIN booking b ON b.id = i.booking_id "
    "LEFT JOIN ledger_entry e ON e.invoice_id = i.id "
    "GROUP BY i.id, i.ref, b.status, i.status, i.due_date, i.amount_cents, i.paid_cents "
    "ORDER BY i.ref"
)


def all_books(target: Target) -> dict[str, Books]:
    """Every invoice with its entries' sums, keyed by invoice ref."""
    with raw(target) as db:
        rows = db.execute(_BOOKS_SQL).fetchall()
    return {
        ref: Books(
            ref,
            b_status,
            i_status,
            date.fromisoformat(str(due)),
            int(amount),
            int(paid),
            int(billed),
            int(payments),
            int(refunds),
        )
        for ref, b_status, i_status, due, amount, paid, billed, payments, refunds in rows
    }


def books(target: Target, ref: str) -> Books:
    found = all_books(target).get(ref)
    assert found is not None, f"{ref} is not in the database"
    return found


def entries(target: Target, ref: str) -> list[tuple[object, ...]]:
    """An invoice's ledger rows as stored, oldest first."""
    with raw(target) as db:
        return db.execute(
            f"SELECT {ENTRY_COLUMNS} FROM ledger_entry e JOIN invoice i ON i.id = e.invoice_id "
            "WHERE i.ref = ? ORDER BY e.id",
            (ref,),
        ).fetchall()


def kinds(target: Target, ref: str) -> list[tuple[str, int]]:
    """(kind, amount_cents) of an invoice's entries, oldest first."""
    return [(str(row[1]), int(str(row[2]))) for row in entries(target, ref)]


def all_entries(target: Target) -> list[tuple[object, ...]]:
    with raw(target) as db:
        return db.execute(
            f"SELECT {ENTRY_COLUMNS}, e.invoice_id FROM ledger_entry e ORDER BY e.id"
        ).fetchall()


def replay_problems(target: Target, ref: str) -> list[str]:
    """Walk an invoice's entries in the order they were written and name every one that its
    rule should have refused at that moment: a payment beyond the balance then due, or a
    refund beyond what had been paid. Entries are written under the invoice's lock, so their
    order is the order the decisions were made in."""
    problems: list[str] = []
    figures = Figures()
    for row in entries(target, ref):
        entry_id, kind, amount = row[0], str(row[1]), int(str(row[2]))
        if kind == "payment" and amount > figures.balance_cents:
            problems.append(
                f"entry {entry_id}: a payment of {amount} with {figures.balance_cents} due"
            )
        if kind == "refund" and amount > figures.paid_cents:
            problems.append(
                f"entry {entry_id}: a refund of {amount} with {figures.paid_cents} paid"
            )
        figures = figures.after(EntryKind(kind), amount)
    return problems
