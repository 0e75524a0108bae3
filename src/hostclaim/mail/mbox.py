"""Reading messages out of ``.eml`` and ``.mbox`` files, one at a time.

Why not ``mailbox.mbox``: it opens the file read-write (evidence should be opened read-only),
reads the whole file once to build its table of contents before it gives the first message
(the table itself is small: a few MB for 20,000 messages, see ``benchmarks/bench_mail.py``),
and its ``get_bytes()`` leaves the ``>From`` quoting in place, so a signed message whose body
has a line starting with "From " no longer verifies. This reader scans the file in blocks,
holds one message (plus one block) at a time, and undoes the quoting.

The format is recognised from the content: a file whose first line starts with ``From `` is a
mailbox, anything else is a single message.

Quoting: mboxrd writers turn ``>*From `` into ``>>*From ``; mboxo writers (Python's
``mailbox`` among them) only turn ``From `` into ``>From ``. Reading undoes one ``>`` on
``>+From `` lines (``quoting="mboxrd"``, the default) or only on ``>From `` lines
(``"mboxo"``); the two differ only on lines starting ``>>From ``. In an mboxo file a line that
really began with ``>From `` cannot be told from a quoted one (the format's known flaw).
``"none"`` leaves lines as stored.

Separators: a line is a message boundary when it starts with ``From `` and carries a time
(``hh:mm``), as every writer we know puts a date there; unquoted prose lines such as
"From our side..." written by lax tools are then not taken for boundaries. If the file's first
envelope line has no time, every ``From `` line is a boundary.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Literal

from hostclaim.errors import InvalidInput, NotFound
from hostclaim.mail.model import BadMessage, RawMessage

Quoting = Literal["mboxrd", "mboxo", "none"]

BLOCK_SIZE = 1 << 20
_ENVELOPE_TIME = re.compile(rb"\d{1,2}:\d{2}")
_HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]*:")
_UNQUOTE = {
    "mboxrd": (re.compile(rb"(?m)^>(>*From )"), rb"\1"),
    "mboxo": (re.compile(rb"(?m)^>(From )"), rb"\1"),
}
_QUOTE = {
    "mboxrd": (re.compile(rb"(?m)^(>*From )"), rb">\1"),
    "mboxo": (re.compile(rb"(?m)^(From )"), rb">\1"),
}


def _open(path: str | Path) -> BinaryIO:
    file = Path(path)
    if not file.exists():
        raise NotFound("mail.error.file_missing", path=str(file))
    if not file.is_file():
        raise InvalidInput("mail.error.not_a_file", path=str(file))
    try:
        return file.open("rb")
    except OSError as exc:
        raise InvalidInput("mail.error.unreadable", path=str(file), detail=str(exc)) from None


def _check_quoting(quoting: str) -> None:
    if quoting not in ("mboxrd", "mboxo", "none"):
        raise InvalidInput("mail.error.bad_quoting", quoting=quoting)


def unquote(data: bytes, quoting: Quoting = "mboxrd") -> bytes:
    """Undo mbox ``>From`` quoting of a stored message."""
    if quoting == "none" or b">From " not in data:
        return data
    if b"\n>>" not in data and not data.startswith(b">>"):
        # Only one level of quoting: a plain replace is the same and much faster.
        unquoted = data.replace(b"\n>From ", b"\nFrom ")
        return unquoted[1:] if unquoted.startswith(b">From ") else unquoted
    pattern, replacement = _UNQUOTE[quoting]
    return pattern.sub(replacement, data)


def quote(data: bytes, quoting: Quoting = "mboxrd") -> bytes:
    """Apply mbox quoting so no line of the message can be taken for a boundary."""
    if quoting == "none" or b"From " not in data:
        return data
    if b"\n>" not in data and not data.startswith(b">"):
        quoted = data.replace(b"\nFrom ", b"\n>From ")
        return b">" + quoted if quoted.startswith(b"From ") else quoted
    pattern, replacement = _QUOTE[quoting]
    return pattern.sub(replacement, data)


def mbox_entry(raw: bytes, envelope: bytes | None = None, *, quoting: Quoting = "mboxrd") -> bytes:
    """One message as an mbox entry: envelope line, quoted message, blank separator line.

    For a mailbox written this way (by us or by a conforming writer), the entry of every
    message read back is byte-identical to the file's.
    """
    newline = b"\r\n" if raw.find(b"\r\n") != -1 else b"\n"
    if envelope is None:
        envelope = b"From MAILER-DAEMON " + time.asctime(time.gmtime()).encode("ascii")
    body = quote(raw, quoting)
    if not body.endswith(b"\n"):
        body += newline
    return envelope + newline + body + newline


def write_mbox(
    messages: Iterable[bytes | RawMessage], out: BinaryIO, *, quoting: Quoting = "mboxrd"
) -> int:
    """Write messages as an mbox; returns how many were written."""
    count = 0
    for message in messages:
        if isinstance(message, RawMessage):
            out.write(mbox_entry(message.raw, message.envelope, quoting=quoting))
        else:
            out.write(mbox_entry(message, quoting=quoting))
        count += 1
    return count


def header_problem(raw: bytes) -> str | None:
    """None if ``raw`` starts with a header field; otherwise why it is not a message."""
    if not raw.strip():
        return "empty"
    if not _HEADER_LINE.match(raw):
        return "no_headers"
    return None


def _leading_blank(head: bytes) -> int:
    return len(head) - len(head.lstrip(b"\r\n"))


def iter_messages(
    path: str | Path,
    *,
    quoting: Quoting = "mboxrd",
    progress: Callable[[int], None] | None = None,
    block_size: int = BLOCK_SIZE,
) -> Iterator[RawMessage | BadMessage]:
    """Messages of an ``.eml`` or ``.mbox`` file, in file order, one at a time.

    A message that is not mail at all (no header fields) comes out as a :class:`BadMessage`
    with its index and offset; the messages after it still come. ``progress`` is called with
    the number of bytes of the file consumed so far. Memory use is one message plus
    ``block_size`` bytes, whatever the size of the mailbox.
    """
    _check_quoting(quoting)
    block_size = max(64, block_size)
    with _open(path) as stream:
        head = stream.read(block_size)
        skip = _leading_blank(head)
        if not head[skip:].startswith(b"From "):
            yield _single(head + stream.read(), progress)
            return
        buf = bytearray(head)
        del head  # the generator frame would otherwise keep the first block alive
        yield from _split_mbox(stream, buf, skip, quoting, progress, block_size)


def _single(data: bytes, progress: Callable[[int], None] | None) -> RawMessage | BadMessage:
    problem = header_problem(data)
    if progress is not None:
        progress(len(data))
    if problem:
        return BadMessage(index=0, offset=0, length=len(data), reason=problem, raw=data)
    return RawMessage(index=0, offset=0, length=len(data), raw=data)


def _entry(index: int, offset: int, entry: bytes, quoting: Quoting) -> RawMessage | BadMessage:
    line_end = entry.find(b"\n")
    if line_end == -1:
        envelope, stored = entry, b""
    else:
        envelope, stored = entry[:line_end], entry[line_end + 1 :]
    envelope = envelope.rstrip(b"\r")
    # The blank line before the next envelope belongs to the mailbox, not the message.
    if stored.endswith(b"\r\n\r\n"):
        stored = stored[:-2]
    elif stored.endswith(b"\n\n"):
        stored = stored[:-1]
    raw = unquote(stored, quoting)
    problem = header_problem(raw)
    if problem:
        return BadMessage(index=index, offset=offset, length=len(entry), reason=problem, raw=raw)
    return RawMessage(index=index, offset=offset, length=len(entry), raw=raw, envelope=envelope)


def _take(buf: bytearray, start: int, end: int) -> bytes:
    # One copy instead of two (slicing a bytearray copies, so would bytes() of it); the view
    # is released before the caller shrinks the buffer.
    with memoryview(buf) as view:
        return bytes(view[start:end])


def _split_mbox(
    stream: BinaryIO,
    buf: bytearray,
    skip: int,
    quoting: Quoting,
    progress: Callable[[int], None] | None,
    block_size: int,
) -> Iterator[RawMessage | BadMessage]:
    base = 0  # file offset of buf[0]
    start = skip  # start of the current entry in buf
    scan = start + 5
    first_line_end = buf.find(b"\n", start)
    while first_line_end == -1:
        more = stream.read(block_size)
        if not more:
            break
        buf += more
        first_line_end = buf.find(b"\n", start)
    first_line = bytes(buf[start : first_line_end if first_line_end != -1 else len(buf)])
    strict = _ENVELOPE_TIME.search(first_line) is not None
    index = 0
    eof = False
    while True:
        hit = buf.find(b"\nFrom ", scan)
        if hit != -1:
            line_start = hit + 1
            line_end = buf.find(b"\n", line_start)
            if line_end == -1 and not eof:
                # The candidate line is cut by the block edge: read on, then look again.
                more = stream.read(block_size)
                eof = not more
                buf += more
                scan = hit
                continue
            line = buf[line_start : line_end if line_end != -1 else len(buf)]
            if strict and not _ENVELOPE_TIME.search(line):
                scan = line_start
                continue
            yield _entry(index, base + start, _take(buf, start, line_start), quoting)
            index += 1
            if progress is not None:
                progress(base + line_start)
            # Drop what was emitted; bytearray deletes from the front in O(1).
            del buf[:line_start]
            base += line_start
            start, scan = 0, 5
            continue
        if eof:
            break
        more = stream.read(block_size)
        if not more:
            eof = True
            continue
        scan = max(start, len(buf) - 5)
        buf += more
    if len(buf) > start:
        yield _entry(index, base + start, _take(buf, start, len(buf)), quoting)
        if progress is not None:
            progress(base + len(buf))
