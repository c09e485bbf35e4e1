"""Each screen's permission is written once, in navigation, and the app holds every way of
opening the screen to it."""

from __future__ import annotations

import pytest

from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.tui import navigation
from nextcars_tui.tui.app import NextCarsApp


@pytest.mark.parametrize("destination", navigation.DESTINATIONS, ids=lambda d: d.name)
def test_a_destination_says_its_permission_in_navigation_alone(destination):
    screen = navigation.screen_class(destination.name)
    assert navigation.permission_of(screen) == destination.permission
    assert "REQUIRED" not in vars(screen), f"{screen.__name__} repeats its permission"


@pytest.mark.parametrize("destination", navigation.DESTINATIONS, ids=lambda d: d.name)
@pytest.mark.parametrize("role", list(Role))
def test_a_screen_opened_directly_is_held_to_its_destination(destination, role):
    """push_screen(SomeScreen()) is refused exactly as the key or the palette would be."""
    app = NextCarsApp.__new__(NextCarsApp)
    app.actor = Actor(username="someone", role=role)
    screen = navigation.screen_class(destination.name)
    instance = screen.__new__(screen)
    assert app._permitted(instance) == app.actor.can(destination.permission)
