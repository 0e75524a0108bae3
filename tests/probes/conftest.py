"""Real servers on 127.0.0.1 for the prober's tests: HTTP (aiohttp), raw TCP, TLS with
certificates made for the run, a tiny DNS responder, and servers that never answer.

Each helper is an async context manager started inside the test's own event loop; tests get
them through the ``srv`` fixture and run with ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOCAL = "127.0.0.1"


# -- certificates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certs:
    ca: Path
    good: tuple[Path, Path]
    expired: tuple[Path, Path]
    soon: tuple[Path, Path]
    self_signed: tuple[Path, Path]


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write(folder: Path, stem: str, cert: x509.Certificate, key: object) -> tuple[Path, Path]:
    cert_path, key_path = folder / f"{stem}.crt", folder / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _leaf(
    issuer_cert: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey | None,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = _key()
    subject = _name("localhost")
    issuer_name = issuer_cert.subject if issuer_cert is not None else subject
    signer = issuer_key or key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address(LOCAL)),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    return builder.sign(signer, hashes.SHA256()), key


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    folder = tmp_path_factory.mktemp("certs")
    now = dt.datetime.now(dt.UTC)
    ca_key = _key()
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("hostclaim test CA"))
        .issuer_name(_name("hostclaim test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=400))
        .not_valid_after(now + dt.timedelta(days=400))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path = folder / "ca.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    day = dt.timedelta(days=1)
    good = _write(folder, "good", *_leaf(ca_cert, ca_key, now - day, now + 90 * day))
    expired = _write(folder, "expired", *_leaf(ca_cert, ca_key, now - 60 * day, now - 2 * day))
    soon = _write(folder, "soon", *_leaf(ca_cert, ca_key, now - day, now + 5 * day))
    self_signed = _write(folder, "self", *_leaf(None, None, now - day, now + 90 * day))
    return Certs(ca_path, good, expired, soon, self_signed)


def server_tls(pair: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(pair[0]), str(pair[1]))
    return context


# -- servers -----------------------------------------------------------------------------------


async def _hello(request: web.Request) -> web.Response:
    return web.Response(text="hello, the shop is open")


async def _status(request: web.Request) -> web.Response:
    return web.Response(status=int(request.match_info["code"]), text="status page")


async def _redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/ok")


async def _loop_redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/loop")


async def _slowish(request: web.Request) -> web.Response:
    await asyncio.sleep(float(request.query.get("s", "0.3")))
    return web.Response(text="slow but fine")


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/ok", _hello)
    app.router.add_get("/status/{code}", _status)
    app.router.add_get("/redirect", _redirect)
    app.router.add_get("/loop", _loop_redirect)
    app.router.add_get("/slowish", _slowish)
    app.router.add_get("/t/{n}", _hello)
    return app


@asynccontextmanager
async def http_server(tls: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    """An aiohttp app; yields its base URL (http://127.0.0.1:PORT)."""
    runner = web.AppRunner(make_app(), access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, LOCAL, 0, ssl_context=tls)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"{'https' if tls else 'http'}://{LOCAL}:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def tcp_server(
    port: int = 0, tls: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[asyncio.Server, int]]:
    """Accepts and closes at once (or after the TLS handshake); yields (server, port)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()
        with suppress(OSError, ssl.SSLError):
            await writer.wait_closed()

    server = await asyncio.start_server(handle, LOCAL, port, ssl=tls, reuse_address=True)
    try:
        yield server, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """Accepts connections and never says a word (no HTTP answer, no TLS handshake)."""
    held: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        with contextlib.suppress(OSError):
            await reader.read()  # until the client gives up

    server = await asyncio.start_server(handle, LOCAL, 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.transport.abort()
        server.close()
        await server.wait_closed()


@asynccontextmanager
async def unanswered_port() -> AsyncIterator[int]:
    """A port whose SYNs go unanswered: a listener with a full backlog that never accepts."""
    listener = socket.socket()
    listener.bind((LOCAL, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.socket()
    filler.setblocking(False)
    try:
        filler.connect_ex((LOCAL, port))
        await asyncio.sleep(0.05)
        yield port
    finally:
        filler.close()
        listener.close()


def closed_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port nothing listens on (bound, read, released)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((LOCAL, 0))
        return int(s.getsockname()[1])


class DnsResponder(asyncio.DatagramProtocol):
    """Answers from ``records`` {(name., TYPE): [values]}: NXDOMAIN for unknown names, an empty
    answer for a known name of another type, SERVFAIL for names starting with ``fail.``;
    nothing at all while ``silent``."""

    def __init__(self, records: dict[tuple[str, str], list[str]]) -> None:
        self.records = {(n.lower(), t): v for (n, t), v in records.items()}
        self.silent = False
        self.transport: Any = None
        self.queries = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.queries += 1
        if self.silent or self.transport is None:
            return
        query = dns.message.from_wire(data)
        response = dns.message.make_response(query)
        question = query.question[0]
        name = question.name.to_text().lower()
        rtype = dns.rdatatype.to_text(question.rdtype)
        values = self.records.get((name, rtype))
        if name.startswith("fail."):
            response.set_rcode(dns.rcode.SERVFAIL)
        elif values is not None:
            response.answer.append(dns.rrset.from_text_list(question.name, 60, "IN", rtype, values))
        elif not any(n == name for n, _ in self.records):
            response.set_rcode(dns.rcode.NXDOMAIN)
        self.transport.sendto(response.to_wire(), addr)


@asynccontextmanager
async def dns_server(
    records: dict[tuple[str, str], list[str]],
) -> AsyncIterator[tuple[DnsResponder, str]]:
    """Yields (responder, "127.0.0.1:PORT")."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: DnsResponder(records), local_addr=(LOCAL, 0)
    )
    port = transport.get_extra_info("sockname")[1]
    try:
        yield protocol, f"{LOCAL}:{port}"
    finally:
        transport.close()


@pytest.fixture
def srv() -> SimpleNamespace:
    return SimpleNamespace(
        http=http_server,
        tcp=tcp_server,
        silent=silent_server,
        unanswered=unanswered_port,
        closed_port=closed_port,
        dns=dns_server,
        tls_context=server_tls,
    )


@pytest.fixture
def arun() -> Callable[..., object]:
    """Run a coroutine in a fresh event loop (no async plugin needed)."""

    def runner(coro: object) -> object:
        return asyncio.run(coro)  # type: ignore[arg-type]

    return runner
