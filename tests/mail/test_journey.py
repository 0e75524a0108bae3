"""王敏 imports her support mailbox: signed provider replies, her mails, one broken entry."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml
from mailkit import PROVIDER, SigningKey, plain, sign, with_attachment

from hostclaim.mail import (
    BadMessage,
    Direction,
    ParsedMail,
    StaticKeySource,
    dedupe,
    mbox_entry,
    parse_mailbox,
    thread,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "hostclaim"
ENVELOPE = b"From MAILER-DAEMON Sat Oct  3 08:15:00 2026"
OWN = {"@shop.example"}


def build_mailbox(path: Path, key: SigningKey) -> bytes:
    log = b"2026-10-03T00:12:00Z api-1 unreachable\n" * 50
    first = with_attachment(
        sender="=?utf-8?b?546L5pWP?= <wang.min@shop.example>",
        to=f"Support <support@{PROVIDER}>",
        subject="API 服务器无法访问 / API servers unreachable",
        body="Since 00:12 UTC our API servers do not answer. Log attached.",
        message_id="<case-1@shop.example>",
        filename="故障日志.log",
        data=log,
        date="Sat, 03 Oct 2026 08:20:00 +0800",
    )
    auto = sign(
        plain(
            sender=f"Support <support@{PROVIDER}>",
            to="wang.min@shop.example",
            subject="[Ticket#2026100303001234] API servers unreachable",
            body="Your request has been received.\nTicket ID: 2026100303001234\n",
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
            to="wang.min@shop.example",
            subject="Re: [Ticket#2026100303001234] API servers unreachable",
            body="Dear customer,\nFrom our side the network is fine.\n> Since 00:12 UTC\n",
            message_id=f"<reply-2@{PROVIDER}>",
            date="Sat, 03 Oct 2026 22:05:00 +0200",
            references=("<case-1@shop.example>", f"<auto-1@{PROVIDER}>"),
        ),
        key,
    )
    chase = plain(
        sender="Wang Min <wang.min@shop.example>",
        to=f"support@{PROVIDER}",
        subject="回复：[Ticket#2026100303001234] API servers unreachable",
        body="The outage lasted 19 h 55 min. 工单号：2026100303001234\n",
        message_id="<case-2@shop.example>",
        date="Sun, 04 Oct 2026 09:00:00 +0800",
        in_reply_to=f"<reply-2@{PROVIDER}>",
    )
    with path.open("wb") as out:
        for message in (first, auto, vague):
            out.write(mbox_entry(message, ENVELOPE))
        out.write(ENVELOPE + b"\n--- pasted notes, not a mail ---\n\n")
        out.write(mbox_entry(chase, ENVELOPE))
        out.write(mbox_entry(vague, ENVELOPE))  # the same reply, saved twice
    return log


def test_wang_min_imports_her_support_mailbox(key: SigningKey, tmp_path: Path) -> None:
    path = tmp_path / "support.mbox"
    log = build_mailbox(path, key)
    keys = StaticKeySource({key.name: key.record})
    items = list(parse_mailbox(path, own_addresses=OWN, dkim_keys=keys))
    bad = [i for i in items if isinstance(i, BadMessage)]
    mails = [i for i in items if isinstance(i, ParsedMail)]
    assert [(b.index, b.reason) for b in bad] == [(3, "no_headers")]
    assert [m.index for m in mails] == [0, 1, 2, 4, 5]

    first, auto, vague, chase, _copy = mails
    assert first.direction is Direction.OUTBOUND and first.sender is not None
    assert first.sender.name == "王敏"
    assert first.subject == "API 服务器无法访问 / API servers unreachable"
    [attachment] = first.attachments
    assert attachment.filename == "故障日志.log"
    assert attachment.sha256 == hashlib.sha256(log).hexdigest()

    for reply in (auto, vague):
        assert reply.direction is Direction.INBOUND
        assert reply.dkim.verified is True and reply.dkim.aligned
        assert reply.counterpart is not None and reply.counterpart.domain == PROVIDER
        assert reply.tickets == ("2026100303001234",)
    assert "From our side" in vague.text  # the >From quoting was undone
    assert chase.tickets == ("2026100303001234",) and not chase.dkim.signed
    assert [m.date.isoformat() for m in mails if m.date] == [
        "2026-10-03T00:20:00+00:00",
        "2026-10-03T00:21:00+00:00",
        "2026-10-03T20:05:00+00:00",
        "2026-10-04T01:00:00+00:00",
        "2026-10-03T20:05:00+00:00",
    ]

    unique = dedupe(mails).unique
    assert len(unique) == 4
    assert set(thread(unique).values()) == {"case-1@shop.example"}


def catalog(lang: str) -> dict[str, object]:
    data = yaml.safe_load((SRC / "locales" / lang / "mail.yaml").read_text(encoding="utf-8"))
    out: dict[str, object] = {}

    def walk(prefix: str, node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        else:
            out[prefix] = node

    walk("", data)
    return out


def test_every_message_key_is_in_both_languages() -> None:
    en, zh = catalog("en"), catalog("zh")
    assert set(en) == set(zh)

    def read(name: str) -> str:
        return (SRC / "mail" / name).read_text(encoding="utf-8")

    every = "\n".join(read(p.name) for p in (SRC / "mail").glob("*.py"))
    used = set(re.findall(r'"(mail\.error\.[a-z_]+)"', every))
    bad = [*re.findall(r'reason="([a-z_]+)"', read("parse.py")), "empty", "no_headers"]
    dkim_source = read("dkimcheck.py")
    dkim = re.findall(r'outcome\((?:True|False|None), "([a-z_]+)"', dkim_source)
    dkim += [*re.findall(r'reason="([a-z_]+)"', dkim_source), "unsigned"]
    warnings = re.findall(r'MailWarning\(\s*"([a-z_]+)"', every)
    warnings += re.findall(r'"(date_[a-z_]+)"', read("headers.py"))
    warnings += ["message_id_missing", "message_id_invalid"]
    used |= {f"mail.bad.{r}" for r in bad} | {f"mail.dkim.{r}" for r in dkim}
    used |= {f"mail.warning.{c}" for c in warnings}
    assert len(used) > 30
    missing = sorted(k for k in used if k not in en)
    assert not missing
    for key, text in en.items():
        assert re.findall(r"\{(\w+)\}", str(text)) == re.findall(r"\{(\w+)\}", str(zh[key])), key
