"""The mail commands' contract on both engines: `mail send`, `mail test`, `outbox` and its
actions, `invoice --email`: names, JSON keys and exit codes as the README gives them."""

from __future__ import annotations

import email
import email.policy
import json
import stat

import pytest

from nextcars_tui.config import SMTP_PASSWORD_ENV
from tests.cli.clikit import invoke
from tests.mailkit import PASSWORD, free_port, mail_server

OUTBOX_KEYS = {
    "id",
    "kind",
    "to",
    "subject",
    "status",
    "attempts",
    "booking",
    "invoice",
    "created_at",
    "sent_at",
    "error",
}


def with_mail(files, url):
    text = files.config.read_text(encoding="utf-8")
    files.config.write_text(
        text + f'\n[mail]\nsmtp_url = "{url}"\nfrom = "desk@nextcars.example"\n',
        encoding="utf-8",
    )


def outbox(*args):
    result = invoke("outbox", *args, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv(SMTP_PASSWORD_ENV, PASSWORD)
    (tmp_path / "tls").mkdir()
    with mail_server(tmp_path / "tls") as up:
        monkeypatch.setenv("SSL_CERT_FILE", str(up.ca_file))
        yield up


def test_outbox_lists_the_demo_messages_with_the_contract_keys(desk_files):
    listed = outbox()
    assert listed, "the demo confirms and takes payments, so it has messages"
    assert all(set(item) == OUTBOX_KEYS for item in listed)
    assert {item["status"] for item in listed} == {"queued"}
    assert {item["kind"] for item in listed} >= {"confirmation", "receipt"}
    first = listed[0]
    assert isinstance(first["id"], int) and first["attempts"] == 0
    assert first["booking"].startswith("BK-") and first["invoice"].startswith("INV-")
    assert first["sent_at"] is None and first["error"] is None
    assert outbox("--status", "sent") == []
    assert invoke("outbox", "--status", "lost").code == 2
    text = invoke("outbox")
    assert text.code == 0 and first["to"] in text.out


def test_mail_send_delivers_everything_due_and_says_so(desk_files, server):
    with_mail(desk_files, server.url())
    queued = outbox("--status", "queued")
    result = invoke("mail", "send", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {"sent": len(queued), "failed": 0, "waiting": 0}
    assert len(server.messages) == len(queued)
    sent = outbox("--status", "sent")
    assert {item["id"] for item in sent} == {item["id"] for item in queued}
    assert all(item["sent_at"] and item["attempts"] == 1 for item in sent)
    again = invoke("mail", "send")
    assert (again.code, again.out.strip()) == (0, "Sent 0, failed 0, waiting 0.")
    assert PASSWORD not in result.out + result.err + again.out


def test_a_refused_message_is_failed_exit_0_and_retry_queues_it_again(desk_files, server):
    with_mail(desk_files, server.url())
    assert invoke("mail", "send").code == 0
    ref = outbox("--status", "sent")[0]["invoice"]
    with_rejected_customer(desk_files, ref)
    result = invoke("invoice", ref, "--email", "--json")
    assert result.code == 0, result.err
    queued = json.loads(result.out)
    assert set(queued) == OUTBOX_KEYS and queued["to"] == "reject@example.com"
    sent = invoke("mail", "send", "--json")
    assert (sent.code, json.loads(sent.out)) == (0, {"sent": 0, "failed": 1, "waiting": 0})
    (failed,) = outbox("--status", "failed")
    assert failed["error"] == "550 5.1.1 No such user here"
    sent_one = outbox("--status", "sent")[0]["id"]
    assert invoke("outbox", "retry", str(sent_one)).code == 4
    assert invoke("outbox", "retry", "999999").code == 5
    assert invoke("outbox", "retry", "x1").code == 2
    retried = invoke("outbox", "retry", str(failed["id"]))
    assert retried.code == 0, retried.err
    assert [item["id"] for item in outbox("--status", "queued")] == [failed["id"]]


def with_rejected_customer(files, invoice_ref):
    """Point the invoice's customer at an address the test server refuses (550)."""
    files.rows(
        "UPDATE customer SET email = 'reject@example.com' WHERE id = (SELECT b.customer_id "
        "FROM booking b JOIN invoice i ON i.booking_id = b.id WHERE i.ref = ?)",
        invoice_ref,
    )


def test_mail_send_exits_1_when_the_server_cannot_be_reached(desk_files):
    with_mail(desk_files, f"smtp://127.0.0.1:{free_port()}")
    result = invoke("mail", "send", "--json")
    assert result.code == 1
    assert "Cannot reach the mail server 127.0.0.1" in result.error_line
    assert result.out == ""
    assert {item["status"] for item in outbox()} == {"queued"}
    assert outbox()[0]["attempts"] == 1


def test_mail_send_without_a_server_is_exit_2(desk_files):
    result = invoke("mail", "send")
    assert result.code == 2
    assert "mail.smtp_url" in result.error_line


def test_a_password_in_the_url_is_refused_by_the_settings(desk_files):
    with_mail(desk_files, "smtp://desk:secret-pw@127.0.0.1:25")
    result = invoke("outbox")
    assert result.code == 2
    assert "secret-pw" not in result.err and "NEXTCARS_SMTP_PASSWORD" in result.error_line


def test_mail_test_prints_the_server_reply(desk_files, server):
    with_mail(desk_files, server.url())
    result = invoke("mail", "test", "Ops@Example.com")
    assert result.code == 0, result.err
    assert f"127.0.0.1:{server.port} replied: 250" in result.out
    assert server.messages[0]["To"].addresses[0].addr_spec == "ops@example.com"
    assert invoke("mail", "test", "not-an-address").code == 2


def test_outbox_export_writes_each_queued_message_as_a_private_eml(desk_files, tmp_path):
    queued = outbox("--status", "queued")
    folder = tmp_path / "outgoing"
    missing = invoke("outbox", "export", str(folder))
    assert missing.code == 2 and "does not exist" in missing.error_line
    assert not folder.exists() and outbox("--status", "queued") == queued
    folder.mkdir()
    result = invoke("outbox", "export", str(folder))
    assert result.code == 0, result.err
    files = sorted(folder.glob("*.eml"))
    assert len(files) == len(queued)
    for path, item in zip(files, queued, strict=True):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert message["Subject"] == item["subject"]
        assert message["To"].addresses[0].addr_spec == item["to"]
    assert outbox("--status", "queued") == []
    # Nothing is left to write a second time.
    assert invoke("outbox", "export", str(folder)).code == 0
    assert len(list(folder.glob("*.eml"))) == len(queued)


def test_invoice_email_queues_the_invoice_and_refuses_an_unknown_one(desk_files):
    ref = outbox()[0]["invoice"]
    result = invoke("invoice", ref, "--email")
    assert result.code == 0, result.err
    assert f"Queued invoice {ref}" in result.out
    assert outbox()[-1]["kind"] == "invoice"
    assert invoke("invoice", "INV-999999", "--email").code == 5
    assert invoke("invoice", ref, "--email", "--pdf", "x.pdf").code == 2
