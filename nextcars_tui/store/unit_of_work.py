"""A unit of work: one transaction, the repositories over it, and an explicit commit."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, Generic, TypeVar

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

T = TypeVar("T")


class _Repository(Generic[T]):
    """A repository over the unit's connection, made when first used and then kept on the
    unit: cached_property without the lock Python 3.11 takes on each first use (a unit of
    work is one thread's), as a payment uses three."""

    def __init__(self, make: Callable[[Connection, HotPath], T]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, uow: Any, owner: type | None = None) -> T:
        made = self._make(uow._connection, uow._hot)
        uow.__dict__[self._name] = made
        return made


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

    customers = _Repository(CustomerRepository)
    cars = _Repository(CarRepository)
    drivers = _Repository(DriverRepository)
    users = _Repository(UserRepository)
    bookings = _Repository(BookingRepository)
    invoices = _Repository(InvoiceRepository)
    blocks = _Repository(BlockRepository)
    occupancy = _Repository(OccupancyRepository)
    audit = _Repository(AuditLog)
    outbox = _Repository(OutboxRepository)
    settings = _Repository(SettingRepository)
    integrity = _Repository(IntegrityReads)

    @cached_property
    def lifecycle(self) -> LifecycleQueries:
        return LifecycleQueries(self._connection, self._hot, writing=self._writing)

    @cached_property
    def reports(self) -> ReportQueries:
        return ReportQueries(self._connection)

    def commit(self) -> None:
        if not self._joined:
            self._hot.commit(self._connection)

    def joined(self) -> UnitOfWork:
        """This unit's transaction as a unit whose commit() leaves committing to this one."""
        return UnitOfWork(self._connection, self._hot, writing=self._writing, joined=True)
