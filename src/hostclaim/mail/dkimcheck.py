"""DKIM verification for evidence, on top of dkimpy.

Two things differ from checking mail as it arrives:

* Expiry (``x=``) is judged against the signing time (``t=``), not today. dkimpy's
  ``validate_signature_fields`` compares ``x=`` with ``time.time()`` and has no parameter for
  another "now", so we run its checks on the signature without ``x=`` and judge ``x=``
  ourselves; the cryptographic check is dkimpy's own (``DKIM.verify_sig_process``).
* "Cannot check" is not "forged": a missing, revoked or unusable key gives ``verified=None``.
  Keys are rotated and withdrawn after the fact, so a revoked key today says nothing about a
  message signed last year.

Verification never raises: every outcome is a :class:`DkimSignatureCheck`.
"""

from __future__ import annotations

import binascii
import logging
import re
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import dkim
from dkim.util import InvalidTagValueList, parse_tag_value

from hostclaim.mail.keys import DkimKeySource, KeyLookupError, key_name
from hostclaim.mail.model import UNSIGNED, DkimResult, DkimSignatureCheck

_LOG = logging.getLogger("hostclaim.mail.dkim")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_SIGNATURE_HEADER = re.compile(rb"(?im)^dkim-signature[ \t]*:")
# The leeway dkimpy allows for signers' clocks, used the same way for the signing-time check.
CLOCK_SLOP = 36000


def _header_block(raw: bytes) -> bytes:
    end = _HEADER_END.search(raw)
    return raw[: end.start()] if end else raw


def has_signature(raw: bytes) -> bool:
    return _SIGNATURE_HEADER.search(_header_block(raw)) is not None


@lru_cache(maxsize=256)
def _evaluate_key(name: str, record: str) -> tuple[Any, int, bytes, bool]:
    return dkim.evaluate_pk(name, record.encode("ascii", errors="replace"))


def _is_revoked(record: str) -> bool:
    try:
        tags = parse_tag_value(record.encode("ascii", errors="replace"))
    except InvalidTagValueList:
        return False
    return b"p" in tags and not re.sub(rb"\s+", b"", tags[b"p"])


def _text(value: bytes | None) -> str:
    return value.decode("utf-8", errors="replace") if value else ""


def _timestamp(value: bytes | None) -> datetime | None:
    if value is None or not re.fullmatch(rb"\d{1,12}", value):
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _length(value: bytes | None) -> int | None:
    return int(value) if value is not None and re.fullmatch(rb"\d{1,76}", value) else None


def _aligned(signer: str, from_domain: str | None) -> bool:
    if not from_domain or not signer:
        return False
    signer, from_domain = signer.lower().rstrip("."), from_domain.lower().rstrip(".")
    return from_domain == signer or from_domain.endswith("." + signer)


def check_dkim(
    raw: bytes,
    keys: DkimKeySource | None,
    *,
    from_domain: str | None = None,
    sent_at: datetime | None = None,
) -> DkimResult:
    """Check every DKIM-Signature of ``raw``.

    ``sent_at`` (the Date header) stands in for the signing time when a signature has
    ``x=`` but no ``t=``.
    """
    if not has_signature(raw):
        return UNSIGNED
    try:
        verifier = dkim.DKIM(raw, logger=_LOG)
    except dkim.DKIMException as exc:
        failed = DkimSignatureCheck(
            domain="", selector="", verified=False, reason="message_format", detail=str(exc)
        )
        return _summarise((failed,))
    signature_headers = [(n, v) for n, v in verifier.headers if n.lower() == b"dkim-signature"]
    checks = tuple(
        _check_one(verifier, header, keys, from_domain, sent_at) for header in signature_headers
    )
    return _summarise(checks)


def _rank(check: DkimSignatureCheck) -> int:
    if check.verified is True:
        return 4 if check.aligned else 3
    if check.verified is None:
        return 2 if check.aligned else 1
    return 0


def _summarise(checks: tuple[DkimSignatureCheck, ...]) -> DkimResult:
    if not checks:  # a header dkimpy does not read as DKIM-Signature (e.g. "DKIM-Signature :")
        return UNSIGNED
    best = max(checks, key=_rank)  # the topmost of equally good signatures
    return DkimResult(
        signed=True,
        domain=best.domain or None,
        selector=best.selector or None,
        verified=best.verified,
        reason=best.reason,
        detail=best.detail,
        aligned=best.aligned,
        signatures=checks,
    )


def _check_one(
    verifier: dkim.DKIM,
    header: tuple[bytes, bytes],
    keys: DkimKeySource | None,
    from_domain: str | None,
    sent_at: datetime | None,
) -> DkimSignatureCheck:
    try:
        sig = parse_tag_value(header[1])
    except InvalidTagValueList as exc:
        return DkimSignatureCheck(
            domain="", selector="", verified=False, reason="bad_signature", detail=str(exc)
        )
    domain, selector = _text(sig.get(b"d")), _text(sig.get(b"s"))
    signed_at, expires_at = _timestamp(sig.get(b"t")), _timestamp(sig.get(b"x"))
    base = DkimSignatureCheck(
        domain=domain,
        selector=selector,
        verified=None,
        reason="",
        algorithm=_text(sig.get(b"a")),
        signed_at=signed_at,
        expires_at=expires_at,
        aligned=_aligned(domain, from_domain),
        signed_body_bytes=_length(sig.get(b"l")),
    )

    def outcome(
        verified: bool | None, reason: str, detail: str = "", key_record: str | None = None
    ) -> DkimSignatureCheck:
        return replace(base, verified=verified, reason=reason, detail=detail, key_record=key_record)

    # dkimpy's own field checks, except x= which it would judge against today.
    try:
        dkim.validate_signature_fields({k: v for k, v in sig.items() if k != b"x"})
    except dkim.ValidationError as exc:
        return outcome(False, "bad_signature", str(exc))
    if b"x" in sig:
        if expires_at is None:
            return outcome(False, "bad_signature", f"x= is not a time stamp: {_text(sig[b'x'])}")
        if signed_at is not None:
            if expires_at < signed_at:
                return outcome(False, "expired_at_signing", "x= is earlier than t=")
        elif sent_at is not None and expires_at.timestamp() < sent_at.timestamp() - CLOCK_SLOP:
            return outcome(False, "expired_at_signing", "x= is earlier than the Date header")

    if keys is None:
        return outcome(None, "no_key_source")
    name = key_name(selector, domain)
    try:
        record = keys.lookup(name)
    except KeyLookupError as exc:
        return outcome(None, "key_lookup_failed", str(exc))
    if record is None:
        return outcome(None, "key_unavailable", name)
    if _is_revoked(record):
        return outcome(None, "key_revoked", name, key_record=record)
    try:
        pk, keysize, ktag, seqtlsrpt = _evaluate_key(name, record)
    except (dkim.DKIMException, ValueError, TypeError, IndexError) as exc:
        return outcome(None, "key_invalid", str(exc), key_record=record)

    include_headers = [h.lower() for h in re.split(rb"\s*:\s*", sig[b"h"])]
    verifier.pk, verifier.keysize, verifier.ktag, verifier.seqtlsrpt = pk, keysize, ktag, seqtlsrpt
    verifier.domain, verifier.selector, verifier.signature_fields = sig[b"d"], sig[b"s"], sig
    verifier.include_headers = tuple(include_headers)
    try:
        good = verifier.verify_sig_process(sig, include_headers, header, None)
    except dkim.KeyFormatError as exc:
        # dkimpy raises this for keys below its minimum size, after a good signature check.
        return outcome(False, "key_too_small", str(exc), key_record=record)
    except dkim.ValidationError as exc:
        reason = "body_hash_mismatch" if "body hash" in str(exc) else "bad_signature"
        return outcome(False, reason, str(exc), key_record=record)
    except (dkim.DKIMException, ValueError, TypeError, IndexError, binascii.Error) as exc:
        return outcome(False, "bad_signature", str(exc), key_record=record)
    if good:
        return outcome(True, "verified", key_record=record)
    return outcome(False, "signature_mismatch", key_record=record)
