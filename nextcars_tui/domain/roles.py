"""Who may do what: the role of the acting user decides, checked by every service call."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nextcars_tui.domain.errors import InvalidInput, NotAllowed


class Role(StrEnum):
    MANAGER = "manager"
    STAFF = "staff"
    DRIVER = "driver"
    CUSTOMER = "customer"
    # The CLI and the lifecycle worker act as the system; nobody can sign in as it.
    SYSTEM = "system"


ASSIGNABLE_ROLES: tuple[Role, ...] = (Role.MANAGER, Role.STAFF, Role.DRIVER, Role.CUSTOMER)


class Permission(StrEnum):
    BOOK = "make bookings"
    CONFIRM = "confirm bookings"
    CANCEL = "cancel bookings"
    CHANGE = "change bookings"
    CHECKOUT = "take payments"
    REFUND = "refund payments"
    # A correction to what an invoice is for; only managers, always with a reason.
    ADJUST = "adjust invoices"
    VIEW_DESK = "see all bookings and invoices"
    EDIT_CUSTOMERS = "add or change customers"
    VIEW_OWN_ASSIGNMENTS = "see your own assignments"
    VIEW_OWN_BOOKINGS = "see your own bookings"
    MANAGE_USERS = "manage users"
    MANAGE_FLEET = "manage cars, drivers and rates"
    MANAGE_BLOCKS = "block cars and drivers"
    RETIRE = "retire cars, drivers and customers"
    RUN_LIFECYCLE = "run the lifecycle rules"
    VIEW_REPORTS = "see reports"
    # The till: a clerk's own payments and refunds of a day (VIEW_REPORTS sees every clerk's).
    VIEW_OWN_TAKINGS = "see your own takings"
    # Send what the outbox holds, see it, and queue a failed message again.
    MANAGE_MAIL = "send and review e-mail"
    # Send a customer their invoice by e-mail, on demand.
    EMAIL_CUSTOMERS = "e-mail customers"
    # Every account's own; its current password is asked first.
    CHANGE_OWN_PASSWORD = "change your own password"
    # Only from the command line (the system actor): schema upgrades and backups.
    MAINTAIN_DATABASE = "upgrade or back up the database"


_DESK = {
    Permission.BOOK,
    Permission.CONFIRM,
    Permission.CANCEL,
    Permission.CHANGE,
    Permission.CHECKOUT,
    Permission.REFUND,
    Permission.VIEW_DESK,
    Permission.EDIT_CUSTOMERS,
    Permission.VIEW_OWN_TAKINGS,
    Permission.EMAIL_CUSTOMERS,
    Permission.CHANGE_OWN_PASSWORD,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STAFF: frozenset(_DESK),
    Role.MANAGER: frozenset(
        _DESK
        | {
            Permission.ADJUST,
            Permission.MANAGE_USERS,
            Permission.MANAGE_FLEET,
            Permission.MANAGE_BLOCKS,
            Permission.RETIRE,
            Permission.RUN_LIFECYCLE,
            Permission.VIEW_REPORTS,
            Permission.MANAGE_MAIL,
        }
    ),
    Role.DRIVER: frozenset({Permission.VIEW_OWN_ASSIGNMENTS, Permission.CHANGE_OWN_PASSWORD}),
    Role.CUSTOMER: frozenset({Permission.VIEW_OWN_BOOKINGS, Permission.CHANGE_OWN_PASSWORD}),
    Role.SYSTEM: frozenset(Permission),
}


@dataclass(frozen=True)
class Actor:
    """The authenticated user a service call acts for."""

    username: str
    role: Role
    user_id: int | None = None
    driver_id: int | None = None
    customer_id: int | None = None

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise NotAllowed(f"A {self.role.value} user may not {permission.value}.")


def may_see_booking(actor: Actor, customer_id: int, driver_id: int, *, money: bool = False) -> bool:
    """Whether the actor may see a booking of this customer driven by this driver (with
    `money`, its invoice and statement): the desk sees every one, a customer their own, a
    driver the jobs they drive but never their money."""
    if actor.can(Permission.VIEW_DESK):
        return True
    if actor.role == Role.CUSTOMER:
        return actor.customer_id == customer_id
    if actor.role == Role.DRIVER:
        return not money and actor.driver_id == driver_id
    return False


def system_actor(name: str) -> Actor:
    """The actor the CLI and the worker use; the audit log records it as 'system:<name>'."""
    return Actor(username=f"system:{name}", role=Role.SYSTEM)


def parse_role(text: str) -> Role:
    try:
        role = Role(text.strip().lower())
    except ValueError:
        role = None
    if role is None or role not in ASSIGNABLE_ROLES:
        names = ", ".join(r.value for r in ASSIGNABLE_ROLES)
        raise InvalidInput(f"Role must be one of {names}, got {text!r}.")
    return role
