"""Typed, frozen settings read once from nextcars.toml and NEXTCARS_* variables."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from nextcars_tui.domain.parsing import DateOrder

DATE_ORDERS = ("DMY", "MDY")
# How much work each password hash takes (services.passwords gives each its argon2id costs).
PASSWORD_HASH_COSTS = ("standard", "low")

CONFIG_ENV = "NEXTCARS_CONFIG"
DB_ENV = "NEXTCARS_DB"
DEFAULT_CONFIG_NAME = "nextcars.toml"
DEFAULT_DATABASE_URL = "sqlite:///data/nextcars.db"
POSTGRES_SCHEMES = ("postgresql://", "postgresql+psycopg://")


class ConfigError(Exception):
    """A setting is unknown or has a bad value; the message names the key."""


@dataclass(frozen=True)
class BusinessSettings:
    time_zone: str = "Europe/London"
    currency: str = "GBP"
    max_rental_days: int = 30
    # How a date with slashes or dots reads: "DMY" (31/12/2026) or "MDY" (12/31/2026). ISO
    # dates are read whatever this says. A setting rather than a guess from the time zone:
    # an office abroad may keep its home country's habit.
    date_order: str = "DMY"
    # The furthest ahead a booking (or a block) may start; a mistyped year is refused.
    booking_horizon_days: int = 730
    # The longest block: days off the road or off duty, not a way to retire a car.
    max_block_days: int = 365
    # The country a phone number without +code belongs to (ISO 3166 code, e.g. GB, US, DE).
    phone_region: str = "GB"
    # Printed on the invoice document.
    name: str = "NextCars"
    address: str = ""
    tax_number: str = ""
    # Prices include tax at this rate; the invoice shows the tax part. Up to two decimals.
    tax_rate_percent: str = "0"

    @property
    def tax_rate_basis_points(self) -> int:
        return _basis_points(self.tax_rate_percent)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def dates(self) -> DateOrder:
        # Imported here: settings load before the first paint, the parsers later.
        from nextcars_tui.domain.parsing import DateOrder

        return DateOrder(self.date_order)


@dataclass(frozen=True)
class LifecycleSettings:
    pending_ttl_hours: int = 24
    invoice_due_days: int = 14
    interval_seconds: int = 60


@dataclass(frozen=True)
class BillingSettings:
    # A cancellation less than cancel_fee_hours before the start keeps this share of the
    # rental total as a fee.
    cancel_fee_percent: int = 0
    cancel_fee_hours: int = 48
    # A booking cancelled within this many minutes of being made pays no fee: a mistake put
    # right at once, not a late change of plans.
    cancel_grace_minutes: int = 30


@dataclass(frozen=True)
class SignInSettings:
    max_failures: int = 5
    lockout_minutes: int = 15
    idle_lock_minutes: int = 10
    # "standard" for every real desk; "low" makes hashes cheap to compute and so to crack,
    # for test suites and throw-away demos only.
    password_hash_cost: str = "standard"


@dataclass(frozen=True)
class InvoiceSettings:
    # Font files (TrueType or OpenType; absolute once loaded) for the letters the shipped
    # DejaVu Sans lacks: a CJK font of the operating system, for instance.
    fallback_fonts: tuple[str, ...] = ()


@dataclass(frozen=True)
class MailSettings:
    # Where messages leave: smtp://[USER@]HOST[:PORT] (STARTTLS when offered) or smtps://
    # (TLS from the start). Empty: messages wait in the outbox. The password is never here
    # but in $NEXTCARS_SMTP_PASSWORD.
    smtp_url: str = ""
    # The From and Reply-To of every message ([mail] from / reply_to in the file).
    from_address: str = ""
    reply_to: str = ""
    # A folder whose templates replace the shipped ones, file by file (absolute once loaded).
    templates: str = ""
    # Reminders of an overdue balance go out on these days after the due date.
    reminder_days: tuple[int, ...] = (1, 7, 14)
    # Drivers with an e-mail address get the next day's jobs at this business time.
    run_sheets: bool = False
    run_sheet_time: str = "18:00"

    @property
    def sending(self) -> bool:
        return bool(self.smtp_url)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    business: BusinessSettings = field(default_factory=BusinessSettings)
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    billing: BillingSettings = field(default_factory=BillingSettings)
    sign_in: SignInSettings = field(default_factory=SignInSettings)
    invoice: InvoiceSettings = field(default_factory=InvoiceSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    # Folder that relative database paths are resolved against.
    base_dir: Path = field(default_factory=Path.cwd)
    source: str = "built-in defaults"


_SECTIONS: dict[str, type] = {
    "business": BusinessSettings,
    "lifecycle": LifecycleSettings,
    "billing": BillingSettings,
    "sign_in": SignInSettings,
}

# (minimum, maximum) for every integer setting, so a typo cannot lock the desk.
_INT_BOUNDS: dict[str, tuple[int, int]] = {
    "business.max_rental_days": (1, 365),
    "business.booking_horizon_days": (1, 3650),
    "business.max_block_days": (1, 3650),
    "lifecycle.pending_ttl_hours": (1, 24 * 30),
    "lifecycle.invoice_due_days": (0, 365),
    "lifecycle.interval_seconds": (1, 24 * 3600),
    "billing.cancel_fee_percent": (0, 100),
    "billing.cancel_fee_hours": (0, 24 * 30),
    "billing.cancel_grace_minutes": (0, 24 * 60),
    "sign_in.max_failures": (1, 100),
    "sign_in.lockout_minutes": (1, 24 * 60),
    "sign_in.idle_lock_minutes": (1, 24 * 60),
}


def find_config(explicit: str | None, cwd: Path | None = None) -> Path | None:
    """Pick the config file: --config, then NEXTCARS_CONFIG, then ./nextcars.toml."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env)
    local = (cwd or Path.cwd()) / DEFAULT_CONFIG_NAME
    return local if local.is_file() else None


def load_settings(explicit: str | None = None, cwd: Path | None = None) -> Settings:
    """Load settings once at the edge of the program; raise ConfigError naming the bad key."""
    path = find_config(explicit, cwd)
    raw: dict[str, Any] = {}
    base_dir = cwd or Path.cwd()
    source = "built-in defaults"
    if path is not None:
        try:
            raw = tomllib.loads(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"config file {path} is not valid UTF-8 (byte {exc.start + 1}); save it as UTF-8"
            ) from None
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
        base_dir = path.resolve().parent
        source = str(path.resolve())
    settings = _parse(raw, base_dir, source)
    db_override = os.environ.get(DB_ENV)
    if db_override:
        if "://" not in db_override:
            db_override = f"sqlite:///{db_override}"
        settings = _replace_url(settings, _check_url(db_override, DB_ENV))
    return settings


def _parse(raw: dict[str, Any], base_dir: Path, source: str) -> Settings:
    database_url = DEFAULT_DATABASE_URL
    sections: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "database":
            database_url = _parse_database(value)
        elif key == "invoice":
            sections[key] = _parse_invoice(value, base_dir)
        elif key == "mail":
            sections[key] = _parse_mail(value, base_dir)
        elif key in _SECTIONS:
            sections[key] = _parse_section(key, value, _SECTIONS[key])
        else:
            raise ConfigError(f"unknown setting '{key}'")
    return Settings(database_url=database_url, base_dir=base_dir, source=source, **sections)


def _parse_database(value: Any) -> str:
    if not isinstance(value, dict):
        raise ConfigError("setting 'database' must be a table")
    url = DEFAULT_DATABASE_URL
    for key, item in value.items():
        if key != "url":
            raise ConfigError(f"unknown setting 'database.{key}'")
        url = _check_url(item, "database.url")
    return url


def _check_url(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"setting '{name}' must be a non-empty string")
    if value.startswith(POSTGRES_SCHEMES):
        _check_port(value, name)
        if not urlsplit(value).path.strip("/"):
            raise ConfigError(
                f"setting '{name}' names no database: postgresql://USER@HOST[:PORT]/DBNAME, "
                f"got {display_url(value)!r}"
            )
        return value
    if not value.startswith("sqlite:///"):
        raise ConfigError(
            f"setting '{name}' must be a sqlite:/// or postgresql:// URL, "
            f"got {display_url(value)!r}"
        )
    return value


def _check_port(url: str, name: str) -> None:
    """A URL Python can read, whose port (in the address or as ?port=), when given, is a
    number from 1 to 65535; the message shows the URL without its password."""
    bad_port = " (the port must be a number from 1 to 65535)"
    try:
        parts = urlsplit(url)
        ports = [str(parts.port)] if parts.port is not None else []
    except ValueError as error:
        detail = bad_port if "port" in str(error).lower() else ""
    else:
        ports += [value for key, value in parse_qsl(parts.query) if key.lower() == "port"]
        if all(port.isdigit() and 0 < int(port) < 65536 for port in ports):
            return
        detail = bad_port
    raise ConfigError(f"setting '{name}' is not a valid URL{detail}: {display_url(url)!r}")


def display_url(url: str) -> str:
    """The URL with any password (USER:PASSWORD@ or ?password=) replaced by ***, for
    messages and printed blocks."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url.split("://", 1)[0] + "://…"
    if not password and "password=" not in parts.query.lower():
        return url  # urlunsplit would turn sqlite:///x into sqlite:/x
    if password:
        user = parts.username or ""
        host = parts.netloc.rsplit("@", 1)[1]
        parts = parts._replace(netloc=f"{user}:***@{host}")
    if parts.query:
        items = parts.query.split("&")
        masked = [
            f"{item.split('=', 1)[0]}=***" if item.split("=", 1)[0].lower() == "password" else item
            for item in items
        ]
        parts = parts._replace(query="&".join(masked))
    return urlunsplit(parts)


def _parse_section(section: str, value: Any, cls: type) -> Any:
    if not isinstance(value, dict):
        raise ConfigError(f"setting '{section}' must be a table")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{section}.{key}"
        if key not in known:
            raise ConfigError(f"unknown setting '{name}'")
        if name in _INT_BOUNDS:
            values[key] = _check_int(name, item)
        elif name == "business.tax_rate_percent":
            values[key] = _check_rate(name, item)
        else:
            values[key] = _check_text(name, item)
    result = cls(**values)
    if section == "business":
        _check_business(result)
    elif section == "sign_in":
        _check_sign_in(result)
    return result


FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
MAX_FALLBACK_FONTS = 10


def _parse_invoice(value: Any, base_dir: Path) -> InvoiceSettings:
    if not isinstance(value, dict):
        raise ConfigError("setting 'invoice' must be a table")
    fonts: tuple[str, ...] = ()
    for key, item in value.items():
        if key != "fallback_fonts":
            raise ConfigError(f"unknown setting 'invoice.{key}'")
        fonts = _check_fonts("invoice.fallback_fonts", item, base_dir)
    return InvoiceSettings(fallback_fonts=fonts)


def _check_fonts(name: str, value: Any, base_dir: Path) -> tuple[str, ...]:
    """A list of font files that exist, each absolute (a relative path is relative to the
    config file's folder, as the database's is)."""
    if not isinstance(value, list) or len(value) > MAX_FALLBACK_FONTS:
        raise ConfigError(
            f"setting '{name}' must be a list of at most {MAX_FALLBACK_FONTS} font files, "
            'like ["/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"]'
        )
    fonts = []
    for item in value:
        text = _check_text(name, item)
        path = Path(text).expanduser()
        path = path if path.is_absolute() else base_dir / path
        if path.suffix.lower() not in FONT_SUFFIXES:
            raise ConfigError(
                f"setting '{name}': {text!r} is not a TrueType or OpenType font "
                f"({', '.join(FONT_SUFFIXES)})"
            )
        if not path.is_file():
            raise ConfigError(f"setting '{name}': there is no font file {str(path)!r}")
        fonts.append(str(path))
    return tuple(fonts)


def _check_int(name: str, value: Any) -> int:
    low, high = _INT_BOUNDS[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"setting '{name}' must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"setting '{name}' must be between {low} and {high}, got {value}")
    return value


_RATE = re.compile(r"[0-9]{1,3}(\.[0-9]{1,2})?")


def _basis_points(percent: str) -> int:
    units, _, decimals = percent.partition(".")
    return int(units) * 100 + int(decimals.ljust(2, "0"))


def _check_rate(name: str, value: Any) -> str:
    """A percentage with at most two decimals, 0 to 100, kept exact (never a float)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(f"setting '{name}' must be a percentage like 20 or 8.1, got {value!r}")
    text = str(value).strip()
    if not _RATE.fullmatch(text) or _basis_points(text) > 100 * 100:
        raise ConfigError(
            f"setting '{name}' must be a percentage from 0 to 100 with at most two decimals, "
            f"got {value!r}"
        )
    return text


def _check_text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"setting '{name}' must be a non-empty string")
    if any(not ch.isprintable() for ch in value):
        raise ConfigError(f"setting '{name}' contains a control character")
    return value.strip()


def _check_business(business: BusinessSettings) -> None:
    try:
        ZoneInfo(business.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"setting 'business.time_zone' is not a known time zone: {business.time_zone!r}"
        ) from None
    currency = business.currency
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        raise ConfigError(
            f"setting 'business.currency' must be a 3-letter code like GBP, got {currency!r}"
        )
    if business.date_order not in DATE_ORDERS:
        raise ConfigError(
            f'setting \'business.date_order\' must be "DMY" (31/12/2026) or "MDY" '
            f"(12/31/2026), got {business.date_order!r}"
        )
    import phonenumbers  # here: loading its metadata would slow every start-up

    if business.phone_region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(
            f"setting 'business.phone_region' must be a country code like GB or US, "
            f"got {business.phone_region!r}"
        )


SMTP_SCHEMES = ("smtp", "smtps")
SMTP_PASSWORD_ENV = "NEXTCARS_SMTP_PASSWORD"
# The keys of [mail] as written in the file, and the field each one sets.
_MAIL_KEYS = {
    "smtp_url": "smtp_url",
    "from": "from_address",
    "reply_to": "reply_to",
    "templates": "templates",
    "reminder_days": "reminder_days",
    "run_sheets": "run_sheets",
    "run_sheet_time": "run_sheet_time",
}


def _parse_mail(value: Any, base_dir: Path) -> MailSettings:
    if not isinstance(value, dict):
        raise ConfigError("setting 'mail' must be a table")
    values: dict[str, Any] = {}
    for key, item in value.items():
        name = f"mail.{key}"
        if key not in _MAIL_KEYS:
            raise ConfigError(f"unknown setting '{name}'")
        if key == "smtp_url":
            values["smtp_url"] = check_smtp_url(_check_text(name, item), name)
        elif key in ("from", "reply_to"):
            values[_MAIL_KEYS[key]] = _check_address(name, item)
        elif key == "templates":
            folder = Path(_check_text(name, item)).expanduser()
            folder = folder if folder.is_absolute() else base_dir / folder
            if not folder.is_dir():
                raise ConfigError(f"setting '{name}' is not a folder: {folder}")
            values["templates"] = str(folder.resolve())
        elif key == "reminder_days":
            values["reminder_days"] = _check_days(name, item)
        elif key == "run_sheets":
            if not isinstance(item, bool):
                raise ConfigError(f"setting '{name}' must be true or false, got {item!r}")
            values["run_sheets"] = item
        else:
            values["run_sheet_time"] = _check_clock(name, item)
    mail = MailSettings(**values)
    if mail.smtp_url and not mail.from_address:
        raise ConfigError("setting 'mail.from' is needed when 'mail.smtp_url' is set")
    return mail


def check_smtp_url(value: str, name: str) -> str:
    """smtp:// or smtps://, a host, an optional user and port, and never a password."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ConfigError(f"setting '{name}' is not a valid URL: {display_url(value)!r}") from None
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise ConfigError(
            f"setting '{name}' must be smtp://[USER@]HOST[:PORT] or smtps://…, "
            f"got {display_url(value)!r}"
        )
    if parts.password is not None:
        raise ConfigError(
            f"setting '{name}' must not hold a password; set ${SMTP_PASSWORD_ENV} instead"
        )
    if parts.path.strip("/") or parts.query or parts.fragment or port == 0:
        raise ConfigError(f"setting '{name}' takes only a user, a host and a port")
    return value


def _check_address(name: str, value: Any) -> str:
    from nextcars_tui.domain.errors import InvalidInput
    from nextcars_tui.domain.parsing import parse_email

    try:
        return parse_email(_check_text(name, value), name)
    except InvalidInput as error:
        raise ConfigError(f"setting '{name}': {error.message}") from None


def _check_days(name: str, value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or any(
        isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 365 for day in value
    ):
        raise ConfigError(
            f"setting '{name}' must be a list of days from 1 to 365, like [1, 7, 14]; got {value!r}"
        )
    return tuple(sorted(set(value)))


def _check_clock(name: str, value: Any) -> str:
    from nextcars_tui.domain.mail import parse_clock_time

    text = _check_text(name, value)
    try:
        parse_clock_time(text)
    except ValueError:
        raise ConfigError(f"setting '{name}' must be a time like 18:00, got {value!r}") from None
    return text


def _check_sign_in(sign_in: SignInSettings) -> None:
    if sign_in.password_hash_cost not in PASSWORD_HASH_COSTS:
        raise ConfigError(
            'setting \'sign_in.password_hash_cost\' must be "standard" or "low" (test suites '
            f"and demos only), got {sign_in.password_hash_cost!r}"
        )


def _replace_url(settings: Settings, url: str) -> Settings:
    # A relative path in the variable means "relative to where I am", as shells expect.
    return replace(settings, database_url=url, base_dir=Path.cwd())


def uses_sqlite(settings: Settings) -> bool:
    return not settings.database_url.startswith(POSTGRES_SCHEMES)


def database_path(settings: Settings) -> Path:
    """Absolute path of the SQLite file; relative paths hang off the config file's folder."""
    raw = settings.database_url.removeprefix("sqlite:///")
    path = Path(raw).expanduser()
    return path if path.is_absolute() else (settings.base_dir / path)


def database_target(settings: Settings) -> Path | str:
    """What the store opens: the SQLite file's absolute path, or the PostgreSQL URL."""
    return database_path(settings) if uses_sqlite(settings) else settings.database_url
