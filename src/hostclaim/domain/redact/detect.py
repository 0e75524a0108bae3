"""Privacy detectors shared by the letter linter and the redaction step.

Regex and checksum based, offline (no NER models): phone numbers, e-mail addresses, PRC resident
ID numbers, payment card numbers, passwords, API keys and tokens, private keys, and any literal
strings the user names. Every detector errs on the side of structure that can be checked (a
checksum, a known prefix, a label such as ``password:``) so that ordinary numbers in a letter or a
log are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from hostclaim.domain.redact.checks import char_classes, cn_id_ok, luhn_ok, shannon_entropy

# Highest first: when detections overlap, the union is masked under the strongest kind.
KINDS = (
    "private_key",
    "password",
    "api_key",
    "literal",
    "id_number",
    "bank_card",
    "email",
    "phone",
)
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}


@dataclass(frozen=True, slots=True)
class Detection:
    """One sensitive value: ``text[start:end]`` (character offsets)."""

    kind: str
    start: int
    end: int
    value: str
    hint: str = ""  # e.g. the last four digits of a card


# --- allow-list ---------------------------------------------------------------------------

_ROLE_MAILBOXES = frozenset(
    [
        "support",
        "help",
        "helpdesk",
        "service",
        "services",
        "customerservice",
        "customer-service",
        "care",
        "billing",
        "accounts",
        "accounting",
        "invoices",
        "invoice",
        "abuse",
        "noc",
        "soc",
        "security",
        "legal",
        "compliance",
        "complaints",
        "complaint",
        "disputes",
        "info",
        "contact",
        "contacts",
        "sales",
        "hello",
        "office",
        "admin",
        "administrator",
        "postmaster",
        "hostmaster",
        "webmaster",
        "noreply",
        "no-reply",
        "donotreply",
        "do-not-reply",
        "notifications",
        "notification",
        "alerts",
        "alert",
        "status",
        "ops",
        "operations",
        "tech",
        "technical",
        "network",
        "kefu",
        "fuwu",
        "tousu",
        "dpo",
        "privacy",
        "gdpr",
    ]
)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


class ContactAllowList:
    """Contacts that are not third parties' private data: the complainant's own and the provider's.

    Entries are e-mail addresses, ``@domain`` (every address at that domain), or phone numbers in
    any format (compared on digits, ignoring a country prefix).
    """

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.addresses: set[str] = set()
        self.domains: set[str] = set()
        self.phones: set[str] = set()
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            if entry.startswith("@"):
                self.domains.add(entry[1:])
            elif "@" in entry:
                self.addresses.add(entry)
            elif len(_digits(entry)) >= 5:
                self.phones.add(_digits(entry).lstrip("0"))

    def allows_email(self, address: str) -> bool:
        address = address.lower()
        local, _, domain = address.partition("@")
        if address in self.addresses or domain in self.domains:
            return True
        if any(domain.endswith("." + allowed) for allowed in self.domains):
            return True
        # Role mailboxes (support@, billing@ …) belong to an organisation, not a person.
        return local.split("+")[0] in _ROLE_MAILBOXES

    def allows_phone(self, number: str) -> bool:
        # Compare on digits without trunk zeros: 030 1234567 is +49 30 1234567.
        digits = _digits(number).lstrip("0")
        for known in self.phones:
            shorter, longer = sorted((digits, known), key=len)
            if len(shorter) >= 7 and longer.endswith(shorter):
                return True
        return False


# --- patterns -----------------------------------------------------------------------------

_REFERENCE_BEFORE = re.compile(
    r"(?:ticket|order|invoice|case|ref(?:erence)?|tracking|transaction|txn|account|acct|"
    r"contract|订单|工单|单号|编号|流水号|合同号|发票号|账号|账户)"
    r"\s*(?:no\.?|number|id|#|号|号码)?\s*[:#：]?\s*#?$",
    re.IGNORECASE,
)

_CN_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
_CN_LANDLINE = re.compile(r"(?<![\d+-])(?:\+86[\s-]?)?\(?0\d{2,3}\)?[\s-]\d{7,8}(?![\d-])")
_INTERNATIONAL = re.compile(r"(?<![\w+])\+[1-9]\d{0,2}(?:[ .-]?\(?\d{1,5}\)?){1,6}(?!\d)")
_US = re.compile(
    r"(?<![\w.+-])(?:\+?1[ .-]?)?(?:\((?P<a1>[2-9]\d{2})\)[ ]?|(?P<a2>[2-9]\d{2})[ .-])"
    r"[2-9]\d{2}[ .-]\d{4}(?![\w-]|\.\d)"
)
# US toll-free codes, and 400 — China's nationwide business hotlines (400-xxx-xxxx), which share
# the US layout; neither is a person's number.
_US_TOLL_FREE = frozenset({"400", "800", "833", "844", "855", "866", "877", "888"})

_EMAIL = re.compile(
    r"(?<![\w.+%-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,24}(?![\w-])"
)

_CN_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")

_CARD = re.compile(
    r"(?<![\d.,-])(?:"
    r"[2-6]\d{12,18}"
    r"|[2-6]\d{3}(?P<s>[ -])\d{4}(?P=s)\d{4}(?P=s)\d{1,4}(?:(?P=s)\d{1,3})?"
    r"|3[47]\d{2}(?P<t>[ -])\d{6}(?P=t)\d{5}"
    r")(?![\d]|[.,]\d)"
)

_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?P<label>[A-Z0-9 ]*?)PRIVATE KEY(?: BLOCK)?-----"
    r"(?:.*?-----END [A-Z0-9 ]*?PRIVATE KEY(?: BLOCK)?-----|.*\Z)",
    re.DOTALL,
)

_PW_LABEL = (
    r"(?:(?:password|passwd|passphrase|pwd)(?![A-Za-z])"
    r"|(?<![A-Za-z])pass(?![A-Za-z])"
    r"|(?:root|登录|管理员|初始|服务器|数据库|账户|账号|面板|远程)?(?:密码|口令))"
)
_PASSWORD = re.compile(
    _PW_LABEL
    + r"[\"']?(?P<sep>[ \t]*[:=：][ \t]*|[ \t]+(?:is|was)[ \t]+|[ \t]*(?:是|为)[:：]?[ \t]*)"
    r"(?P<value>\"[^\"\n]+\"|'[^'\n]+'|[^\s,;，。；、)）\]]+)",
    re.IGNORECASE,
)
_URL_CREDENTIALS = re.compile(
    r"\b[a-z][a-z0-9+.-]{1,15}://[^\s:/@]+:(?P<value>[^\s@/]+)@", re.IGNORECASE
)
_MASK_AHEAD = re.compile(r"\[[A-Z][A-Z -]*(?: \*{4}\d{0,4})?\]")
_URL_USER_BEFORE = re.compile(r"://[^\s:/@]+:$")
_PLACEHOLDER = re.compile(
    r"[*xX•·._-]{3,}|\[[A-Z -]+[^\]]*\]|\[?redacted\]?|<[^>]*>|\{[^}]*\}|\$\{?\w+\}?"
    r"|%\(?\w+\)?s?|none|null|nil|n/?a|empty|hidden|\(hidden\)|\?+|\*+",
    re.IGNORECASE,
)
_NOT_A_PASSWORD = frozenset(
    [
        "reset",
        "resets",
        "changed",
        "change",
        "changes",
        "expired",
        "expire",
        "expires",
        "required",
        "require",
        "incorrect",
        "wrong",
        "invalid",
        "correct",
        "ok",
        "yes",
        "no",
        "true",
        "false",
        "set",
        "unset",
        "updated",
        "update",
        "sent",
        "attached",
        "protected",
        "same",
        "below",
        "above",
        "see",
        "the",
        "a",
        "an",
        "field",
        "policy",
        "manager",
        "authentication",
        "login",
        "our",
        "your",
        "their",
        "not",
        "still",
        "never",
        "again",
        "rotated",
        "revoked",
        "removed",
        "disabled",
        "enabled",
        "and",
        "or",
        "for",
        "to",
        "is",
        "was",
        "has",
        "had",
        "have",
        "been",
        "being",
        "please",
        "if",
        "when",
        "that",
        "this",
        "it",
        "please.",
        "required.",
        "strength",
        "complexity",
        "prompt",
    ]
)

_KEY_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}(?![A-Z0-9])"), "aws"),
    (re.compile(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9_])"), "github"),
    (re.compile(r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,255}"), "github"),
    (re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}"), "slack"),
    (
        re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+"),
        "slack",
    ),
    (re.compile(r"(?<![A-Za-z0-9])[sr]k_(?:live|test)_[A-Za-z0-9]{16,}"), "stripe"),
    (re.compile(r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}"), "google"),
    (
        re.compile(
            r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
        ),
        "jwt",
    ),
)
# The label may end an identifier (DB_API_KEY, x-auth-token): only its last word is matched.
_LABELLED_KEY = re.compile(
    r"(?:api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|secret(?:[_-]?access)?(?:[_-]?key)?"
    r"|client[_-]?secret|auth[_-]?token|access[_-]?token|refresh[_-]?token|private[_-]?token"
    r"|token|密钥|令牌|访问密钥)"
    r"[\"']?[ \t]*[:=：][ \t]*[\"']?(?P<value>[A-Za-z0-9_\-+/=.~]{16,})",
    re.IGNORECASE,
)
_BEARER = re.compile(
    r"\b(?:bearer|basic|token)[ \t]+(?P<value>[A-Za-z0-9._~+/-]{20,}=*)", re.IGNORECASE
)


# --- detectors ----------------------------------------------------------------------------


def _is_reference(text: str, start: int) -> bool:
    return bool(_REFERENCE_BEFORE.search(text[max(0, start - 24) : start]))


def _phones(text: str, allow: ContactAllowList) -> Iterator[Detection]:
    for pattern in (_CN_MOBILE, _CN_LANDLINE, _INTERNATIONAL, _US):
        for match in pattern.finditer(text):
            value = match.group(0).rstrip(" .-")
            digits = _digits(value)
            if pattern is _INTERNATIONAL and not 8 <= len(digits) <= 15:
                continue
            if pattern is _INTERNATIONAL and digits[:1] == "1" and digits[1:4] in _US_TOLL_FREE:
                continue
            if pattern is _US:
                area = match.group("a1") or match.group("a2")
                if area in _US_TOLL_FREE:
                    continue  # a business hotline, not a person
            if allow.allows_phone(value) or _is_reference(text, match.start()):
                continue
            yield Detection("phone", match.start(), match.start() + len(value), value)


def _emails(text: str, allow: ContactAllowList) -> Iterator[Detection]:
    for match in _EMAIL.finditer(text):
        if _URL_USER_BEFORE.search(text[max(0, match.start() - 80) : match.start()]):
            continue  # scheme://user:secret@host — the secret is a password, the host stays
        if not allow.allows_email(match.group(0)):
            yield Detection("email", match.start(), match.end(), match.group(0))


def _id_numbers(text: str) -> Iterator[Detection]:
    for match in _CN_ID.finditer(text):
        if cn_id_ok(match.group(0)):
            yield Detection("id_number", match.start(), match.end(), match.group(0))


def _cards(text: str) -> Iterator[Detection]:
    for match in _CARD.finditer(text):
        digits = _digits(match.group(0))
        if not 13 <= len(digits) <= 19 or not luhn_ok(digits):
            continue
        if len(digits) == 18 and cn_id_ok(digits):
            continue  # an ID number, reported as such
        if _is_reference(text, match.start()):
            continue
        yield Detection("bank_card", match.start(), match.end(), match.group(0), digits[-4:])


def _private_keys(text: str) -> Iterator[Detection]:
    for match in _PRIVATE_KEY.finditer(text):
        yield Detection("private_key", match.start(), match.end(), match.group(0))


def _looks_secret(value: str) -> bool:
    return len(value) >= 6 and (
        any(c.isdigit() for c in value)
        or any(not c.isalnum() for c in value)
        or (any(c.islower() for c in value) and any(c.isupper() for c in value[1:]))
    )


def _passwords(text: str) -> Iterator[Detection]:
    for match in _PASSWORD.finditer(text):
        start, end = match.span("value")
        value = match.group("value")
        if value[:1] in "\"'" and value[-1:] == value[:1]:
            start, end, value = start + 1, end - 1, value[1:-1]
        bare = value.strip().rstrip(".")
        if _MASK_AHEAD.match(text, start):
            continue  # already masked: password: [PASSWORD]
        if not bare or _PLACEHOLDER.fullmatch(bare) or bare.lower() in _NOT_A_PASSWORD:
            continue
        if all("\u3400" <= c <= "\u9fff" for c in bare):
            continue  # 密码：已重置 — words, not a secret
        sep = match.group("sep").strip()
        if sep not in (":", "=", "：") and not _looks_secret(bare):
            continue  # "the password is incorrect"
        if len(bare) < 3:
            continue
        yield Detection("password", start, start + len(bare), bare)
    for match in _URL_CREDENTIALS.finditer(text):
        value = match.group("value")
        if not _PLACEHOLDER.fullmatch(value):
            yield Detection("password", *match.span("value"), value)


def _api_keys(text: str) -> Iterator[Detection]:
    for pattern, label in _KEY_PATTERNS:
        for match in pattern.finditer(text):
            yield Detection("api_key", match.start(), match.end(), match.group(0), label)
    for pattern in (_LABELLED_KEY, _BEARER):
        for match in pattern.finditer(text):
            value = match.group("value")
            if _PLACEHOLDER.fullmatch(value) or value.isdigit():
                continue
            if shannon_entropy(value) < 3.0 or char_classes(value) < 2:
                continue
            yield Detection("api_key", *match.span("value"), value, "generic")


def _literals(text: str, literals: Iterable[str]) -> Iterator[Detection]:
    for literal in literals:
        needle = literal.strip()
        if len(needle) < 2:
            continue
        flags = re.IGNORECASE if needle.isascii() else 0
        for match in re.finditer(re.escape(needle), text, flags):
            yield Detection("literal", match.start(), match.end(), match.group(0))


def _merge(found: list[Detection], text: str) -> list[Detection]:
    """Overlapping detections become one span, the union, under the strongest kind."""
    merged: list[Detection] = []
    for det in sorted(found, key=lambda d: (d.start, -d.end, _RANK[d.kind])):
        if merged and det.start < merged[-1].end:
            last = merged[-1]
            best = last if _RANK[last.kind] <= _RANK[det.kind] else det
            end = max(last.end, det.end)
            merged[-1] = Detection(best.kind, last.start, end, text[last.start : end], best.hint)
        else:
            merged.append(det)
    return merged


def find_sensitive(
    text: str,
    *,
    allow: ContactAllowList | Iterable[str] = (),
    literals: Iterable[str] = (),
    kinds: Iterable[str] | None = None,
) -> list[Detection]:
    """Every sensitive value in ``text``, sorted and non-overlapping.

    ``allow`` lists contacts that may stay (the complainant's and the provider's); ``literals``
    are extra strings to treat as sensitive (names, hostnames, account ids); ``kinds`` limits the
    search to some of :data:`KINDS`.
    """
    allow_list = allow if isinstance(allow, ContactAllowList) else ContactAllowList(allow)
    wanted = set(KINDS if kinds is None else kinds)
    found: list[Detection] = []
    if "private_key" in wanted:
        found.extend(_private_keys(text))
    if "password" in wanted:
        found.extend(_passwords(text))
    if "api_key" in wanted:
        found.extend(_api_keys(text))
    if "literal" in wanted:
        found.extend(_literals(text, literals))
    if "id_number" in wanted:
        found.extend(_id_numbers(text))
    if "bank_card" in wanted:
        found.extend(_cards(text))
    if "email" in wanted:
        found.extend(_emails(text, allow_list))
    if "phone" in wanted:
        found.extend(_phones(text, allow_list))
    return _merge(found, text)


def mask_for(detection: Detection) -> str:
    """The replacement text: the kind, never the value (cards keep their last four digits)."""
    if detection.kind == "bank_card":
        return f"[CARD ****{detection.hint}]"
    return {
        "phone": "[PHONE]",
        "email": "[EMAIL]",
        "id_number": "[ID-NUMBER]",
        "password": "[PASSWORD]",
        "api_key": "[API-KEY]",
        "private_key": "[PRIVATE KEY]",
        "literal": "[REDACTED]",
    }[detection.kind]


def preview(detection: Detection) -> str:
    """A hint that lets a person find the value without repeating it (for lint excerpts)."""
    value = detection.value
    if detection.kind == "phone":
        digits = _digits(value)
        return f"{digits[:3]}…{digits[-2:]}"
    if detection.kind == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}…@{domain}"
    if detection.kind in ("id_number", "bank_card"):
        return f"…{_digits(value)[-4:] or value[-4:]}"
    return mask_for(detection)
