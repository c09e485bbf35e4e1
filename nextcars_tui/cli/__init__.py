"""The `nextcars` command: the desk for people, and a scriptable contract for cron and scripts.

Names, options, JSON keys and exit codes are a contract (see the README). Every failure is one
line on stderr starting 'error:' and one of these exit codes, never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from nextcars_tui.cli.parser import UsageError, build_parser
from nextcars_tui.config import ConfigError
from nextcars_tui.domain.errors import DeskError

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_INVALID = 2  # also for a bad command line or an invalid config file


def _fail(message: str, code: int) -> int:
    # Driver messages can span lines; the contract is one line.
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    sys.stderr.flush()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
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
        return _fail(f"unexpected {type(exc).__name__}: {exc}", EXIT_UNEXPECTED)
