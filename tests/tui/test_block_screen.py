"""The blocks screen: the bookings a block affects with the proposed replacement beside each,
a changed proposal applied, a stuck booking refused with nothing written, and blocks removed."""

from __future__ import annotations

from datetime import date

from textual.widgets import Static

from nextcars_tui.domain.errors import ResourceKind
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.blocks import BlockRequest, list_blocks, propose
from nextcars_tui.services.booking import booking_detail
from nextcars_tui.services.changes import ChangeRequest, change_booking
from nextcars_tui.services.fleet import add_car
from nextcars_tui.tui.screens.blocks import BlocksScreen, ReplacementDialog
from nextcars_tui.tui.screens.fleet import FleetScreen
from tests.tui.recordkit import column, messages, open_as, row_keys, settle
from tests.tui.roles_kit import fill

SYSTEM = system_actor("tests")
# Alice's paid booking BK-000007 has LM-310 from 5 to 7 December.
LM310_SERVICE = BlockRequest(ResourceKind.CAR, "LM-310", date(2026, 12, 5), 2, "gearbox repair")


async def fill_form(pilot, resource: str, start: str, days: str, reason: str) -> None:
    await fill(pilot, "#block-resource", resource)
    await fill(pilot, "#block-start", start)
    await fill(pilot, "#block-days", days)
    await fill(pilot, "#block-reason", reason)
    await pilot.press("enter")
    await settle(pilot)


def said(app) -> str:
    return str(app.screen.query_one("#block-message", Static).render())


async def test_shows_the_affected_booking_with_the_proposed_replacement(make_app, desk):
    proposed = propose(desk, SYSTEM, LM310_SERVICE)
    assert [m.booking for m in proposed] == ["BK-000007"] and proposed[0].to
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "manager", "blocks")
        assert isinstance(app.screen, BlocksScreen)
        await fill_form(pilot, "LM-310", "2026-12-05", "2", "gearbox repair")
        table = app.screen.query_one("#block-affected")
        assert row_keys(table) == ["BK-000007"]
        assert column(table, "from") == ["LM-310"]
        assert column(table, "to")[0].startswith(proposed[0].to)
        assert "Ctrl+S applies" in said(app)


async def test_a_changed_proposal_is_applied_with_the_block(make_app, desk):
    price = booking_detail(desk, SYSTEM, "BK-000007").booking.total_cents
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "manager", "blocks")
        await fill_form(pilot, "LM-310", "2026-12-05", "2", "gearbox repair")
        app.screen.query_one("#block-affected").focus()
        await pilot.press("enter")
        await settle(pilot)
        chooser = app.screen
        assert isinstance(chooser, ReplacementDialog)
        offered = dict(chooser.choices)
        assert "ZE-901" in offered and "LM-310" not in offered
        # Chosen by model, seats and rate, not by plate alone.
        assert "Tesla Model 3 · 5 seats · £119.00/day" in offered["ZE-901"]
        chooser.dismiss("ZE-901")
        await settle(pilot)
        table = app.screen.query_one("#block-affected")
        assert column(table, "to") == ["ZE-901"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("moved BK-000007 → ZE-901" in text for text in messages(app))
        assert row_keys(app.screen.query_one("#block-list")) == [
            b.ref for b in list_blocks(desk, SYSTEM)
        ]
    moved = booking_detail(desk, SYSTEM, "BK-000007").booking
    assert moved.car_plate == "ZE-901"
    # The business caused the move: the customer's price is as booked.
    assert moved.total_cents == price
    (made,) = list_blocks(desk, SYSTEM)
    assert (made.resource, made.start, made.days, made.reason) == (
        "LM-310",
        date(2026, 12, 5),
        2,
        "gearbox repair",
    )


async def test_a_stuck_booking_is_shown_and_applying_is_refused(make_app, desk):
    # Erin's booking on VN-777 (the only seven-seater) is for seven: no other car fits.
    change_booking(desk, SYSTEM, "BK-000005", ChangeRequest(passengers="7"))
    before = booking_detail(desk, SYSTEM, "BK-000005")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "manager", "blocks")
        await fill_form(pilot, "VN-777", "2026-12-01", "1", "flat tyre")
        table = app.screen.query_one("#block-affected")
        assert row_keys(table) == ["BK-000005"]
        assert column(table, "to") == ["STUCK: none free"]
        assert "Stuck: no free replacement for BK-000005 (a party of 7)" in said(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "No free car can take over booking BK-000005" in said(app)
        assert "nothing was changed" in said(app)
    assert list_blocks(desk, SYSTEM) == []
    assert booking_detail(desk, SYSTEM, "BK-000005") == before


async def test_the_chooser_leaves_out_cars_too_small_and_says_it_is_the_seats(make_app, desk):
    # Erin's party of seven on VN-777, the only seven-seater: the others are free but small.
    change_booking(desk, SYSTEM, "BK-000005", ChangeRequest(passengers="7"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "manager", "blocks")
        await fill_form(pilot, "VN-777", "2026-12-01", "1", "flat tyre")
        app.screen.query_one("#block-affected").focus()
        await pilot.press("enter")
        await settle(pilot)
        chooser = app.screen
        assert isinstance(chooser, ReplacementDialog)
        assert chooser.choices == []
        shown = str(chooser.query_one("#replacement-options", Static).render())
        assert "seats the party of 7" in shown and "fewer seats" in shown


async def test_the_chooser_offers_only_cars_that_seat_the_party(make_app, desk):
    # A party of six on VN-777: the new eight-seater fits; the free five-seaters do not.
    change_booking(desk, SYSTEM, "BK-000005", ChangeRequest(passengers="6"))
    add_car(desk, SYSTEM, "XL-800", "Ford", "Tourneo", "8", "150.00")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "manager", "blocks")
        await fill_form(pilot, "VN-777", "2026-12-01", "1", "flat tyre")
        app.screen.query_one("#block-affected").focus()
        await pilot.press("enter")
        await settle(pilot)
        chooser = app.screen
        assert isinstance(chooser, ReplacementDialog)
        assert [plate for plate, _ in chooser.choices] == ["XL-800"]
        assert "Ford Tourneo · 8 seats · £150.00/day" in chooser.choices[0][1]


async def test_fleet_blocks_the_highlighted_car_and_a_block_can_be_removed(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "manager", "fleet")
        assert isinstance(app.screen, FleetScreen)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BlocksScreen)
        # The first car listed is KX-204, busy until 3 December: block it from the 4th.
        assert app.screen.query_one("#block-resource").value == "KX-204"
        await fill_form(pilot, "KX-204", "2026-12-04", "2", "service")
        assert "No bookings are affected" in said(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        (made,) = list_blocks(desk, SYSTEM)
        app.screen.query_one("#block-list").focus()
        await pilot.press("delete")
        await settle(pilot)
        await pilot.click("#confirm-go")
        await settle(pilot)
        assert any(f"{made.ref} removed" in text for text in messages(app))
    assert list_blocks(desk, SYSTEM) == []


async def test_staff_cannot_open_the_blocks_screen(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "blocks")
        assert not isinstance(app.screen, BlocksScreen)
        assert "That screen is not available to you." in messages(app)
