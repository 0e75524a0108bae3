"""Threading by headers (subject only as a fallback) and de-duplication by Message-ID."""

from __future__ import annotations

from mailkit import PROVIDER, SigningKey, plain, sign

from hostclaim.mail import StaticKeySource, dedupe, normalise_subject, parse_message, thread


def mail(
    n: str,
    subject: str,
    date: str,
    *,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    message_id: str | None = "",
) -> bytes:
    return plain(
        sender="a@x.example",
        to="b@y.example",
        subject=subject,
        body=f"{n}\n",
        message_id=f"<{n}@x.example>" if message_id == "" else message_id,
        date=f"{date} 2026 10:00:00 +0000",
        in_reply_to=in_reply_to,
        references=references,
    )


def test_headers_make_threads_even_with_missing_parents() -> None:
    messages = [
        parse_message(m)
        for m in (
            mail(
                "r2", "Re: Re: Outage", "5 Oct", references=("<root@x.example>", "<r1@x.example>")
            ),
            mail("root", "Outage", "3 Oct"),
            mail("r1", "Re: Outage", "4 Oct", in_reply_to="<root@x.example>"),
            # Replies to a message that was never imported still share a thread.
            mail("p1", "Re: Invoice", "6 Oct", in_reply_to="<lost@x.example>"),
            mail("p2", "Re: Invoice", "7 Oct", references=("<lost@x.example>",)),
            mail("solo", "Something else", "8 Oct"),
        )
    ]
    roots = thread(messages)
    assert roots == {
        "r2@x.example": "root@x.example",
        "root@x.example": "root@x.example",
        "r1@x.example": "root@x.example",
        "p1@x.example": "p1@x.example",
        "p2@x.example": "p1@x.example",
        "solo@x.example": "solo@x.example",
    }


def test_subject_fallback_only_for_replies_without_headers() -> None:
    messages = [
        parse_message(m)
        for m in (
            mail("t1", "[Ticket#123456] Server down", "3 Oct"),
            mail("t2", "回复：[Ticket#123456] Server down", "4 Oct"),  # ticket system, no headers
            mail("t3", "AW: RE: [ticket#123456]  server down", "5 Oct"),
            mail("i1", "Invoice", "3 Oct"),
            mail("i2", "Invoice", "4 Oct"),  # same subject, not a reply: separate
            mail("early", "Re: Later topic", "1 Oct"),  # reply older than the original
            mail("later", "Later topic", "2 Oct"),
            mail("h1", "Re: Server down", "6 Oct", in_reply_to="<elsewhere@x.example>"),
        )
    ]
    roots = thread(messages)
    assert roots["t2@x.example"] == roots["t3@x.example"] == "t1@x.example"
    assert roots["i2@x.example"] == "i2@x.example"
    assert roots["later@x.example"] == "later@x.example"
    assert roots["early@x.example"] == "early@x.example"
    assert roots["h1@x.example"] == "h1@x.example"  # has headers: subject not used


def test_normalise_subject() -> None:
    assert normalise_subject("Re: AW: 回复：  Server   down") == "server down"
    assert normalise_subject("RE[2]: Fwd: x") == "x"
    assert normalise_subject("Reply needed") == "reply needed"


def test_messages_without_dates_come_last() -> None:
    a = parse_message(mail("a", "Topic", "3 Oct").replace(b"Date: ", b"X-Old-Date: "))
    b = parse_message(mail("b", "Re: Topic", "4 Oct", in_reply_to="<a@x.example>"))
    assert thread([a, b]) == {"a@x.example": "b@x.example", "b@x.example": "b@x.example"}


def test_dedupe_keeps_first_copy_unless_a_later_one_verifies(key: SigningKey) -> None:
    keys = StaticKeySource({key.name: key.record})
    body = plain(
        sender=f"s@{PROVIDER}",
        to="ops@shop.example",
        subject="Ticket #123456",
        body="x\n",
        message_id=f"<same@{PROVIDER}>",
    )
    unsigned = parse_message(b"X-Folder: archive\n" + body, dkim_keys=keys)
    signed = parse_message(sign(body, key), dkim_keys=keys)
    other = parse_message(mail("other", "x", "3 Oct"), dkim_keys=keys)
    result = dedupe([unsigned, other, signed, unsigned])
    assert result.unique == [signed, other]
    assert result.duplicates == [unsigned, unsigned]
    no_id = parse_message(mail("n", "x", "3 Oct", message_id=None))
    assert len(dedupe([no_id, no_id]).unique) == 1
