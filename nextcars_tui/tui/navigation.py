"""Where each screen lives, which key opens it and which permission it needs: the one place
a screen's permission is written (the app checks it whichever way the screen is opened).

Screens are imported on first use: the sign-in screen must appear before the data layer
(SQLAlchemy, SQLModel) is imported, which would otherwise double the start-up time.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from nextcars_tui.domain.roles import Actor, Permission, Role


@dataclass(frozen=True)
class Destination:
    name: str
    label: str
    key: str  # "" when the screen needs an argument and is reached from another screen
    target: str  # "module:Class" under nextcars_tui.tui.screens
    permission: Permission
    # Offered in the command palette although it has no key of its own.
    palette: bool = False


DESTINATIONS: tuple[Destination, ...] = (
    Destination("today", "Today", "f2", "today:TodayScreen", Permission.VIEW_DESK),
    Destination("bookings", "Bookings", "f3", "bookings:BookingsScreen", Permission.VIEW_DESK),
    Destination("invoices", "Invoices", "f4", "invoices:InvoicesScreen", Permission.VIEW_DESK),
    Destination("car-grid", "Cars", "f5", "grid:CarGridScreen", Permission.VIEW_DESK),
    Destination("driver-grid", "Drivers", "f6", "grid:DriverGridScreen", Permission.VIEW_DESK),
    Destination(
        "new-booking", "New booking", "ctrl+n", "wizard:BookingWizardScreen", Permission.BOOK
    ),
    Destination(
        "booking", "Booking", "", "booking_detail:BookingDetailScreen", Permission.VIEW_DESK
    ),
    Destination(
        "invoice", "Invoice", "", "invoice_detail:InvoiceDetailScreen", Permission.VIEW_DESK
    ),
    Destination(
        "customer",
        "Customer",
        "",
        "customer_account:CustomerAccountScreen",
        Permission.VIEW_DESK,
    ),
    Destination("review", "Review", "f7", "review:ReviewScreen", Permission.VIEW_REPORTS),
    Destination("fleet", "Fleet", "f8", "fleet:FleetScreen", Permission.MANAGE_FLEET),
    Destination("users", "Users", "f9", "users:UsersScreen", Permission.MANAGE_USERS),
    Destination("lifecycle", "Rules", "f10", "lifecycle:LifecycleScreen", Permission.RUN_LIFECYCLE),
    Destination("reports", "Reports", "f12", "reports:ReportsScreen", Permission.VIEW_REPORTS),
    Destination(
        "blocks", "Blocks", "", "blocks:BlocksScreen", Permission.MANAGE_BLOCKS, palette=True
    ),
    Destination(
        "outbox", "Outbox", "", "outbox:OutboxScreen", Permission.MANAGE_MAIL, palette=True
    ),
    Destination(
        "takings",
        "Takings",
        "",
        "takings:TakingsScreen",
        Permission.VIEW_OWN_TAKINGS,
        palette=True,
    ),
    Destination(
        "assignments",
        "My assignments",
        "f2",
        "driver_home:DriverHomeScreen",
        Permission.VIEW_OWN_ASSIGNMENTS,
    ),
    Destination(
        "my-bookings",
        "My bookings",
        "f2",
        "customer_home:CustomerHomeScreen",
        Permission.VIEW_OWN_BOOKINGS,
    ),
)

BY_NAME = {d.name: d for d in DESTINATIONS}

HOME_FOR_ROLE: dict[Role, str] = {
    Role.MANAGER: "today",
    Role.STAFF: "today",
    Role.DRIVER: "assignments",
    Role.CUSTOMER: "my-bookings",
}


def allowed(actor: Actor | None, name: str) -> bool:
    destination = BY_NAME.get(name)
    return destination is not None and actor is not None and actor.can(destination.permission)


def screen_class(name: str) -> type:
    module_name, class_name = BY_NAME[name].target.split(":")
    module = importlib.import_module(f"nextcars_tui.tui.screens.{module_name}")
    return getattr(module, class_name)


_BY_TARGET = {d.target: d for d in DESTINATIONS}


def permission_of(screen: type) -> Permission | None:
    """The permission a screen class needs if it is a destination, else None."""
    found = _BY_TARGET.get(f"{screen.__module__.rsplit('.', 1)[-1]}:{screen.__qualname__}")
    return found.permission if found is not None else None


def destinations_for(actor: Actor | None) -> list[Destination]:
    return [d for d in DESTINATIONS if actor is not None and actor.can(d.permission)]
