"""One function per command: validate arguments, call one service, print the result."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from nextcars_tui.cli import output
from nextcars_tui.cli.context import Context
from nextcars_tui.cli.progress import progress_bar
from nextcars_tui.domain.ledger import let_off_words
from nextcars_tui.domain.parsing import parse_moment
from nextcars_tui.domain.statuses import InvoiceStatus, status_words
from nextcars_tui.services import billing, booking, demo, imports, listings
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.lifecycle import check_requested_moment, run_lifecycle
from nextcars_tui.services.views import BookingView, InvoiceView, Page

PAGE = listings.MAX_PAGE
T = TypeVar("T")


def _all_pages(fetch: Callable[[int], Page[T]]) -> Iterator[T]:
    """Every row of a listing, a page at a time, for scripts that want the whole list."""
    offset = 0
    while True:
        page = fetch(offset)
        yield from page.items
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return


def init(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk(create=True)
    output.print_line(f"Database ready: {desk.db.where}")
    if not args.demo:
        return 0
    if demo.is_demo(desk):
        output.print_line("The database already holds the demo data; nothing was added.")
        return 0
    summary = demo.load_demo(desk, ctx.actor)
    output.print_line(
        f"Demo data loaded: {summary.cars} cars, {summary.drivers} drivers, "
        f"{summary.customers} customers, {summary.bookings} bookings."
    )
    output.show(output.sign_ins_table(demo.demo_sign_ins(desk)))
    return 0


def import_csv(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    path = Path(args.file)
    with progress_bar(f"Importing {path.name}") as on_progress:
        result = imports.import_file(desk, ctx.actor, args.kind, path, on_progress)
    output.print_line(
        f"Imported {path.name}: {result.total} {args.kind} — {result.added} added, "
        f"{result.updated} updated, {result.unchanged} unchanged."
    )
    return 0


def book(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    request = booking.BookingRequest(
        customer_email=args.customer,
        car_plate=args.car,
        driver_code=args.driver,
        start=args.start,
        days=args.days,
        pickup_time=args.pickup_time,
        pickup=args.pickup,
        dropoff=args.dropoff,
        passengers=args.passengers,
        notes=args.notes,
    )
    view = booking.book(desk, ctx.actor, request)
    _show_booking(desk, view, args.json)
    return 0


def confirm(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    view = booking.confirm(desk, ctx.actor, args.ref)
    output.print_line(
        f"{view.ref} confirmed; invoice {view.invoice.ref} {status_words(view.invoice.status)} "
        f"({desk.money(view.invoice.amount_cents)}, due {view.invoice.due.isoformat()})."
    )
    return 0


def cancel(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    done = booking.cancellation(desk, ctx.actor, args.ref, args.reason, waive_fee=args.waive_fee)
    view, outcome = done.booking, done.outcome
    invoice = view.invoice
    let_off = let_off_words(outcome.terms, desk.money)
    fee = (
        f"late-cancellation fee {desk.money(outcome.fee_cents)} charged"
        if outcome.fee_cents
        else f"no cancellation fee ({let_off})"
        if let_off
        else "no cancellation fee"
    )
    owed = (
        f"{desk.money(outcome.owed_back_cents)} to refund"
        if outcome.owed_back_cents
        else f"{desk.money(outcome.owed_cents)} due"
        if outcome.owed_cents
        else "nothing owed"
    )
    output.print_line(
        f"{view.ref} cancelled ({view.cancel_reason}); {fee}; "
        f"invoice {invoice.ref} is now {status_words(invoice.status)} ({owed})."
    )
    return 0


def checkout(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    view = billing.checkout(desk, ctx.actor, args.ref, args.method)
    _show_booking(desk, view, args.json)
    return 0


def _show_booking(desk: Desk, view: BookingView, as_json: bool) -> None:
    if as_json:
        output.print_json(output.booking_json(view))
        return
    output.print_lines(output.booking_lines(view, desk.money))


def bookings(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    wanted = listings.BookingFilter(
        statuses=(listings.parse_status(args.status),) if args.status else (),
        car_plate=args.car,
        driver_code=args.driver,
        sort="start",
        limit=PAGE,
    )

    def fetch(offset: int) -> Page[BookingView]:
        return listings.list_bookings(desk, ctx.actor, replace(wanted, offset=offset))

    views = list(_all_pages(fetch))
    if args.json:
        output.print_json([output.booking_json(view) for view in views])
    else:
        output.show(output.bookings_table(views, desk.money))
    return 0


def invoices(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    statuses = [InvoiceStatus(args.status)] if args.status else None

    def fetch(offset: int) -> Page[InvoiceView]:
        return billing.list_invoices(desk, ctx.actor, statuses=statuses, limit=PAGE, offset=offset)

    views = list(_all_pages(fetch))
    if args.json:
        output.print_json([output.invoice_json(view) for view in views])
    else:
        output.show(output.invoices_table(views, desk.money))
    return 0


def lifecycle(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    moment = None
    if args.now:
        moment = parse_moment(args.now, desk.settings.business.zone, "--now")
        check_requested_moment(desk, moment, dry_run=args.dry_run)
    result = run_lifecycle(desk, ctx.actor, now=moment, dry_run=args.dry_run)
    if args.json:
        output.print_json(output.lifecycle_json(result))
    else:
        output.print_lines(output.lifecycle_lines(result))
    return 0
