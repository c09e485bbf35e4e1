"""Characters that steer a terminal or a reader instead of being shown, and stored text made
inert for output.

The database may hold them although every form and command refuses them: typed by hand into
the SQL console, written by another program sharing a PostgreSQL database, or imported by the
first release. Each output medium (the desk's terminal, the CLI's text, the invoice PDF, CSV
files) passes stored text through `inert` at its one exit, so an escape sequence is shown as
text and never run, and a bidirectional override cannot reorder what a clerk reads.
"""

from __future__ import annotations

import re

# C0 controls (ESC starts escape sequences; TAB, LF and CR move the cursor).
_C0 = "\x00-\x1f"
# DEL and the C1 controls (U+009B is a one-character CSI on some terminals), the
# bidirectional marks, embeddings, overrides and isolates, and the line and paragraph
# separators: each changes what is shown rather than being shown.
_BEYOND_C0 = "\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[{_C0}{_BEYOND_C0}]")
_UNSAFE_BEYOND_C0 = re.compile(f"[{_BEYOND_C0}]")

# What an unsafe character is shown as when it has no picture of its own (C1, bidi).
REPLACEMENT = "\ufffd"
_CONTROL_PICTURES = 0x2400  # U+2400 SYMBOL FOR NULL … U+241F SYMBOL FOR UNIT SEPARATOR
_DELETE_PICTURE = "\u2421"


def first_unsafe(text: str) -> str | None:
    """The first character of text that a terminal or reader would act on, or None."""
    found = _UNSAFE.search(text)
    return found.group() if found else None


def _placeholder(found: re.Match[str]) -> str:
    code = ord(found.group())
    if code < 0x20:
        return chr(_CONTROL_PICTURES + code)  # ESC → ␛, LF → ␊, BEL → ␇
    if code == 0x7F:
        return _DELETE_PICTURE
    return REPLACEMENT


def inert(text: str, *, placeholder: str | None = None) -> str:
    """text with every unsafe character replaced by one visible, one-cell placeholder: a C0
    control by its picture (␛, ␊), DEL by ␡, a C1 control or bidi character by �; or, where
    a medium has no pictures (a font without them), each by `placeholder`. Safe text comes
    back as it was."""
    if placeholder is None:
        return _UNSAFE.sub(_placeholder, text)
    shown = placeholder
    return _UNSAFE.sub(lambda _found: shown, text)


def json_escaped(json_text: str) -> str:
    """JSON text with the unsafe characters beyond C0 written as \\uXXXX escapes: the same JSON
    value, nothing a terminal acts on. (json.dumps escapes C0 inside strings itself, and its
    raw newlines are the layout's, so they stay.)"""
    return _UNSAFE_BEYOND_C0.sub(lambda found: f"\\u{ord(found.group()):04x}", json_text)
