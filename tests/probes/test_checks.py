"""Every check kind against real servers on 127.0.0.1: up, and each way of being down."""

from __future__ import annotations

import asyncio

import pytest

from hostclaim.domain.probes import ErrorClass, State
from hostclaim.errors import InvalidInput
from hostclaim.probes import CHECKS, CheckContext, MonitorSpec, ProbeResult, check_once


def spec(kind: str, target: str, **options: object) -> MonitorSpec:
    options.setdefault("interval_s", 5.0)
    options.setdefault("timeout_s", 2.0)
    return MonitorSpec(kind=kind, target=target, **options)  # type: ignore[arg-type]


def test_registry_has_the_builtin_kinds() -> None:
    assert {"http", "https", "tcp", "dns", "tls"} <= set(CHECKS)
    for kind, check in CHECKS.items():
        assert check.kind == kind


# -- http / https --------------------------------------------------------------------------


def test_http_up_down_status_text_timeout(srv, arun) -> None:
    async def main() -> dict[str, ProbeResult]:
        results: dict[str, ProbeResult] = {}
        async with srv.http() as base, srv.silent() as silent, CheckContext() as ctx:
            cases = {
                "up": spec("http", f"{base}/ok", expected_text="shop is open"),
                "redirect": spec("http", f"{base}/redirect", expected_status="200"),
                "no_follow": spec(
                    "http", f"{base}/redirect", follow_redirects=False, expected_status=200
                ),
                "loop": spec("http", f"{base}/loop"),
                "status": spec("http", f"{base}/status/503"),
                "range": spec("http", f"{base}/status/404", expected_status="200-299,404"),
                "text": spec("http", f"{base}/ok", expected_text="closed for good"),
                "refused": spec("http", f"http://127.0.0.1:{srv.closed_port()}/"),
                "timeout": spec("http", f"http://127.0.0.1:{silent}/", timeout_s=0.3),
                "dns": spec("http", "http://no-such-host.invalid/"),
            }
            for key, item in cases.items():
                results[key] = await CHECKS[item.kind].check(item, ctx)
        return results

    r = arun(main())
    assert r["up"].state == State.UP and r["up"].error is None
    assert r["up"].detail == "HTTP 200" and r["up"].latency_ms is not None
    assert r["redirect"].state == State.UP
    assert (r["no_follow"].state, r["no_follow"].error) == (State.DOWN, ErrorClass.HTTP_STATUS)
    assert r["no_follow"].detail == "HTTP 302 (expected 200)"
    assert (r["loop"].state, r["loop"].error) == (State.DOWN, ErrorClass.HTTP_STATUS)
    assert "redirects" in (r["loop"].detail or "")
    assert (r["status"].state, r["status"].error) == (State.DOWN, ErrorClass.HTTP_STATUS)
    assert r["status"].detail == "HTTP 503 (expected 200-399)"
    assert r["status"].latency_ms is not None  # the server did answer
    assert r["range"].state == State.UP
    assert (r["text"].state, r["text"].error) == (State.DOWN, ErrorClass.CONTENT)
    assert "closed for good" in (r["text"].detail or "")
    assert (r["refused"].state, r["refused"].error) == (State.DOWN, ErrorClass.CONNECT)
    assert r["refused"].latency_ms is None
    assert (r["timeout"].state, r["timeout"].error) == (State.DOWN, ErrorClass.TIMEOUT)
    assert r["timeout"].detail == "no answer within 0.3 s"
    assert (r["dns"].state, r["dns"].error) == (State.DOWN, ErrorClass.DNS)


def test_http_degraded_when_slow(srv, arun) -> None:
    async def main() -> ProbeResult:
        async with srv.http() as base:
            item = spec("http", f"{base}/slowish?s=0.2", degraded_ms=50)
            return await check_once(item)

    result = arun(main())
    assert result.state == State.DEGRADED and result.error is None
    assert "slow" in (result.detail or "")


def test_https_trusts_a_ca_file_and_rejects_bad_certificates(srv, arun, certs) -> None:
    async def main() -> dict[str, ProbeResult]:
        out: dict[str, ProbeResult] = {}
        async with (
            srv.http(srv.tls_context(certs.good)) as good,
            srv.http(srv.tls_context(certs.expired)) as expired,
            srv.http(srv.tls_context(certs.self_signed)) as self_signed,
            srv.http(srv.tls_context(certs.soon)) as soon,
            CheckContext() as ctx,
        ):
            ca = str(certs.ca)
            cases = {
                "good": spec("https", f"{good}/ok", ca_file=ca),
                "untrusted": spec("https", f"{good}/ok"),  # system store: our CA is unknown
                "expired": spec("https", f"{expired}/ok", ca_file=ca),
                "self": spec("https", f"{self_signed}/ok", ca_file=ca),
                "ignored": spec("https", f"{self_signed}/ok", verify_tls=False),
                "soon": spec("https", f"{soon}/ok", ca_file=ca, tls_min_days=14),
            }
            for key, item in cases.items():
                ctx.prepare(item)
                out[key] = await CHECKS["https"].check(item, ctx)
        return out

    r = arun(main())
    assert r["good"].state == State.UP, r["good"]
    for key in ("untrusted", "expired", "self"):
        assert (r[key].state, r[key].error) == (State.DOWN, ErrorClass.TLS), (key, r[key])
    assert "expired" in (r["expired"].detail or "")
    assert "self-signed" in (r["self"].detail or "") or "self signed" in (r["self"].detail or "")
    assert r["ignored"].state == State.UP
    assert (r["soon"].state, r["soon"].error) == (State.DEGRADED, ErrorClass.TLS)
    assert "certificate expires" in (r["soon"].detail or "")


# -- tcp --------------------------------------------------------------------------------------


def test_tcp_up_refused_timeout_dns(srv, arun) -> None:
    async def main() -> dict[str, ProbeResult]:
        async with srv.tcp() as (_, port), srv.unanswered() as black_hole, CheckContext() as ctx:
            cases = {
                "up": spec("tcp", f"127.0.0.1:{port}"),
                "refused": spec("tcp", f"127.0.0.1:{srv.closed_port()}"),
                "timeout": spec("tcp", f"127.0.0.1:{black_hole}", timeout_s=0.3),
                "dns": spec("tcp", "no-such-host.invalid:22"),
            }
            return {k: await CHECKS["tcp"].check(v, ctx) for k, v in cases.items()}

    r = arun(main())
    assert r["up"].state == State.UP and r["up"].detail.startswith("connected to 127.0.0.1:")
    assert (r["refused"].state, r["refused"].error) == (State.DOWN, ErrorClass.CONNECT)
    assert (r["timeout"].state, r["timeout"].error) == (State.DOWN, ErrorClass.TIMEOUT)
    assert (r["dns"].state, r["dns"].error) == (State.DOWN, ErrorClass.DNS)


# -- tls --------------------------------------------------------------------------------------


def test_tls_handshake_expiry_and_failures(srv, arun, certs) -> None:
    async def main() -> dict[str, ProbeResult]:
        ca = str(certs.ca)
        async with (
            srv.tcp(tls=srv.tls_context(certs.good)) as (_, good),
            srv.tcp(tls=srv.tls_context(certs.expired)) as (_, expired),
            srv.tcp(tls=srv.tls_context(certs.self_signed)) as (_, self_signed),
            srv.tcp(tls=srv.tls_context(certs.soon)) as (_, soon),
            srv.silent() as silent,
            CheckContext() as ctx,
        ):
            cases = {
                "good": spec("tls", f"127.0.0.1:{good}", ca_file=ca),
                "expired": spec("tls", f"127.0.0.1:{expired}", ca_file=ca),
                "self": spec("tls", f"127.0.0.1:{self_signed}", ca_file=ca),
                "unverified": spec("tls", f"127.0.0.1:{expired}", verify_tls=False),
                "soon": spec("tls", f"127.0.0.1:{soon}", ca_file=ca, tls_min_days=30),
                "refused": spec("tls", f"127.0.0.1:{srv.closed_port()}"),
                "timeout": spec("tls", f"127.0.0.1:{silent}", timeout_s=0.3),
            }
            return {k: await CHECKS["tls"].check(v, ctx) for k, v in cases.items()}

    r = arun(main())
    assert r["good"].state == State.UP, r["good"]
    assert "handshake ok (TLSv1.3)" in r["good"].detail
    assert "(89 days)" in r["good"].detail or "(90 days)" in r["good"].detail
    assert (r["expired"].state, r["expired"].error) == (State.DOWN, ErrorClass.TLS)
    assert "certificate has expired" in r["expired"].detail
    assert (r["self"].state, r["self"].error) == (State.DOWN, ErrorClass.TLS)
    assert r["unverified"].state == State.UP
    assert "certificate expired" in r["unverified"].detail
    assert "not verified" in r["unverified"].detail
    assert (r["soon"].state, r["soon"].error) == (State.DEGRADED, ErrorClass.TLS)
    assert (r["refused"].state, r["refused"].error) == (State.DOWN, ErrorClass.CONNECT)
    assert (r["timeout"].state, r["timeout"].error) == (State.DOWN, ErrorClass.TIMEOUT)


def test_a_missing_ca_file_is_refused_before_checking(tmp_path) -> None:
    item = spec("tls", "127.0.0.1:443", ca_file=str(tmp_path / "nope.pem"))
    with pytest.raises(InvalidInput) as caught:
        CheckContext().prepare(item)
    assert caught.value.key == "probes.error.bad_ca_file"


# -- dns --------------------------------------------------------------------------------------


RECORDS = {
    ("vps.example.", "A"): ["203.0.113.7"],
    ("vps.example.", "TXT"): ['"v=spf1 -all"'],
    ("mail.example.", "MX"): ["10 mx1.example."],
}


def test_dns_answers_and_failures(srv, arun) -> None:
    async def main() -> dict[str, ProbeResult]:
        async with srv.dns(RECORDS) as (responder, server), CheckContext() as ctx:
            cases = {
                "up": spec("dns", "vps.example", dns_server=server),
                "expected": spec(
                    "dns", "vps.example", dns_server=server, expected_answer="203.0.113.7"
                ),
                "mx": spec(
                    "dns",
                    "mail.example",
                    dns_server=server,
                    dns_record_type="mx",
                    expected_answer=("10 MX1.example",),
                ),
                "txt": spec(
                    "dns",
                    "vps.example",
                    dns_server=server,
                    dns_record_type="TXT",
                    expected_answer=("v=spf1 -all",),
                ),
                "wrong": spec(
                    "dns", "vps.example", dns_server=server, expected_answer=("198.51.100.1",)
                ),
                "nxdomain": spec("dns", "gone.example", dns_server=server),
                "noanswer": spec("dns", "vps.example", dns_server=server, dns_record_type="AAAA"),
                "servfail": spec("dns", "fail.example", dns_server=server),
            }
            out = {k: await CHECKS["dns"].check(v, ctx) for k, v in cases.items()}
            responder.silent = True
            quiet = spec("dns", "vps.example", dns_server=server, timeout_s=0.3)
            out["timeout"] = await CHECKS["dns"].check(quiet, ctx)
            return out

    r = arun(main())
    assert r["up"].state == State.UP and r["up"].detail == "A 203.0.113.7"
    assert r["expected"].state == State.UP
    assert r["mx"].state == State.UP
    assert r["txt"].state == State.UP
    assert (r["wrong"].state, r["wrong"].error) == (State.DOWN, ErrorClass.CONTENT)
    assert "missing 198.51.100.1" in r["wrong"].detail
    assert (r["nxdomain"].state, r["nxdomain"].error) == (State.DOWN, ErrorClass.DNS)
    assert r["nxdomain"].detail.startswith("NXDOMAIN")
    assert (r["noanswer"].state, r["noanswer"].error) == (State.DOWN, ErrorClass.DNS)
    assert (r["servfail"].state, r["servfail"].error) == (State.DOWN, ErrorClass.DNS)
    assert (r["timeout"].state, r["timeout"].error) == (State.DOWN, ErrorClass.TIMEOUT)


def test_check_once_makes_and_closes_its_own_context(srv, arun) -> None:
    async def main() -> ProbeResult:
        async with srv.http() as base:
            return await check_once(spec("http", f"{base}/ok"))

    assert arun(main()).state == State.UP


def test_dns_check_does_not_wait_past_its_timeout(srv, arun) -> None:
    async def main() -> float:
        async with srv.dns(RECORDS) as (responder, server):
            responder.silent = True
            loop = asyncio.get_running_loop()
            start = loop.time()
            await check_once(spec("dns", "vps.example", dns_server=server, timeout_s=0.3))
            return loop.time() - start

    assert arun(main()) < 1.0
