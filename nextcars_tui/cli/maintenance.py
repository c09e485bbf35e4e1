"""`nextcars db status|upgrade` and `nextcars backup FILE`: the database itself."""

from __future__ import annotations

import argparse

from nextcars_tui.cli.context import Context
from nextcars_tui.cli.output import print_json
from nextcars_tui.services import integrity, maintenance
from nextcars_tui.services.desk import business_today

# `db check` found a broken invariant (0 when all hold; 1 when it could not check at all).
EXIT_BROKEN = 6


def db_status(ctx: Context, _args: argparse.Namespace) -> int:
    report = maintenance.schema_status(ctx.database(), ctx.actor)
    print(f"Database: {report.where}")
    print(f"Current revision: {report.current or 'none'} ({report.state})")
    print(f"Latest revision:  {report.latest}")
    if report.state == "older":
        print("Run 'nextcars db upgrade' to bring it up to date (it writes a backup first).")
    elif report.state == "empty":
        print("Run 'nextcars init' to create the schema.")
    return 0


def db_check(ctx: Context, args: argparse.Namespace) -> int:
    db = ctx.database(read_only=True)
    report = integrity.check_database(db, ctx.actor, business_today(ctx.settings))
    if args.json:
        print_json(
            {
                "ok": report.ok,
                "checks": [
                    {"name": c.name.value, "ok": c.ok, "violations": c.violations}
                    for c in report.checks
                ],
            }
        )
    elif report.ok:
        print(f"All {len(report.checks)} checks hold on the {report.where}.")
    else:
        for check in report.checks:
            if not check.ok:
                print(f"{check.name}: {'; '.join(check.violations)}")
    return 0 if report.ok else EXIT_BROKEN


def db_upgrade(ctx: Context, _args: argparse.Namespace) -> int:
    report = maintenance.upgrade(ctx.database(), ctx.actor)
    if report.backup is not None:
        print(f"Backup written before the upgrade: {report.backup}")
    if report.before == report.after:
        print(f"{report.where} is already at the latest revision, {report.after}.")
    else:
        print(f"Upgraded {report.where} from {report.before or 'empty'} to {report.after}.")
    return 0


def backup(ctx: Context, args: argparse.Namespace) -> int:
    print(maintenance.backup(ctx.database(), ctx.actor, args.file))
    return 0
