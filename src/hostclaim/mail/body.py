"""The readable text of a message and its attachments.

Leaves are numbered in document order without descending into attached messages
(``message/rfc822`` is one attachment: a forwarded mail stays one piece of evidence).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser
from html.parser import HTMLParser

from hostclaim.mail.headers import decode_bytes, decode_words

_PARSER = BytesParser(policy=policy.compat32)


def parse_mime(raw: bytes) -> Message:
    return _PARSER.parsebytes(raw)


def iter_leaves(msg: Message) -> Iterator[Message]:
    """Non-multipart parts in document order; attached messages are leaves."""
    if msg.is_multipart() and msg.get_content_maintype() == "multipart":
        payload = msg.get_payload()
        if isinstance(payload, list):
            for part in payload:
                if isinstance(part, Message):
                    yield from iter_leaves(part)
        return
    yield msg


def leaf_bytes(part: Message) -> bytes:
    """The decoded content of a leaf (transfer encoding undone)."""
    if part.get_content_type() == "message/rfc822" or part.is_multipart():
        # compat32 parses an attached message into a Message; serialise it back.
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return inner[0].as_bytes(policy=policy.compat32)
        return b""
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return payload.encode("utf-8", errors="surrogateescape") if isinstance(payload, str) else b""


def extract_leaf(raw: bytes, leaf: int) -> bytes:
    for number, part in enumerate(iter_leaves(parse_mime(raw))):
        if number == leaf:
            return leaf_bytes(part)
    raise IndexError(leaf)


def _disposition(part: Message) -> str:
    value = part.get("Content-Disposition")
    if not isinstance(value, str):
        return ""
    return value.split(";", 1)[0].strip().lower()


def _filename(part: Message) -> tuple[str | None, bool]:
    try:
        name = part.get_filename()
    except (LookupError, ValueError, TypeError, IndexError):
        return None, False
    if not name:
        return None, True
    # Many clients put RFC 2047 words (not RFC 2231) into file names; decode both.
    decoded, clean = decode_words(name)
    return decoded.strip() or None, clean


@dataclass(frozen=True, slots=True)
class Content:
    text: str
    attachments: tuple[tuple[int, str | None, str, str, int, str], ...]
    text_clean: bool
    names_clean: bool


def read_content(msg: Message) -> Content:
    """Text of the message (plain parts, else HTML made plain) and its attachments.

    Attachments are returned as (leaf, filename, content type, disposition, size, sha256).
    """
    plain: list[str] = []
    html: list[str] = []
    attachments: list[tuple[int, str | None, str, str, int, str]] = []
    text_clean = True
    names_clean = True
    for leaf, part in enumerate(iter_leaves(msg)):
        content_type = part.get_content_type()
        if part.get_content_maintype() == "multipart":
            # A multipart whose boundary never appears: its text is all there is (the
            # parser records the defect, which becomes a warning).
            content_type = "text/plain"
        disposition = _disposition(part)
        filename, ok = _filename(part)
        names_clean = names_clean and ok
        is_text_body = (
            content_type in ("text/plain", "text/html")
            and disposition != "attachment"
            and filename is None
        )
        data = leaf_bytes(part)
        if is_text_body:
            text, ok = decode_bytes(data, part.get_content_charset())
            text_clean = text_clean and ok
            (plain if content_type == "text/plain" else html).append(text)
            continue
        attachments.append(
            (
                leaf,
                filename,
                content_type,
                disposition or "attachment",
                len(data),
                hashlib.sha256(data).hexdigest(),
            )
        )
    body = "\n".join(plain) if plain else "\n".join(html_to_text(page) for page in html)
    return Content(
        text=body.replace("\r\n", "\n"),
        attachments=tuple(attachments),
        text_clean=text_clean,
        names_clean=names_clean,
    )


_BLOCK = {
    "p",
    "div",
    "br",
    "tr",
    "table",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "hr",
    "section",
    "article",
    "header",
    "footer",
    "dd",
    "dt",
}
_SKIP = {"script", "style", "head", "title"}
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_RUNS = re.compile(r"\n{3,}")
_ANY_SPACE = re.compile(r"\s+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.preformatted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "pre":
            self.preformatted += 1
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "pre":
            self.preformatted = max(0, self.preformatted - 1)
            self.parts.append("\n")
        elif tag in _BLOCK and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            # Outside <pre>, line breaks in the source are just spaces.
            self.parts.append(data if self.preformatted else _ANY_SPACE.sub(" ", data))


def html_to_text(page: str) -> str:
    """Plain text of an HTML mail: tags off, blocks on their own lines, entities decoded."""
    collector = _TextCollector()
    collector.feed(page)
    collector.close()
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(collector.parts).splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
