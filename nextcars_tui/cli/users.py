"""The `user` commands: add, disable, enable, list and set passwords of desk users."""

from __future__ import annotations

import argparse
import getpass
import sys

from nextcars_tui.cli import output
from nextcars_tui.cli.context import Context
from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.parsing import decode_utf8, parse_password
from nextcars_tui.services import accounts, auth


def _password(from_stdin: bool, unchanged: str) -> str:
    """The new password from standard input, or asked twice at a terminal; `unchanged` says
    what did not happen when the two typed differ."""
    if from_stdin:
        # Read as bytes: a password that is not UTF-8 is a clear error, not a traceback.
        stream = getattr(sys.stdin, "buffer", None)
        line = stream.readline() if stream is not None else sys.stdin.readline().encode()
        return decode_utf8(line, "password on stdin").rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidInput("No terminal to ask for the password; pipe it in with --password-stdin.")
    first = getpass.getpass("Password: ")
    parse_password(first)  # fails early on a too-short password, before asking twice
    if getpass.getpass("Repeat password: ") != first:
        raise InvalidInput(f"The passwords do not match; {unchanged}.")
    return first


def user_add(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    password = _password(args.password_stdin, "no user was added")
    view = auth.add_user(desk, ctx.actor, args.username, args.role, password, args.link)
    linked = f", linked to {view.linked_to}" if view.linked_to else ""
    output.print_line(f"Added {view.role.value} user {view.username}{linked}.")
    return 0


def user_disable(ctx: Context, args: argparse.Namespace) -> int:
    view = accounts.disable_user(ctx.desk(), ctx.actor, args.username, args.reason)
    output.print_line(
        f"Disabled {view.role.value} user {view.username} ({view.disabled_reason}): they can "
        "no longer sign in, and desks signed in as them go back to the sign-in screen."
    )
    return 0


def user_enable(ctx: Context, args: argparse.Namespace) -> int:
    view = accounts.enable_user(ctx.desk(), ctx.actor, args.username)
    output.print_line(
        f"Enabled {view.role.value} user {view.username}: they sign in with their password."
    )
    return 0


def user_list(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    views = auth.list_users(desk, ctx.actor)
    zone, now = desk.settings.business.zone, desk.now()
    if args.json:
        output.print_json([output.user_json(view, zone, now) for view in views])
    else:
        output.show(output.users_table(views, zone, now))
    return 0


def user_passwd(ctx: Context, args: argparse.Namespace) -> int:
    desk = ctx.desk()
    password = _password(args.password_stdin, "the password was not changed")
    view = auth.reset_password(desk, ctx.actor, args.username, password)
    output.print_line(f"Password of {view.username} set; failed sign-ins and any lock cleared.")
    return 0
