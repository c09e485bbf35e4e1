"""`nextcars db status|upgrade` and `nextcars backup FILE`: the database itself."""

from __future__ import annotations

import argparse

from nextcars_tui.cli import output
from nextcars_tui.cli.context import Context
from nextcars_tui.services import integrity, maintenance
from nextcars_tui.services.desk import business_today

# `db check` found a broken invariant (0 when all hold; 1 when it could not check at all).
EXIT_BROKEN = 6


def db_status(ctx: Context, _args: argparse.Namespace) -> int:
    # Only looks: nothing is created or changed, not even a 0-byte file.
    report = maintenance.schema_status(ctx.database(read_only=True), ctx.actor)
    output.print_line(f"Database: {report.where}")
    output.print_line(f"Current revision: {report.current or 'none'} ({report.state})")
    output.print_line(f"Latest revision:  {report.latest}")
    if report.state == "older":
        output.print_line(
            "Run 'nextcars db upgrade' to bring it up to date (it writes a backup first)."
        )
    elif report.state == "empty":
        output.print_line("Run 'nextcars init' to create the schema.")
    return 0


def db_check(ctx: Context, args: argparse.Namespace) -> int:
    db = ctx.database(read_only=True)
    report = integrity.check_database(db, ctx.actor, business_today(ctx.settings))
    if args.json:
        output.print_json(
            {
                "ok": report.ok,
                "checks": [
                    {"name": c.name.value, "ok": c.ok, "violations": c.violations}
                    for c in report.checks
                ],
            }
        )
    elif report.ok:
        output.print_line(f"All {len(report.checks)} checks hold on the {report.where}.")
    else:
        for check in report.checks:
            if not check.ok:
                output.print_line(f"{check.name}: {'; '.join(check.violations)}")
    return 0 if report.ok else EXIT_BROKEN


def db_upgrade(ctx: Context, _args: argparse.Namespace) -> int:
    report = maintenance.upgrade(ctx.database(), ctx.actor)
    if report.backup is not None:
        output.print_line(f"Backup written before the upgrade: {report.backup}")
    if report.before == report.after:
        output.print_line(f"{report.where} is already at the latest revision, {report.after}.")
    else:
        output.print_line(
            f"Upgraded {report.where} from {report.before or 'empty'} to {report.after}."
        )
    return 0


def backup(ctx: Context, args: argparse.Namespace) -> int:
    output.print_line(maintenance.backup(ctx.database(), ctx.actor, args.file))
    return 0
