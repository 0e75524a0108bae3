"""Plain text and logs: masks in place, encoding and line endings kept, input untouched."""

from __future__ import annotations

import hashlib

from hostclaim.domain.redact import redact_bytes

LOG = (
    "2026-10-03T14:05:11Z sshd[812]: Accepted password for root from 203.0.113.7\r\n"
    "2026-10-03T14:06:02Z app: notify ops lead bob.smith@gmail.com / +1 (312) 555-0178\r\n"
    "2026-10-03T14:07:45Z app: DB_PASSWORD=s3cr3t! retrying\r\n"
    "2026-10-03T14:08:00Z app: customer zhang-wei-88 paid with 4532015112830366\r\n"
)


def test_log_is_masked_in_place_with_spans_and_hashes() -> None:
    data = LOG.encode()
    before = bytes(data)
    result = redact_bytes(data, "server.log", extra=["zhang-wei-88"])
    assert data == before
    assert not result.refused and result.media_type == "text/plain"
    text = result.data.decode() if result.data else ""
    assert "[EMAIL] / [PHONE]" in text
    assert "DB_PASSWORD=[PASSWORD] retrying" in text
    assert "customer [REDACTED] paid with [CARD ****0366]" in text
    assert "203.0.113.7" in text and text.count("\r\n") == 4
    assert [(s.kind, s.line) for s in result.spans] == [
        ("email", 2), ("phone", 2), ("password", 3), ("literal", 4), ("bank_card", 4)
    ]  # fmt: skip
    for span in result.spans:
        original = LOG[span.start : span.end]
        assert hashlib.sha256(original.encode()).hexdigest() == span.original_sha256
        assert original not in text


def test_a_bytearray_input_is_not_mutated() -> None:
    data = bytearray(b"password: hunter2x\n")
    result = redact_bytes(data, "notes.txt")  # type: ignore[arg-type]
    assert data == bytearray(b"password: hunter2x\n")
    assert result.data == b"password: [PASSWORD]\n"


def test_chinese_logs_keep_their_encoding() -> None:
    text = "10月3日 联系人 13812345678，root密码：Xy@2026!srv\n"
    for encoding, bom in (("gb18030", b""), ("utf-8", b"\xef\xbb\xbf")):
        result = redact_bytes(bom + text.encode(encoding), "incident.log")
        assert result.data is not None and result.data.startswith(bom)
        decoded = result.data[len(bom) :].decode(encoding)
        assert decoded == "10月3日 联系人 [PHONE]，root密码：[PASSWORD]\n"


def test_kept_contacts_stay() -> None:
    result = redact_bytes(
        b"from anna@lumentrade.de to bob@gmail.com", "a.txt", keep=["anna@lumentrade.de"]
    )
    assert result.data == b"from anna@lumentrade.de to [EMAIL]"


def test_clean_text_comes_back_identical() -> None:
    data = b"nothing here: 2026-10-03 14:05 UTC, 99.9%\n"
    result = redact_bytes(data, "text/plain")
    assert result.data == data and result.spans == ()


def test_binary_is_refused_with_a_reason() -> None:
    result = redact_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "shot.png")
    assert result.refused and result.data is None
    assert "cannot be redacted" in (result.reason("en") or "")
    assert "无法自动脱敏" in (result.reason("zh") or "")
