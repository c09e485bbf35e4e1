"""`db check`: the desk's invariants checked against a database as it is, read-only.

Run after a restore, or whenever in doubt; the race and state-machine tests use the same
checks after every step. Each check reads the tables that hold the facts and reports every
ref that breaks it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from nextcars_tui.domain.dates import describe_days
from nextcars_tui.domain.holds import Hold, overlapping_pairs
from nextcars_tui.domain.money import cents_to_text
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.domain.statuses import BookingStatus
from nextcars_tui.store import BooksRow, Database, UnitOfWork

# At most this many violations are listed per check, then how many more there are.
MAX_LISTED = 1000


class Invariant(StrEnum):
    SCHEMA_CURRENT = "schema_current"
    HOLDS_DO_NOT_OVERLAP = "holds_do_not_overlap"
    OCCUPANCY_MATCHES = "occupancy_matches_bookings_and_blocks"
    ONE_INVOICE_PER_BOOKING = "one_invoice_per_booking"
    INVOICES_MATCH_LEDGER = "invoices_match_their_ledger"
    BOOKINGS_MATCH_CHARGES = "bookings_match_their_charges"
    COMPLETED_AFTER_END = "completed_only_after_their_end"
    END_IS_START_PLUS_DAYS = "end_is_start_plus_days"
    REFS_UNIQUE = "refs_unique"


@dataclass(frozen=True)
class CheckResult:
    name: Invariant
    violations: list[str]

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class IntegrityReport:
    where: str
    checks: list[CheckResult]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def _listed(violations: list[str]) -> list[str]:
    if len(violations) <= MAX_LISTED:
        return violations
    return [*violations[:MAX_LISTED], f"… and {len(violations) - MAX_LISTED} more"]


def check_database(db: Database, actor: Actor, today: date) -> IntegrityReport:
    """Every invariant, in one consistent read of the database; nothing is written. A
    database that is not NextCars' (empty, foreign or newer) is refused (StoreUnavailable);
    an older one fails the schema check alone, since the others need the current tables."""
    actor.require(Permission.MAINTAIN_DATABASE)
    behind = db.schema_lag()
    if behind is not None:
        return IntegrityReport(db.where, [CheckResult(Invariant.SCHEMA_CURRENT, [behind])])
    with db.snapshot() as uow:
        keys = uow.integrity.resource_keys()
        holders = uow.integrity.holders()
        books = uow.integrity.books_off_their_ledger(today)
        stray = uow.integrity.entries_without_invoice()
        checks = [
            CheckResult(Invariant.SCHEMA_CURRENT, []),
            CheckResult(Invariant.HOLDS_DO_NOT_OVERLAP, _overlaps(holders, keys)),
            CheckResult(Invariant.OCCUPANCY_MATCHES, _occupancy(uow, holders, keys)),
            CheckResult(Invariant.ONE_INVOICE_PER_BOOKING, _invoices(uow)),
            CheckResult(Invariant.INVOICES_MATCH_LEDGER, _ledger(books, stray)),
            CheckResult(Invariant.BOOKINGS_MATCH_CHARGES, _charges(books)),
            CheckResult(
                Invariant.COMPLETED_AFTER_END,
                [
                    f"{ref} is completed but its rental has not ended"
                    for ref in uow.integrity.completed_before_their_end(today)
                ],
            ),
            CheckResult(
                Invariant.END_IS_START_PLUS_DAYS,
                [
                    f"{ref} ends on a day other than its start plus its days"
                    for ref in uow.integrity.ends_not_start_plus_days()
                ],
            ),
            CheckResult(
                Invariant.REFS_UNIQUE,
                [f"{ref} is used {count} times" for ref, count in uow.integrity.duplicate_refs()],
            ),
        ]
    return IntegrityReport(db.where, [CheckResult(c.name, _listed(c.violations)) for c in checks])


Keys = dict[tuple[str, int], str]


def _what(hold: Hold, keys: Keys) -> str:
    """'car KX-204 3–5 Dec'"""
    key = keys.get((hold.kind.value, hold.resource_id), f"#{hold.resource_id}")
    return f"{hold.kind.value} {key} {describe_days(hold.start, hold.end)}"


def _overlaps(holders: Iterable[Hold], keys: Keys) -> list[str]:
    return [
        f"{first.ref} and {second.ref} both hold {_what(second, keys)}"
        for first, second in overlapping_pairs(holders)
    ]


def _occupancy(uow: UnitOfWork, holders: list[Hold], keys: Keys) -> list[str]:
    """The occupancy rows against what the bookings and blocks in force hold."""

    def shape(hold: Hold) -> tuple[object, ...]:
        return (hold.kind, hold.resource_id, hold.start, hold.end, hold.ref)

    rows = {shape(h): h for h in uow.occupancy.in_window(date.min, date.max)}
    wanted = {shape(h): h for h in holders}
    missing = [
        f"{h.ref} holds {_what(h, keys)} but occupancy does not say so"
        for key, h in sorted(wanted.items(), key=lambda item: item[1].ref)
        if key not in rows
    ]
    stray = [
        f"occupancy holds {_what(h, keys)} for {h.ref}, which does not hold it"
        for key, h in sorted(rows.items(), key=lambda item: item[1].ref)
        if key not in wanted
    ]
    return missing + stray


def _invoices(uow: UnitOfWork) -> list[str]:
    return [f"{ref} has no invoice" for ref in uow.integrity.bookings_without_invoice()] + [
        f"{ref} has {count} invoices" for ref, count in uow.integrity.bookings_with_invoices()
    ]


def _ledger(books: list[BooksRow], stray: list[tuple[int, int]]) -> list[str]:
    off = [
        f"{b.ref} ({b.booking}) says billed {cents_to_text(b.amount)}, paid "
        f"{cents_to_text(b.paid)}, {b.status}; its ledger gives billed {cents_to_text(b.billed)}, "
        f"paid {cents_to_text(b.net_paid)}, {b.status_now}"
        for b in books
        if (b.amount, b.paid) != (b.billed, b.net_paid)
        or b.status not in (b.status_on_due, b.status_now)
    ]
    return off + [
        f"{count} ledger entries name invoice #{invoice}, which does not exist"
        for invoice, count in stray
    ]


def _charges(books: list[BooksRow]) -> list[str]:
    found = []
    for b in books:
        if b.total != b.priced:
            found.append(
                f"{b.booking} totals {cents_to_text(b.total)} but its days and rates make "
                f"{cents_to_text(b.priced)}"
            )
        if b.booking_status == BookingStatus.CANCELLED:
            continue
        if b.charged != b.total:
            found.append(
                f"{b.booking} ({b.booking_status}) totals {cents_to_text(b.total)} but "
                f"{b.ref} charges {cents_to_text(b.charged)}"
            )
        if b.fees:
            found.append(f"{b.ref} has a cancellation fee but {b.booking} is {b.booking_status}")
    return found
