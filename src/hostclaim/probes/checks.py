"""Checks: one small protocol, a registry, and the built-in http/https, tcp, dns and tls kinds.

    ctx = CheckContext()                       # shared aiohttp session, TLS contexts, resolvers
    result = await CHECKS["http"].check(spec, ctx)
    result.state, result.latency_ms, result.error, result.detail
    await ctx.aclose()

A check never raises for a failure of the target: it answers ``DOWN`` with an ``ErrorClass``
(``dns``, ``connect``, ``timeout``, ``tls``, ``http_status``, ``content``) and a short detail
in plain English (the detail is stored with the raw evidence, so it is not translated).
Whether the *prober* was healthy is not a check's business: the runner decides that.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import aiohttp
import dns.asyncresolver
import dns.exception
import dns.resolver

from hostclaim import __version__
from hostclaim.domain.probes import ErrorClass, State
from hostclaim.errors import InvalidInput
from hostclaim.probes.spec import KNOWN_KINDS, MonitorSpec, format_status_ranges, split_host_port

USER_AGENT = f"hostclaim-probe/{__version__}"
MAX_BODY_BYTES = 1 << 20
"""``expected_text`` is looked for in this much of the body; the rest is not read."""
MAX_REDIRECTS = 10
DETAIL_CHARS = 300


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What one check saw. ``latency_ms`` is None when no answer came."""

    state: State
    latency_ms: float | None = None
    error: ErrorClass | None = None
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.state in (State.UP, State.DEGRADED)


@runtime_checkable
class Check(Protocol):
    kind: str

    async def check(self, target: MonitorSpec, ctx: CheckContext) -> ProbeResult: ...


def _elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 3)


def _trim(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 8:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def classify(exc: BaseException, timeout_s: float | None = None) -> tuple[ErrorClass, str]:
    """The error class and a short detail for an exception raised while checking."""
    chain = list(_chain(exc))
    for item in chain:
        if isinstance(item, aiohttp.ClientConnectorCertificateError):
            item = item.certificate_error
        if isinstance(item, ssl.SSLCertVerificationError):
            reason = (
                getattr(item, "verify_message", None) or getattr(item, "reason", None) or str(item)
            )
            return ErrorClass.TLS, _trim(f"certificate verify failed: {reason}")
    for item in chain:
        if isinstance(item, ssl.SSLError | ssl.CertificateError | aiohttp.ClientSSLError):
            reason = getattr(item, "reason", None) or str(item)
            return ErrorClass.TLS, _trim(f"TLS error: {reason}")
    for item in chain:
        if isinstance(item, aiohttp.ClientConnectorDNSError):
            return ErrorClass.DNS, _trim(f"name not resolved: {item.os_error}")
        if isinstance(item, OSError) and type(item).__name__ == "gaierror":
            return ErrorClass.DNS, _trim(f"name not resolved: {item}")
    for item in chain:
        if isinstance(item, TimeoutError):
            if timeout_s is not None:
                return ErrorClass.TIMEOUT, f"no answer within {timeout_s:g} s"
            return ErrorClass.TIMEOUT, "no answer in time"
    for item in chain:
        if isinstance(item, aiohttp.ClientConnectorError):
            return ErrorClass.CONNECT, _trim(f"cannot connect: {item.os_error}")
        if isinstance(item, ConnectionRefusedError):
            return ErrorClass.CONNECT, _trim(f"connection refused: {item}")
        if isinstance(item, aiohttp.ServerDisconnectedError):
            return ErrorClass.CONNECT, "server closed the connection without an answer"
    return ErrorClass.CONNECT, _trim(f"{type(exc).__name__}: {exc}")


def _down(error: ErrorClass, detail: str, latency_ms: float | None = None) -> ProbeResult:
    return ProbeResult(State.DOWN, latency_ms, error, detail)


def _expiry(cert: Mapping[str, object]) -> datetime | None:
    not_after = cert.get("notAfter")
    if not isinstance(not_after, str):
        return None
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC)


def _expiry_from_der(der: bytes | None) -> datetime | None:
    """Expiry of an unverified certificate (``verify_tls`` off), if ``cryptography`` is there."""
    if not der:
        return None
    try:
        from cryptography import x509
    except ImportError:  # pragma: no cover - cryptography is normally installed
        return None
    try:
        return x509.load_der_x509_certificate(der).not_valid_after_utc
    except ValueError:
        return None


def _peer_expiry(ssl_object: object) -> datetime | None:
    if not isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket):
        return None
    cert = ssl_object.getpeercert()
    if cert:
        return _expiry(cert)
    return _expiry_from_der(ssl_object.getpeercert(binary_form=True))


def _judge_tls_and_speed(
    spec: MonitorSpec, latency_ms: float, detail: str, expires: datetime | None
) -> ProbeResult:
    parts = [detail]
    state, error = State.UP, None
    if expires is not None:
        days = (expires - datetime.now(UTC)).total_seconds() / 86400
        if days < 0:
            parts.append(f"certificate expired {expires:%Y-%m-%d} ({-days:.0f} days ago)")
        else:
            parts.append(f"certificate expires {expires:%Y-%m-%d} ({days:.0f} days)")
        if spec.tls_min_days is not None and days < spec.tls_min_days:
            state, error = State.DEGRADED, ErrorClass.TLS
    if spec.degraded_ms is not None and latency_ms > spec.degraded_ms:
        state = State.DEGRADED
        parts.append(f"slow: {latency_ms:.0f} ms > {spec.degraded_ms:g} ms")
    return ProbeResult(state, latency_ms, error, _trim("; ".join(parts)))


class CheckContext:
    """What checks share: one aiohttp session, TLS contexts and DNS resolvers.

    The session is made on first use inside the running loop. Connections are not kept
    alive between checks (each check opens its own, so it tests connecting and never trips
    over a connection the server closed while idle); ``max_connections`` bounds how many are
    open at once.
    """

    def __init__(self, *, max_connections: int = 1000, user_agent: str = USER_AGENT) -> None:
        self.max_connections = max_connections
        self.user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None
        self._tls: dict[tuple[bool, str | None], ssl.SSLContext] = {}
        self._resolvers: dict[str | None, dns.asyncresolver.Resolver] = {}

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.max_connections,
                limit_per_host=0,
                force_close=True,
                ttl_dns_cache=10,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self.user_agent},
                trust_env=False,
            )
        return self._session

    def tls_context(self, spec: MonitorSpec) -> ssl.SSLContext:
        key = (spec.verify_tls, spec.ca_file)
        context = self._tls.get(key)
        if context is None:
            if spec.verify_tls:
                try:
                    context = ssl.create_default_context(cafile=spec.ca_file)
                except (OSError, ssl.SSLError) as exc:
                    raise InvalidInput(
                        "probes.error.bad_ca_file", path=spec.ca_file, detail=str(exc)
                    ) from exc
            else:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._tls[key] = context
        return context

    def http_ssl(self, spec: MonitorSpec) -> ssl.SSLContext | bool:
        if not spec.verify_tls:
            return False
        if spec.ca_file is None:
            return True
        return self.tls_context(spec)

    def resolver(self, spec: MonitorSpec) -> dns.asyncresolver.Resolver:
        key = spec.dns_server
        resolver = self._resolvers.get(key)
        if resolver is None:
            if key is None:
                resolver = dns.asyncresolver.Resolver()
            else:
                host, port = split_host_port(key, 53)
                resolver = dns.asyncresolver.Resolver(configure=False)
                resolver.nameservers = [host]
                resolver.port = port
            resolver.cache = None
            self._resolvers[key] = resolver
        return resolver

    def prepare(self, spec: MonitorSpec) -> None:
        """Build what ``spec`` needs now, so a bad CA file fails before the run starts."""
        if spec.kind == "tls" or (spec.kind in ("http", "https") and spec.ca_file):
            self.tls_context(spec)
        if spec.kind == "dns":
            self.resolver(spec)

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
            await asyncio.sleep(0)
        self._session = None

    async def __aenter__(self) -> CheckContext:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


async def _read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await response.content.read(min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class HttpCheck:
    """``http`` / ``https``: the final status (after redirects) and, optionally, body text."""

    def __init__(self, kind: str = "http") -> None:
        self.kind = kind

    async def check(self, target: MonitorSpec, ctx: CheckContext) -> ProbeResult:
        spec = target
        start = time.perf_counter()
        expires: datetime | None = None
        body: bytes | None = None
        try:
            async with ctx.session.request(
                spec.method,
                spec.target,
                allow_redirects=spec.follow_redirects,
                max_redirects=MAX_REDIRECTS,
                ssl=ctx.http_ssl(spec),
                timeout=aiohttp.ClientTimeout(total=spec.timeout_s),
            ) as response:
                status = response.status
                final_url = response.url
                if spec.expected_text is not None:
                    body = await _read_capped(response, MAX_BODY_BYTES)
                charset = response.charset or "utf-8"
                latency = _elapsed_ms(start)
        except aiohttp.TooManyRedirects:
            return _down(
                ErrorClass.HTTP_STATUS,
                f"more than {MAX_REDIRECTS} redirects",
                _elapsed_ms(start),
            )
        except (aiohttp.ClientError, OSError, TimeoutError, ssl.SSLError) as exc:
            error, detail = classify(exc, spec.timeout_s)
            return _down(error, detail)
        detail = f"HTTP {status}"
        if not any(lo <= status <= hi for lo, hi in spec.expected_status):
            wanted = format_status_ranges(spec.expected_status)
            return _down(ErrorClass.HTTP_STATUS, f"{detail} (expected {wanted})", latency)
        if spec.expected_text is not None and body is not None:
            try:
                text = body.decode(charset, errors="replace")
            except LookupError:
                text = body.decode("utf-8", errors="replace")
            if spec.expected_text not in text:
                return _down(
                    ErrorClass.CONTENT,
                    _trim(f"{detail}; text {spec.expected_text!r} not in the body"),
                    latency,
                )
        if spec.tls_min_days is not None and final_url.scheme == "https" and final_url.host:
            # the response has let go of its connection by now: look at the certificate anew
            try:
                async with asyncio.timeout(spec.timeout_s):
                    *_, expires = await _handshake(
                        final_url.host, final_url.port or 443, ctx.tls_context(spec)
                    )
            except (OSError, TimeoutError, ssl.SSLError):
                expires = None
        return _judge_tls_and_speed(spec, latency, detail, expires)


async def _handshake(
    host: str, port: int, context: ssl.SSLContext
) -> tuple[float, str | None, datetime | None]:
    """Connect, complete a TLS handshake, close: (latency ms, TLS version, certificate expiry)."""
    start = time.perf_counter()
    _, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=host)
    latency = _elapsed_ms(start)
    ssl_object = writer.get_extra_info("ssl_object")
    version = ssl_object.version() if isinstance(ssl_object, ssl.SSLObject) else None
    expires = _peer_expiry(ssl_object)
    await _close(writer)
    return latency, version, expires


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    try:
        async with asyncio.timeout(1.0):
            await writer.wait_closed()
    except (OSError, TimeoutError, ssl.SSLError):
        pass


class TcpCheck:
    """``tcp``: a TCP connection to ``host:port`` is accepted."""

    kind = "tcp"

    async def check(self, target: MonitorSpec, ctx: CheckContext) -> ProbeResult:
        host, port = split_host_port(target.target)
        start = time.perf_counter()
        try:
            async with asyncio.timeout(target.timeout_s):
                _, writer = await asyncio.open_connection(host, port)
            latency = _elapsed_ms(start)
        except (OSError, TimeoutError) as exc:
            error, detail = classify(exc, target.timeout_s)
            return _down(error, detail)
        peer = writer.get_extra_info("peername")
        await _close(writer)
        where = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else f"{host}:{port}"
        return _judge_tls_and_speed(target, latency, f"connected to {where}", None)


class TlsCheck:
    """``tls``: a TLS handshake succeeds (certificate verified) and the certificate's expiry."""

    kind = "tls"

    async def check(self, target: MonitorSpec, ctx: CheckContext) -> ProbeResult:
        host, port = split_host_port(target.target, 443)
        context = ctx.tls_context(target)
        try:
            async with asyncio.timeout(target.timeout_s):
                latency, version, expires = await _handshake(host, port, context)
        except (OSError, TimeoutError, ssl.SSLError) as exc:
            error, detail = classify(exc, target.timeout_s)
            return _down(error, detail)
        detail = f"handshake ok ({version})" if version else "handshake ok"
        if not target.verify_tls:
            detail += ", certificate not verified"
        return _judge_tls_and_speed(target, latency, detail, expires)


def _norm_answer(text: str) -> str:
    return text.strip().strip('"').rstrip(".").lower()


class DnsCheck:
    """``dns``: the name resolves (at ``dns_server`` if set) and includes ``expected_answer``."""

    kind = "dns"

    async def check(self, target: MonitorSpec, ctx: CheckContext) -> ProbeResult:
        resolver = ctx.resolver(target)
        rtype = target.dns_record_type
        start = time.perf_counter()
        try:
            answer = await resolver.resolve(
                target.target, rtype, lifetime=target.timeout_s, search=False
            )
        except dns.resolver.NXDOMAIN:
            return _down(ErrorClass.DNS, "NXDOMAIN: the name does not exist", _elapsed_ms(start))
        except dns.resolver.NoAnswer:
            return _down(ErrorClass.DNS, f"no {rtype} record", _elapsed_ms(start))
        except dns.exception.Timeout:
            return _down(ErrorClass.TIMEOUT, f"no answer within {target.timeout_s:g} s")
        except dns.resolver.NoNameservers as exc:
            errors = exc.kwargs.get("errors") or []
            causes = [e[3] for e in errors if len(e) > 3]
            if causes and all(isinstance(c, OSError) for c in causes):
                return _down(ErrorClass.CONNECT, _trim(f"DNS server unreachable: {causes[0]}"))
            return _down(
                ErrorClass.DNS, _trim(f"DNS server failed: {causes[0] if causes else exc}")
            )
        except dns.exception.DNSException as exc:
            return _down(ErrorClass.DNS, _trim(f"{type(exc).__name__}: {exc}"))
        except OSError as exc:
            error, detail = classify(exc, target.timeout_s)
            return _down(error, detail)
        latency = _elapsed_ms(start)
        values = [rdata.to_text() for rdata in answer]
        shown = _trim(f"{rtype} " + " ".join(values))
        if target.expected_answer:
            have = {_norm_answer(v) for v in values}
            missing = [a for a in target.expected_answer if _norm_answer(a) not in have]
            if missing:
                return _down(
                    ErrorClass.CONTENT, _trim(f"{shown}; missing {' '.join(missing)}"), latency
                )
        return _judge_tls_and_speed(target, latency, shown, None)


CHECKS: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add a check kind (a later one with the same kind replaces it)."""
    CHECKS[check.kind] = check
    KNOWN_KINDS.add(check.kind)
    return check


def get_check(kind: str) -> Check:
    check = CHECKS.get(kind)
    if check is None:
        raise InvalidInput("probes.error.bad_kind", kind=kind, kinds=", ".join(sorted(CHECKS)))
    return check


for _builtin in (HttpCheck("http"), HttpCheck("https"), TcpCheck(), DnsCheck(), TlsCheck()):
    register(_builtin)


async def check_once(spec: MonitorSpec, ctx: CheckContext | None = None) -> ProbeResult:
    """Run one check now (e.g. to try a target when it is added)."""
    if ctx is not None:
        return await get_check(spec.kind).check(spec, ctx)
    async with CheckContext(max_connections=4) as own:
        own.prepare(spec)
        return await get_check(spec.kind).check(spec, own)
