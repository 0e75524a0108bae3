"""MonitorSpec: validation with actionable errors, round trips, stable phases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostclaim.errors import InvalidInput
from hostclaim.i18n import t
from hostclaim.probes import MonitorSpec, parse_status_ranges, split_host_port


def test_defaults_and_normalisation() -> None:
    spec = MonitorSpec(kind="HTTPS", target="vps.example.net/health")
    assert spec.kind == "https"
    assert spec.target == "https://vps.example.net/health"
    assert spec.name == spec.target
    assert spec.expected_status == ((200, 399),)
    dns = MonitorSpec(
        kind="dns",
        target="vps.example.net",
        dns_record_type="aaaa",
        expected_answer=("2001:db8::1", "2001:db8::2"),
        dns_server="127.0.0.1:5353",
    )
    assert dns.dns_record_type == "AAAA"
    assert dns.expected_answer == ("2001:db8::1", "2001:db8::2")


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"kind": "icmp", "target": "x"}, "probes.error.bad_kind"),
        ({"kind": "http", "target": " "}, "probes.error.no_target"),
        ({"kind": "https", "target": "http://x.example/"}, "probes.error.bad_url"),
        ({"kind": "http", "target": "ftp://x.example/"}, "probes.error.bad_url"),
        ({"kind": "http", "target": "http://x.example:99999/"}, "probes.error.bad_url"),
        ({"kind": "tcp", "target": "x.example"}, "probes.error.needs_port"),
        ({"kind": "tcp", "target": "x.example:http"}, "probes.error.bad_host_port"),
        ({"kind": "dns", "target": "a b"}, "probes.error.bad_dns_name"),
        (
            {"kind": "dns", "target": "x.example", "dns_server": "ns.example"},
            "probes.error.bad_dns_server",
        ),
        ({"kind": "tcp", "target": "x:1", "interval_s": 0.001}, "probes.error.bad_interval"),
        (
            {"kind": "tcp", "target": "x:1", "interval_s": 5, "timeout_s": 6},
            "probes.error.bad_timeout",
        ),
        (
            {"kind": "http", "target": "x.example", "expected_status": "2xx"},
            "probes.error.bad_status",
        ),
        ({"kind": "http", "target": "x.example", "method": "DELETE"}, "probes.error.bad_method"),
        (
            {"kind": "http", "target": "x.example", "method": "HEAD", "expected_text": "ok"},
            "probes.error.head_has_no_body",
        ),
        (
            {"kind": "dns", "target": "x.example", "dns_record_type": "ZZ"},
            "probes.error.bad_record_type",
        ),
    ],
)
def test_invalid_specs_say_what_to_fix(options: dict[str, object], key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        MonitorSpec(**options)  # type: ignore[arg-type]
    assert caught.value.key == key
    for lang in ("en", "zh"):
        assert caught.value.render(lang) != key  # the catalogs have it, in both languages


def test_status_ranges() -> None:
    assert parse_status_ranges("200-299, 301") == ((200, 299), (301, 301))
    assert parse_status_ranges(204) == ((204, 204),)
    assert parse_status_ranges((200, 204)) == ((200, 204),)
    assert parse_status_ranges([200, "300-302"]) == ((200, 200), (300, 302))
    for bad in ("299-200", "99", "abc", True, 700):
        with pytest.raises(InvalidInput):
            parse_status_ranges(bad)


def test_host_port() -> None:
    assert split_host_port("example.com:443") == ("example.com", 443)
    assert split_host_port("[2001:db8::1]:8443") == ("2001:db8::1", 8443)
    assert split_host_port("example.com", 443) == ("example.com", 443)
    assert split_host_port("[::1]", 443) == ("::1", 443)
    for bad in ("[::1", "host:0", "host:70000", ":22", "a b:1"):
        with pytest.raises(InvalidInput):
            split_host_port(bad, 443)


def test_dict_round_trip_and_unknown_fields() -> None:
    spec = MonitorSpec(
        kind="http",
        target="x.example",
        name="shop",
        expected_status=parse_status_ranges("200,204"),
        expected_text="ok",
        interval_s=30,
        timeout_s=5,
    )
    data = spec.to_dict()
    assert data["expected_status"] == "200,204"
    assert MonitorSpec.from_dict(data) == spec
    loose = MonitorSpec.from_dict(
        {"kind": "dns", "target": "x.example", "expected_answer": "192.0.2.1, 192.0.2.2"}
    )
    assert loose.expected_answer == ("192.0.2.1", "192.0.2.2")
    with pytest.raises(InvalidInput) as caught:
        MonitorSpec.from_dict({**data, "colour": "red"})
    assert "colour" in t(caught.value.key, "en", **caught.value.params)


@given(st.text(min_size=1, max_size=40).filter(lambda s: s.strip() != ""))
def test_phase_is_stable_and_in_range(name: str) -> None:
    a = MonitorSpec(kind="tcp", target="x.example:1", name=name)
    b = MonitorSpec(kind="tcp", target="y.example:2", name=name, interval_s=10)
    assert 0.0 <= a.phase_fraction < 1.0
    assert a.phase_fraction == b.phase_fraction  # depends on the name only


def test_phases_spread_targets_over_the_interval() -> None:
    phases = sorted(
        MonitorSpec(kind="tcp", target=f"h{i}.example:80").phase_fraction for i in range(1000)
    )
    deciles = [sum(1 for p in phases if d / 10 <= p < (d + 1) / 10) for d in range(10)]
    assert min(deciles) > 60 and max(deciles) < 140
