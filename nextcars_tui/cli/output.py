"""What the CLI prints: the contract's JSON shapes, and rich tables for people.

Everything a command prints to stdout leaves through this module: `print_line(s)` and `show`
for people, `print_json` for scripts. Stored text can hold control characters (see
domain.safe_text), so the text exits make them inert, and JSON writes them as escapes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from nextcars_tui.domain.dates import describe_days
from nextcars_tui.domain.ledger import effect_on_balance
from nextcars_tui.domain.safe_text import inert, json_escaped
from nextcars_tui.domain.statuses import status_label, status_words
from nextcars_tui.services.auth import UserView
from nextcars_tui.services.availability import Available
from nextcars_tui.services.blocks import BlockResult, BlockView, Reassignment
from nextcars_tui.services.lifecycle import LifecycleResult
from nextcars_tui.services.views import (
    BookingDetail,
    BookingView,
    EntryView,
    InvoiceStatement,
    InvoiceView,
)

Money = Callable[[int], str]


# Wide enough that a table piped into grep or a file is never cut to 80 columns.
PIPE_WIDTH = 240
# Only the customer's name may wrap; refs, plates and amounts stay whole.
WRAPPING = {"Customer", "Entry", "Reason", "State"}


class _InertConsole(Console):
    """A console that shows every string it renders (table cells, titles, captions) with its
    control characters inert; its own styling still reaches a terminal."""

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(inert(text), **options)


def show(renderable: RenderableType) -> None:
    """A table (or other rich renderable) for people. Values come from the database and
    people: never read as rich markup, never with their control characters."""
    width = None if sys.stdout.isatty() else PIPE_WIDTH
    _InertConsole(file=sys.stdout, width=width, highlight=False, markup=False, emoji=False).print(
        renderable
    )


def print_line(line: str) -> None:
    sys.stdout.write(inert(line) + "\n")


def print_lines(lines: Iterable[str]) -> None:
    for line in lines:
        print_line(line)


def print_json(data: Any) -> None:
    """The value exactly, as JSON; characters a terminal would act on are escaped."""
    sys.stdout.write(json_escaped(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def booking_json(view: BookingView) -> dict[str, Any]:
    return {
        "ref": view.ref,
        "status": view.status.value,
        "customer": view.customer_email,
        "car": view.car_plate,
        "driver": view.driver_code,
        "start": view.start.isoformat(),
        "end": view.end.isoformat(),
        "last_day": view.last_day.isoformat(),
        "days": view.days,
        "total_cents": view.total_cents,
        "invoice": invoice_json(view.invoice),
        "pickup_time": view.pickup_time,
        "pickup": view.pickup,
        "dropoff": view.dropoff,
        "passengers": view.passengers,
        "notes": view.notes,
    }


def booking_detail_json(detail: BookingDetail, zone: ZoneInfo) -> dict[str, Any]:
    return {
        **booking_json(detail.booking),
        "history": [
            {
                "at": entry.at.astimezone(zone).isoformat(timespec="seconds"),
                "by": entry.actor,
                "action": entry.action,
                "detail": entry.detail,
            }
            for entry in detail.history
        ],
    }


def booking_detail_lines(detail: BookingDetail, money: Money, zone: ZoneInfo) -> list[str]:
    view = detail.booking
    lines = booking_lines(view, money)
    sheet = [
        ("Pickup", " ".join(filter(None, (view.pickup_time, view.pickup)))),
        ("Drop-off", view.dropoff or ""),
        ("Passengers", str(view.passengers) if view.passengers is not None else ""),
        ("Notes", view.notes or ""),
    ]
    lines.extend(f"{label}: {value}" for label, value in sheet if value)
    lines.append("History (newest first):")
    lines.extend(
        f"  {entry.at.astimezone(zone):%Y-%m-%d %H:%M} {entry.actor} {entry.action}"
        + (f": {entry.detail}" if entry.detail else "")
        for entry in reversed(detail.history)
    )
    return lines


def block_json(view: BlockView) -> dict[str, Any]:
    return {
        "ref": view.ref,
        "kind": view.kind.value,
        "resource": view.resource,
        "start": view.start.isoformat(),
        "end": view.end.isoformat(),
        "last_day": view.last_day.isoformat(),
        "days": view.days,
        "reason": view.reason,
    }


def reassigned_json(move: Reassignment) -> dict[str, Any]:
    return {"booking": move.booking, "from": move.from_key, "to": move.to}


def block_lines(result: BlockResult, this_year: int) -> list[str]:
    view = result.block
    lines = [
        f"{view.ref}: {view.kind.value} {view.resource} blocked "
        f"{describe_days(view.start, view.end, this_year)} ({view.days} day(s)): {view.reason}"
    ]
    lines.extend(
        f"  {move.booking} moved from {move.from_key} to {move.to} (price kept)"
        for move in result.reassigned
    )
    return lines


def blocks_table(views: list[BlockView], this_year: int) -> Table:
    """Blocks for people; days outside this year say which year."""
    table = _table(f"{len(views)} block(s)", ("Ref", "Kind", "Resource", "Dates", "Days", "Reason"))
    for view in views:
        table.add_row(
            view.ref,
            view.kind.value,
            view.resource,
            describe_days(view.start, view.end, this_year),
            str(view.days),
            view.reason,
        )
    return table


def available_json(free: Available) -> dict[str, Any]:
    return {
        "cars": [
            {
                "plate": car.plate,
                "make": car.make,
                "model": car.model,
                "seats": car.seats,
                "daily_rate_cents": car.daily_rate_cents,
            }
            for car in free.cars
        ],
        "drivers": [
            {"code": d.code, "name": d.name, "daily_fee_cents": d.daily_fee_cents}
            for d in free.drivers
        ],
    }


def available_table(free: Available, money: Money) -> Group:
    """The free cars (model, seats, daily rate) and drivers (daily fee), one table each."""
    cars = _table(
        f"{len(free.cars)} car(s) free",
        ("Plate", "Car", "Seats", "Daily rate"),
        ("Seats", "Daily rate"),
    )
    for car in free.cars:
        cars.add_row(
            car.plate, f"{car.make} {car.model}", str(car.seats), money(car.daily_rate_cents)
        )
    drivers = _table(
        f"{len(free.drivers)} driver(s) free", ("Code", "Name", "Daily fee"), ("Daily fee",)
    )
    for driver in free.drivers:
        drivers.add_row(driver.code, driver.name, money(driver.daily_fee_cents))
    return Group(cars, drivers)


def invoice_json(view: InvoiceView) -> dict[str, Any]:
    return {
        "ref": view.ref,
        "status": view.status.value,
        "amount_cents": view.amount_cents,
        "paid_cents": view.paid_cents,
        "balance_cents": view.balance_cents,
        "due": view.due.isoformat(),
        "booking": view.booking_ref,
    }


def entry_json(entry: EntryView, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "kind": entry.kind.value,
        "description": entry.description,
        "amount_cents": entry.amount_cents,
        "method": entry.method,
        "reason": entry.reason,
        "at": entry.at.astimezone(zone).isoformat(timespec="seconds"),
        "by": entry.by,
    }


def statement_json(found: InvoiceStatement, zone: ZoneInfo) -> dict[str, Any]:
    return {
        **invoice_json(found.invoice),
        "entries": [entry_json(entry, zone) for entry in found.entries],
    }


def lifecycle_json(result: LifecycleResult) -> dict[str, int]:
    return result.counts


def _table(title: str, columns: Iterable[str], right: Iterable[str] = ()) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    aligned = set(right)
    for column in columns:
        table.add_column(
            column,
            justify="right" if column in aligned else "left",
            no_wrap=column not in WRAPPING,
        )
    return table


def bookings_table(views: list[BookingView], money: Money) -> Table:
    table = _table(
        f"{len(views)} booking(s)",
        ("Ref", "Status", "Customer", "Car", "Driver", "Dates", "Days", "Total", "Invoice"),
        right=("Days", "Total"),
    )
    for view in views:
        table.add_row(
            view.ref,
            status_label(view.status),
            view.customer_name,
            view.car_plate,
            view.driver_code,
            describe_days(view.start, view.end),
            str(view.days),
            money(view.total_cents),
            f"{view.invoice.ref} {status_words(view.invoice.status)}",
        )
    return table


def invoices_table(views: list[InvoiceView], money: Money) -> Table:
    table = _table(
        f"{len(views)} invoice(s)",
        ("Ref", "Status", "Amount", "Paid", "Balance", "Due", "Booking", "Customer"),
        right=("Amount", "Paid", "Balance"),
    )
    for view in views:
        table.add_row(
            view.ref,
            status_label(view.status),
            money(view.amount_cents),
            money(view.paid_cents),
            money(view.balance_cents),
            view.due.isoformat(),
            view.booking_ref,
            view.customer_name,
        )
    return table


def booking_lines(view: BookingView, money: Money) -> list[str]:
    dates = describe_days(view.start, view.end)
    invoice = view.invoice
    return [
        f"{view.ref} {status_words(view.status)}: {view.car_plate} ({view.car_name}) with "
        f"{view.driver_code} ({view.driver_name}) for {view.customer_name} "
        f"<{view.customer_email}>, {dates} ({view.days} day(s)), {money(view.total_cents)}",
        *invoice_lines(invoice, money),
    ]


def invoice_lines(invoice: InvoiceView, money: Money) -> list[str]:
    return [
        f"Invoice {invoice.ref} {status_words(invoice.status)}: "
        f"amount {money(invoice.amount_cents)}, paid {money(invoice.paid_cents)}, "
        f"balance {money(invoice.balance_cents)}, "
        f"due {invoice.due.isoformat()} (booking {invoice.booking_ref})"
    ]


def statement_table(found: InvoiceStatement, money: Money, zone: ZoneInfo) -> Table:
    invoice = found.invoice
    booking = found.booking
    table = _table(
        f"Invoice {invoice.ref} ({status_words(invoice.status)}) for {booking.ref}, "
        f"{booking.customer_name}, due {invoice.due.isoformat()}",
        ("When", "Entry", "Method", "Amount", "Balance", "By"),
        right=("Amount", "Balance"),
    )
    for entry in found.entries:
        what = f"{entry.description} ({entry.reason})" if entry.reason else entry.description
        table.add_row(
            entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            what,
            entry.method or "",
            # Signed as the desk's statement signs it: by how the entry moves the balance
            # (a payment takes it down, a refund puts it back up).
            money(effect_on_balance(entry.kind, entry.amount_cents)),
            money(entry.balance_after_cents),
            entry.by,
        )
    table.caption = (
        f"Amount {money(invoice.amount_cents)} (includes tax {money(found.tax_cents)}), "
        f"paid {money(invoice.paid_cents)}, balance {money(invoice.balance_cents)}"
    )
    table.caption_justify = "left"
    return table


def lifecycle_lines(result: LifecycleResult) -> list[str]:
    moment = result.now.isoformat(timespec="seconds")
    if result.dry_run:
        lines = [f"Dry run at {moment}; nothing was changed. These would change:"]
    else:
        lines = [f"Lifecycle rules applied at {moment}:"]
    for label, refs in (
        ("expired", result.expired),
        ("completed", result.completed),
        ("overdue", result.overdue),
    ):
        listed = f"  {', '.join(refs)}" if refs else ""
        lines.append(f"  {label:<9} {len(refs):>5}{listed}")
    return lines


def sign_ins_table(sign_ins: list[tuple[str, str, str]]) -> Table:
    table = _table("Demo sign-ins (demo data only; change them before real use)", ())
    for column in ("Username", "Role", "Password"):
        table.add_column(column)
    for username, role, password in sign_ins:
        table.add_row(username, role, password)
    return table


def _moment(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


def user_json(view: UserView, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    """A user for scripts; `locked_until` only while the lock lasts."""
    return {
        "username": view.username,
        "role": view.role.value,
        "link": view.linked_to,
        "disabled": view.disabled,
        "last_sign_in": _moment(view.last_sign_in, zone),
        "locked_until": _moment(view.lock_in_force(now), zone),
    }


def users_table(views: list[UserView], zone: ZoneInfo, now: datetime) -> Table:
    """Users for people: who is disabled (when, by whom, why), locked, or failing to sign in."""
    table = _table(f"{len(views)} user(s)", ("User", "Role", "Linked to", "State", "Last sign-in"))
    for view in views:
        locked_until = view.lock_in_force(now)
        if view.disabled_at is not None:
            state = (
                f"disabled {view.disabled_at.astimezone(zone):%Y-%m-%d} by {view.disabled_by}: "
                f"{view.disabled_reason}"
            )
        elif locked_until is not None:
            state = f"locked until {locked_until.astimezone(zone):%Y-%m-%d %H:%M}"
        elif view.failed_sign_ins:
            state = f"{view.failed_sign_ins} failed sign-in(s)"
        else:
            state = "ok"
        last = view.last_sign_in
        table.add_row(
            view.username,
            view.role.value,
            view.linked_to or "",
            state,
            last.astimezone(zone).strftime("%Y-%m-%d %H:%M") if last else "never",
        )
    return table
