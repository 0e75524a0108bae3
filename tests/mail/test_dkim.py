"""DKIM on real signatures made with dkimpy and a key generated for the test session."""

from __future__ import annotations

import mailbox
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dkim
import dns.message
import dns.rcode
import dns.resolver
import dns.rrset
import pytest
from mailkit import PROVIDER, SELECTOR, SigningKey, make_key, plain, sign

from hostclaim.errors import InvalidInput, NotFound
from hostclaim.mail import (
    ChainKeySource,
    DnsKeySource,
    KeyLookupError,
    RawMessage,
    StaticKeySource,
    iter_messages,
    load_key_file,
    parse_message,
    write_mbox,
)

BODY = "Dear customer,\nFrom our monitoring the host was up.\nTicket #556677\n"


def provider_mail(body: str = BODY) -> bytes:
    return plain(
        sender=f"Support <support@{PROVIDER}>",
        to="ops@shop.example",
        subject="[Ticket#556677] Server unreachable",
        body=body,
        message_id=f"<r1@{PROVIDER}>",
    )


@pytest.fixture()
def keys(key: SigningKey) -> StaticKeySource:
    return StaticKeySource({key.name: key.record})


def test_signed_message_verifies(key: SigningKey, keys: StaticKeySource) -> None:
    result = parse_message(sign(provider_mail(), key), dkim_keys=keys).dkim
    assert result.signed and result.verified is True and result.reason == "verified"
    assert (result.domain, result.selector) == (PROVIDER, SELECTOR)
    assert result.aligned
    [check] = result.signatures
    assert check.key_record == key.record and check.signed_at is not None
    assert "DKIM verified" in result.render("en") and "验证通过" in result.render("zh")


def test_a_changed_body_byte_fails(key: SigningKey, keys: StaticKeySource) -> None:
    signed = sign(provider_mail(), key)
    tampered = signed.replace(b"#556677\n", b"#556678\n")
    result = parse_message(tampered, dkim_keys=keys).dkim
    assert result.verified is False and result.reason == "body_hash_mismatch"
    assert "NOT verify" in result.render("en")


def test_a_changed_signed_header_fails(key: SigningKey, keys: StaticKeySource) -> None:
    tampered = sign(provider_mail(), key).replace(b"Server unreachable", b"Server reachable")
    result = parse_message(tampered, dkim_keys=keys).dkim
    assert result.verified is False and result.reason == "signature_mismatch"


def test_expiry_is_judged_at_signing_time_not_today(key: SigningKey, keys: StaticKeySource) -> None:
    signed_at = int(datetime(2025, 10, 3, 8, 0, tzinfo=UTC).timestamp())
    expires = int(datetime(2025, 11, 3, 8, 0, tzinfo=UTC).timestamp())
    message = sign(provider_mail(), key, t=signed_at, x=expires)
    # dkimpy alone compares x= with today and calls the signature invalid.
    assert dkim.verify(message, dnsfunc=lambda name, timeout=5: key.record.encode()) is False
    result = parse_message(message, dkim_keys=keys).dkim
    assert result.verified is True
    [check] = result.signatures
    assert check.signed_at == datetime(2025, 10, 3, 8, 0, tzinfo=UTC)
    assert check.expires_at == datetime(2025, 11, 3, 8, 0, tzinfo=UTC)


def test_expired_when_made_fails(key: SigningKey, keys: StaticKeySource) -> None:
    message = sign(provider_mail(), key, t=1_760_000_000, x=1_750_000_000)
    result = parse_message(message, dkim_keys=keys).dkim
    assert result.verified is False and result.reason == "expired_at_signing"


def test_unsigned(keys: StaticKeySource) -> None:
    result = parse_message(provider_mail(), dkim_keys=keys).dkim
    assert (result.signed, result.verified, result.reason) == (False, None, "unsigned")


def test_key_unavailable_is_none_not_false(key: SigningKey) -> None:
    message = sign(provider_mail(), key)
    missing = parse_message(message, dkim_keys=StaticKeySource({})).dkim
    assert (missing.signed, missing.verified, missing.reason) == (True, None, "key_unavailable")
    no_source = parse_message(message).dkim
    assert (no_source.verified, no_source.reason) == (None, "no_key_source")
    revoked = StaticKeySource({key.name: "v=DKIM1; k=rsa; p="})
    assert parse_message(message, dkim_keys=revoked).dkim.reason == "key_revoked"
    garbage = StaticKeySource({key.name: "v=DKIM1; k=rsa; p=AAAA"})
    assert parse_message(message, dkim_keys=garbage).dkim.verified is None


def test_a_different_key_does_not_verify(key: SigningKey) -> None:
    other = make_key(1024)
    result = parse_message(
        sign(provider_mail(), key), dkim_keys=StaticKeySource({key.name: other.record})
    ).dkim
    assert result.verified is False and result.reason == "signature_mismatch"


def test_best_signature_is_the_senders_own(key: SigningKey, keys: StaticKeySource) -> None:
    # A relay (mailing list, ESP) adds its own signature on top; its key is not known.
    message = sign(sign(provider_mail(), key), key, domain="relay.example", selector="r1")
    result = parse_message(message, dkim_keys=keys).dkim
    assert [s.domain for s in result.signatures] == ["relay.example", PROVIDER]
    assert [s.verified for s in result.signatures] == [None, True]
    assert (result.domain, result.verified, result.aligned) == (PROVIDER, True, True)


def test_signed_mail_still_verifies_after_an_mbox_round_trip(
    key: SigningKey, keys: StaticKeySource, tmp_path: Path
) -> None:
    signed = sign(provider_mail(), key)
    path = tmp_path / "box.mbox"
    with path.open("wb") as out:
        write_mbox([signed, signed], out)
    assert b"\n>From our monitoring" in path.read_bytes()
    items = [m for m in iter_messages(path) if isinstance(m, RawMessage)]
    assert all(parse_message(m.raw, dkim_keys=keys).dkim.verified for m in items)
    # mailbox.mbox.get_bytes() keeps the >From quoting, so the same message fails there.
    box = mailbox.mbox(path, create=False)
    stored = box.get_bytes(0)
    box.close()
    assert parse_message(stored, dkim_keys=keys).dkim.reason == "body_hash_mismatch"


def test_crlf_eml_verifies(key: SigningKey, keys: StaticKeySource) -> None:
    message = sign(provider_mail().replace(b"\n", b"\r\n"), key)
    assert parse_message(message, dkim_keys=keys).dkim.verified is True


def test_key_files(key: SigningKey, tmp_path: Path) -> None:
    message = sign(provider_mail(), key)
    record = key.record
    chunks = " ".join(f'"{record[i : i + 200]}"' for i in range(0, len(record), 200))
    yaml_file = tmp_path / "keys.yaml"
    yaml_file.write_text(f'"{key.name}": "{record}"\n', encoding="utf-8")
    zone_file = tmp_path / "keys.txt"
    zone_file.write_text(
        f"; saved with dig\n{key.name}. 3600 IN TXT (\n  {chunks} )  ; rotated yearly\n",
        encoding="utf-8",
    )
    json_file = tmp_path / "keys.json"
    json_file.write_text(f'{{"{key.name}.": ["{record[:100]}", "{record[100:]}"]}}')
    for file in (yaml_file, zone_file, json_file):
        source = load_key_file(file)
        assert source.lookup(key.name.upper() + ".") == record
        assert parse_message(message, dkim_keys=source).dkim.verified is True
    with pytest.raises(NotFound):
        load_key_file(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(InvalidInput) as err:
        load_key_file(bad)
    assert "bad.yaml" in err.value.render("en")


class LoopbackDns:
    """A tiny authoritative DNS server on 127.0.0.1 answering TXT queries from a dict."""

    def __init__(self, records: dict[str, str], *, silent: bool = False) -> None:
        self.records = {k.rstrip(".").lower(): v for k, v in records.items()}
        self.silent = silent
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.queries = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            self.queries += 1
            if self.silent:
                continue
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".").lower()
            if name in self.records:
                value = self.records[name]
                chunks = " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))
                response.answer.append(dns.rrset.from_text(question.name, 300, "IN", "TXT", chunks))
            else:
                response.set_rcode(dns.rcode.NXDOMAIN)
            self.sock.sendto(response.to_wire(), peer)

    def resolver(self) -> dns.resolver.Resolver:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = self.port
        return resolver

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture()
def dns_server(key: SigningKey) -> Iterator[LoopbackDns]:
    server = LoopbackDns({key.name: key.record})
    yield server
    server.close()


def test_dns_key_source_on_loopback(key: SigningKey, dns_server: LoopbackDns) -> None:
    source = DnsKeySource(dns_server.resolver(), timeout=2.0)
    message = sign(provider_mail(), key)
    assert parse_message(message, dkim_keys=source).dkim.verified is True
    assert parse_message(message, dkim_keys=source).dkim.verified is True
    assert dns_server.queries == 1  # cached
    other = sign(provider_mail(), key, selector="gone")
    result = parse_message(other, dkim_keys=source).dkim
    assert (result.verified, result.reason) == (None, "key_unavailable")


def test_dns_timeout_is_a_lookup_failure(key: SigningKey) -> None:
    server = LoopbackDns({}, silent=True)
    try:
        source = DnsKeySource(server.resolver(), timeout=0.3)
        with pytest.raises(KeyLookupError):
            source.lookup(key.name)
        result = parse_message(sign(provider_mail(), key), dkim_keys=source).dkim
        assert (result.verified, result.reason) == (None, "key_lookup_failed")
        # Saved records first, DNS only for the rest: a saved record wins over a dead resolver.
        chain = ChainKeySource(StaticKeySource({key.name: key.record}), source)
        assert parse_message(sign(provider_mail(), key), dkim_keys=chain).dkim.verified is True
    finally:
        server.close()


def test_length_limited_signature_is_flagged(key: SigningKey, keys: StaticKeySource) -> None:
    message = provider_mail()
    header = dkim.sign(
        message, SELECTOR.encode(), PROVIDER.encode(), key.private_pem, length=True, linesep=b"\n"
    )
    appended = header + message + b"PS: we accept full liability.\n"
    mail = parse_message(appended, dkim_keys=keys)
    assert mail.dkim.verified is True
    assert mail.dkim.signatures[0].signed_body_bytes is not None
    [warning] = mail.warnings
    assert warning.code == "dkim_partial_body" and "bytes" in warning.render("en")
