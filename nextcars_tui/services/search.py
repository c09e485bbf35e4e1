"""One search box over bookings, invoices, customers, cars and drivers, for the command
palette."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.domain.statuses import status_words
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.views import booking_view
from nextcars_tui.store import BookingQuery


class HitKind(StrEnum):
    BOOKING = "booking"
    INVOICE = "invoice"
    CUSTOMER = "customer"
    CAR = "car"
    DRIVER = "driver"


@dataclass(frozen=True)
class SearchHit:
    kind: HitKind
    key: str
    label: str


def search_desk(desk: Desk, actor: Actor, text: str, per_kind: int = 5) -> list[SearchHit]:
    """Find by ref (a booking's or an invoice's), name, e-mail, phone, plate or driver code;
    empty text finds nothing. An invoice is found by its number and by whatever finds the
    booking it bills (the customer's name, e-mail or phone); a customer by their own name,
    e-mail or phone, and by their bookings' and invoices' refs."""
    actor.require(Permission.VIEW_DESK)
    needle = text.strip()
    if len(needle) < 2:
        return []
    hits: list[SearchHit] = []
    phone = desk.phone_digits(needle)
    with desk.db.read() as uow:
        views = [
            booking_view(*row)
            for row in uow.bookings.rows(
                BookingQuery(
                    text=needle, phone_digits=phone, sort="start", descending=True, limit=per_kind
                )
            )
        ]
        for view in views:
            hits.append(
                SearchHit(
                    HitKind.BOOKING,
                    view.ref,
                    f"{view.ref} · {view.customer_name} · {view.car_plate} · {view.start}",
                )
            )
        for view in views:
            invoice = view.invoice
            hits.append(
                SearchHit(
                    HitKind.INVOICE,
                    invoice.ref,
                    f"{invoice.ref} · {view.customer_name} · {desk.money(invoice.balance_cents)}"
                    f" due {invoice.due} · {status_words(invoice.status)}",
                )
            )
        customers = {
            customer.email: customer.name
            for customer in uow.customers.search(needle, limit=per_kind, phone_digits=phone)
        }
        # A booking's or invoice's ref finds its customer too: the clerk with an invoice
        # number in hand reaches the account it belongs to.
        for view in views:
            if len(customers) < per_kind:
                customers.setdefault(view.customer_email, view.customer_name)
        for email, name in customers.items():
            hits.append(SearchHit(HitKind.CUSTOMER, email, f"{name} · {email}"))
        for car in uow.cars.search(needle, limit=per_kind):
            hits.append(SearchHit(HitKind.CAR, car.plate, f"{car.plate} · {car.make} {car.model}"))
        for driver in uow.drivers.search(needle, limit=per_kind, phone_digits=phone):
            hits.append(SearchHit(HitKind.DRIVER, driver.code, f"{driver.code} · {driver.name}"))
    return hits
