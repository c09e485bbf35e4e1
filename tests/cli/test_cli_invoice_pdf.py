"""`nextcars invoice REF --pdf FILE [--force]`: one line saying where, a private file, never
over an existing one without --force (exit 2, as every bad path), exit 5 for an unknown ref."""

from __future__ import annotations

import json
import stat

from pypdf import PdfReader

from tests.cli.clikit import DeskFiles, invoke


def a_part_paid_invoice(files: DeskFiles) -> str:
    ref = str(files.rows("SELECT ref FROM invoice WHERE status = 'unpaid' ORDER BY ref")[0][0])
    paid = invoke("pay", ref, "--amount", "10.00", "--method", "cash")
    assert paid.code == 0, paid.err
    return ref


def test_invoice_pdf_writes_a_private_file_and_says_where(desk_files: DeskFiles):
    ref = a_part_paid_invoice(desk_files)
    (desk_files.folder / "out").mkdir()
    target = desk_files.folder / "out" / "invoice.pdf"
    result = invoke("invoice", ref, "--pdf", str(target))
    assert result.code == 0, result.err
    assert result.out == f"Wrote invoice {ref} to {target} (1 page).\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = PdfReader(target).pages[0].extract_text()
    shown = json.loads(invoke("invoice", ref, "--json").out)
    assert shown["paid_cents"] == 1000
    for part in (
        f"Invoice {ref}",
        "Status Partly paid",
        "Paid £10.00",
        f"Balance due £{shown['balance_cents'] // 100:,}.{shown['balance_cents'] % 100:02d}",
    ):
        assert part in text, part


def test_an_existing_file_needs_force(desk_files: DeskFiles):
    ref = a_part_paid_invoice(desk_files)
    target = desk_files.folder / "invoice.pdf"
    target.write_bytes(b"keep me")
    refused = invoke("invoice", ref, "--pdf", str(target))
    assert refused.code == 2
    assert refused.out == ""
    assert refused.error_line == (
        f"error: {target} already exists; give --force to replace it, or choose another name."
    )
    assert target.read_bytes() == b"keep me"
    replaced = invoke("invoice", ref, "--pdf", str(target), "--force", "--json")
    assert replaced.code == 0, replaced.err
    assert json.loads(replaced.out) == {"ref": ref, "path": str(target), "pages": 1}
    assert target.read_bytes().startswith(b"%PDF-")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_an_unknown_ref_is_exit_5_and_writes_nothing(desk_files: DeskFiles):
    target = desk_files.folder / "nothing.pdf"
    result = invoke("invoice", "INV-999999", "--pdf", str(target))
    assert result.code == 5
    assert "INV-999999" in result.error_line
    assert not target.exists()


def test_force_without_pdf_is_exit_2(desk_files: DeskFiles):
    ref = a_part_paid_invoice(desk_files)
    result = invoke("invoice", ref, "--force")
    assert result.code == 2
    assert "--pdf" in result.error_line
