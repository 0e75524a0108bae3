"""Where DKIM public keys come from.

A key source answers ``lookup("selector._domainkey.example.com")`` with the TXT record text
(``v=DKIM1; k=rsa; p=...``) or None when it has no record. Nothing here touches the network
unless the user builds a :class:`DnsKeySource`; tests and offline imports use a dict or a file
of records (for instance saved with ``dig +short TXT s1._domainkey.example.com``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

import dns.exception
import dns.resolver
import yaml

from hostclaim.errors import InvalidInput, NotFound


class KeyLookupError(Exception):
    """The source could not answer (DNS timeout, no resolver): not the same as "no key"."""


@runtime_checkable
class DkimKeySource(Protocol):
    def lookup(self, name: str) -> str | None:
        """The TXT record for ``selector._domainkey.domain``, or None."""
        ...


def key_name(selector: str, domain: str) -> str:
    return normalise_name(f"{selector}._domainkey.{domain}")


def normalise_name(name: str) -> str:
    return name.strip().rstrip(".").lower()


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def join_txt(value: str) -> str:
    """A TXT record as one string: ``"v=DKIM1; k=rsa; " "p=MII..."`` → ``v=DKIM1; k=rsa; p=MII...``.

    DNS splits long records into quoted chunks of at most 255 bytes; tools print them so.
    """
    text = value.strip()
    if not text.startswith('"'):
        return text
    return "".join(re.sub(r"\\(.)", r"\1", chunk) for chunk in _QUOTED.findall(text))


class StaticKeySource:
    """Records held in memory: ``{"s1._domainkey.example.com": "v=DKIM1; k=rsa; p=..."}``."""

    def __init__(self, records: Mapping[str, str | list[str]]) -> None:
        self.records: dict[str, str] = {}
        for name, value in records.items():
            text = "".join(value) if isinstance(value, list) else join_txt(str(value))
            self.records[normalise_name(name)] = text

    def lookup(self, name: str) -> str | None:
        return self.records.get(normalise_name(name))


_ZONE_LINE = re.compile(
    r"^(?P<name>\S+)\s+(?:\d+\s+)?(?:IN\s+)?(?:\d+\s+)?TXT\s+(?P<value>.+)$", re.IGNORECASE
)


def _logical_zone_lines(text: str) -> list[str]:
    """Zone-file lines with comments removed and ``( ... )`` continuations joined."""
    lines: list[str] = []
    pending: list[str] = []
    depth = 0
    for line in text.splitlines():
        out: list[str] = []
        quoted = escaped = False
        for ch in line:
            if quoted:
                out.append(ch)
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    quoted = False
            elif ch == '"':
                quoted = True
                out.append(ch)
            elif ch in ";#":
                break
            elif ch in "()":
                depth += 1 if ch == "(" else -1
                out.append(" ")
            else:
                out.append(ch)
        pending.append("".join(out))
        if depth <= 0:
            joined = " ".join(pending).strip()
            if joined:
                lines.append(joined)
            pending, depth = [], 0
    return lines


def load_key_file(path: str | Path) -> StaticKeySource:
    """Read DKIM key records from a file.

    Two forms are accepted: a YAML/JSON mapping ``name: record`` (a record may be a list of
    chunks), or zone-file lines ``s1._domainkey.example.com. 300 IN TXT "v=DKIM1; ..." "p=..."``
    (what ``dig`` prints in its answer section).
    """
    file = Path(path)
    if not file.is_file():
        raise NotFound("mail.error.key_file_missing", path=str(file))
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("mail.error.key_file_invalid", path=str(file), detail=str(exc)) from None
    if file.suffix.lower() not in (".yaml", ".yml", ".json"):
        logical = _logical_zone_lines(text)
        matches = [_ZONE_LINE.match(line) for line in logical]
        if logical and all(matches):
            return StaticKeySource(
                {m.group("name"): m.group("value") for m in matches if m is not None}
            )
    try:
        data = json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise InvalidInput("mail.error.key_file_invalid", path=str(file), detail=str(exc)) from None
    if not isinstance(data, dict) or not all(
        isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
        for v in data.values()
    ):
        raise InvalidInput(
            "mail.error.key_file_invalid", path=str(file), detail="expected name: record pairs"
        )
    return StaticKeySource({str(k): v for k, v in data.items()})


class DnsKeySource:
    """Live DNS lookups, only when the user turns them on.

    The resolver is injectable (a ``dns.resolver.Resolver`` pointed anywhere); answers,
    including "no such record", are cached for the life of the source.
    """

    def __init__(self, resolver: dns.resolver.Resolver | None = None, *, timeout: float = 5.0):
        self._resolver = resolver
        self.timeout = timeout
        self._cache: dict[str, str | None] = {}

    def _get_resolver(self) -> dns.resolver.Resolver:
        if self._resolver is None:
            try:
                self._resolver = dns.resolver.Resolver()
            except dns.resolver.NoResolverConfiguration as exc:
                raise KeyLookupError(f"no DNS resolver configured: {exc}") from None
        return self._resolver

    def lookup(self, name: str) -> str | None:
        name = normalise_name(name)
        if name in self._cache:
            return self._cache[name]
        resolver = self._get_resolver()
        try:
            answer = resolver.resolve(
                name, "TXT", lifetime=self.timeout, search=False, raise_on_no_answer=False
            )
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            self._cache[name] = None
            return None
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
            raise KeyLookupError(f"{type(exc).__name__}: {exc}") from None
        records = [
            b"".join(rdata.strings).decode("utf-8", errors="replace")
            for rdata in (answer.rrset or ())
        ]
        dkim_records = [r for r in records if "p=" in r] or records
        record = dkim_records[0] if dkim_records else None
        self._cache[name] = record
        return record


class ChainKeySource:
    """Ask several sources in turn (e.g. the case's saved records, then DNS); first answer wins."""

    def __init__(self, *sources: DkimKeySource) -> None:
        self.sources = sources

    def lookup(self, name: str) -> str | None:
        failure: KeyLookupError | None = None
        for source in self.sources:
            try:
                record = source.lookup(name)
            except KeyLookupError as exc:
                failure = exc
                continue
            if record is not None:
                return record
        if failure is not None:
            raise failure
        return None
