"""A refusal in the export dialog wraps whole at 80×24, on every screen that exports: the
invoice PDF, the ageing CSV, the report CSV and the run sheet PDF. A file-writer's refusal
names the full path, which is longer than the dialog is wide."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label

from nextcars_tui.tui.dialogs.export_path import ExportDialog
from tests.tui.recordkit import open_as
from tests.tui.roles_kit import screen_text, settle

# (who, which screen, the key that exports there)
EXPORTS = pytest.mark.parametrize(
    ("username", "screen", "key"),
    [
        ("staff", "today", "p"),
        ("staff", "invoice", "p"),
        ("manager", "review", "x"),
        ("manager", "reports", "x"),
    ],
    ids=["run-sheet-pdf", "invoice-pdf", "ageing-csv", "report-csv"],
)


def _whole_in_dialog(app: Any, message: str) -> bool:
    """Whether the dialog's rows (inside its borders) hold the message, however it wrapped:
    a path has no spaces, so the wrap may break it anywhere."""
    rows = [line.split("█")[1] for line in screen_text(app).splitlines() if "█" in line]
    return "".join(message.split()) in "".join("".join(rows).split())


async def _export_to(
    pilot: Pilot[Any], username: str, screen: str, key: str, path: str
) -> ExportDialog[Any]:
    kwargs = {"ref": "INV-000002"} if screen == "invoice" else {}
    await open_as(pilot, username, screen, **kwargs)
    await pilot.press(key)
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportDialog)
    dialog.query_one("#field-path", Input).value = path
    await pilot.press("enter")
    await settle(pilot)
    assert pilot.app.screen is dialog
    return dialog


@EXPORTS
async def test_a_missing_folder_is_refused_in_words_that_wrap_whole(
    make_app, tmp_path, monkeypatch, username, screen, key
):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "the-drivers-room-archive-for-december"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await _export_to(pilot, username, screen, key, f"{folder.name}/sheet.pdf")
        refusal = dialog.query_one("#form-error", Label)
        said = str(refusal.render())
        assert said.startswith(f"The folder {folder} does not exist")
        assert refusal.size.height >= 2  # wrapped, not cut to one line
        assert _whole_in_dialog(app, said)
    assert not folder.exists()


async def test_an_existing_file_asks_to_replace_in_words_that_wrap_whole(
    make_app, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "run-sheet-for-the-drivers-room-tuesday-1-december-2026.pdf"
    target.write_bytes(b"keep me")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await _export_to(pilot, "staff", "today", "p", target.name)
        said = str(dialog.query_one("#form-error", Label).render())
        assert said == f"{target} already exists. Export again to replace it."
        assert _whole_in_dialog(app, said)
    assert target.read_bytes() == b"keep me"
