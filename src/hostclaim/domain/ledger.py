"""The ledger's canonical encoding and hash chain — pure, so a bundle verifier can reuse it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text, no floats (callers pass str/int)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(
    *, case_ref: str, seq: int, at: str, kind: str, payload_hash: str, prev_hash: str
) -> str:
    """The hash that chains an entry to its predecessor."""
    header = canonical(
        {
            "case": case_ref,
            "seq": seq,
            "at": at,
            "kind": kind,
            "payload": payload_hash,
            "prev": prev_hash,
        }
    )
    return sha256_text(header)
