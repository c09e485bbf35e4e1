"""`nextcars ssh-config`: the sshd `Match` block that gives drivers the desk and nothing else.

sshd runs a `ForceCommand` whatever the client asked for (a shell, `bash`, `sqlite3 …`, a
subsystem), so the block pins the command to this install's desk with an absolute config, turns
off every kind of forwarding, and the desk itself refuses to start without a terminal.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from nextcars_tui.config import (
    DB_ENV,
    database_path,
    display_url,
    find_config,
    load_settings,
    uses_sqlite,
)
from nextcars_tui.domain.errors import InvalidInput

COMMAND = "ssh-config"
DEFAULT_GROUP = "nextcars-drivers"
COLOR_SYSTEMS = ("auto", "standard", "256", "truecolor")
DEFAULT_COLOR_SYSTEM = "256"
DEFAULT_FPS = 20

# OpenSSH releases that introduced the sshd_config keywords the block uses.
SETENV_SINCE = (8, 7)
DISABLE_FORWARDING_SINCE = (7, 4)

# User and group patterns as sshd's Match takes them: names, wildcards, comma lists, negation.
_MATCH_PATTERN = re.compile(r"[A-Za-z0-9_.*?!,$-]+")
_OPENSSH_VERSION = re.compile(r"OpenSSH_(\d+)\.(\d+)")
# Everything else in the block is ours; these go through to the session as they are.
_SETENV_VALUE = re.compile(r"[A-Za-z0-9_./:,+-]+")


@dataclass(frozen=True)
class MatchBlock:
    """What goes into the block; rendered by `render`."""

    criterion: str  # "Group nextcars-drivers" or "User alice"
    command: tuple[str, ...]  # argv of the forced command, absolute paths
    config_path: Path
    # The SQLite file, or the PostgreSQL URL without its password.
    database: Path | str
    openssh: tuple[int, int] | None  # None when no sshd was found to ask
    environment: tuple[tuple[str, str], ...]


def register(
    subcommands: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
) -> None:
    """Add `ssh-config` to the CLI; `common` carries the options every command takes."""
    parser = subcommands.add_parser(
        COMMAND,
        parents=[common],
        help="print the sshd Match block that gives drivers the desk over SSH",
        description=(
            "Print an OpenSSH Match block whose ForceCommand opens this install's desk with "
            "an absolute --config, with shells, forwarding and tunnels off. Save it as "
            "/etc/ssh/sshd_config.d/nextcars.conf (or append it to sshd_config), check with "
            "`sshd -t`, reload sshd."
        ),
    )
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--user", metavar="NAME", help="match this OS account (or pattern)")
    who.add_argument(
        "--group",
        metavar="NAME",
        help=f"match members of this OS group (default {DEFAULT_GROUP})",
    )
    parser.add_argument(
        "--color-system",
        choices=COLOR_SYSTEMS,
        default=DEFAULT_COLOR_SYSTEM,
        help="TEXTUAL_COLOR_SYSTEM for SSH sessions; 'auto' leaves it to COLORTERM/TERM "
        f"(default {DEFAULT_COLOR_SYSTEM}, which every terminal shows correctly)",
    )
    parser.add_argument(
        "--fps",
        type=int,
        default=DEFAULT_FPS,
        help=f"TEXTUAL_FPS for SSH sessions, low for slow links (default {DEFAULT_FPS})",
    )
    parser.add_argument(
        "--openssh",
        metavar="X.Y",
        help="OpenSSH version of the target sshd (default: ask this machine's sshd)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Handle `nextcars [--config FILE] ssh-config …`: print the block, return the exit code."""
    block = build_block(
        config=args.config,
        user=args.user,
        group=args.group,
        color_system=args.color_system,
        fps=args.fps,
        openssh=parse_openssh_version(args.openssh) if args.openssh else detect_openssh(),
    )
    print(render(block), file=out or sys.stdout)
    return 0


def build_block(
    *,
    config: str | None,
    user: str | None = None,
    group: str | None = None,
    color_system: str = DEFAULT_COLOR_SYSTEM,
    fps: int = DEFAULT_FPS,
    openssh: tuple[int, int] | None = None,
) -> MatchBlock:
    """Resolve the config and the program for this install; raise InvalidInput if unusable."""
    found = find_config(config)
    if found is None:
        raise InvalidInput(
            "ssh-config needs a nextcars.toml (--config FILE, $NEXTCARS_CONFIG or ./nextcars.toml) "
            "so the forced command finds the same database from any home directory"
        )
    if os.environ.get(DB_ENV):
        raise InvalidInput(
            f"${DB_ENV} is set, but SSH sessions would not see it and would open another "
            "database: put the database in the config's database.url and unset it"
        )
    config_path = found.expanduser().absolute().resolve()
    # Loading it now stops a typo from reaching sshd: the drivers would only see an error.
    settings = load_settings(str(config_path))
    if user is not None:
        criterion = f"User {_match_pattern(user, '--user')}"
    else:
        group = DEFAULT_GROUP if group is None else group
        criterion = f"Group {_match_pattern(group, '--group')}"
    if color_system not in COLOR_SYSTEMS:
        raise InvalidInput(f"--color-system must be one of {', '.join(COLOR_SYSTEMS)}")
    if not 1 <= fps <= 120:
        raise InvalidInput(f"--fps must be between 1 and 120, got {fps}")
    environment = [("TEXTUAL_FPS", str(fps)), ("TEXTUAL_ANIMATIONS", "none")]
    if color_system != "auto":
        environment.insert(0, ("TEXTUAL_COLOR_SYSTEM", color_system))
    return MatchBlock(
        criterion=criterion,
        command=(*desk_program(), "--config", str(config_path)),
        config_path=config_path,
        database=database_path(settings)
        if uses_sqlite(settings)
        else display_url(settings.database_url),
        openssh=openssh,
        environment=tuple(environment),
    )


def _database_lines(database: Path | str) -> list[str]:
    if isinstance(database, str):
        return [
            f"# Database: {database} (a PostgreSQL server: the drivers' OS accounts",
            "# need no access to any file; a password belongs in ~/.pgpass, not the URL).",
        ]
    return [
        f"# Database: {database} (the drivers' OS accounts need read and write",
        "# access to it and to its folder, where SQLite keeps its -wal and -shm files).",
    ]


def desk_program() -> tuple[str, ...]:
    """The installed `nextcars` beside this interpreter, else `python -m nextcars_tui`.

    The interpreter's folder is taken as it is, not resolved: a virtualenv's `bin/python` is a
    symlink, and following it would leave the virtualenv and its packages behind.
    """
    python = Path(os.path.abspath(sys.executable))
    script = python.parent / "nextcars"
    if script.is_file() and os.access(script, os.X_OK):
        return (str(script),)
    return (str(python), "-m", "nextcars_tui")


def detect_openssh() -> tuple[int, int] | None:
    """Ask the local sshd (else ssh) which OpenSSH it is; None when neither answers."""
    for program in ("sshd", "ssh"):
        path = shutil.which(program) or shutil.which(program, path="/usr/sbin:/usr/bin:/sbin")
        if path is None:
            continue
        try:
            # `-V` prints the version (sshd ≥ 9.1); older sshd print it in the usage message.
            done = subprocess.run(
                [path, "-V"], capture_output=True, text=True, timeout=5, check=False
            )
        except (OSError, subprocess.SubprocessError):
            continue
        version = _OPENSSH_VERSION.search(done.stdout + done.stderr)
        if version:
            return int(version.group(1)), int(version.group(2))
    return None


def parse_openssh_version(text: str) -> tuple[int, int]:
    found = re.fullmatch(r"\s*(?:OpenSSH_)?(\d+)\.(\d+)\S*\s*", text)
    if found is None:
        raise InvalidInput(f"--openssh must look like 9.2, got {text!r}")
    return int(found.group(1)), int(found.group(2))


def _match_pattern(name: str, option: str) -> str:
    if not _MATCH_PATTERN.fullmatch(name):
        raise InvalidInput(
            f"{option} must be an OS user or group name (letters, digits, . _ - and sshd's "
            f"pattern characters * ? ! ,), got {name!r}"
        )
    return name


def _supports(openssh: tuple[int, int] | None, since: tuple[int, int]) -> bool:
    # Unknown version: assume a current sshd; the header tells the admin to run `sshd -t`.
    return openssh is None or openssh >= since


def render(block: MatchBlock) -> str:
    """The block as sshd_config text, with comments an administrator can act on."""
    version = ".".join(map(str, block.openssh)) if block.openssh else "unknown (assumed current)"
    environment = [f"{name}={value}" for name, value in block.environment]
    for assignment in environment:
        if not _SETENV_VALUE.fullmatch(assignment.split("=", 1)[1]):
            raise InvalidInput(f"cannot pass {assignment!r} to the SSH session")
    command = shlex.join(block.command)
    use_setenv = _supports(block.openssh, SETENV_SINCE)
    if environment and not use_setenv:
        # Before 8.7 sshd has no SetEnv: the forced command sets the variables itself.
        command = shlex.join(("/usr/bin/env", *environment, *block.command))
    lines = [
        "# NextCars rental desk: drivers over SSH (printed by `nextcars ssh-config`).",
        f"# OpenSSH here: {version}. Config: {block.config_path}",
        *_database_lines(block.database),
        "# Save as /etc/ssh/sshd_config.d/nextcars.conf where sshd_config includes that",
        "# folder (Debian, Ubuntu), else append to the END of /etc/ssh/sshd_config: a Match",
        "# block runs to the next Match line or the end of its file. Then `sshd -t`, reload.",
        "# PermitUserEnvironment is global-only (not allowed inside Match): keep it at its",
        "# default, `PermitUserEnvironment no`, in the main part of sshd_config.",
    ]
    lines += [
        f"Match {block.criterion}",
        f"    ForceCommand {command}",
        "    PermitTTY yes",
        "    AllowTcpForwarding no",
        "    AllowStreamLocalForwarding no",
        "    AllowAgentForwarding no",
        "    X11Forwarding no",
        "    PermitTunnel no",
        "    PermitUserRC no",
    ]
    if _supports(block.openssh, DISABLE_FORWARDING_SINCE):
        lines.append("    DisableForwarding yes")
    if environment and use_setenv:
        # sshd keeps only the first SetEnv line it meets: every variable goes on this one.
        lines.append(f"    SetEnv {' '.join(environment)}")
    return "\n".join(lines)
