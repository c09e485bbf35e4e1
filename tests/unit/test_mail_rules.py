"""The outbox's rules (domain.mail), the [mail] settings and the templates' escaping."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from nextcars_tui.config import ConfigError, _parse
from nextcars_tui.domain.mail import (
    MAX_ATTEMPTS,
    gives_up,
    is_permanent,
    message_id,
    parse_clock_time,
    reminder_due_dates,
    reminder_step,
    retry_delay,
    run_sheet_day,
)
from nextcars_tui.domain.parsing import parse_email, parse_flag
from nextcars_tui.services import notifications
from nextcars_tui.services.mail_texts import render, subject_of
from nextcars_tui.services.notifications import day_text


def test_the_delays_grow_and_then_stay():
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert delays[:3] == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15)]
    assert all(a <= b for a, b in itertools.pairwise(delays))
    assert delays[-1] == timedelta(hours=6)
    assert not gives_up(MAX_ATTEMPTS - 1) and gives_up(MAX_ATTEMPTS)


@pytest.mark.parametrize(
    ("code", "permanent"), [(421, False), (451, False), (550, True), (554, True)]
)
def test_5xx_is_permanent_and_4xx_temporary(code, permanent):
    assert is_permanent(code) is permanent


def test_reminders_fall_on_the_configured_days_only():
    due = date(2026, 4, 1)
    days = (1, 7, 14)
    hits = {
        step
        for offset in range(-3, 40)
        if (step := reminder_step(due, due + timedelta(days=offset), days)) is not None
    }
    assert hits == {1, 7, 14}
    today = date(2026, 4, 15)
    assert reminder_due_dates(today, days) == {
        date(2026, 4, 14): 1,
        date(2026, 4, 8): 7,
        date(2026, 4, 1): 14,
    }


def test_run_sheets_are_for_tomorrow_once_their_time_has_come():
    at = time(18, 0)
    assert run_sheet_day(datetime(2026, 4, 1, 17, 59), at) is None
    assert run_sheet_day(datetime(2026, 4, 1, 18, 0), at) == date(2026, 4, 2)
    assert run_sheet_day(datetime(2026, 4, 1, 23, 59), at) == date(2026, 4, 2)
    with pytest.raises(ValueError):
        parse_clock_time("6pm")


def test_a_message_id_is_an_address_in_angle_brackets():
    assert message_id("abc.invoice", "example.com") == "<abc.invoice@example.com>"


def test_addresses_are_checked_by_the_validator_offline():
    assert parse_email("  Ann.Lee@Example.COM ") == "ann.lee@example.com"
    # A domain that does not exist is fine: nothing asks DNS.
    assert parse_email("x@no-such-domain-nextcars.example") == "x@no-such-domain-nextcars.example"
    for bad in ("ann@localhost", "a..b@example.com", "ann@exa_mple.com"):
        with pytest.raises(Exception, match="is not an e-mail address"):
            parse_email(bad)


@pytest.mark.parametrize(
    ("text", "flag"), [("yes", True), ("No", False), ("1", True), ("n", False)]
)
def test_flags(text, flag):
    assert parse_flag(text, "no reminders") is flag


def mail(**values):
    return _parse({"mail": values}, Path.cwd(), "test").mail


def test_mail_settings_are_read_and_checked():
    settings = mail(
        smtp_url="smtps://desk@mail.example.com",
        **{"from": "Desk@Example.com"},
        reminder_days=[14, 1, 7, 7],
        run_sheets=True,
        run_sheet_time="17:30",
    )
    assert settings.from_address == "desk@example.com"
    assert settings.reminder_days == (1, 7, 14)
    assert (settings.run_sheets, settings.run_sheet_time, settings.sending) == (True, "17:30", True)
    assert not mail().sending


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"smtp_url": "smtp://u:pw@h", "from": "a@example.com"}, "NEXTCARS_SMTP_PASSWORD"),
        ({"smtp_url": "http://h", "from": "a@example.com"}, "smtp://"),
        ({"smtp_url": "smtp://h"}, "mail.from"),
        ({"from": "nobody"}, "mail.from"),
        ({"reminder_days": [0]}, "reminder_days"),
        ({"reminder_days": "1,7"}, "reminder_days"),
        ({"run_sheet_time": "24:00"}, "run_sheet_time"),
        ({"run_sheets": "yes"}, "run_sheets"),
        ({"templates": "/no/such/folder"}, "not a folder"),
        ({"color": "blue"}, "unknown setting 'mail.color'"),
    ],
)
def test_bad_mail_settings_name_the_key(values, message):
    with pytest.raises(ConfigError, match=message) as refused:
        mail(**values)
    assert "pw@" not in str(refused.value)


FACTS = {
    "business_name": "NextCars",
    "business_address": "1 High St",
    "customer_name": "Eve <script>alert(1)</script> & Co",
    "booking": "BK-000001",
    "invoice": "INV-000001",
    "start": "Tue 10 Mar 2026",
    "total": "£10.00",
    "details": [["Notes", "<b>bold</b>"]],
}


def test_data_is_escaped_in_html_and_kept_in_text():
    texts = render("", "confirmation", FACTS)
    assert "<script>" not in texts.html and "&lt;script&gt;" in texts.html
    assert "&lt;b&gt;bold&lt;/b&gt;" in texts.html
    assert "Eve <script>alert(1)</script> & Co" in texts.text
    assert texts.subject == "Booking BK-000001 confirmed: Tue 10 Mar 2026"


def test_a_business_overrides_a_template_from_its_folder(tmp_path):
    (tmp_path / "confirmation.txt").write_text("Subject: Yours: $booking\n\nHi $customer_name\n")
    assert subject_of(str(tmp_path), "confirmation", FACTS) == "Yours: BK-000001"
    texts = render(str(tmp_path), "confirmation", FACTS)
    assert texts.text.startswith("Hi Eve")
    # What the folder does not replace comes from the package.
    assert "is confirmed" in texts.html


def test_a_message_writes_a_date_as_strftime_does_in_the_c_locale():
    first = date(2026, 1, 1)
    for offset in range(366):
        day = first + timedelta(days=offset)
        assert day_text(day) == day.strftime("%a %-d %b %Y")
    moment = datetime(2026, 3, 10, 9, 5)
    assert day_text(moment) == "Tue 10 Mar 2026"


def test_facts_are_stored_as_compact_json_keeping_what_is_not_ascii():
    facts = {"customer_name": "Zoë Ångström", "amount": "£1,234.50", "details": [["a", "b"]]}
    stored = notifications._FACTS_JSON.encode(facts)
    assert stored == json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
    assert stored.startswith('{"customer_name":"Zoë Ångström","amount":"£1,234.50"')


def test_a_subject_fills_in_every_fact_it_names_and_leaves_the_rest_as_written(tmp_path):
    (tmp_path / "invoice.txt").write_text(
        "Subject: ${booking} for $customer_name: $details, $$5, $nothing $days\n\nBody\n"
    )
    facts = {**FACTS, "days": 3}
    assert subject_of(str(tmp_path), "invoice", facts) == (
        "BK-000001 for Eve <script>alert(1)</script> & Co: Notes: <b>bold</b>, $5, $nothing 3"
    )
