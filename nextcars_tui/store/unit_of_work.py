"""A unit of work: one session, the repositories over it, and an explicit commit."""

from __future__ import annotations

from sqlmodel import Session

from nextcars_tui.store.audit_log import AuditLog
from nextcars_tui.store.blocks import BlockRepository
from nextcars_tui.store.bookings import BookingRepository
from nextcars_tui.store.hot_path import HotPath
from nextcars_tui.store.integrity import IntegrityReads
from nextcars_tui.store.invoices import InvoiceRepository
from nextcars_tui.store.lifecycle_sql import LifecycleQueries
from nextcars_tui.store.occupancy import OccupancyRepository
from nextcars_tui.store.outbox import OutboxRepository
from nextcars_tui.store.people import (
    CarRepository,
    CustomerRepository,
    DriverRepository,
    SettingRepository,
    UserRepository,
)
from nextcars_tui.store.reports import ReportQueries


class UnitOfWork:
    """What a service sees of the database; leaving the block without commit() rolls back."""

    def __init__(self, session: Session, hot: HotPath, *, joined: bool = False) -> None:
        self.session = session
        # Joined to an outer transaction (Database.single_transaction): commit() only sends
        # the changes; the outer block commits them all, or none.
        self._joined = joined
        self.customers = CustomerRepository(session)
        self.cars = CarRepository(session)
        self.drivers = DriverRepository(session)
        self.users = UserRepository(session)
        self._hot = hot
        self.bookings = BookingRepository(session, hot)
        self.invoices = InvoiceRepository(session, hot)
        self.blocks = BlockRepository(session, hot)
        self.occupancy = OccupancyRepository(session, hot)
        self.audit = AuditLog(session, hot)
        self.outbox = OutboxRepository(session, hot)
        self.lifecycle = LifecycleQueries(session, hot)
        self.reports = ReportQueries(session)
        self.settings = SettingRepository(session)
        self.integrity = IntegrityReads(session, hot)

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        if self._joined:
            self.session.flush()
        else:
            self.session.commit()

    def joined(self) -> UnitOfWork:
        """This unit's session as a unit whose commit() only flushes."""
        return UnitOfWork(self.session, self._hot, joined=True)

    def rollback(self) -> None:
        self.session.rollback()
