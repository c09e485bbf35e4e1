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


# --- receipt --------------------------------------------------------------------------------------


def test_receipt_pdf_is_for_the_last_payment(desk_files: DeskFiles):
    ref = a_part_paid_invoice(desk_files)
    assert invoke("pay", ref, "--amount", "25.50", "--method", "card").code == 0
    target = desk_files.folder / "receipt.pdf"

    result = invoke("receipt", ref, "--pdf", str(target))

    assert result.code == 0, result.err
    assert result.out == f"Wrote the receipt for invoice {ref} to {target} (1 page).\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = " ".join(PdfReader(target).pages[0].extract_text().split())
    shown = json.loads(invoke("invoice", ref, "--json").out)
    balance = shown["balance_cents"]
    for part in (
        "RECEIPT",
        "Amount £25.50",
        "Method card",
        f"Invoice {ref}",
        f"Balance after £{balance // 100:,}.{balance % 100:02d}",
    ):
        assert part in text, part
    assert "£10.00" not in text  # the earlier payment has its own receipt


def test_receipt_refusals_are_those_of_the_invoice_document(desk_files: DeskFiles):
    ref = a_part_paid_invoice(desk_files)
    target = desk_files.folder / "receipt.pdf"
    target.write_bytes(b"keep me")
    exists = invoke("receipt", ref, "--pdf", str(target))
    assert exists.code == 2 and "already exists; give --force" in exists.error_line
    assert target.read_bytes() == b"keep me"
    assert invoke("receipt", ref, "--pdf", str(target), "--force").code == 0
    assert target.read_bytes().startswith(b"%PDF-")

    unknown = invoke("receipt", "INV-999999", "--pdf", str(desk_files.folder / "x.pdf"))
    assert unknown.code == 5 and not (desk_files.folder / "x.pdf").exists()
    unpaid = str(desk_files.rows("SELECT ref FROM invoice WHERE paid_cents = 0 ORDER BY ref")[0][0])
    nothing = invoke("receipt", unpaid, "--pdf", str(desk_files.folder / "y.pdf"))
    assert nothing.code == 4 and "Nothing has been paid" in nothing.error_line
    assert not (desk_files.folder / "y.pdf").exists()
    folder = invoke("receipt", ref, "--pdf", str(desk_files.folder))
    assert folder.code == 2
    assert invoke("receipt", ref).code == 2  # --pdf FILE is required
