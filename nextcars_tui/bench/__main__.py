"""Benchmarks of the desk's hot paths: `python -m nextcars_tui.bench [--quick] [--only core]`.

Section `core`: one database per history size; booking attempts through the service and
through a raw sqlite3 baseline on the same file, interleaved across sizes so that load from
elsewhere on the machine falls on every figure alike; the lifecycle rules and the query plans
the store used over the largest history.

Section `tui`: over the largest history, the cars × days grid moving by a week and the
wizard's car step (query plus render), and launch-to-sign-in beside a minimal Textual app.
`--only tui --keep PATH` reuses a database an earlier `--keep PATH` run seeded.

Section `mail`: a booking booked and confirmed with its confirmation queued and without,
interleaved in one run (the share queuing adds), and `mail send` handing 100 queued messages
to an aiosmtpd server on 127.0.0.1 (skipped, saying why, without aiosmtpd).

Section `postgres`: one booking through the service beside raw psycopg as the history grows
(1,000 and 300,000 bookings; --quick 1,000 and 10,000), then 8 processes booking at once,
service and raw in turns. `--postgres URL` names the database: it must be empty (it is left
holding the benchmark's data) or not exist yet (it is created, and dropped at the end).
Without it a throw-away cluster is started with initdb/pg_ctl (as the `postgres` user when
run as root) and stopped at the end; where neither is possible the section says why and is
skipped.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from nextcars_tui.bench import core
from nextcars_tui.bench.seed import bench_settings
from nextcars_tui.domain.errors import StoreUnavailable

FULL_SIZES = (1_000, 1_000_000)
QUICK_SIZES = (1_000, 50_000)
PG_FULL_SIZES = (1_000, 300_000)
PG_QUICK_SIZES = (1_000, 10_000)


def run_core(console: Console, args: argparse.Namespace, folder: Path) -> None:
    sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    attempts = args.attempts or (50 if args.quick else 200)
    block_rounds = 6 if args.quick else 12
    figures = core.measure(console, folder, sizes, attempts, args.keep, block_rounds)
    core.report(console, figures)
    if args.keep:
        console.print(f"kept the {max(sizes):,}-booking database at {args.keep}")


def run_tui(console: Console, args: argparse.Namespace, folder: Path) -> None:
    """Grid, wizard and start-up over the largest history: the core section's database when
    it ran in this invocation, else one seeded here."""
    # Imported here: the core section must run without loading Textual.
    from nextcars_tui.bench.tui import run_section

    sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    path = args.keep or folder / f"bench-{max(sizes)}.db"
    if not path.exists():
        stage = core.Stage(path, max(sizes), bench_settings())
        console.print(f"seeded {stage.bookings:,} bookings in {stage.seed_s:.1f} s")
        stage.close()
    run_section(console, path, folder, rounds=6 if args.quick else 12)


def run_postgres(console: Console, args: argparse.Namespace, _folder: Path) -> None:
    """One booking, service beside raw psycopg, at each size; then 8 bookers at once."""
    # Imported here: the other sections must run without psycopg.
    from nextcars_tui.bench.pg_target import Unavailable, bench_database

    sizes = args.pg_sizes or (PG_QUICK_SIZES if args.quick else PG_FULL_SIZES)
    # More attempts than the core section: each waits for a commit's fsync, whose time varies.
    attempts = args.attempts or (100 if args.quick else 400)
    seconds, rounds = (1.0, 1) if args.quick else (3.0, 3)
    try:
        with bench_database(args.postgres) as target:
            from nextcars_tui.bench import postgres  # needs psycopg, there by now

            figures = postgres.measure(
                console, target.url, target.where, sizes, attempts, seconds, rounds
            )
    except Unavailable as exc:
        console.print(f"PostgreSQL section skipped: {exc}", soft_wrap=True, highlight=False)
        return
    except StoreUnavailable as exc:  # the server went away, or refused the schema
        console.print(f"PostgreSQL section failed: {exc}", soft_wrap=True, highlight=False)
        return
    postgres.report(console, figures)


def run_mail(console: Console, args: argparse.Namespace, folder: Path) -> None:
    """What queuing a message adds to its booking, and 100 messages handed to a local server."""
    from nextcars_tui.bench import mail

    figures = mail.measure(console, folder, bench_settings(), rounds=5 if args.quick else 20)
    mail.report(console, figures)


SECTIONS = {"core": run_core, "tui": run_tui, "postgres": run_postgres, "mail": run_mail}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nextcars_tui.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="1,000 and 50,000 bookings (PostgreSQL 10,000)")  # fmt: skip
    parser.add_argument("--sizes", type=lambda text: sorted(int(n) for n in text.split(",")),
                        help="comma-separated history sizes, e.g. 1000,1000000")  # fmt: skip
    parser.add_argument("--attempts", type=int,
                        help="timed attempts per size (default 200, PostgreSQL 400)")  # fmt: skip
    parser.add_argument("--keep", type=Path, metavar="DB_PATH", help="seed the largest here")
    parser.add_argument("--only", choices=sorted(SECTIONS), help="run one section, not all")
    parser.add_argument("--postgres", metavar="URL",
                        help="postgresql://USER@HOST/DB, empty or not there yet")  # fmt: skip
    parser.add_argument("--pg-sizes", type=lambda text: sorted(int(n) for n in text.split(",")),
                        help="PostgreSQL history sizes, e.g. 1000,300000")  # fmt: skip
    args = parser.parse_args(argv)
    if args.keep and args.keep.exists() and args.only != "tui":
        parser.error(f"{args.keep} already exists; the benchmark seeds a new database")
    console = Console(width=None if sys.stdout.isatty() else 150)
    with tempfile.TemporaryDirectory(prefix="nextcars-bench-") as folder:
        for name in [args.only] if args.only else list(SECTIONS):
            SECTIONS[name](console, args, Path(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
