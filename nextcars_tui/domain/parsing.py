"""One parser per kind of value a clerk types, shared by the CLI, CSV imports and forms.

Every function is pure: it returns the value, or raises `InvalidInput` whose message names the
field and says what to type instead, and whose `field` attribute lets a form focus the field at
fault. Nothing here silently repairs input ('2.5' days is an error, never 25; '89,50' is an
error, never 8,950.00).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.safe_text import first_unsafe

# -- Limits --------------------------------------------------------------------------------

MAX_NAME = 120
MAX_REASON = 500
MAX_EMAIL = 254
MAX_PASSWORD = 1024
MIN_PASSWORD = 8
# Longest whole number any field takes: nine digits is far beyond any count the desk keeps and
# far below anything that makes int() or the database slow or overflow.
MAX_DIGITS = 9
# 1,000,000.00 in any currency: the largest rate, fee or payment the desk takes.
MAX_AMOUNT_CENTS = 100_000_000
# Every date the desk accepts leaves centuries of room for end dates, due dates and grid
# windows, so no computation on an accepted date can overflow.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
# How far ahead '+N' may reach (further than any booking horizon; beyond it, type a date).
MAX_DAYS_AHEAD = 99_999

# -- Text ----------------------------------------------------------------------------------


def refuse_control_characters(value: str, field: str) -> str:
    """The text unchanged, or InvalidInput if it holds a control or terminal-steering character
    (escape sequences, tabs, newlines, bidirectional overrides: domain.safe_text)."""
    found = first_unsafe(value)
    if found is not None:
        raise InvalidInput(
            f"The {field} contains a control character ({_codepoint(found)}); "
            "type it again without it.",
            field=field,
        )
    return value


def _codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _require_text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"The {field} must be text, got {value!r}.", field=field)
    return value


def parse_text(value: str, field: str, maximum: int = MAX_NAME) -> str:
    """Free text such as a name or reason: trimmed, inner runs of spaces collapsed, not empty,
    at most `maximum` characters, no control characters."""
    text = refuse_control_characters(_require_text(value, field), field)
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput(f"The {field} cannot be empty.", field=field)
    if len(cleaned) > maximum:
        raise InvalidInput(
            f"The {field} is too long ({len(cleaned)} characters, at most {maximum}).",
            field=field,
        )
    if any(not ch.isprintable() for ch in cleaned):
        raise InvalidInput(f"The {field} contains characters that cannot be printed.", field=field)
    return cleaned


def parse_optional_text(value: str | None, field: str, maximum: int = MAX_NAME) -> str | None:
    """Like parse_text, but blank means 'not given' (None)."""
    if value is None or not value.strip():
        return None
    return parse_text(value, field, maximum)


# -- Whole numbers -------------------------------------------------------------------------

# A sign is read only so that "-2" gets the range message; digits are ASCII only.
_WHOLE = re.compile(r"-?[0-9]+", re.ASCII)


def parse_whole_number(
    value: str | int,
    field: str,
    *,
    minimum: int = 0,
    maximum: int = 10**MAX_DIGITS - 1,
) -> int:
    """A whole number from minimum to maximum, typed as ASCII digits only (no sign, point,
    comma, spaces inside or other scripts' digits). An int is checked against the same range."""
    if isinstance(value, bool):
        raise InvalidInput(f"The {field} must be a whole number.", field=field)
    if isinstance(value, int):
        number = value
    else:
        text = refuse_control_characters(_require_text(value, field), field).strip()
        if len(text.lstrip("-")) > MAX_DIGITS or not _WHOLE.fullmatch(text):
            raise InvalidInput(
                f"The {field} must be a whole number from {minimum} to {maximum}, "
                f"got {_shown(value)}.",
                field=field,
            )
        number = int(text)
    if not minimum <= number <= maximum:
        raise InvalidInput(
            f"The {field} must be from {minimum} to {maximum}, got {number}.",
            field=field,
        )
    return number


def _shown(value: str) -> str:
    """A typed value quoted for a message, shortened so a pasted novel stays one line."""
    short = value if len(value) <= 40 else value[:37] + "..."
    return repr(short)


def parse_days(value: str | int, maximum: int, what: str = "rental") -> int:
    """A rental's (or a block's) day count: a whole number from 1 to maximum."""
    field = "number of days"
    allowed = f"from 1 to {maximum}"
    try:
        # Read with a wide range, so that "0" or "-2" get the rental's own words below.
        days = parse_whole_number(value, field, minimum=-(10**MAX_DIGITS))
    except InvalidInput:
        # Never the parser's internal bounds: the clerk's range is 1 to the configured maximum.
        shown = value if isinstance(value, int) else _shown(value)
        raise InvalidInput(
            f"The {field} must be a whole number {allowed}, got {shown}.", field=field
        ) from None
    if days < 1:
        raise InvalidInput(
            f"A {what} lasts at least one day, got {days} (days {allowed}).", field=field
        )
    if days > maximum:
        raise InvalidInput(
            f"A {what} lasts at most {maximum} days, got {days} (days {allowed}).", field=field
        )
    return days


MIN_SEATS = 1
MAX_SEATS = 60


def parse_seats(value: str | int) -> int:
    return parse_whole_number(value, "seats", minimum=MIN_SEATS, maximum=MAX_SEATS)


# -- Money ---------------------------------------------------------------------------------

_AMOUNT = re.compile(r"(?P<units>[0-9]+)(?:\.(?P<cents>[0-9]+))?", re.ASCII)


def parse_amount(
    value: str | int, field: str = "amount", *, maximum: int = MAX_AMOUNT_CENTS
) -> int:
    """Currency units as people type them ('89', '89.5', '89.00') into integer cents, never
    through float. An int is already cents and only range-checked. A comma is refused, not
    guessed at: '89,50' could be 89.50 or 8,950."""
    if isinstance(value, bool):
        raise InvalidInput(f"The {field} must be an amount like 89.00.", field=field)
    if isinstance(value, int):
        cents = value
    else:
        text = refuse_control_characters(_require_text(value, field), field).strip()
        if "," in text:
            raise InvalidInput(
                f"The {field} has a comma ({_shown(value)}): write amounts with a point for "
                "the decimals and no thousands separator, like 1234.50.",
                field=field,
            )
        if text.startswith("-"):
            raise InvalidInput(f"The {field} cannot be negative, got {_shown(value)}.", field=field)
        match = _AMOUNT.fullmatch(text)
        if match is None or len(match.group("units")) > MAX_DIGITS:
            raise InvalidInput(
                f"The {field} must be a number like 89.00, got {_shown(value)}.", field=field
            )
        decimals = match.group("cents") or ""
        if len(decimals) > 2:
            raise InvalidInput(
                f"The {field} has more than two decimals, got {_shown(value)}.", field=field
            )
        cents = int(match.group("units")) * 100 + int(decimals.ljust(2, "0"))
    if cents < 0:
        raise InvalidInput(f"The {field} cannot be negative.", field=field)
    if cents > maximum:
        units, rest = divmod(maximum, 100)
        raise InvalidInput(f"The {field} is too large (at most {units:,}.{rest:02d}).", field=field)
    return cents


def parse_signed_amount(
    value: str | int, field: str = "amount", *, maximum: int = MAX_AMOUNT_CENTS
) -> int:
    """Like parse_amount, with an optional sign: '-15.00' is -1500 cents (a correction)."""
    if isinstance(value, int) and not isinstance(value, bool):
        magnitude = parse_amount(abs(value), field, maximum=maximum)
        return -magnitude if value < 0 else magnitude
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text[:1] in ("-", "+"):
        magnitude = parse_amount(text[1:], field, maximum=maximum)
        return -magnitude if text[0] == "-" else magnitude
    return parse_amount(value, field, maximum=maximum)


def parse_positive_amount(value: str | int, field: str = "amount") -> int:
    """Money moved (a payment, a refund): an amount as parse_amount reads it, more than zero."""
    cents = parse_amount(value, field)
    if cents == 0:
        raise InvalidInput(f"The {field} must be more than zero.", field=field)
    return cents


def parse_adjustment(value: str | int, field: str = "amount") -> int:
    """A correction to what an invoice is for: a signed amount, never zero."""
    change = parse_signed_amount(value, field)
    if change == 0:
        raise InvalidInput("The adjustment must not be zero.", field=field)
    return change


# -- The job sheet --------------------------------------------------------------------------

_CLOCK = re.compile(r"(?P<hours>[0-9]{1,2}):(?P<minutes>[0-9]{2})", re.ASCII)
MAX_PLACE = 200
MAX_NOTES = 1000


def parse_pickup_time(value: str, field: str = "pickup time") -> str:
    """'9:05' or '09:05' as '09:05' (24-hour, business time); 25:00 or 9.05 is refused."""
    text = refuse_control_characters(_require_text(value, field), field).strip()
    match = _CLOCK.fullmatch(text)
    if match is None:
        raise InvalidInput(
            f"The {field} must be a time like 09:30 (24-hour), got {_shown(value)}.", field=field
        )
    hours, minutes = int(match.group("hours")), int(match.group("minutes"))
    if hours > 23 or minutes > 59:
        raise InvalidInput(
            f"The {field} {_shown(value)} is not a time of day (00:00 to 23:59).", field=field
        )
    return f"{hours:02d}:{minutes:02d}"


def parse_passengers(value: str | int, seats: int) -> int:
    """How many people ride: 1 up to the car's seats."""
    count = parse_whole_number(value, "passengers", minimum=1, maximum=60)
    if count > seats:
        raise InvalidInput(
            f"{count} passengers do not fit: the car has {seats} seats.", field="passengers"
        )
    return count


# -- Dates ---------------------------------------------------------------------------------


class DateOrder(StrEnum):
    """How the business writes a date with slashes or dots: 3/12/2026 is 3 December (DMY) or
    March 12 (MDY). ISO (2026-12-03) is accepted whatever the order."""

    DMY = "DMY"
    MDY = "MDY"

    @property
    def example(self) -> str:
        return "31/12/2026" if self is DateOrder.DMY else "12/31/2026"


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_LOCAL = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", re.ASCII)
_AHEAD = re.compile(r"\+\s*(\d{1,9})", re.ASCII)


def date_forms(order: DateOrder = DateOrder.DMY) -> str:
    """What a date field takes, for hints and messages."""
    return f"YYYY-MM-DD, {order.example}, today, tomorrow or +N (days from today)"


def parse_date(
    value: str,
    field: str = "date",
    *,
    today: date | None = None,
    order: DateOrder = DateOrder.DMY,
) -> date:
    """ISO (2026-12-31), the business's own order (31/12/2026 or 12/31/2026, also with dots),
    'today', 'tomorrow' or '+N' days from today. The relative forms need `today`. Every
    accepted date lies between EARLIEST_DATE and LATEST_DATE, so it can be computed with."""
    text = refuse_control_characters(_require_text(value, field), field).strip().lower()
    relative = _relative(text, today, field)
    if relative is not None:
        return _in_calendar(relative, field)
    iso = _ISO.fullmatch(text)
    local = _LOCAL.fullmatch(text)
    if iso is not None:
        year, month, day = (int(part) for part in iso.groups())
    elif local is not None:
        first, second, year = (int(part) for part in local.groups())
        day, month = (first, second) if order is DateOrder.DMY else (second, first)
    else:
        raise InvalidInput(
            f"The {field} must be {date_forms(order)}; got {_shown(value)}.", field=field
        )
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise InvalidInput(
            f"The {field} {value.strip()} is not a real calendar date.", field=field
        ) from None
    return _in_calendar(parsed, field)


def _relative(text: str, today: date | None, field: str) -> date | None:
    ahead = _AHEAD.fullmatch(text)
    if text not in ("today", "tomorrow") and ahead is None:
        return None
    if today is None:
        raise InvalidInput(
            f"The {field} must be a calendar date here, like 2026-12-31.", field=field
        )
    if text == "today":
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    assert ahead is not None
    days = int(ahead.group(1))
    if days > MAX_DAYS_AHEAD or today + timedelta(days=days) > LATEST_DATE:
        raise InvalidInput(f"The {field} +{days} is too far ahead.", field=field)
    return today + timedelta(days=days)


def _in_calendar(day: date, field: str) -> date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InvalidInput(
            f"The {field} {day.isoformat()} is outside the calendar the desk keeps "
            f"({EARLIEST_DATE.year}–{LATEST_DATE.year}).",
            field=field,
        )
    return day


def check_booking_start(
    start: date, *, today: date, horizon_days: int, what: str = "booking"
) -> date:
    """A booking's (or a block's) start: not before today, and at most horizon_days ahead
    (a typo such as 2062 for 2026 is refused instead of booked). The one rule for a new
    start, whether booked, moved by a change or blocked."""
    start = _in_calendar(start, "start date")
    if start < today:
        raise InvalidInput(
            f"The {what}'s start date {start:%d %b %Y} is in the past (today is {today}).",
            field="start date",
        )
    latest = today + timedelta(days=horizon_days)
    if start > latest:
        raise InvalidInput(
            f"The {what}'s start date {start:%d %b %Y} is too far ahead: a {what} starts at "
            f"most {horizon_days} days ahead (until {latest:%d %b %Y}).",
            field="start date",
        )
    return start


def parse_moment(value: str, zone: ZoneInfo, field: str = "time") -> datetime:
    """An ISO date-time; without an offset it is read in the business time zone. Checked to
    lie in the desk's calendar, so shifting it by hours or days cannot overflow."""
    text = refuse_control_characters(_require_text(value, field), field).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"The {field} must be an ISO date-time like 2026-03-01T09:00 or "
            f"2026-03-01T09:00+00:00, got {_shown(value)}.",
            field=field,
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    _in_calendar(moment.date(), field)
    return moment


# -- Identifiers: plates, driver codes, e-mail addresses, usernames -----------------------

_PLATE = re.compile(r"[A-Z0-9][A-Z0-9 \-]{1,11}", re.ASCII)
_CODE = re.compile(r"[A-Z0-9][A-Z0-9\-]{1,11}", re.ASCII)
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._\-]{1,31}", re.ASCII)


def parse_plate(value: str, field: str = "plate") -> str:
    """A number plate as stored and shown: upper case, single spaces ('ce71  rzw' -> 'CE71 RZW')."""
    text = refuse_control_characters(_require_text(value, field), field)
    cleaned = " ".join(text.split()).upper()
    if not _PLATE.fullmatch(cleaned):
        raise InvalidInput(
            f"{_shown(value)} is not a number plate (letters, digits, '-' and spaces).",
            field=field,
        )
    return cleaned


def plate_key(plate: str) -> str:
    """What two spellings of one plate share: upper case without spaces, so 'ce71rzw' finds
    'CE71 RZW'. The store matches plates on this key."""
    return "".join(plate.split()).upper()


def same_plate(one: str, other: str) -> bool:
    """Whether two spellings name one plate ('ce71rzw' and 'CE71 RZW' do)."""
    return plate_key(one) == plate_key(other)


def parse_driver_code(value: str, field: str = "driver code") -> str:
    """A driver code as stored: upper case ('drv-07' -> 'DRV-07')."""
    text = refuse_control_characters(_require_text(value, field), field)
    cleaned = text.strip().upper()
    if not _CODE.fullmatch(cleaned):
        raise InvalidInput(f"{_shown(value)} is not a driver code like DRV-07.", field=field)
    return cleaned


def parse_email(value: str, field: str = "e-mail") -> str:
    """An e-mail address as email-validator reads it (RFC syntax, a real domain form; offline:
    no DNS look-up), lower-cased; never with control characters (a CLI prints it back)."""
    text = refuse_control_characters(_require_text(value, field), field)
    cleaned = text.strip()
    if len(cleaned) > MAX_EMAIL:
        raise InvalidInput(f"{_shown(value)} is not an e-mail address (too long).", field=field)
    address, error = _validated_email(cleaned)
    if error is not None:
        raise InvalidInput(f"{_shown(value)} is not an e-mail address: {error}", field=field)
    if len(address) > MAX_EMAIL:
        raise InvalidInput(f"{_shown(value)} is not an e-mail address (too long).", field=field)
    return address


# The same few customers' addresses are read over and over at a desk, and the validator
# takes longer than the rest of a booking's checks together; its answer depends on the text
# alone (offline, no DNS), so it is kept.
@lru_cache(maxsize=4096)
def _validated_email(cleaned: str) -> tuple[str, str | None]:
    """The address as stored, or ("", what is wrong with it)."""
    # Imported here: most start-ups parse no address, and the validator loads idna tables.
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(cleaned, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        return "", str(error)
    # The ASCII form (an international domain in its xn-- spelling): what every mail server
    # takes, and one spelling per address for lookups.
    return (checked.ascii_email or checked.normalized).lower(), None


def parse_optional_email(value: str | None, field: str = "e-mail") -> str | None:
    """An e-mail address, or None for a blank one (a driver without an address)."""
    if value is None or not value.strip():
        return None
    return parse_email(value, field)


_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


def parse_flag(value: str | bool, field: str) -> bool:
    """yes/no, true/false, y/n or 1/0, whatever the case."""
    if isinstance(value, bool):
        return value
    text = refuse_control_characters(_require_text(value, field), field).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InvalidInput(f"The {field} must be yes or no, got {_shown(value)}.", field=field)


def parse_username(value: str, field: str = "username") -> str:
    text = refuse_control_characters(_require_text(value, field), field)
    cleaned = text.strip().lower()
    if not _USERNAME.fullmatch(cleaned):
        raise InvalidInput(
            f"{_shown(value)} is not a username "
            "(2–32 lower-case letters, digits, '.', '_' or '-').",
            field=field,
        )
    return cleaned


def parse_password(value: str, field: str = "password") -> str:
    """A new password: 8 to 1024 characters, none of them control characters. Not trimmed."""
    text = refuse_control_characters(_require_text(value, field), field)
    if len(text) < MIN_PASSWORD:
        raise InvalidInput(f"A password has at least {MIN_PASSWORD} characters.", field=field)
    if len(text) > MAX_PASSWORD:
        raise InvalidInput(f"A password has at most {MAX_PASSWORD} characters.", field=field)
    return text


def decode_utf8(data: bytes, what: str) -> str:
    """Bytes read from a file or stdin as text, or InvalidInput saying where it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"The {what} is not valid UTF-8 (byte {error.start + 1}); save it as UTF-8 "
            "and try again."
        ) from None


# -- Phones --------------------------------------------------------------------------------

DEFAULT_PHONE_REGION = "GB"
_PHONE = re.compile(r"\+?[0-9 ()\-]{5,25}", re.ASCII)
_PHONE_LIKE = re.compile(r"\+?[0-9 ()\-./]+", re.ASCII)


def parse_phone(value: str, field: str = "phone") -> str:
    """A phone number as typed (spaces collapsed): digits, spaces, '+', '-' and brackets."""
    text = refuse_control_characters(_require_text(value, field), field)
    cleaned = " ".join(text.split())
    if not _PHONE.fullmatch(cleaned):
        raise InvalidInput(f"{_shown(value)} is not a phone number.", field=field)
    return cleaned


def phone_digits(value: str, region: str = DEFAULT_PHONE_REGION) -> str | None:
    """What a search for a typed phone number should look for in stored numbers: the national
    significant number, which both '07700 900201' and '+44 7700 900201' contain once spaces
    and punctuation are dropped. None when the text is not a phone number at all (a name);
    a number too short to parse gives its own digits, for a search as the clerk types."""
    text = value.strip()
    if not _PHONE_LIKE.fullmatch(text):
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 3:
        return None
    import phonenumbers  # here: most start-ups never search by phone

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return digits.lstrip("0") or digits
    national = phonenumbers.national_significant_number(number)
    return national or digits
