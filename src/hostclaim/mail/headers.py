"""Header values as people wrote them: RFC 2047 words, raw 8-bit text, addresses, ids, dates.

The standard library's header objects are slow and strict; evidence mail is neither clean nor
small, so we read raw header strings and decode them ourselves, never failing: what cannot be
decoded is replaced and reported.
"""

from __future__ import annotations

import binascii
import codecs
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import getaddresses, parsedate_tz

from hostclaim.mail.model import Address

# Labels mail clients put on text that Python's codecs read more narrowly than senders meant
# (GB2312-labelled mail routinely holds GBK characters; "iso-8859-1" is Windows-1252 in
# practice, as browsers assume).
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "ks_c_5601-1987": "cp949",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
}

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_SURROGATES = re.compile("[\udc80-\udcff]")
_MSG_ID = re.compile(r"<([^<>\s]+)>")


def codec_for(charset: str | None) -> str | None:
    """A Python codec name for a MIME charset label, or None when we do not know it."""
    if not charset:
        return None
    label = charset.strip().strip('"').lower().split("*", 1)[0]
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, bool]:
    """Decode text in a declared charset; returns (text, clean).

    ``clean`` is False when the declared charset was unknown or wrong and we fell back to
    UTF-8, then to a lossy decode.
    """
    codec = codec_for(charset)
    if codec is not None:
        try:
            return data.decode(codec), True
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        text = data.decode("utf-8")
        # Undeclared UTF-8 is normal; a wrong declaration is worth a warning.
        return text, codec is None and not charset
    except UnicodeDecodeError:
        pass
    if codec is not None:
        return data.decode(codec, errors="replace"), False
    return data.decode("cp1252", errors="replace"), False


def fix_raw_text(value: str) -> tuple[str, bool]:
    """Undo the ``surrogateescape`` the email parser uses for 8-bit header bytes.

    Chinese mail clients often put raw UTF-8 or GBK into headers instead of RFC 2047 words.
    Returns (text, clean).
    """
    if not _SURROGATES.search(value):
        return value, True
    data = value.encode("utf-8", errors="surrogateescape")
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), True
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), False


def unfold(value: str) -> str:
    return _FOLD.sub("", value).strip()


def _word_bytes(encoding: str, payload: str) -> bytes:
    if encoding in "bB":
        cleaned = payload.strip()
        cleaned += "=" * (-len(cleaned) % 4)
        return binascii.a2b_base64(cleaned.encode("ascii", errors="ignore"))
    return binascii.a2b_qp(payload.encode("ascii", errors="ignore"), header=True)


def decode_words(value: str) -> tuple[str, bool]:
    """Decode RFC 2047 encoded words (``=?UTF-8?B?...?=``); returns (text, clean).

    Adjacent words in the same charset are joined as bytes before decoding, because senders
    split multi-byte characters across words; whitespace between encoded words is dropped
    (RFC 2047 §6.2).
    """
    value, clean = fix_raw_text(value)
    if "=?" not in value:
        return value, clean
    out: list[str] = []
    pending = b""
    pending_charset: str | None = None
    last_end = 0

    def flush() -> None:
        nonlocal pending, pending_charset, clean
        if pending_charset is not None:
            text, ok = decode_bytes(pending, pending_charset)
            out.append(text)
            clean = clean and ok
        pending, pending_charset = b"", None

    for match in _ENCODED_WORD.finditer(value):
        between = value[last_end : match.start()]
        if between and not (between.isspace() and pending_charset is not None):
            flush()
            out.append(between)
        charset, encoding, payload = match.groups()
        try:
            data = _word_bytes(encoding, payload)
        except (binascii.Error, ValueError):
            flush()
            out.append(match.group(0))
            clean = False
            last_end = match.end()
            continue
        label = charset.lower().split("*", 1)[0]
        if pending_charset is not None and label != pending_charset:
            flush()
        pending_charset = label
        pending += data
        last_end = match.end()
    flush()
    out.append(value[last_end:])
    return "".join(out), clean


# The two forms nearly every header uses: ``Name <a@b>`` and ``a@b``. Anything else (groups,
# quoted commas, comments, several addresses) goes to the standard parser.
_SIMPLE_ADDRESS = re.compile(
    r'\s*(?:(?P<name>[^"<>,;:()@\\]*?)\s*<(?P<angle>[^<>\s,;:()"@]+@[^<>\s,;:()"@]+)>'
    r'|(?P<bare>[^<>\s,;:()"@]+@[^<>\s,;:()"@]+))\s*'
)


def _split_addresses(texts: list[str]) -> list[tuple[str, str]]:
    if len(texts) == 1:
        simple = _SIMPLE_ADDRESS.fullmatch(texts[0])
        if simple:
            if simple.group("bare"):
                return [("", simple.group("bare"))]
            return [(" ".join((simple.group("name") or "").split()), simple.group("angle"))]
    return getaddresses(texts)


def parse_addresses(values: list[str]) -> tuple[tuple[Address, ...], bool]:
    """Addresses of one or more header values, display names decoded; returns (list, clean)."""
    if not values:
        return (), True
    clean = True
    fixed: list[str] = []
    for value in values:
        text, ok = fix_raw_text(unfold(value))
        fixed.append(text)
        clean = clean and ok
    found: list[Address] = []
    for name, address in _split_addresses(fixed):
        address = address.strip()
        if not address or "@" not in address:
            continue
        decoded, ok = decode_words(name.strip())
        clean = clean and ok
        found.append(Address(name=decoded.strip(), address=address))
    return tuple(found), clean


def normalise_message_id(value: str | None) -> str | None:
    """``<Abc@Mail.Example.COM>`` → ``Abc@mail.example.com``: brackets off, domain lower-cased.

    The local part is case-sensitive (RFC 5322), the domain is not.
    """
    if not value:
        return None
    value = unfold(value)
    match = _MSG_ID.search(value)
    if match:
        ident = match.group(1)
    else:
        ident = value.strip()
        if not ident or any(ch.isspace() for ch in ident) or "<" in ident or ">" in ident:
            return None
    local, at, domain = ident.rpartition("@")
    return f"{local}@{domain.lower()}" if at else ident


def message_ids(value: str | None) -> tuple[str, ...]:
    """Every ``<id>`` of a References / In-Reply-To value, normalised, in order, once each."""
    if not value:
        return ()
    seen: dict[str, None] = {}
    for match in _MSG_ID.finditer(unfold(value)):
        ident = normalise_message_id(f"<{match.group(1)}>")
        if ident:
            seen.setdefault(ident, None)
    return tuple(seen)


# A numeric offset or one of the zone names the standard parser knows, right after the time.
# ``parsedate_tz`` reads a missing or unknown zone (e.g. "CEST") as +0000; we refuse that.
_ZONE_AFTER_TIME = re.compile(
    r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[+-]\d{4}\b|(?:UTC?|GMT|Z|[AECMP][SD]T)(?![A-Za-z]))",
    re.IGNORECASE,
)


def parse_date(value: str | None) -> tuple[datetime | None, str | None]:
    """An RFC 5322 date as aware UTC; returns (time, problem) where problem names what failed.

    ``-0000`` means "UTC, local zone unknown" (RFC 5322 §3.3) and is accepted; a date with no
    zone, or a zone name we cannot place, is refused rather than guessed.
    """
    if value is None:
        return None, "date_missing"
    text = unfold(value)
    if not text:
        return None, "date_missing"
    parts = parsedate_tz(text)
    if parts is None:
        return None, "date_invalid"
    if not _ZONE_AFTER_TIME.search(text):
        return None, "date_without_zone"
    try:
        local = datetime(*parts[:6], tzinfo=timezone(timedelta(seconds=parts[9] or 0)))
    except (ValueError, OverflowError):
        return None, "date_invalid"
    return local.astimezone(UTC), None


def received_time(value: str | None) -> datetime | None:
    """The time stamp after the last ``;`` of a Received header."""
    if not value or ";" not in value:
        return None
    when, problem = parse_date(unfold(value).rsplit(";", 1)[1])
    return when if problem is None else None
