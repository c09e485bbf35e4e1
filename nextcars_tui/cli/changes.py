"""The commands that change what was booked: change, block, unblock, blocks, available,
booking (one booking with its history), retire and reinstate."""

from __future__ import annotations

import argparse

from nextcars_tui.cli import output
from nextcars_tui.cli.context import Context
from nextcars_tui.domain.ledger import balance_words, signed_money
from nextcars_tui.domain.rules import Money
from nextcars_tui.services import availability, blocks, changes
from nextcars_tui.services import retire as retiring
from nextcars_tui.services.booking import booking_record


def change(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    request = changes.ChangeRequest(
        start=args.start,
        days=args.days,
        car_plate=args.car,
        driver_code=args.driver,
        customer_email=args.customer,
        pickup_time=args.pickup_time,
        pickup=args.pickup,
        dropoff=args.dropoff,
        passengers=args.passengers,
        notes=args.notes,
    )
    if args.dry_run:
        _preview(desk.money, changes.preview_change(desk, ctx.actor, args.ref, request), args.json)
        return 0
    view = changes.change_booking(desk, ctx.actor, args.ref, request)
    if args.json:
        output.print_json(output.booking_json(view))
    else:
        output.print_lines(output.booking_lines(view, desk.money))
    return 0


def _preview(money: Money, preview: changes.ChangePreview, as_json: bool) -> None:
    """The booking as the change would leave it, and what it does to the invoice."""
    if as_json:
        output.print_json(
            {
                **output.booking_json(preview.booking),
                "difference_cents": preview.difference_cents,
                "balance_after_cents": preview.balance_after_cents,
            }
        )
        return
    output.print_line("Dry run: nothing was written. The change would make it:")
    output.print_lines(output.booking_lines(preview.booking, money))
    output.print_line(
        f"Difference: {signed_money(preview.difference_cents, money)}; "
        f"{balance_words(preview.balance_after_cents, money)} after the change."
    )


def booking(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    detail = booking_record(desk, ctx.actor, args.ref)
    zone = desk.settings.business.zone
    if args.json:
        output.print_json(output.booking_detail_json(detail, zone))
    else:
        output.print_lines(output.booking_detail_lines(detail, desk.money, zone))
    return 0


def block(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    request = blocks.BlockRequest(
        kind=args.kind, resource=args.resource, start=args.start, days=args.days, reason=args.reason
    )
    result = blocks.block(desk, ctx.actor, request, reassign=args.reassign)
    if args.json:
        shown = output.block_json(result.block)
        if args.reassign:
            output.print_json(
                {
                    "block": shown,
                    "reassigned": [output.reassigned_json(r) for r in result.reassigned],
                }
            )
        else:
            output.print_json(shown)
    else:
        output.print_lines(output.block_lines(result, desk.today().year))
    return 0


def unblock(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    view = blocks.unblock(desk, ctx.actor, args.ref)
    output.print_line(
        f"{view.ref} removed: {view.kind.value} {view.resource} is free again for those days."
    )
    return 0


def list_blocks(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    views = blocks.list_blocks(desk, ctx.actor, car_plate=args.car, driver_code=args.driver)
    if args.json:
        output.print_json([output.block_json(view) for view in views])
    else:
        output.show(output.blocks_table(views, desk.today().year))
    return 0


def available(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    free = availability.available(desk, ctx.actor, args.start, args.days)
    if args.json:
        output.print_json(output.available_json(free))
    else:
        output.show(output.available_table(free, desk.money))
    return 0


def retire(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    output.print_line(retiring.retire(desk, ctx.actor, args.kind, args.key, reassign=args.reassign))
    return 0


def reinstate(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    output.print_line(retiring.reinstate(desk, ctx.actor, args.kind, args.key))
    return 0
