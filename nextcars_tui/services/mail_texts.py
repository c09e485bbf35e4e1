"""The words of each message: templates shipped in the package (mail_templates/), any of which
a business may replace from its own folder (`mail.templates`), filled in from a message's
facts. Facts are data: in the HTML part every value is escaped, so a customer's name or a job
sheet's notes can never become markup.

A `KIND.txt` template starts with a `Subject:` line and a blank line, then the plain text;
`KIND.html` is the HTML part's content, set inside `layout.html`. Placeholders are `$name`
(string.Template); `$details` and `$jobs` are lists the code lays out for each part.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from nextcars_tui.domain.parsing import refuse_control_characters

MAX_SUBJECT = 300
Facts = dict[str, Any]


@dataclass(frozen=True)
class Texts:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=128)
def _source(folder: str, name: str) -> str:
    """A template's text: the business's own if its folder has one, else the shipped one.
    Read once per process (a changed template takes effect at the next start)."""
    if folder:
        own = Path(folder) / name
        if own.is_file():
            return own.read_text(encoding="utf-8")
    return (
        resources.files("nextcars_tui.services")
        .joinpath("mail_templates", name)
        .read_text(encoding="utf-8")
    )


def _split(source: str) -> tuple[str, str]:
    """(subject template, body template) of a .txt template."""
    first, _, rest = source.partition("\n")
    if not first.lower().startswith("subject:"):
        return "", source
    return first.split(":", 1)[1].strip(), rest.lstrip("\n")


@lru_cache(maxsize=128)
def _subject_template(folder: str, kind: str) -> tuple[Template, tuple[str, ...]]:
    """A kind's subject template, parsed once (subjects are written on the events' paths),
    and the names it fills in."""
    template = Template(_split(_source(folder, f"{kind}.txt"))[0])
    return template, tuple(template.get_identifiers())


def subject_of(folder: str, kind: str, facts: Facts) -> str:
    """The subject line for these facts: one line, no control characters, not too long."""
    template, names = _subject_template(folder, kind)
    # Only the facts the subject names are written out as text.
    used = {name: facts[name] for name in names if name in facts}
    filled = template.safe_substitute(_plain_values(used))
    subject = " ".join(filled.split())
    refuse_control_characters(subject, "subject")
    return subject[:MAX_SUBJECT]


def render(folder: str, kind: str, facts: Facts) -> Texts:
    """Subject, plain text and HTML of a message of this kind."""
    _, body = _split(_source(folder, f"{kind}.txt"))
    text = Template(body).safe_substitute(_plain_values(facts))
    subject = subject_of(folder, kind, facts)
    content = Template(_source(folder, f"{kind}.html")).safe_substitute(_html_values(facts))
    escaped = _html_values(facts)
    page = Template(_source(folder, "layout.html")).safe_substitute(
        {**escaped, "subject": html.escape(subject), "content": content}
    )
    return Texts(subject, text, page)


def _plain_values(facts: Facts) -> dict[str, str]:
    values = {key: _plain(value) for key, value in facts.items() if not isinstance(value, list)}
    values["details"] = "\n".join(
        f"  {label}: {value}" for label, value in facts.get("details", [])
    )
    values["jobs"] = "\n\n".join(_job_text(job) for job in facts.get("jobs", []))
    return values


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def _html_values(facts: Facts) -> dict[str, str]:
    values = {
        key: html.escape(_plain(value)).replace("\n", "<br>")
        for key, value in facts.items()
        if not isinstance(value, list)
    }
    rows = "".join(
        f"<tr><th align='left' style='padding-right: 1em'>{html.escape(label)}</th>"
        f"<td>{html.escape(_plain(value))}</td></tr>"
        for label, value in facts.get("details", [])
    )
    values["details"] = f"<table>{rows}</table>" if rows else ""
    values["jobs"] = "".join(_job_html(job) for job in facts.get("jobs", []))
    return values


def _job_lines(job: dict[str, Any]) -> list[tuple[str, str]]:
    """A run sheet's job as labelled lines, the parts it has."""
    lines = [
        ("Pickup", " ".join(filter(None, (job.get("pickup_time"), job.get("pickup"))))),
        ("Drop-off", job.get("dropoff") or ""),
        ("Customer", f"{job['customer_name']} ({job['customer_phone']})"),
        ("Car", f"{job['car_name']} {job['car_plate']}"),
        ("Passengers", _plain(job.get("passengers"))),
        ("Notes", job.get("notes") or ""),
    ]
    return [(label, value) for label, value in lines if value]


def _job_text(job: dict[str, Any]) -> str:
    lines = [f"{job['booking']} ({job['span']})"]
    lines.extend(f"  {label}: {value}" for label, value in _job_lines(job))
    return "\n".join(lines)


def _job_html(job: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><th align='left' style='padding-right: 1em'>{html.escape(label)}</th>"
        f"<td>{html.escape(value)}</td></tr>"
        for label, value in _job_lines(job)
    )
    title = html.escape(f"{job['booking']} ({job['span']})")
    return f"<h3>{title}</h3><table>{rows}</table>"
