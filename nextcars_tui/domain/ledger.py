"""Money as an append-only ledger: what an invoice's entries add up to, and its status.

Signs: charges, fees and adjustments are stored with the sign of their effect on what the
invoice is for (a reversed charge is a negative charge); payments and refunds are stored as
positive sums of money moved, a refund taking back from what was paid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from nextcars_tui.domain.lifecycle import past_due
from nextcars_tui.domain.statuses import BookingStatus, InvoiceStatus


class EntryKind(StrEnum):
    CHARGE = "charge"
    FEE = "fee"
    PAYMENT = "payment"
    REFUND = "refund"
    ADJUSTMENT = "adjustment"


# What the invoice is for; the other kinds move money.
BILLED_KINDS: tuple[EntryKind, ...] = (EntryKind.CHARGE, EntryKind.FEE, EntryKind.ADJUSTMENT)
MONEY_KINDS: tuple[EntryKind, ...] = (EntryKind.PAYMENT, EntryKind.REFUND)


@dataclass(frozen=True)
class Figures:
    """An invoice's figures, derived from its entries."""

    amount_cents: int = 0
    paid_cents: int = 0
    refunded_cents: int = 0

    @property
    def balance_cents(self) -> int:
        """What is still owed; negative when money is owed back to the customer."""
        return self.amount_cents - self.paid_cents

    def after(self, kind: EntryKind, amount_cents: int) -> Figures:
        """These figures with one more entry."""
        if kind == EntryKind.PAYMENT:
            return Figures(self.amount_cents, self.paid_cents + amount_cents, self.refunded_cents)
        if kind == EntryKind.REFUND:
            return Figures(
                self.amount_cents,
                self.paid_cents - amount_cents,
                self.refunded_cents + amount_cents,
            )
        return Figures(self.amount_cents + amount_cents, self.paid_cents, self.refunded_cents)


def figures_of(entries: Iterable[tuple[str, int]]) -> Figures:
    """The figures of (kind, amount_cents) pairs, in any order."""
    result = Figures()
    for kind, amount in entries:
        result = result.after(EntryKind(kind), amount)
    return result


def effect_on_balance(kind: str, amount_cents: int) -> int:
    """How one entry moves the balance: up for what is billed and refunded, down for payments."""
    return -amount_cents if kind == EntryKind.PAYMENT else amount_cents


def invoice_status(figures: Figures, booking_status: str, due: date, today: date) -> InvoiceStatus:
    """The status an invoice's figures give it; never set by hand."""
    balance = figures.balance_cents
    if balance < 0:
        return InvoiceStatus.REFUND_DUE
    if balance > 0:
        if past_due(due, today):
            return InvoiceStatus.OVERDUE
        return InvoiceStatus.PARTLY_PAID if figures.paid_cents > 0 else InvoiceStatus.UNPAID
    if booking_status == BookingStatus.CANCELLED:
        if figures.refunded_cents > 0:
            return InvoiceStatus.REFUNDED
        if figures.paid_cents == 0:
            return InvoiceStatus.VOID
    return InvoiceStatus.PAID


@dataclass(frozen=True)
class CustomerBalance:
    """What one customer's invoices add up to: every balance still due (owed), every
    balance owed back to them (a refund due), and the overdue part of what is owed."""

    owed_cents: int = 0
    owed_back_cents: int = 0
    overdue_invoices: int = 0
    overdue_cents: int = 0
    # How many invoices have a balance still due.
    owing_invoices: int = 0


def customer_balance(invoices: Iterable[tuple[str, int]]) -> CustomerBalance:
    """The balance of a customer over their invoices' (status, balance) pairs. Owed and
    owed back are kept apart, never netted: money owed back on one booking is paid out,
    not set against another's bill without the customer agreeing."""
    owed = owed_back = overdue = overdue_cents = owing = 0
    for status, balance in invoices:
        if balance > 0:
            owed += balance
            owing += 1
            if status == InvoiceStatus.OVERDUE:
                overdue += 1
                overdue_cents += balance
        else:
            owed_back -= balance
    return CustomerBalance(owed, owed_back, overdue, overdue_cents, owing)


def balance_words(balance_cents: int, money: Callable[[int], str]) -> str:
    """A balance as a clerk says it: "£20.00 owed", "£5.00 owed back", "nothing owed"."""
    if balance_cents > 0:
        return f"{money(balance_cents)} owed"
    if balance_cents < 0:
        return f"{money(-balance_cents)} owed back"
    return "nothing owed"


def signed_money(cents: int, money: Callable[[int], str]) -> str:
    """A difference with its sign always written: "+£20.00", "-£5.00", "£0.00"."""
    return f"+{money(cents)}" if cents > 0 else money(cents)


# -- Refunds ---------------------------------------------------------------------------------


def refund_correction(balance_cents: int, refund_cents: int) -> bool:
    """A refund of more than is owed back is not paying back, it is a correction (money
    returned that the customer will owe again): it needs a reason on the record. The
    balance is negative while money is owed back."""
    return refund_cents > max(0, -balance_cents)


def correction_refusal(
    balance_cents: int,
    refund_cents: int,
    reason: str | None,
    money: Callable[[int], str],
    *,
    ask: str = "give a reason (--reason)",
) -> str | None:
    """Why this refund cannot be written as it stands (a correction with no reason), or None.
    Names the balance it would leave, so the clerk sees the debt before it is made; `ask`
    says where the reason goes (the dialog has a field, the command line an option)."""
    if reason or not refund_correction(balance_cents, refund_cents):
        return None
    left = balance_words(balance_cents + refund_cents, money)
    return (
        f"A refund of {money(refund_cents)} would leave {left}; {ask} to record it as a correction."
    )


# -- Tax and fees ----------------------------------------------------------------------------

BASIS_POINTS = 10_000  # 100 % in hundredths of a percent


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest whole number, halves away from zero."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    whole, rest = divmod(abs(numerator), abs(denominator))
    return sign * (whole + (1 if 2 * rest >= abs(denominator) else 0))


def tax_part(gross_cents: int, rate_basis_points: int) -> int:
    """The tax inside a tax-inclusive amount, rounded half up to the cent:
    gross × rate / (100 % + rate). £120.00 at 20 % holds £20.00 of tax."""
    return round_half_up(gross_cents * rate_basis_points, BASIS_POINTS + rate_basis_points)


def percent_of(cents: int, percent: int) -> int:
    """A whole percentage of an amount, rounded half up to the cent."""
    return round_half_up(cents * percent, 100)


@dataclass(frozen=True)
class CancelTerms:
    """What cancelling a booking now costs: the fee kept of its rental total, and why.
    `fee_cents` is what is charged; a late cancellation let off (within the grace period of
    being made, or waived by the desk) says so and what the fee would have been."""

    fee_cents: int
    late: bool
    fee_percent: int
    notice_hours: int
    # Cancelled within this many minutes of being made (0: not in grace).
    grace_minutes: int = 0
    waived: bool = False
    # The late fee before any grace or waiver.
    due_fee_cents: int = 0

    @property
    def let_off(self) -> bool:
        """A late fee that is not charged: grace or waiver."""
        return self.due_fee_cents > 0 and self.fee_cents == 0


def start_moment(start: date, zone: ZoneInfo) -> datetime:
    """When a rental starts, for notice periods: the start of its first day, business time."""
    return datetime.combine(start, time.min, tzinfo=zone)


def cancel_terms(
    rental_cents: int,
    start: date,
    now: datetime,
    zone: ZoneInfo,
    *,
    fee_percent: int,
    notice_hours: int,
    made_at: datetime | None = None,
    grace_minutes: int = 0,
    waive: bool = False,
) -> CancelTerms:
    """A cancellation less than `notice_hours` before the start keeps `fee_percent` of the
    rental total as a fee; earlier ones cost nothing. None is kept when the booking was made
    at most `grace_minutes` ago (a mistake put right at once), or when the desk waives it."""
    late = now > start_moment(start, zone) - timedelta(hours=notice_hours)
    due = percent_of(rental_cents, fee_percent) if late else 0
    in_grace = (
        grace_minutes > 0
        and made_at is not None
        and now - made_at <= timedelta(minutes=grace_minutes)
    )
    fee = 0 if in_grace or waive else due
    return CancelTerms(
        fee,
        late,
        fee_percent,
        notice_hours,
        grace_minutes=grace_minutes if in_grace else 0,
        waived=waive,
        due_fee_cents=due,
    )


@dataclass(frozen=True)
class CancelOutcome:
    """What a cancellation leaves: the charges reversed, the fee (if any) the whole of what
    the invoice is for, and what was paid kept, so owed or owed back."""

    terms: CancelTerms
    figures: Figures
    status: InvoiceStatus

    @property
    def fee_cents(self) -> int:
        return self.terms.fee_cents

    @property
    def owed_cents(self) -> int:
        return max(0, self.figures.balance_cents)

    @property
    def owed_back_cents(self) -> int:
        return max(0, -self.figures.balance_cents)


def cancel_outcome(terms: CancelTerms, paid_cents: int, due: date, today: date) -> CancelOutcome:
    """The one computation of a cancellation's outcome, for the desk to say before it is done
    and for the command line to say after: the ledger then holds the fee alone against what
    was paid."""
    figures = Figures(terms.fee_cents, paid_cents, 0)
    return CancelOutcome(
        terms, figures, invoice_status(figures, BookingStatus.CANCELLED, due, today)
    )


def let_off_words(terms: CancelTerms, money: Callable[[int], str]) -> str | None:
    """Why a late fee is not charged, as a clerk says it; None when none was let off."""
    if not terms.let_off:
        return None
    if terms.grace_minutes:
        return (
            f"cancelled within {terms.grace_minutes} minutes of being booked, so the late fee "
            f"of {money(terms.due_fee_cents)} does not apply"
        )
    return f"the late fee of {money(terms.due_fee_cents)} is waived"
