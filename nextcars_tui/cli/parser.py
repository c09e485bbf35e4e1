"""The command line: every name and option here is part of the scripting contract."""

from __future__ import annotations

import argparse
import importlib
from typing import NoReturn

from nextcars_tui.cli import ssh_config
from nextcars_tui.cli.context import Handler, UsageError, with_context
from nextcars_tui.domain.statuses import BookingStatus, InvoiceStatus, PaymentMethod

# The import formats (services.imports.FORMATS), named here so parsing loads no data layer.
IMPORT_KINDS = ("cars", "drivers", "customers")
# domain.mail.OutboxStatus, named here for the same reason.
OUTBOX_STATUSES = ("queued", "sent", "failed")
# domain.reporting.Grouping, named here so that parsing loads no reporting rules either.
GROUPINGS = ("day", "week", "month")

EPILOG = """\
exit codes: 0 done, 2 invalid input (also a bad command line or config file),
3 conflict with another booking, 4 not allowed in the current state or role,
5 not found, 6 'db check' found a broken invariant, 1 anything unexpected.
Errors are one line on stderr starting 'error:'.
"""


class CliParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _lower(text: str) -> str:
    return text.strip().lower()


def _values(
    enum: type[BookingStatus] | type[InvoiceStatus] | type[PaymentMethod],
) -> list[str]:
    return [member.value for member in enum]


def _config_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="settings file (default: $NEXTCARS_CONFIG, ./nextcars.toml, built-in defaults)",
    )


def _lazy(module: str, name: str) -> Handler:
    """A handler whose module is imported only when its command runs: opening the desk must
    reach the sign-in screen without loading the data layer first."""

    def handler(args: argparse.Namespace) -> int:
        command = getattr(importlib.import_module(f"nextcars_tui.cli.{module}"), name)
        return with_context(command)(args)

    return handler


def _job_sheet_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pickup-time", metavar="HH:MM", help="business time, 24-hour")
    parser.add_argument("--pickup", metavar="TEXT", help="where the driver picks up")
    parser.add_argument("--dropoff", metavar="TEXT", help="where the ride ends")
    parser.add_argument("--passengers", metavar="N", help="at most the car's seats")
    parser.add_argument("--notes", metavar="TEXT", help="flight number, child seat…")


def build_parser() -> CliParser:
    parser = CliParser(
        prog="nextcars",
        description="NextCars rental desk. Without a command, opens the desk.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _config_option(parser, None)
    parser.set_defaults(handler=_lazy("interactive", "open_desk"))
    # --config is accepted after the command too; SUPPRESS keeps the top-level value then.
    common = CliParser(add_help=False)
    _config_option(common, argparse.SUPPRESS)
    # Handlers take the parsed args and return the exit code; other modules can add commands
    # to `sub` the same way.
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CliParser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    init = command("init", "create the schema (idempotent); --demo loads the demo data")
    init.add_argument("--demo", action="store_true", help="load demo data and demo users")
    init.set_defaults(handler=_lazy("commands", "init"))

    imp = command("import", "add or update cars, drivers or customers from a CSV file")
    imp.add_argument("kind", choices=IMPORT_KINDS, type=_lower)
    imp.add_argument("file", metavar="FILE.csv")
    imp.set_defaults(handler=_lazy("commands", "import_csv"))

    user = command("user", "manage desk users")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)

    def user_action(name: str, help_text: str) -> argparse.ArgumentParser:
        action = user_sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        action.set_defaults(handler=_lazy("users", f"user_{name}"))
        return action

    add = user_action("add", "add a user")
    add.add_argument("username")
    add.add_argument("--role", required=True, help="manager, staff, driver or customer")
    add.add_argument("--link", metavar="PLATE|CODE|EMAIL", help="driver code or customer e-mail")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    disable = user_action("disable", "close an account: no more sign-ins, its desks signed out")
    disable.add_argument("username")
    # Optional here so that a missing reason is the desk's own one-line refusal (exit 2).
    disable.add_argument("--reason", metavar="TEXT", help="required: why, for the audit log")
    enable = user_action("enable", "open a disabled account again (its password is kept)")
    enable.add_argument("username")
    listing = user_action("list", "every user: role, link, disabled, last sign-in, lock")
    listing.add_argument("--json", action="store_true")
    passwd = user_action("passwd", "set a user's password (clears failed sign-ins and any lock)")
    passwd.add_argument("username")
    passwd.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )

    book = command("book", "book a car with a driver for a customer")
    book.add_argument("--customer", required=True, metavar="EMAIL")
    book.add_argument("--car", required=True, metavar="PLATE")
    book.add_argument("--driver", required=True, metavar="CODE")
    book.add_argument(
        "--start",
        required=True,
        metavar="DATE",
        help="YYYY-MM-DD, the business's day/month/year form, today, tomorrow or +N",
    )
    book.add_argument("--days", required=True, metavar="N")
    _job_sheet_options(book)
    book.add_argument("--json", action="store_true", help="print the booking as JSON")
    book.set_defaults(handler=_lazy("commands", "book"))

    change = command("change", "change a booking's dates, car, driver or job sheet")
    change.add_argument("ref", metavar="BOOKING_REF")
    change.add_argument("--start", metavar="DATE", help="a new start (not once under way)")
    change.add_argument("--days", metavar="N", help="extend, shorten or end early")
    change.add_argument("--car", metavar="PLATE")
    change.add_argument("--driver", metavar="CODE")
    change.add_argument(
        "--customer", metavar="EMAIL", help="move the booking (and its invoice) to them"
    )
    _job_sheet_options(change)
    change.add_argument(
        "--dry-run", action="store_true", help="print what the change would do, write nothing"
    )
    change.add_argument("--json", action="store_true", help="print the booking as JSON")
    change.set_defaults(handler=_lazy("changes", "change"))

    detail = command("booking", "one booking with its job sheet and history")
    detail.add_argument("ref", metavar="BOOKING_REF")
    detail.add_argument("--json", action="store_true", help="the booking with its history")
    detail.set_defaults(handler=_lazy("changes", "booking"))

    block = command("block", "take a car off the road or a driver off duty for some days")
    block.add_argument("kind", type=_lower, choices=("car", "driver"))
    block.add_argument("resource", metavar="PLATE|CODE")
    block.add_argument("--start", required=True, metavar="DATE")
    block.add_argument("--days", required=True, metavar="N")
    block.add_argument("--reason", required=True, metavar="TEXT", help="maintenance, MOT, sick…")
    block.add_argument(
        "--reassign",
        action="store_true",
        help="move the bookings it disrupts to free replacements (prices kept)",
    )
    block.add_argument("--json", action="store_true")
    block.set_defaults(handler=_lazy("changes", "block"))

    unblock = command("unblock", "remove a block; its car or driver is free again")
    unblock.add_argument("ref", metavar="BLOCK_REF")
    unblock.set_defaults(handler=_lazy("changes", "unblock"))

    blocks = command("blocks", "list the blocks in force")
    blocks.add_argument("--car", metavar="PLATE")
    blocks.add_argument("--driver", metavar="CODE")
    blocks.add_argument("--json", action="store_true")
    blocks.set_defaults(handler=_lazy("changes", "list_blocks"))

    available = command("available", "cars and drivers free for every day of an interval")
    available.add_argument("--start", required=True, metavar="DATE")
    available.add_argument("--days", required=True, metavar="N")
    available.add_argument("--json", action="store_true")
    available.set_defaults(handler=_lazy("changes", "available"))

    retire = command("retire", "retire a car, driver or customer (no new bookings; history kept)")
    retire.add_argument("kind", type=_lower, choices=("car", "driver", "customer"))
    retire.add_argument("key", metavar="PLATE|CODE|EMAIL")
    retire.add_argument(
        "--reassign",
        action="store_true",
        help="a car or driver: move its bookings still to run to free replacements first "
        "(prices kept), in the same transaction",
    )
    retire.set_defaults(handler=_lazy("changes", "retire"))

    reinstate = command("reinstate", "put a retired car, driver or customer back in service")
    reinstate.add_argument("kind", type=_lower, choices=("car", "driver", "customer"))
    reinstate.add_argument("key", metavar="PLATE|CODE|EMAIL")
    reinstate.set_defaults(handler=_lazy("changes", "reinstate"))

    confirm = command("confirm", "confirm a pending booking without payment (pay on account)")
    confirm.add_argument("ref", metavar="BOOKING_REF")
    confirm.set_defaults(handler=_lazy("commands", "confirm"))

    cancel = command(
        "cancel",
        "cancel a booking before it starts; its charges are reversed (a late one pays a fee)",
    )
    cancel.add_argument("ref", metavar="BOOKING_REF")
    # Optional here so that a waiver without a reason is the desk's own one-line refusal.
    cancel.add_argument("--reason", metavar="TEXT", help="why (required with --waive-fee)")
    cancel.add_argument(
        "--waive-fee", action="store_true", help="charge no late-cancellation fee (say why)"
    )
    cancel.set_defaults(handler=_lazy("commands", "cancel"))

    checkout = command("checkout", "take the whole balance of an invoice")
    checkout.add_argument("ref", metavar="INVOICE_REF")
    checkout.add_argument("--method", required=True, type=_lower, choices=_values(PaymentMethod))
    checkout.add_argument("--json", action="store_true", help="print the booking as JSON")
    checkout.set_defaults(handler=_lazy("commands", "checkout"))

    pay = command("pay", "take part or all of an invoice's balance (never more)")
    pay.add_argument("ref", metavar="INVOICE_REF")
    pay.add_argument("--amount", required=True, metavar="AMOUNT", help="like 120.00")
    pay.add_argument("--method", required=True, type=_lower, choices=_values(PaymentMethod))
    pay.add_argument("--json", action="store_true", help="print the invoice as JSON")
    pay.set_defaults(handler=_lazy("money", "pay"))

    refund = command("refund", "pay money back to the customer (at most what was paid)")
    refund.add_argument("ref", metavar="INVOICE_REF")
    refund.add_argument("--amount", required=True, metavar="AMOUNT", help="like 50.00")
    refund.add_argument("--method", required=True, type=_lower, choices=_values(PaymentMethod))
    refund.add_argument("--reason", metavar="TEXT")
    refund.add_argument("--json", action="store_true", help="print the invoice as JSON")
    refund.set_defaults(handler=_lazy("money", "refund"))

    adjust = command("adjust", "correct what an invoice is for, with a reason (managers)")
    adjust.add_argument("ref", metavar="INVOICE_REF")
    adjust.add_argument("--amount", required=True, metavar="AMOUNT", help="signed, like -15.00")
    adjust.add_argument("--reason", metavar="TEXT", help="required: why the invoice changes")
    adjust.add_argument("--json", action="store_true", help="print the invoice as JSON")
    adjust.set_defaults(handler=_lazy("money", "adjust"))

    invoice = command("invoice", "one invoice with its statement of entries")
    invoice.add_argument("ref", metavar="INVOICE_REF")
    invoice.add_argument("--json", action="store_true", help="the invoice with its entries")
    invoice.add_argument(
        "--pdf", metavar="FILE", help="write the invoice document (PDF, readable by you only)"
    )
    invoice.add_argument("--force", action="store_true", help="with --pdf: replace FILE")
    invoice.add_argument(
        "--email", action="store_true", help="queue the invoice, with its PDF, to the customer"
    )
    invoice.set_defaults(handler=_lazy("money", "invoice"))

    receipt = command("receipt", "a receipt for an invoice's last payment, as a PDF")
    receipt.add_argument("ref", metavar="INVOICE_REF")
    receipt.add_argument(
        "--pdf", metavar="FILE", required=True, help="the receipt (PDF, readable by you only)"
    )
    receipt.add_argument("--force", action="store_true", help="replace FILE")
    receipt.add_argument("--json", action="store_true")
    receipt.set_defaults(handler=_lazy("money", "receipt"))

    listing = command("bookings", "list bookings by start date")
    listing.add_argument("--status", type=_lower, choices=_values(BookingStatus))
    listing.add_argument("--car", metavar="PLATE")
    listing.add_argument("--driver", metavar="CODE")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_lazy("commands", "bookings"))

    invoices = command("invoices", "list invoices by due date")
    invoices.add_argument("--status", type=_lower, choices=_values(InvoiceStatus))
    invoices.add_argument("--json", action="store_true")
    invoices.set_defaults(handler=_lazy("commands", "invoices"))

    account = command("customer", "one customer's account: contact, bookings, invoices, owed")
    account.add_argument("email", metavar="EMAIL")
    account.add_argument("--json", action="store_true")
    account.set_defaults(handler=_lazy("customers", "customer"))

    run_sheet = command("today", "a day's run sheet: pickups and returns in pickup-time order")
    run_sheet.add_argument("--date", metavar="DATE", help="the business day (default today)")
    run_sheet.add_argument("--json", action="store_true")
    run_sheet.add_argument(
        "--pdf", metavar="FILE", help="write the run sheet as a PDF (readable by you only)"
    )
    run_sheet.add_argument("--force", action="store_true", help="with --pdf: replace FILE")
    run_sheet.set_defaults(handler=_lazy("run_sheet", "today"))

    lifecycle = command("lifecycle", "expire stale holds, complete rentals, mark overdue invoices")
    lifecycle.add_argument(
        "--now",
        metavar="ISO_DATETIME",
        help="naive means business time; a later moment than now needs --dry-run",
    )
    lifecycle.add_argument("--dry-run", action="store_true", help="report, change nothing")
    lifecycle.add_argument("--json", action="store_true")
    lifecycle.set_defaults(handler=_lazy("commands", "lifecycle"))

    report = command("report", "how the business is doing: utilisation, revenue, the takings")
    reports = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)

    def report_command(name: str, help_text: str) -> argparse.ArgumentParser:
        found = reports.add_parser(name, help=help_text, description=help_text, parents=[common])
        found.set_defaults(handler=_lazy("reports", name))
        return found

    def period_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--from", dest="first", required=True, metavar="DATE",
                            help="the period's first day (business time zone)")  # fmt: skip
        parser.add_argument("--to", dest="last", required=True, metavar="DATE",
                            help="its last day, included")  # fmt: skip

    utilisation = report_command(
        "utilisation", "days each car and driver was booked or blocked in a period (managers)"
    )
    period_options(utilisation)
    utilisation.add_argument("--json", action="store_true")
    utilisation.add_argument("--csv", metavar="FILE", help="also write the figures to FILE")
    revenue = report_command(
        "revenue", "billed and collected per day, week or month, from the ledger (managers)"
    )
    period_options(revenue)
    revenue.add_argument("--by", type=_lower, choices=GROUPINGS, default="month")
    revenue.add_argument("--json", action="store_true")
    revenue.add_argument("--csv", metavar="FILE", help="also write the figures to FILE")
    takings = report_command(
        "takings", "the till: a day's payments and refunds per method and per clerk"
    )
    takings.add_argument("--date", metavar="DATE", help="the business day (default today)")
    takings.add_argument("--json", action="store_true")

    database = command("db", "the database's schema: its revision, upgrades and checks")
    db_sub = database.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    for name, help_text, handler in (
        ("status", "print the database's schema revision and the latest one", "db_status"),
        ("upgrade", "bring the schema to the latest revision (SQLite: backup first)", "db_upgrade"),
        ("check", "check every invariant, read-only (exit 6 if one is broken)", "db_check"),
    ):
        action = db_sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        action.set_defaults(handler=_lazy("maintenance", handler))
        if name == "check":
            action.add_argument("--json", action="store_true", help="the checks as JSON")

    backup = command("backup", "write a consistent copy of the database while others work")
    backup.add_argument("file", metavar="FILE")
    backup.set_defaults(handler=_lazy("maintenance", "backup"))

    mail = command("mail", "send what the outbox holds over SMTP, or a test message")
    mail_sub = mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True)
    send = mail_sub.add_parser(
        "send", help="send every queued message that is due (for cron)", parents=[common]
    )
    send.add_argument("--json", action="store_true", help='{"sent", "failed", "waiting"}')
    send.set_defaults(handler=_lazy("mail", "send"))
    test = mail_sub.add_parser(
        "test", help="send one test message and print the server's reply", parents=[common]
    )
    test.add_argument("address", metavar="ADDRESS")
    test.set_defaults(handler=_lazy("mail", "test"))

    outbox = command("outbox", "the messages to customers and drivers: queued, sent, failed")
    outbox.add_argument("--status", type=_lower, choices=OUTBOX_STATUSES)
    outbox.add_argument("--json", action="store_true")
    outbox.set_defaults(handler=_lazy("mail", "outbox_list"))
    outbox_sub = outbox.add_subparsers(dest="outbox_command", metavar="ACTION")
    retry = outbox_sub.add_parser("retry", help="queue a failed message again", parents=[common])
    retry.add_argument("id", metavar="ID")
    retry.set_defaults(handler=_lazy("mail", "retry"))
    export = outbox_sub.add_parser(
        "export", help="write each queued message as an .eml file in DIR", parents=[common]
    )
    export.add_argument("folder", metavar="DIR")
    export.set_defaults(handler=_lazy("mail", "export"))

    worker = command("worker", "run the scheduled rules until interrupted")
    worker.set_defaults(handler=_lazy("interactive", "worker"))

    ssh_config.register(sub, common)
    return parser
