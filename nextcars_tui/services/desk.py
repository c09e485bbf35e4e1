"""What every service call needs: the database, the settings and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from nextcars_tui.clock import Clock, system_clock
from nextcars_tui.config import Settings
from nextcars_tui.domain.lifecycle import business_date
from nextcars_tui.domain.money import format_money
from nextcars_tui.store import Database


@dataclass(frozen=True)
class Desk:
    db: Database
    settings: Settings
    clock: Clock = system_clock

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return business_date(self.clock(), self.settings.business.zone)

    def money(self, cents: int) -> str:
        return format_money(cents, self.settings.business.currency)
