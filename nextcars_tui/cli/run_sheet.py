"""`nextcars today`: a day's run sheet as a table, JSON or a PDF.

The JSON keys are the scripting contract (README): `{"date", "pickups": [job], "returns":
[job]}`, a job's money in integer cents and anything not set null."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from rich.table import Table

from nextcars_tui.cli import output
from nextcars_tui.cli.context import Context
from nextcars_tui.domain.errors import FileAlreadyExists, InvalidInput
from nextcars_tui.services.today import RunSheet, run_sheet
from nextcars_tui.services.views import BookingView

Money = output.Money


def job_json(job: BookingView) -> dict[str, Any]:
    return {
        "booking": job.ref,
        "pickup_time": job.pickup_time,
        "pickup": job.pickup,
        "dropoff": job.dropoff,
        "passengers": job.passengers,
        "customer": job.customer_name,
        "phone": job.customer_phone,
        "car": job.car_plate,
        "driver": job.driver_code,
        "balance_cents": job.invoice.balance_cents,
    }


def run_sheet_json(sheet: RunSheet) -> dict[str, Any]:
    return {
        "date": sheet.day.isoformat(),
        "pickups": [job_json(job) for job in sheet.pickups],
        "returns": [job_json(job) for job in sheet.returns],
    }


def _jobs_table(title: str, jobs: list[BookingView], money: Money) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in ("Time", "Booking", "Customer", "Phone", "From", "To", "Pax", "Car", "Driver"):
        # Names and places may wrap; times, refs, phones, plates and codes stay whole.
        table.add_column(column, no_wrap=column not in {"Customer", "From", "To"})
    table.add_column("Balance", justify="right", no_wrap=True)
    for job in jobs:
        table.add_row(
            job.pickup_time or "",
            job.ref,
            job.customer_name,
            job.customer_phone,
            job.pickup or "",
            job.dropoff or "",
            "" if job.passengers is None else str(job.passengers),
            job.car_plate,
            job.driver_code,
            money(job.invoice.balance_cents),
        )
    return table


def today(ctx: Context, args: argparse.Namespace) -> int:
    # `is None`, not falsiness: `--pdf ''` is a (bad) file name, refused by the file writer.
    if args.force and args.pdf is None:
        raise InvalidInput("--force goes with --pdf FILE: it allows replacing that file.")
    desk = ctx.desk()
    day = desk.parse_date(args.date, "--date") if args.date else None
    if args.pdf is not None:
        return _pdf(ctx, args, day)
    sheet = run_sheet(desk, ctx.actor, day)
    if args.json:
        output.print_json(run_sheet_json(sheet))
        return 0
    when = f"{sheet.day:%a} {sheet.day.day} {sheet.day:%b %Y}"
    for noun, jobs in (("pickup", sheet.pickups), ("return", sheet.returns)):
        plural = noun if len(jobs) == 1 else f"{noun}s"
        output.show(_jobs_table(f"{when}: {len(jobs)} {plural}", jobs, desk.money))
    return 0


def _pdf(ctx: Context, args: argparse.Namespace, day: date | None) -> int:
    # Imported here: the PDF library (with Pillow and fontTools) is slow to load, and only
    # --pdf needs it.
    from nextcars_tui.services.run_sheet_document import save_run_sheet_pdf

    desk = ctx.desk()
    try:
        saved = save_run_sheet_pdf(desk, ctx.actor, day, args.pdf, force=args.force)
    except FileAlreadyExists as exists:
        raise InvalidInput(
            f"{exists.path} already exists; give --force to replace it, or choose another name.",
            field="path",
        ) from None
    if args.json:
        # The sheet the file holds, for a script that files it away.
        output.print_json(run_sheet_json(saved.sheet))
    else:
        pages = f"{saved.pages} page{'s' if saved.pages != 1 else ''}"
        written = saved.sheet.day.isoformat()
        output.print_lines([f"Wrote the run sheet of {written} to {saved.path} ({pages})."])
    return 0
