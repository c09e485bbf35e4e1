"""What every service call needs: the database, the settings and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from nextcars_tui.clock import Clock, system_clock
from nextcars_tui.config import Settings, database_target
from nextcars_tui.domain.ledger import CancelTerms, cancel_terms
from nextcars_tui.domain.lifecycle import business_date
from nextcars_tui.domain.money import format_money
from nextcars_tui.domain.parsing import date_forms, parse_date, phone_digits
from nextcars_tui.services.passwords import PasswordHashing
from nextcars_tui.services.sign_in_guard import SignInGuard
from nextcars_tui.store import Database, open_database


@dataclass(frozen=True)
class Desk:
    db: Database
    settings: Settings
    clock: Clock = system_clock
    # Shared by the copies dataclasses.replace() makes, so a desk's sign-ins share one budget.
    sign_in_guard: SignInGuard = field(default_factory=SignInGuard, compare=False, repr=False)

    def now(self) -> datetime:
        return self.clock()

    @cached_property
    def passwords(self) -> PasswordHashing:
        """Password hashing at the cost this desk's settings name."""
        return PasswordHashing(self.settings.sign_in.password_hash_cost)

    def today(self) -> date:
        return business_today(self.settings, self.clock)

    def parse_date(self, text: str, field: str = "date") -> date:
        """A typed date as this business writes it: ISO, its day/month order, today,
        tomorrow or +N. Raises InvalidInput naming the field."""
        return parse_date(text, field, today=self.today(), order=self.settings.business.dates)

    def date_forms(self) -> str:
        """What a date field takes, for its placeholder or hint."""
        return date_forms(self.settings.business.dates)

    def phone_digits(self, text: str) -> str | None:
        """The digits a phone search looks for, in national or international form."""
        return phone_digits(text, self.settings.business.phone_region)

    def money(self, cents: int) -> str:
        return format_money(cents, self.settings.business.currency)

    def cancel_terms(
        self,
        rental_cents: int,
        start: date,
        made_at: datetime | None = None,
        *,
        waive: bool = False,
    ) -> CancelTerms:
        """What cancelling a rental of this total and start, booked at `made_at`, would cost
        now ([billing]); `waive` lets a late fee off."""
        billing = self.settings.billing
        return cancel_terms(
            rental_cents,
            start,
            self.now(),
            self.settings.business.zone,
            fee_percent=billing.cancel_fee_percent,
            notice_hours=billing.cancel_fee_hours,
            made_at=made_at,
            grace_minutes=billing.cancel_grace_minutes,
            waive=waive,
        )


def business_today(settings: Settings, clock: Clock = system_clock) -> date:
    """What 'today' is at the desk: the date in the business time zone."""
    return business_date(clock(), settings.business.zone)


def open_store(
    settings: Settings,
    *,
    create: bool = False,
    read_only: bool = False,
    target: Path | str | None = None,
) -> Database:
    """The desk's database as the settings name it (or `target`), its schema not checked:
    for the `db` commands and backups. Only `init` and the first desk may create a file."""
    return open_database(
        target if target is not None else database_target(settings),
        create=create,
        read_only=read_only,
    )


def open_desk(
    settings: Settings,
    *,
    create: bool = False,
    clock: Clock = system_clock,
    target: Path | str | None = None,
) -> Desk:
    """The one place the CLI, the desk and the worker open the database and build the Desk.
    With `create` an empty database gets the latest schema (init, the first desk); otherwise
    its schema must be exactly this program's, or StoreUnavailable says what to do."""
    return desk_on(
        open_store(settings, create=create, target=target), settings, create=create, clock=clock
    )


def desk_on(
    db: Database, settings: Settings, *, create: bool = False, clock: Clock = system_clock
) -> Desk:
    """A Desk over a database already open: its schema made (`create`) or checked first;
    the database is closed again if that fails."""
    try:
        if create:
            db.create_schema()
        else:
            db.require_current()
    except BaseException:
        db.close()
        raise
    return Desk(db, settings, clock)
