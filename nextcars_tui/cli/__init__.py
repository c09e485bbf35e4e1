"""The `nextcars` command: the desk for people, and a scriptable contract for cron and scripts.

Names, options, JSON keys and exit codes are a contract (see the README). Every failure is one
line on stderr starting 'error:' and one of these exit codes, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence

from nextcars_tui.cli.context import UsageError, with_context
from nextcars_tui.config import ConfigError
from nextcars_tui.domain.errors import DeskError
from nextcars_tui.domain.safe_text import inert

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_INVALID = 2  # also for a bad command line or an invalid config file


def _fail(message: str, code: int) -> int:
    # Driver messages can span lines; the contract is one line. A message may quote stored
    # text (a name, a plate), so its control characters are shown inert, as on stdout.
    sys.stderr.write(f"error: {inert(' '.join(message.split()))}\n")
    sys.stderr.flush()
    return code


# Where a database library's message turns from what went wrong into what was sent: the
# statement and its parameters (which can hold a password hash or customer data), the
# driver's DETAIL lines (key values) and a link to the library's documentation.
_NOT_FOR_PRINTING = re.compile(
    r"\[SQL:|\[parameters:|\(Background on this error|\bDETAIL:|\bHINT:|\bCONTEXT:"
)
MAX_UNEXPECTED = 300


def unexpected_message(exc: BaseException) -> str:
    """One short line for an error nobody expected: its type and the first part of its text,
    never the SQL statement or its parameters."""
    text = " ".join(_NOT_FOR_PRINTING.split(str(exc), maxsplit=1)[0].split())
    if len(text) > MAX_UNEXPECTED:
        text = text[: MAX_UNEXPECTED - 1] + "…"
    return (
        f"unexpected {type(exc).__name__}: {text}" if text else f"unexpected {type(exc).__name__}"
    )


def desk_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments of `nextcars` or `nextcars --config FILE`, which open the desk, as the
    full parser reads them; None for any other command line. The desk is launched far more
    often than any command, and building every command's parser first delays its sign-in
    screen; anything less plain than these forms (an abbreviation, a repeat, --help) is
    left to the full parser."""
    if not argv:
        return argparse.Namespace(config=None)
    if len(argv) == 2 and argv[0] == "--config" and not argv[1].startswith("-"):
        return argparse.Namespace(config=argv[1])
    if len(argv) == 1 and argv[0].startswith("--config="):
        return argparse.Namespace(config=argv[0].removeprefix("--config="))
    return None


def main(argv: Sequence[str] | None = None) -> int:
    try:
        desk = desk_arguments(sys.argv[1:] if argv is None else argv)
        if desk is not None:
            from nextcars_tui.cli.interactive import open_desk

            return with_context(open_desk)(desk)
        from nextcars_tui.cli.parser import build_parser

        args = build_parser().parse_args(argv)
        return int(args.handler(args))
    except UsageError as exc:
        return _fail(str(exc), EXIT_INVALID)
    except ConfigError as exc:
        return _fail(str(exc), EXIT_INVALID)
    except DeskError as exc:
        return _fail(exc.message, exc.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_UNEXPECTED)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); silence the flush at exit as well.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        return _fail(unexpected_message(exc), EXIT_UNEXPECTED)
