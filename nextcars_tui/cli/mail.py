"""The mail commands: send what the outbox holds, a test message, and the outbox itself."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.table import Table

from nextcars_tui.cli import output
from nextcars_tui.cli.context import Context
from nextcars_tui.services import mail, outbox
from nextcars_tui.services.outbox import OutboxView


def _moment(value: datetime | None, zone: ZoneInfo) -> str | None:
    return None if value is None else value.astimezone(zone).isoformat(timespec="seconds")


def outbox_json(view: OutboxView, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": view.id,
        "kind": view.kind.value,
        "to": view.to,
        "subject": view.subject,
        "status": view.status.value,
        "attempts": view.attempts,
        "booking": view.booking,
        "invoice": view.invoice,
        "created_at": _moment(view.created_at, zone),
        "sent_at": _moment(view.sent_at, zone),
        "error": view.error,
    }


def send(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    result = mail.send_due(desk, ctx.actor)
    if args.json:
        output.print_json({"sent": result.sent, "failed": result.failed, "waiting": result.waiting})
    else:
        output.print_lines(
            [f"Sent {result.sent}, failed {result.failed}, waiting {result.waiting}."]
        )
    return 0


def test(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    reply = mail.send_test(desk, ctx.actor, args.address)
    output.print_lines([f"{mail.where(desk.settings.mail)} replied: {reply}"])
    return 0


def outbox_list(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    views = outbox.list_outbox(desk, ctx.actor, status=args.status)
    zone = desk.settings.business.zone
    if args.json:
        output.print_json([outbox_json(view, zone) for view in views])
        return 0
    table = Table(title="Outbox", title_justify="left", header_style="bold")
    for column in ("Id", "Kind", "To", "Subject", "Status", "Tries", "Queued", "Error"):
        table.add_column(column, no_wrap=column not in ("Subject", "Error"))
    for view in views:
        table.add_row(
            str(view.id),
            view.kind.value,
            view.to,
            view.subject,
            view.status.value,
            str(view.attempts),
            f"{view.created_at.astimezone(zone):%Y-%m-%d %H:%M}",
            view.error or "",
        )
    output.show(table)
    return 0


def retry(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    view = outbox.retry_message(desk, ctx.actor, args.id)
    output.print_lines([f"Message {view.id} ({view.kind.value} to {view.to}) is queued again."])
    return 0


def export(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    result = outbox.export_queued(desk, ctx.actor, args.folder)
    count = len(result.files)
    output.print_lines(
        [f"Wrote {count} message{'s' if count != 1 else ''} to {result.folder}."]
        + [f"  {path.name}" for path in result.files]
    )
    return 0
