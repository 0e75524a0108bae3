"""Reading .eml and .mbox files: detection, framing, quoting, bad messages, bounded memory."""

from __future__ import annotations

import io
import mailbox
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mailkit import plain

from hostclaim.errors import InvalidInput, NotFound
from hostclaim.mail import BadMessage, RawMessage, iter_messages, mbox_entry, write_mbox

ENVELOPE = b"From support@provider.example Sat Oct  3 08:15:00 2026"


def message(n: int, body: str = "Hello.\n") -> bytes:
    return plain(
        sender="Support <support@provider.example>",
        to="ops@shop.example",
        subject=f"Ticket #{10000 + n}",
        body=body,
        message_id=f"<m{n}@provider.example>",
    )


def write(path: Path, messages: list[bytes], **kwargs: object) -> Path:
    with path.open("wb") as out:
        write_mbox(
            [
                RawMessage(index=i, offset=0, length=0, raw=m, envelope=ENVELOPE)
                for i, m in enumerate(messages)
            ],
            out,
            **kwargs,  # type: ignore[arg-type]
        )
    return path


def test_eml_is_one_message_with_its_exact_bytes(tmp_path: Path) -> None:
    raw = message(1).replace(b"\n", b"\r\n")
    path = tmp_path / "reply.eml"
    path.write_bytes(raw)
    [item] = list(iter_messages(path))
    assert isinstance(item, RawMessage)
    assert item.raw == raw and item.index == 0 and item.offset == 0 and item.envelope is None


def test_format_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    eml_named_mbox = tmp_path / "odd.mbox"
    eml_named_mbox.write_bytes(message(1))
    mbox_named_txt = write(tmp_path / "export.txt", [message(1), message(2)])
    assert len(list(iter_messages(eml_named_mbox))) == 1
    assert [m.index for m in iter_messages(mbox_named_txt)] == [0, 1]


def test_mbox_messages_keep_offsets_and_exact_bytes(tmp_path: Path) -> None:
    originals = [message(n) for n in range(5)]
    path = write(tmp_path / "box.mbox", originals)
    data = path.read_bytes()
    items = list(iter_messages(path))
    assert [m.raw for m in items if isinstance(m, RawMessage)] == originals
    for item in items:
        assert isinstance(item, RawMessage)
        assert item.envelope == ENVELOPE
        assert data[item.offset : item.offset + item.length].startswith(b"From ")
    assert sum(m.length for m in items) == len(data)


def test_from_quoting_round_trips_exactly(tmp_path: Path) -> None:
    body = "From our side the server was up.\n>From a quote\n>>From a deeper quote\nFrom\n"
    originals = [message(1, body), message(2)]
    path = write(tmp_path / "box.mbox", originals)
    data = path.read_bytes()
    assert b"\n>From our side" in data and b"\n>>From a quote" in data
    assert b"\n>>>From a deeper" in data
    items = [m for m in iter_messages(path) if isinstance(m, RawMessage)]
    assert [m.raw for m in items] == originals
    # Writing what was read gives the same file, byte for byte.
    out = io.BytesIO()
    write_mbox(items, out)
    assert out.getvalue() == data


def test_mboxo_quoting_keeps_deeper_quotes(tmp_path: Path) -> None:
    body = "From here\n>From there\n"
    path = write(tmp_path / "o.mbox", [message(1, body)], quoting="mboxo")
    assert b"\n>From here\n>From there\n" in path.read_bytes()
    [item] = iter_messages(path, quoting="mboxo")
    assert isinstance(item, RawMessage)
    # mboxo cannot tell an escaped line from a real ">From": both come back unquoted.
    assert b"\nFrom here\nFrom there\n" in item.raw


def test_python_mailbox_writes_what_we_read(tmp_path: Path) -> None:
    path = tmp_path / "py.mbox"
    box = mailbox.mbox(path)
    box.add(message(1, "From the start\n"))
    box.add(message(2))
    box.flush()
    box.close()
    items = [m for m in iter_messages(path, quoting="mboxo") if isinstance(m, RawMessage)]
    assert [m.raw for m in items] == [message(1, "From the start\n"), message(2)]


def test_crlf_mailbox(tmp_path: Path) -> None:
    originals = [message(n).replace(b"\n", b"\r\n") for n in range(3)]
    path = write(tmp_path / "crlf.mbox", originals)
    assert b"\r\n\r\nFrom " in path.read_bytes()
    assert [m.raw for m in iter_messages(path) if isinstance(m, RawMessage)] == originals


def test_malformed_message_is_reported_and_the_rest_import(tmp_path: Path) -> None:
    path = tmp_path / "box.mbox"
    garbage = b"\x00\x01 this is not mail at all\n\n\xff\xfe\n"
    with path.open("wb") as out:
        out.write(mbox_entry(message(0), ENVELOPE))
        offset = out.tell()
        out.write(ENVELOPE + b"\n" + garbage + b"\n")
        out.write(mbox_entry(message(2), ENVELOPE))
        out.write(ENVELOPE + b"\n\n")
    items = list(iter_messages(path))
    assert [type(m).__name__ for m in items] == [
        "RawMessage",
        "BadMessage",
        "RawMessage",
        "BadMessage",
    ]
    bad = items[1]
    assert isinstance(bad, BadMessage)
    assert (bad.index, bad.offset, bad.reason) == (1, offset, "no_headers")
    assert bad.raw == garbage
    assert "1" in bad.render("en") and str(offset) in bad.render("en")
    assert "第 1 封" in bad.render("zh")
    last = items[3]
    assert isinstance(last, BadMessage) and last.reason == "empty"


def test_unquoted_prose_from_lines_are_not_boundaries(tmp_path: Path) -> None:
    # A lax writer left "From ..." lines unquoted; without a time they are not envelopes.
    text = ENVELOPE + b"\n" + message(1, "Hi\n\nFrom our side all is fine.\n") + b"\n"
    text += ENVELOPE + b"\n" + message(2) + b"\n"
    path = tmp_path / "lax.mbox"
    path.write_bytes(text)
    items = list(iter_messages(path))
    assert len(items) == 2
    assert isinstance(items[0], RawMessage) and b"\nFrom our side" in items[0].raw


def test_envelopes_without_time_split_on_every_from_line(tmp_path: Path) -> None:
    path = tmp_path / "bare.mbox"
    path.write_bytes(b"From a\n" + message(1) + b"\nFrom b\n" + message(2) + b"\n")
    assert [m.index for m in iter_messages(path)] == [0, 1]


def test_progress_reports_bytes(tmp_path: Path) -> None:
    path = write(tmp_path / "box.mbox", [message(n) for n in range(4)])
    seen: list[int] = []
    list(iter_messages(path, progress=seen.append))
    assert seen == sorted(seen) and seen[-1] == path.stat().st_size


def test_errors_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as missing:
        list(iter_messages(tmp_path / "nope.mbox"))
    assert "nope.mbox" in missing.value.render("en")
    with pytest.raises(InvalidInput):
        list(iter_messages(tmp_path))
    (tmp_path / "a.eml").write_bytes(message(1))
    with pytest.raises(InvalidInput):
        list(iter_messages(tmp_path / "a.eml", quoting="weird"))  # type: ignore[arg-type]


def test_memory_does_not_grow_with_the_mailbox(tmp_path: Path) -> None:
    one = mbox_entry(message(1, "x" * 70 + "\n" * 1), ENVELOPE)
    body = one * 400  # ~150 KB per block of messages

    def peak(copies: int) -> int:
        path = tmp_path / f"big{copies}.mbox"
        with path.open("wb") as out:
            for _ in range(copies):
                out.write(body)
        tracemalloc.start()
        count = sum(1 for _ in iter_messages(path, block_size=1 << 16))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == copies * 400
        return top

    small, large = peak(5), peak(100)  # 0.7 MB vs 15 MB of mailbox
    assert large < 2 * small + 256 * 1024


lines = st.sampled_from(
    ["From here", ">From there", ">>From deeper", "From", "From ", "plain", "", ">", "From 10:00"]
)


@settings(max_examples=60, deadline=None)
@given(
    bodies=st.lists(st.lists(lines, max_size=8), min_size=1, max_size=4),
    block=st.integers(min_value=64, max_value=400),
    crlf=st.booleans(),
)
def test_round_trip_property(
    tmp_path_factory: pytest.TempPathFactory, bodies: list[list[str]], block: int, crlf: bool
) -> None:
    originals = [message(n, "\n".join(body) + "\n") for n, body in enumerate(bodies)]
    if crlf:
        originals = [m.replace(b"\n", b"\r\n") for m in originals]
    path = write(tmp_path_factory.mktemp("p") / "box.mbox", originals)
    items = list(iter_messages(path, block_size=block))
    assert [m.raw for m in items if isinstance(m, RawMessage)] == originals
    out = io.BytesIO()
    write_mbox([m for m in items if isinstance(m, RawMessage)], out)
    assert out.getvalue() == path.read_bytes()
