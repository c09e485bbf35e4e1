"""A unit of work: one transaction, the repositories over it, and an explicit commit."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import Connection

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
    """What a service sees of the database; leaving the block without commit() rolls back.

    Every write goes to the database as it is made, in this unit's transaction; commit()
    makes them all stand. Repositories are made when first used: most units use a few."""

    def __init__(
        self, connection: Connection, hot: HotPath, *, writing: bool, joined: bool = False
    ) -> None:
        self._connection = connection
        self._hot = hot
        self._writing = writing
        # Joined to an outer transaction (Database.single_transaction): the outer block
        # commits them all, or none.
        self._joined = joined

    @cached_property
    def customers(self) -> CustomerRepository:
        return CustomerRepository(self._connection, self._hot)

    @cached_property
    def cars(self) -> CarRepository:
        return CarRepository(self._connection, self._hot)

    @cached_property
    def drivers(self) -> DriverRepository:
        return DriverRepository(self._connection, self._hot)

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self._connection, self._hot)

    @cached_property
    def bookings(self) -> BookingRepository:
        return BookingRepository(self._connection, self._hot)

    @cached_property
    def invoices(self) -> InvoiceRepository:
        return InvoiceRepository(self._connection, self._hot)

    @cached_property
    def blocks(self) -> BlockRepository:
        return BlockRepository(self._connection, self._hot)

    @cached_property
    def occupancy(self) -> OccupancyRepository:
        return OccupancyRepository(self._connection, self._hot)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self._connection, self._hot)

    @cached_property
    def outbox(self) -> OutboxRepository:
        return OutboxRepository(self._connection, self._hot)

    @cached_property
    def lifecycle(self) -> LifecycleQueries:
        return LifecycleQueries(self._connection, self._hot, writing=self._writing)

    @cached_property
    def reports(self) -> ReportQueries:
        return ReportQueries(self._connection)

    @cached_property
    def settings(self) -> SettingRepository:
        return SettingRepository(self._connection, self._hot)

    @cached_property
    def integrity(self) -> IntegrityReads:
        return IntegrityReads(self._connection, self._hot)

    def commit(self) -> None:
        if not self._joined:
            self._connection.commit()

    def joined(self) -> UnitOfWork:
        """This unit's transaction as a unit whose commit() leaves committing to this one."""
        return UnitOfWork(self._connection, self._hot, writing=self._writing, joined=True)
