"""Kept for the TUI's import of MAX_REASON; every parser and check lives in domain.parsing."""

from __future__ import annotations

from nextcars_tui.domain.parsing import MAX_REASON

__all__ = ["MAX_REASON"]
