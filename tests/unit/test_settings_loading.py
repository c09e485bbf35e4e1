"""Settings: nextcars.toml lookup order, NEXTCARS_DB, relative paths, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from nextcars_tui.config import (
    ConfigError,
    Settings,
    database_path,
    load_settings,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No NEXTCARS_* variables from the caller, and a working folder without nextcars.toml."""
    monkeypatch.delenv("NEXTCARS_CONFIG", raising=False)
    monkeypatch.delenv("NEXTCARS_DB", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return elsewhere


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def one_line_error(text: str, tmp_path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(str(write(tmp_path / "conf" / "nextcars.toml", text)))
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_without_any_file_the_built_in_defaults_apply(clean_environment):
    settings = load_settings()
    assert settings == Settings(base_dir=clean_environment)
    assert settings.source == "built-in defaults"
    assert settings.business.time_zone == "Europe/London"
    assert settings.business.currency == "GBP"
    assert settings.business.max_rental_days == 30
    assert settings.lifecycle.pending_ttl_hours == 24
    assert settings.lifecycle.invoice_due_days == 14
    assert settings.sign_in.max_failures == 5
    assert settings.business.max_block_days == 365
    assert settings.invoice.fallback_fonts == ()
    assert database_path(settings) == clean_environment / "data" / "nextcars.db"


def test_every_setting_is_read(tmp_path):
    path = write(
        tmp_path / "conf" / "nextcars.toml",
        """
[database]
url = "sqlite:///desk/here.db"
[business]
time_zone = "America/New_York"
currency = "USD"
max_rental_days = 10
[lifecycle]
pending_ttl_hours = 6
invoice_due_days = 0
interval_seconds = 5
[sign_in]
max_failures = 2
lockout_minutes = 30
idle_lock_minutes = 3
password_hash_cost = "low"
""",
    )
    settings = load_settings(str(path))
    assert settings.source == str(path.resolve())
    assert settings.business.zone.key == "America/New_York"
    assert (settings.business.currency, settings.business.max_rental_days) == ("USD", 10)
    assert (
        settings.lifecycle.pending_ttl_hours,
        settings.lifecycle.invoice_due_days,
        settings.lifecycle.interval_seconds,
    ) == (6, 0, 5)
    assert (
        settings.sign_in.max_failures,
        settings.sign_in.lockout_minutes,
        settings.sign_in.idle_lock_minutes,
    ) == (2, 30, 3)
    assert settings.sign_in.password_hash_cost == "low"


def test_a_relative_database_path_hangs_off_the_config_files_folder(tmp_path):
    path = write(tmp_path / "conf" / "nextcars.toml", '[database]\nurl = "sqlite:///data/x.db"\n')
    settings = load_settings(str(path))
    assert database_path(settings) == (tmp_path / "conf" / "data" / "x.db").resolve()


def test_the_repository_config_resolves_to_its_own_data_folder():
    repo = Path(__file__).resolve().parents[2]
    settings = load_settings(str(repo / "nextcars.toml"))
    assert database_path(settings) == repo / "data" / "nextcars.db"
    assert settings.sign_in.password_hash_cost == "standard"


def test_an_absolute_database_path_is_kept(tmp_path):
    target = tmp_path / "abs" / "desk.db"
    path = write(tmp_path / "conf" / "nextcars.toml", f'[database]\nurl = "sqlite:///{target}"\n')
    assert database_path(load_settings(str(path))) == target


def test_a_home_relative_database_path_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = write(tmp_path / "conf" / "nextcars.toml", '[database]\nurl = "sqlite:///~/d.db"\n')
    assert database_path(load_settings(str(path))) == tmp_path / "home" / "d.db"


# --- Lookup order ----------------------------------------------------------------------------


@pytest.fixture
def three_configs(tmp_path, clean_environment):
    """A --config file, a $NEXTCARS_CONFIG file and ./nextcars.toml, told apart by max days."""
    return {
        "explicit": write(tmp_path / "a" / "x.toml", "[business]\nmax_rental_days = 1\n"),
        "env": write(tmp_path / "b" / "y.toml", "[business]\nmax_rental_days = 2\n"),
        "local": write(clean_environment / "nextcars.toml", "[business]\nmax_rental_days = 3\n"),
    }


def test_config_option_comes_first(three_configs, monkeypatch):
    monkeypatch.setenv("NEXTCARS_CONFIG", str(three_configs["env"]))
    assert load_settings(str(three_configs["explicit"])).business.max_rental_days == 1


def test_then_the_environment_variable(three_configs, monkeypatch):
    monkeypatch.setenv("NEXTCARS_CONFIG", str(three_configs["env"]))
    settings = load_settings()
    assert settings.business.max_rental_days == 2
    assert settings.base_dir == three_configs["env"].parent.resolve()


def test_then_the_working_folder(three_configs):
    settings = load_settings()
    assert settings.business.max_rental_days == 3
    assert settings.source == str(three_configs["local"].resolve())


def test_a_cwd_argument_replaces_the_working_folder(tmp_path):
    folder = tmp_path / "other"
    write(folder / "nextcars.toml", "[business]\nmax_rental_days = 4\n")
    assert load_settings(cwd=folder).business.max_rental_days == 4


def test_a_missing_explicit_or_environment_file_is_an_error(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(str(tmp_path / "nope.toml"))
    monkeypatch.setenv("NEXTCARS_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings()


# --- NEXTCARS_DB -----------------------------------------------------------------------------


def test_nextcars_db_overrides_the_configured_database(tmp_path, monkeypatch):
    path = write(tmp_path / "conf" / "nextcars.toml", '[database]\nurl = "sqlite:///data/x.db"\n')
    monkeypatch.setenv("NEXTCARS_DB", str(tmp_path / "override.db"))
    settings = load_settings(str(path))
    assert database_path(settings) == tmp_path / "override.db"
    assert settings.business.max_rental_days == 30  # the rest of the file still applies


def test_a_relative_nextcars_db_is_relative_to_the_working_folder(
    tmp_path, monkeypatch, clean_environment
):
    path = write(tmp_path / "conf" / "nextcars.toml", "")
    monkeypatch.setenv("NEXTCARS_DB", "rel/desk.db")
    assert database_path(load_settings(str(path))) == clean_environment / "rel" / "desk.db"


def test_nextcars_db_may_be_a_url(tmp_path, monkeypatch):
    monkeypatch.setenv("NEXTCARS_DB", f"sqlite:///{tmp_path / 'u.db'}")
    assert database_path(load_settings()) == tmp_path / "u.db"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://desk@localhost/nextcars",
        "postgresql+psycopg://desk:s3cret@db.example.com:5433/nextcars",
        "postgresql://desk@/nextcars?host=/run/postgresql",
    ],
)
def test_nextcars_db_takes_a_postgresql_url(monkeypatch, url):
    monkeypatch.setenv("NEXTCARS_DB", url)
    assert load_settings().database_url == url


def test_nextcars_db_of_another_engine_is_refused_without_its_password(monkeypatch):
    monkeypatch.setenv("NEXTCARS_DB", "mysql://desk:s3cret@localhost/nextcars")
    with pytest.raises(ConfigError, match="NEXTCARS_DB") as caught:
        load_settings()
    assert "\n" not in str(caught.value)
    assert "s3cret" not in str(caught.value)
    assert "desk:***@localhost" in str(caught.value)


# --- Bad files: one line naming the key --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("colour = 'blue'\n", "unknown setting 'colour'"),
        ("[business]\nmax_days = 3\n", "unknown setting 'business.max_days'"),
        ("[database]\npath = 'x.db'\n", "unknown setting 'database.path'"),
        ("[sign_in]\nmax_tries = 3\n", "unknown setting 'sign_in.max_tries'"),
        ("[lifecycle]\npending_ttl = 3\n", "unknown setting 'lifecycle.pending_ttl'"),
        ("[invoice]\nfonts = []\n", "unknown setting 'invoice.fonts'"),
    ],
)
def test_an_unknown_key_stops_start_up_naming_it(tmp_path, text, named):
    assert named in one_line_error(text, tmp_path)


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("[business]\nmax_rental_days = '30'\n", "business.max_rental_days", "whole number"),
        ("[business]\nmax_rental_days = 0\n", "business.max_rental_days", "between 1 and 365"),
        ("[business]\nmax_rental_days = 3.5\n", "business.max_rental_days", "whole number"),
        ("[sign_in]\nmax_failures = true\n", "sign_in.max_failures", "whole number"),
        ("[sign_in]\nlockout_minutes = -1\n", "sign_in.lockout_minutes", "between"),
        (
            "[sign_in]\npassword_hash_cost = 'cheap'\n",
            "sign_in.password_hash_cost",
            'must be "standard" or "low"',
        ),
        ("[sign_in]\npassword_hash_cost = 1\n", "sign_in.password_hash_cost", "non-empty string"),
        ("[lifecycle]\ninterval_seconds = 0\n", "lifecycle.interval_seconds", "between"),
        ("[lifecycle]\ninvoice_due_days = -1\n", "lifecycle.invoice_due_days", "between 0"),
        ("[business]\ntime_zone = 'Mars/Olympus'\n", "business.time_zone", "known time zone"),
        ("[business]\ntime_zone = ''\n", "business.time_zone", "non-empty string"),
        ("[business]\ncurrency = 'gbp'\n", "business.currency", "3-letter code"),
        ("[business]\ncurrency = 'POUND'\n", "business.currency", "3-letter code"),
        ("[business]\ncurrency = 826\n", "business.currency", "non-empty string"),
        ("[database]\nurl = ''\n", "database.url", "non-empty string"),
        ("[database]\nurl = 'postgresql://x'\n", "database.url", "names no database"),
        ("[database]\nurl = 'mysql://x/y'\n", "database.url", "sqlite:/// or postgresql://"),
        ("database = 'x.db'\n", "database", "must be a table"),
        ("business = 3\n", "business", "must be a table"),
        ("[business]\nmax_block_days = 0\n", "business.max_block_days", "between 1 and 3650"),
        ("[business]\nmax_block_days = '30'\n", "business.max_block_days", "whole number"),
        ("invoice = 3\n", "invoice", "must be a table"),
        ("[invoice]\nfallback_fonts = 'a.ttf'\n", "invoice.fallback_fonts", "must be a list"),
        ("[invoice]\nfallback_fonts = [3]\n", "invoice.fallback_fonts", "non-empty string"),
        ("[invoice]\nfallback_fonts = ['']\n", "invoice.fallback_fonts", "non-empty string"),
        (
            "[invoice]\nfallback_fonts = ['/nowhere/font.ttf']\n",
            "invoice.fallback_fonts",
            "there is no font file '/nowhere/font.ttf'",
        ),
        (
            "[invoice]\nfallback_fonts = ['nextcars.toml']\n",
            "invoice.fallback_fonts",
            "not a TrueType or OpenType font",
        ),
        ('[invoice]\nfallback_fonts = ["a\\tb.ttf"]\n', "invoice.fallback_fonts", "control"),
    ],
)
def test_a_bad_value_stops_start_up_naming_key_and_problem(tmp_path, text, key, problem):
    message = one_line_error(text, tmp_path)
    assert f"'{key}'" in message
    assert problem in message


def test_fallback_fonts_are_read_relative_to_the_config_files_folder(tmp_path):
    fonts = tmp_path / "conf" / "fonts"
    fonts.mkdir(parents=True)
    (fonts / "cjk.ttc").write_bytes(b"collection")
    (tmp_path / "other.otf").write_bytes(b"font")
    path = write(
        tmp_path / "conf" / "nextcars.toml",
        f'[invoice]\nfallback_fonts = ["fonts/cjk.ttc", "{tmp_path / "other.otf"}"]\n',
    )
    assert load_settings(str(path)).invoice.fallback_fonts == (
        str(fonts / "cjk.ttc"),
        str(tmp_path / "other.otf"),
    )


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://desk:s3cret@db.example.com:54x2/nextcars",
        "postgresql://desk:s3cret@db.example.com:99999/nextcars",
        "postgresql://desk:s3cret@[db.example.com/nextcars",
        "postgresql://desk@db.example.com/nextcars?port=five&password=s3cret",
    ],
)
def test_a_malformed_database_url_is_a_config_error_that_hides_the_password(
    tmp_path, monkeypatch, url
):
    message = one_line_error(f'[database]\nurl = "{url}"\n', tmp_path)
    assert "'database.url' is not a valid URL" in message
    assert "s3cret" not in message
    monkeypatch.setenv("NEXTCARS_DB", url)
    with pytest.raises(ConfigError, match="NEXTCARS_DB") as caught:
        load_settings()
    assert "s3cret" not in str(caught.value)


def test_invalid_toml_is_reported_on_one_line(tmp_path):
    message = one_line_error("[business\nmax_rental_days = 3\n", tmp_path)
    assert "not valid TOML" in message


def test_settings_are_frozen():
    settings = load_settings()
    with pytest.raises(AttributeError):
        settings.database_url = "sqlite:///elsewhere.db"  # type: ignore[misc]
