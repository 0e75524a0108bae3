"""王敏 imports her support mailbox from the command line: contacts, tickets, threads, DKIM."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mail"))

from mailkit import PROVIDER, SigningKey, make_key, plain, sign, with_attachment

from hostclaim.mail import mbox_entry

ENVELOPE = b"From MAILER-DAEMON Sat Oct  3 08:15:00 2026"
SHOP = "wang.min@shop.example"
LOG = b"2026-10-03T00:12:00Z api-1 unreachable\n" * 40
CN_SUBJECT = "API 服务器无法访问 / API servers unreachable"


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return make_key()


def _messages(key: SigningKey) -> dict[str, bytes]:
    first = with_attachment(
        sender=f"=?utf-8?b?546L5pWP?= <{SHOP}>",
        to=f"Support <support@{PROVIDER}>",
        subject=CN_SUBJECT,
        body="Since 00:12 UTC our API servers do not answer. Log attached.",
        message_id="<case-1@shop.example>",
        filename="故障日志.log",
        data=LOG,
        date="Sat, 03 Oct 2026 08:20:00 +0800",
    )
    auto = sign(
        plain(
            sender=f"Support <support@{PROVIDER}>",
            to=SHOP,
            subject="[Ticket #448120] API servers unreachable",
            body="Your request has been received and will be handled by our team.\n",
            message_id=f"<auto-1@{PROVIDER}>",
            date="Sat, 03 Oct 2026 02:21:00 +0200",
            in_reply_to="<case-1@shop.example>",
            references=("<case-1@shop.example>",),
        ),
        key,
    )
    vague = sign(
        plain(
            sender=f"Support <support@{PROVIDER}>",
            to=SHOP,
            subject="Re: [Ticket #448120] API servers unreachable",
            body="Dear customer,\nFrom our side the network is fine.\n> Since 00:12 UTC\n",
            message_id=f"<reply-2@{PROVIDER}>",
            date="Sat, 03 Oct 2026 22:05:00 +0200",
            references=("<case-1@shop.example>", f"<auto-1@{PROVIDER}>"),
        ),
        key,
    )
    chase = plain(
        sender=f"Wang Min <{SHOP}>",
        to=f"support@{PROVIDER}",
        subject="回复：[Ticket #448120] API servers unreachable",
        body="The outage lasted 19 h 55 min. 工单号：448120\n",
        message_id="<case-2@shop.example>",
        date="Sun, 04 Oct 2026 09:00:00 +0800",
        in_reply_to=f"<reply-2@{PROVIDER}>",
    )
    invoice = sign(
        plain(
            sender=f"Billing <billing@{PROVIDER}>",
            to=SHOP,
            subject="Your invoice for October",
            body="Please find your invoice in the customer portal.\n",
            message_id=f"<invoice-10@{PROVIDER}>",
            date="Thu, 01 Oct 2026 06:00:00 +0200",
        ),
        key,
    )
    return {"first": first, "auto": auto, "vague": vague, "chase": chase, "invoice": invoice}


def _mailbox(path: Path, messages: dict[str, bytes]) -> Path:
    with path.open("wb") as out:
        out.write(mbox_entry(messages["invoice"], ENVELOPE))
        out.write(mbox_entry(messages["first"], ENVELOPE))
        out.write(mbox_entry(messages["auto"], ENVELOPE))
        out.write(ENVELOPE + b"\n--- pasted notes, not a mail ---\n\n")
        out.write(mbox_entry(messages["vague"], ENVELOPE))
        out.write(mbox_entry(messages["chase"], ENVELOPE))
    return path


def _key_file(path: Path, key: SigningKey) -> Path:
    path.write_text(f'{key.name}: "{key.record}"\n', encoding="utf-8")
    return path


def _new_case(cli) -> str:
    result = cli(
        "case",
        "new",
        "--provider",
        "Nordstern Hosting GmbH",
        "--name",
        "王敏",
        "--contact",
        SHOP,
        "--provider-country",
        "DE",
        "--service-tz",
        "Europe/Berlin",
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_wang_min_imports_her_support_mailbox(cli, key, tmp_path) -> None:
    messages = _messages(key)
    mbox = _mailbox(tmp_path / "support.mbox", messages)
    keys = _key_file(tmp_path / "keys.yaml", key)
    case = _new_case(cli)

    result = cli("mail", "import", case, str(mbox), "--dkim-keys", str(keys))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Imported: 5 · duplicates: 0 · malformed: 1" in out
    assert "support.mbox: Message 4 (byte" in out and "no header fields" in out
    assert out.count("✔") >= 4  # 3 signed provider messages + the legend
    assert "448120" in out and "Europe/Berlin" not in out  # zones shown as times, not names

    contacts = json.loads(cli("comm", "list", case, "--json").stdout)
    assert len(contacts) == 5
    by_subject = {c["subject"]: c for c in contacts}
    first = by_subject[CN_SUBJECT]
    assert first["direction"] == "outbound" and first["channel"] == "email"
    assert first["at"] == "2026-10-03T00:20:00Z"
    assert first["counterpart"] == f"Support <support@{PROVIDER}>"
    assert first["ticket_ref"] is None
    auto = by_subject["[Ticket #448120] API servers unreachable"]
    assert auto["direction"] == "inbound" and auto["ticket_ref"] == "448120"
    assert auto["at"] == "2026-10-03T00:21:00Z"
    vague = by_subject["Re: [Ticket #448120] API servers unreachable"]
    assert vague["summary"].startswith("Dear customer, From our side the network is fine.")
    assert "Since 00:12" not in vague["summary"]  # quoted history is not the summary
    chase = by_subject["回复：[Ticket #448120] API servers unreachable"]
    assert chase["direction"] == "outbound" and chase["ticket_ref"] == "448120"

    threads = json.loads(cli("mail", "list", case, "--json").stdout)
    assert [t["root"] for t in threads][:2] == [f"invoice-10@{PROVIDER}", "case-1@shop.example"]
    [unreadable] = threads[2]["messages"]  # undated, so listed last
    assert unreadable["status"] == "unparsed" and unreadable["communication"] is None
    conversation = threads[1]["messages"]
    assert [m["message_id"] for m in conversation] == [
        "case-1@shop.example",
        f"auto-1@{PROVIDER}",
        f"reply-2@{PROVIDER}",
        "case-2@shop.example",
    ]
    assert threads[1]["subject"] == CN_SUBJECT
    dkim = {m["message_id"]: m["dkim"] for t in threads for m in t["messages"]}
    assert dkim[f"auto-1@{PROVIDER}"] == dkim[f"reply-2@{PROVIDER}"] == "verified"
    assert dkim[f"invoice-10@{PROVIDER}"] == "verified"
    assert dkim["case-1@shop.example"] == dkim["case-2@shop.example"] == "unsigned"
    for message in conversation:
        assert message["evidence"] and message["communication"]

    listing = cli("mail", "list", case)
    assert listing.exit_code == 0, listing.output
    assert "✔ verified (provider.example)" in listing.stdout
    assert "Thread 2 (4)" in listing.stdout

    evidence = json.loads(cli("evidence", "list", case, "--json").stdout)
    assert len(evidence) == 6  # five messages and the unreadable entry, kept as it was
    assert {e["media_type"] for e in evidence[:2]} == {"message/rfc822"}
    assert evidence[1]["title"] == CN_SUBJECT
    assert evidence[1]["captured_at"] == "2026-10-03T00:20:00Z"
    unparsed = [e for e in evidence if e["origin"].startswith("mail-import-unparsed:")]
    assert len(unparsed) == 1 and unparsed[0]["captured_at"] is None

    # The raw bytes are the evidence: exported, they are the message exactly as signed.
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    ref_auto = next(m["evidence"] for m in conversation if m["message_id"].startswith("auto"))
    assert cli("evidence", "export", case, ref_auto, str(out_dir)).exit_code == 0
    assert next(out_dir.iterdir()).read_bytes() == messages["auto"]

    # Attachments: listed with their hash, promoted to evidence derived from the message.
    msg_first = next(m["ref"] for m in conversation if m["message_id"] == "case-1@shop.example")
    att = json.loads(cli("mail", "attachments", case, msg_first, "--json").stdout)
    [item] = att["attachments"]
    assert item["filename"] == "故障日志.log" and item["size"] == len(LOG)
    promoted = cli("mail", "promote", case, msg_first, "1", "--kind", "system_log")
    assert promoted.exit_code == 0, promoted.output
    assert "is now E7" in promoted.stdout
    new = json.loads(cli("evidence", "show", case, "E7", "--json").stdout)
    first_evidence = att["message"]["evidence"]
    assert new["derived_from"] == int(first_evidence[1:]) and new["kind"] == "system_log"
    assert new["title"] == "故障日志.log"
    assert cli("evidence", "export", case, "E7", str(tmp_path / "log.out")).exit_code == 0
    assert (tmp_path / "log.out").read_bytes() == LOG
    again = cli("mail", "promote", case, msg_first, "1")
    assert again.exit_code == 0 and "already evidence E7" in again.stdout
    table = cli("mail", "attachments", case, msg_first)
    assert "故障日志.log" in table.stdout and "E7" in table.stdout

    # Importing the same mailbox again adds nothing, and says so.
    before = cli("evidence", "list", case, "--json").stdout
    repeat = cli("mail", "import", case, str(mbox), "--dkim-keys", str(keys))
    assert repeat.exit_code == 0, repeat.output
    assert "Imported: 0 · duplicates: 6 · malformed: 0" in repeat.stdout
    assert "Nothing new" in repeat.stdout
    assert cli("evidence", "list", case, "--json").stdout == before
    assert len(json.loads(cli("comm", "list", case, "--json").stdout)) == 5

    verified = cli("verify", case)
    assert verified.exit_code == 0, verified.output


def test_without_keys_signatures_are_unchecked_and_a_tampered_copy_fails(
    cli, key, tmp_path
) -> None:
    messages = _messages(key)
    mbox = _mailbox(tmp_path / "support.mbox", messages)
    case = _new_case(cli)
    result = cli("mail", "import", case, str(mbox), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["imported"] == 5 and report["malformed"] == 1
    status = {m["message_id"]: m["dkim"] for m in report["messages"]}
    assert status[f"auto-1@{PROVIDER}"] == "unchecked"
    assert report["key_sources"] == []
    shown = cli("mail", "list", case)
    assert "? not checked (provider.example)" in shown.stdout

    # The provider's reply with one word changed after signing: the signature no longer holds.
    tampered = messages["vague"].replace(b"network is fine", b"network is down")
    eml = tmp_path / "tampered.eml"
    eml.write_bytes(tampered)
    other = _new_case(cli)
    keys = _key_file(tmp_path / "keys.yaml", key)
    bad = cli("mail", "import", other, str(eml), "--dkim-keys", str(keys))
    assert bad.exit_code == 0, bad.output  # DKIM never fails an import
    assert "✘" in bad.stdout
    [message] = json.loads(cli("mail", "list", other, "--json").stdout)[0]["messages"]
    assert message["dkim"] == "failed" and message["dkim_reason"] == "body_hash_mismatch"
    assert cli("verify", other).exit_code == 0


def test_bad_input_is_one_line_and_exit_2(cli, case_ref, tmp_path) -> None:
    eml = tmp_path / "one.eml"
    eml.write_bytes(
        plain(sender="a@b.example", to="c@d.example", subject="x", body="y", message_id="<1@b>")
    )
    # The fixture case has no e-mail contact: hostclaim cannot tell sent from received.
    no_own = cli("mail", "import", case_ref, str(eml))
    assert no_own.exit_code == 2 and "--own" in no_own.stderr
    missing = cli(
        "mail", "import", case_ref, str(tmp_path / "missing.mbox"), "--own", "a@b.example"
    )
    assert missing.exit_code == 2 and "not found" in missing.stderr
    bad_own = cli("mail", "import", case_ref, str(eml), "--own", "nobody")
    assert bad_own.exit_code == 2 and "nobody" in bad_own.stderr
    no_keys = cli(
        "mail", "import", case_ref, str(eml), "--own", "a@b.example", "--dkim-keys", "nope.yaml"
    )
    assert no_keys.exit_code == 2
    assert json.loads(cli("evidence", "list", case_ref, "--json").stdout) == []

    ok = cli("mail", "import", case_ref, str(eml), "--own", "@b.example")
    assert ok.exit_code == 0, ok.output
    assert "Imported: 1 ·" in ok.stdout
    no_attachment = cli("mail", "promote", case_ref, "MSG1", "1")
    assert no_attachment.exit_code == 2 and "has no attachment 1" in no_attachment.stderr
    unknown = cli("mail", "attachments", case_ref, "MSG9")
    assert unknown.exit_code == 2
