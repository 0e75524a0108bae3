"""What to check: a ``MonitorSpec`` per target, validated once, immutable afterwards.

A spec names its target (``name``, the ``target`` column of every row it produces, so two
vantages checking the same thing must use the same name), the check ``kind`` and its options.
Invalid input raises ``InvalidInput`` with a ``probes.error.*`` key that says what to fix.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from hostclaim.errors import InvalidInput

KNOWN_KINDS: set[str] = {"http", "https", "tcp", "dns", "tls"}
"""Kinds a spec may name; ``hostclaim.probes.checks.register`` adds to it."""
DEFAULT_STATUS: tuple[tuple[int, int], ...] = ((200, 399),)
"""Without ``expected_status`` any 2xx or 3xx final answer is up (redirects are followed)."""

MIN_INTERVAL_S = 0.05
DNS_RECORD_TYPES = ("A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "SRV", "CAA", "PTR")
HTTP_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


def parse_status_ranges(value: object) -> tuple[tuple[int, int], ...]:
    """``200``, ``"200-299"``, ``"200-299,301"``, ``(200, 299)`` or a list of those."""
    if value is None or value == "":
        return DEFAULT_STATUS
    if isinstance(value, bool):
        raise InvalidInput("probes.error.bad_status", value=value)
    if isinstance(value, int):
        parts: list[object] = [value]
    elif isinstance(value, str):
        parts = [p for p in value.replace(" ", "").split(",") if p]
    elif (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        parts = [value]
    elif isinstance(value, Iterable):
        parts = list(value)
    else:
        raise InvalidInput("probes.error.bad_status", value=value)
    ranges: list[tuple[int, int]] = []
    for part in parts:
        try:
            if isinstance(part, int) and not isinstance(part, bool):
                low = high = part
            elif isinstance(part, str):
                low_text, _, high_text = part.partition("-")
                low = int(low_text)
                high = int(high_text) if high_text else low
            elif isinstance(part, Sequence) and len(part) == 2:
                low, high = int(part[0]), int(part[1])
            else:
                raise ValueError(part)
        except (TypeError, ValueError):
            raise InvalidInput("probes.error.bad_status", value=value) from None
        if not 100 <= low <= high <= 599:
            raise InvalidInput("probes.error.bad_status", value=value)
        ranges.append((low, high))
    if not ranges:
        raise InvalidInput("probes.error.bad_status", value=value)
    return tuple(ranges)


def format_status_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    return ",".join(f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in ranges)


def split_host_port(text: str, default_port: int | None = None) -> tuple[str, int]:
    """``host:port``, ``[v6]:port``, a bare host (with ``default_port``) or a bare IPv6 address."""
    raw = text.strip()
    host, port_text = raw, ""
    if raw.startswith("["):
        end = raw.find("]")
        if end < 0:
            raise InvalidInput("probes.error.bad_host_port", value=text)
        host, rest = raw[1:end], raw[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise InvalidInput("probes.error.bad_host_port", value=text)
            port_text = rest[1:]
    elif raw.count(":") == 1:
        host, port_text = raw.split(":")
    if not host or any(c.isspace() for c in host) or "/" in host:
        raise InvalidInput("probes.error.bad_host_port", value=text)
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise InvalidInput("probes.error.bad_host_port", value=text)
        return host, int(port_text)
    if default_port is None:
        raise InvalidInput("probes.error.needs_port", value=text)
    return host, default_port


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class MonitorSpec:
    """One monitored target.

    - ``kind``: ``http`` / ``https`` (``target`` a URL; a bare host gets the kind's scheme),
      ``tcp`` (``host:port``), ``dns`` (a name to resolve), ``tls`` (``host[:port]``, 443).
    - ``interval_s``: the check runs on a fixed grid every ``interval_s`` seconds;
      ``timeout_s`` (at most ``interval_s``) bounds one check.
    - http: ``expected_status`` (ranges, default 200-399 after redirects), ``expected_text``
      (must occur in the first MiB of the body), ``method``, ``follow_redirects``.
    - http and tls: ``verify_tls`` (default on), ``ca_file`` (a PEM bundle to trust instead of
      the system store), ``tls_min_days`` (a certificate expiring sooner is DEGRADED).
    - dns: ``dns_server`` (``ip`` or ``ip:port``; default the system resolver),
      ``dns_record_type`` (A), ``expected_answer`` (each value must be in the answer).
    - ``degraded_ms``: an answer slower than this is DEGRADED rather than UP.
    """

    kind: str
    target: str
    name: str = ""
    interval_s: float = 60.0
    timeout_s: float = 10.0
    expected_status: tuple[tuple[int, int], ...] = DEFAULT_STATUS
    expected_text: str | None = None
    method: str = "GET"
    follow_redirects: bool = True
    verify_tls: bool = True
    ca_file: str | None = None
    tls_min_days: int | None = None
    dns_server: str | None = None
    dns_record_type: str = "A"
    expected_answer: tuple[str, ...] = ()
    degraded_ms: float | None = None

    def __post_init__(self) -> None:
        kind = str(self.kind).strip().lower()
        if kind not in KNOWN_KINDS:
            raise InvalidInput(
                "probes.error.bad_kind", kind=self.kind, kinds=", ".join(sorted(KNOWN_KINDS))
            )
        set_ = object.__setattr__
        set_(self, "kind", kind)
        target = str(self.target).strip()
        if not target:
            raise InvalidInput("probes.error.no_target", kind=kind)
        if kind in ("http", "https"):
            if "://" not in target:
                target = f"{kind}://{target}"
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise InvalidInput("probes.error.bad_url", value=self.target)
            if kind == "https" and parts.scheme != "https":
                raise InvalidInput("probes.error.bad_url", value=self.target)
            try:
                _ = parts.port
            except ValueError:
                raise InvalidInput("probes.error.bad_url", value=self.target) from None
        elif kind == "tcp":
            split_host_port(target)
        elif kind == "tls":
            split_host_port(target, 443)
        elif kind == "dns" and (" " in target or "/" in target):
            raise InvalidInput("probes.error.bad_dns_name", value=self.target)
        set_(self, "target", target)
        set_(self, "name", str(self.name).strip() or target)
        for attr in ("interval_s", "timeout_s"):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInput("probes.error.bad_number", field=attr, value=value)
            set_(self, attr, float(value))
        if self.interval_s < MIN_INTERVAL_S:
            raise InvalidInput(
                "probes.error.bad_interval", value=self.interval_s, minimum=MIN_INTERVAL_S
            )
        if not 0 < self.timeout_s <= self.interval_s:
            raise InvalidInput(
                "probes.error.bad_timeout", timeout=self.timeout_s, interval=self.interval_s
            )
        set_(self, "expected_status", parse_status_ranges(self.expected_status))
        method = str(self.method).upper()
        if method not in HTTP_METHODS:
            raise InvalidInput(
                "probes.error.bad_method", value=self.method, methods=", ".join(HTTP_METHODS)
            )
        set_(self, "method", method)
        if self.expected_text == "":
            set_(self, "expected_text", None)
        if self.expected_text is not None and method == "HEAD":
            raise InvalidInput("probes.error.head_has_no_body")
        rtype = str(self.dns_record_type).upper()
        if rtype not in DNS_RECORD_TYPES:
            raise InvalidInput(
                "probes.error.bad_record_type",
                value=self.dns_record_type,
                types=", ".join(DNS_RECORD_TYPES),
            )
        set_(self, "dns_record_type", rtype)
        if self.dns_server:
            host, _ = split_host_port(self.dns_server, 53)
            if not _is_ip(host):
                raise InvalidInput("probes.error.bad_dns_server", value=self.dns_server)
        answers = self.expected_answer
        if isinstance(answers, str):
            answers = tuple(a for a in answers.replace(",", " ").split() if a)
        set_(self, "expected_answer", tuple(str(a).strip() for a in answers))
        if self.tls_min_days is not None and self.tls_min_days < 0:
            raise InvalidInput("probes.error.bad_number", field="tls_min_days", value=-1)
        if self.degraded_ms is not None and self.degraded_ms <= 0:
            raise InvalidInput("probes.error.bad_number", field="degraded_ms", value=0)

    @property
    def phase_fraction(self) -> float:
        """A stable number in [0, 1) from the name: where in its interval this target fires.

        The same on every run and every vantage, so targets are spread evenly over the interval
        and two vantages check one target at the same moments.
        """
        digest = hashlib.sha256(self.name.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["expected_status"] = format_status_ranges(self.expected_status)
        data["expected_answer"] = list(self.expected_answer)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MonitorSpec:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput(
                "probes.error.unknown_fields",
                fields=", ".join(unknown),
                known=", ".join(sorted(known)),
            )
        values = dict(data)
        if isinstance(values.get("expected_answer"), list):
            values["expected_answer"] = tuple(values["expected_answer"])
        return cls(**values)


def check_unique(specs: Sequence[MonitorSpec]) -> None:
    """Names are the ``target`` column: two specs with one name would mix their rows."""
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise InvalidInput("probes.error.duplicate_name", name=spec.name)
        seen.add(spec.name)
