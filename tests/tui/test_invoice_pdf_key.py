"""p on invoice detail saves the invoice document through the export dialog: the file name
proposed, a private PDF written, and an existing file replaced only when confirmed."""

from __future__ import annotations

import stat

from pypdf import PdfReader
from textual.widgets import Input

from nextcars_tui.tui.dialogs.export_path import ExportDialog
from nextcars_tui.tui.screens.invoice_detail import InvoiceDetailScreen
from tests.tui.recordkit import messages, open_as, settle


async def test_p_saves_the_invoice_as_a_pdf(make_app, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)  # where the desk was started: relative names start here
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "invoice", ref="INV-000002")
        assert isinstance(app.screen, InvoiceDetailScreen)
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one("#field-path", Input).value == "./INV-000002.pdf"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceDetailScreen)
        target = out / "INV-000002.pdf"
        assert any(f"Wrote INV-000002 to {target}" in m for m in messages(app))
        first = target.read_bytes()

        # Again to the same file: refused in the dialog until confirmed.
        target.write_bytes(b"keep me")
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "already exists" in str(dialog.query_one("#form-error").render())
        assert target.read_bytes() == b"keep me"
        await pilot.press("enter")  # the same path again: the confirmation
        await settle(pilot)
        assert isinstance(app.screen, InvoiceDetailScreen)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes().startswith(b"%PDF-") and first.startswith(b"%PDF-")
    text = PdfReader(target).pages[0].extract_text()
    for part in ("Invoice INV-000002", "Booking BK-000002", "Carla Diaz", "Status Overdue"):
        assert part in text, part


async def test_the_export_dialog_keeps_the_file_writers_rules(make_app, tmp_path, monkeypatch):
    """A link, a device, a missing folder or a bad name is refused in the dialog, which stays
    open with the path as typed; Export again never turns a refusal into a replacement."""
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "precious.txt").write_bytes(b"precious")
    (out / "link.pdf").symlink_to(tmp_path / "precious.txt")
    (out / "dangling.pdf").symlink_to(tmp_path / "made" / "here.pdf")
    monkeypatch.chdir(out)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "invoice", ref="INV-000002")
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        field = dialog.query_one("#field-path", Input)
        for path, says in (
            ("link.pdf", "symbolic link"),
            ("dangling.pdf", "symbolic link"),
            ("/dev/null", "a device"),
            ("new-folder/x.pdf", "does not exist"),
            ("x" * 300 + ".pdf", "too long"),
        ):
            field.value = path
            for _attempt in range(2):  # a second Export is no confirmation of a refusal
                await pilot.press("enter")
                await settle(pilot)
                assert app.screen is dialog, path
                assert says in str(dialog.query_one("#form-error").render()), path
            assert field.value == path
    assert (tmp_path / "precious.txt").read_bytes() == b"precious"
    assert not (tmp_path / "made").exists() and not (out / "new-folder").exists()
    assert sorted(p.name for p in out.iterdir()) == ["dangling.pdf", "link.pdf"]
