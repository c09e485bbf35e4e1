"""The footer of keys, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen[Any]) -> tuple[object, ...]:
    """Everything the footer draws from the screen's bindings: each key, what it does, its
    words and group, whether it is enabled and its tooltip. Which widget holds a binding is
    left out: moving focus between two fields with the same keys changes nothing drawn."""
    return tuple(
        (key, binding, enabled, tooltip)
        for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
    )


class KeyFooter(Footer):
    """Textual's Footer rebuilds all its keys whenever the bindings might have changed: on
    every focus move, which is most keys pressed in a form. Each rebuild mounts a dozen widgets
    and styles them; over SSH that is work on every Tab for a footer that looks the same."""

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._drawn: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            keys = shown_keys(screen)
            if keys == self._drawn and self._bindings_ready:
                return
            self._drawn = keys
        super().bindings_changed(screen)
