"""``hostclaim outage analyze`` and ``hostclaim sla report`` on a planted outage, end to end.

The data: api-1 checked every 60 s from two vantage points (fra, home) through October 2026.
Both see it down from 2026-10-03 06:10:02Z to 2026-10-04 02:05:02Z (19 h 55 min); ``home``
alone also sees it down for 3 h on 12 October (its own line was down) — with a quorum of 1
(both must agree) that does not count.

Hand-checked figures (1-minute intervals, rule "any": the outage touches 1,196 minutes):
- AWS EC2 instance SLA (UTC month, 44,640 min): 1 − 1196/44640 = 97.3207…% → tier 95–99 %
  → 30 % of €89.00 = €26.70; claim by the end of the 2nd billing cycle after October:
  2027-01-01T00:00Z (last day 2026-12-31).
- the contract SLA file (Europe/Berlin month, 745 h = 44,700 min): 1 − 1196/44700 =
  97.3243…% → tier 97–99 % → 25 % of €89.00 = €22.25; claim within 60 days of the end:
  2026-12-03T02:05:02Z (last day 2026-12-03 in Berlin).
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

Z = UTC
OUTAGE = (datetime(2026, 10, 3, 6, 10, 2, tzinfo=Z), datetime(2026, 10, 4, 2, 5, 2, tzinfo=Z))
HOME_ONLY = (datetime(2026, 10, 12, 1, 0, 2, tzinfo=Z), datetime(2026, 10, 12, 4, 0, 2, tzinfo=Z))

POLICY = """\
key: nordstern-dedicated
version: contract-2026
provider: Nordstern Hosting GmbH
product: Dedicated servers, contract K-58213
sources: ["Contract K-58213, Annex 2 (Service Level Agreement)"]
commitment:
  target_percent: {value: 99.9, source: "Contract K-58213 Annex 2 §2", checked: 2026-01-15, status: verified}
  scope: {value: "each dedicated server", source: "Contract K-58213 Annex 2 §2", checked: 2026-01-15, status: verified}
  unavailable_when: {value: "the server does not answer on its public address", source: "Contract K-58213 Annex 2 §3", checked: 2026-01-15, status: verified}
measurement:
  period: {value: calendar_month, source: "Contract K-58213 Annex 2 §4", checked: 2026-01-15, status: verified}
  timezone: {value: Europe/Berlin, source: "Contract K-58213 §12 (German law, Berlin time)", checked: 2026-01-15, status: verified}
  granularity: {value: 60, source: "Contract K-58213 Annex 2 §4", checked: 2026-01-15, status: verified}
credit:
  schedule:
    value:
      kind: availability_tiers
      tiers:
        - {lower: 99.0, upper: 99.9, percent: 10}
        - {lower: 97.0, upper: 99.0, percent: 25}
        - {upper: 97.0, percent: 50}
    source: "Contract K-58213 Annex 2 §5"
    checked: 2026-01-15
    status: verified
  base: {value: monthly_fee, source: "Contract K-58213 Annex 2 §5", checked: 2026-01-15, status: verified}
  cap_percent: {value: 50, source: "Contract K-58213 Annex 2 §5", checked: 2026-01-15, status: verified}
claim:
  window:
    value: {kind: days_after_incident, days: 60}
    source: "Contract K-58213 Annex 2 §6"
    checked: 2026-01-15
    status: verified
  channel: {value: {kind: support_ticket, detail: "robot.nordstern.example"}, source: "Contract K-58213 Annex 2 §6", checked: 2026-01-15, status: verified}
  subject_must_contain: {value: "SLA-Gutschrift", source: "Contract K-58213 Annex 2 §6", checked: 2026-01-15, status: verified}
  required_information: {value: [incident_times, ticket_number], source: "Contract K-58213 Annex 2 §6", checked: 2026-01-15, status: verified}
"""  # noqa: E501 - a policy file as a user writes it


def write_checks(
    path: Path,
    start: datetime,
    end: datetime,
    outages: list[tuple[str | None, datetime, datetime]],
    *,
    target: str = "api-1",
    vantages: tuple[str, ...] = ("fra", "home"),
    step: timedelta = timedelta(seconds=60),
) -> Path:
    """A CSV of checks every ``step``; a vantage of None in ``outages`` means all of them."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["timestamp", "target", "vantage", "up", "latency_ms"])
        for vantage in vantages:
            at = start
            while at < end:
                down = any(v in (None, vantage) and s <= at < e for v, s, e in outages)
                stamp = at.isoformat().replace("+00:00", "Z")
                out.writerow([stamp, target, vantage, "down" if down else "up", "" if down else 40])
                at += step
    return path


@pytest.fixture
def october(cli, case_ref, tmp_path) -> str:
    path = write_checks(
        tmp_path / "api-1-october.csv",
        datetime(2026, 9, 30, 21, 0, 2, tzinfo=Z),
        datetime(2026, 11, 1, 1, 0, 2, tzinfo=Z),
        [(None, *OUTAGE), ("home", *HOME_ONLY)],
    )
    result = cli("monitor", "import", case_ref, str(path))
    assert result.exit_code == 0, result.output
    return case_ref


def _deadlines(cli, case_ref):
    from hostclaim.services.deadlines import list_deadlines
    from hostclaim.services.workspace import open_workspace

    ws = open_workspace(cli.home)
    try:
        return list_deadlines(ws, case_ref)
    finally:
        ws.close()


def test_analyze_finds_the_planted_outage_with_quorum_and_does_not_duplicate(cli, october) -> None:
    result = cli("outage", "analyze", october, "--quorum", "1", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    (incident,) = out["incidents"]
    assert incident["ref"] == "I1" and incident["new"] is True
    assert (incident["start"], incident["end"]) == ("2026-10-03T06:10:02Z", "2026-10-04T02:05:02Z")
    assert incident["duration_s"] == 19 * 3600 + 55 * 60
    assert incident["vantages"] == ["fra", "home"]
    assert incident["evidence"] == ["E1", "E2"]  # the imported CSV and its segment
    october_figure = next(
        p for p in out["periods"] if p["target"] == "api-1" and p["start"] == "2026-09-30T22:00:00Z"
    )
    assert october_figure["availability"] == pytest.approx(1 - 1196 / 44700)
    assert october_figure["coverage"] == 1.0
    assert {(s["vantage"], s["samples"]) for s in out["latency"]} == {
        ("fra", 44880),
        ("home", 44880),
    }
    assert "at least 100%" in out["method"]

    again = json.loads(cli("outage", "analyze", october, "--quorum", "1", "--json").stdout)
    assert [(i["ref"], i["new"]) for i in again["incidents"]] == [("I1", False)]
    rows = json.loads(cli("incident", "list", october, "--json").stdout)
    assert len(rows) == 1
    assert rows[0]["established_by"] == "analysis" and rows[0]["target"] == "api-1"
    assert rows[0]["evidence_numbers"] == [1, 2]

    # With the default quorum (at least half), one of two vantage points is enough.
    loose = json.loads(cli("outage", "analyze", october, "--json").stdout)
    assert [(i["ref"], i["new"], i["vantages"]) for i in loose["incidents"]] == [
        ("I1", False, ["fra", "home"]),
        ("I2", True, ["home"]),
    ]
    text = cli("outage", "analyze", october, "--quorum", "1")
    assert text.exit_code == 0
    assert "19 h 55 min" in text.stdout and "already recorded" in text.stdout
    assert "Method:" in text.stdout and "no SLA policy" in text.stdout
    assert cli("verify", october).exit_code == 0


def test_analyze_window_options_and_bad_input(cli, october) -> None:
    window = cli(
        "outage",
        "analyze",
        october,
        "--from",
        "2026-10-10 00:00",
        "--to",
        "2026-10-20 00:00",
        "--tz",
        "Europe/Berlin",
        "--min-duration",
        "5m",
        "--json",
    )
    assert window.exit_code == 0, window.output
    out = json.loads(window.stdout)
    assert [i["start"] for i in out["incidents"]] == ["2026-10-12T01:00:02Z"]
    assert out["window"] == ["2026-10-09T22:00:00Z", "2026-10-19T22:00:00Z"]
    assert cli("outage", "analyze", october, "--target", "nope").exit_code == 2
    assert "api-1" in cli("outage", "analyze", october, "--target", "nope").stderr
    assert cli("outage", "analyze", october, "--quorum", "0").exit_code == 2
    assert cli("outage", "analyze", october, "--merge-tolerance", "soon").exit_code == 2
    reversed_ = cli(
        "outage", "analyze", october, "--from", "2026-10-20T00:00Z", "--to", "2026-10-01T00:00Z"
    )
    assert reversed_.exit_code == 2
    assert json.loads(cli("incident", "list", october, "--json").stdout)[0]["ref"] == "I1"


def test_analyze_without_data_is_a_clear_error(cli, case_ref) -> None:
    result = cli("outage", "analyze", case_ref)
    assert result.exit_code == 2 and "monitor import" in result.stderr


def test_sla_report_aws_instance_tier_amount_and_deadline(cli, october, tmp_path) -> None:
    chart = tmp_path / "charts" / "october"
    chart.parent.mkdir()
    args = ["sla", "report", october, "--period", "2026-10", "--policy", "aws-ec2-instance"]
    result = cli(*args, "--quorum", "1", "--chart", str(chart), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["policy"]["ref"] == "aws-ec2-instance@as-of-2026-11"
    assert out["period"] == {
        "month": "2026-10",
        "start": "2026-10-01T00:00:00Z",
        "end": "2026-11-01T00:00:00Z",
        "tz": "UTC",
    }
    assert out["availability"]["percent"].startswith("97.32078853")
    assert out["availability"]["down_s"] == 1196 * 60
    assert out["availability"]["coverage"] == 1.0
    assert "time-weighted" in out["availability"]["method"]
    assert out["credit"]["tier"] == {"lower": "95.0", "upper": "99.0", "percent": "30"}
    assert (out["credit"]["amount"], out["credit"]["currency"]) == ("26.70", "EUR")
    assert any("30% × €89.00 = €26.70" in line for line in out["credit"]["computation"])
    claim = out["claim"]
    assert claim["ref"] == "I1" and claim["counted"] is True
    assert (claim["deadline"], claim["last_day"]) == ("2027-01-01T00:00:00Z", "2026-12-31")
    assert "2nd billing cycle" in claim["rule"]
    assert [i["ref"] for i in out["incidents"]] == ["I1"]
    assert any("SLA Credit Request" in p["text"] for p in out["procedure"])
    assert len(out["days"]) == 31
    day3 = next(d for d in out["days"] if d["day"] == "2026-10-03")
    assert day3["down_s"] == (24 * 60 - (6 * 60 + 10)) * 60

    png, svg = Path(out["chart"][0]), Path(out["chart"][1])
    assert png == chart.with_name("october.png") and svg == chart.with_name("october.svg")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 10_000
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"

    (deadline,) = _deadlines(cli, october)
    assert deadline.kind == "sla_claim_window" and deadline.origin == "I1"
    assert deadline.rule == "aws-ec2-instance@as-of-2026-11 end_of_nth_billing_cycle_after_incident"
    assert deadline.source == "https://aws.amazon.com/compute/sla/"
    assert deadline.due_at == datetime(2027, 1, 1, tzinfo=Z)

    text = cli(*args, "--quorum", "1")
    assert text.exit_code == 0, text.output
    for needle in ("97.3207%", "€26.70", "2027-01-01 00:00", "SLA Credit Request", "T1"):
        assert needle in text.stdout, needle
    assert len(_deadlines(cli, october)) == 1  # idempotent
    assert len(json.loads(cli("incident", "list", october, "--json").stdout)) == 1
    assert cli("verify", october).exit_code == 0


def test_sla_report_with_the_contract_policy_file(cli, october, tmp_path) -> None:
    policy = tmp_path / "nordstern-sla.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    result = cli(
        "sla", "report", october, "--period", "2026-10", "--policy-file", str(policy),
        "--quorum", "1", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["policy"]["ref"] == "nordstern-dedicated@contract-2026"
    assert out["policy"]["origin"] == "file" and out["policy"]["evidence"] == "E3"
    assert out["period"]["start"] == "2026-09-30T22:00:00Z"
    assert out["period"]["end"] == "2026-10-31T23:00:00Z"  # 745 hours: DST ends on the 25th
    assert out["availability"]["percent"].startswith("97.32438478")
    assert out["credit"]["tier"] == {"lower": "97.0", "upper": "99.0", "percent": "25"}
    assert out["credit"]["amount"] == "22.25"
    assert (out["claim"]["deadline"], out["claim"]["last_day"]) == (
        "2026-12-03T02:05:02Z",
        "2026-12-03",
    )
    assert any("SLA-Gutschrift" in p["text"] for p in out["procedure"])

    items = {e["ref"]: e for e in json.loads(cli("evidence", "list", october, "--json").stdout)}
    assert items["E3"]["kind"] == "contract" and items["E3"]["origin"] == "sla_policy_file"
    case = json.loads(cli("case", "show", october, "--json").stdout)
    assert case["sla_policy"] == "E3"

    # The case now carries its contract SLA: no option needed, and nothing is stored twice.
    again = json.loads(
        cli("sla", "report", october, "--period", "2026-10", "--quorum", "1", "--json").stdout
    )
    assert again["policy"]["origin"] == "case" and again["policy"]["evidence"] == "E3"
    assert again["credit"]["amount"] == "22.25"
    assert len(json.loads(cli("evidence", "list", october, "--json").stdout)) == 3
    (deadline,) = _deadlines(cli, october)
    assert deadline.rule == "nordstern-dedicated@contract-2026 days_after_incident"
    assert deadline.source == "Contract K-58213 Annex 2 §6"

    # analyze now adds the claim deadline of every incident it records
    loose = json.loads(cli("outage", "analyze", october, "--json").stdout)
    assert loose["deadlines"] == ["T1", "T2"]
    assert cli("verify", october).exit_code == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--period", "October", "--policy", "vultr"], "YYYY-MM"),
        (["--period", "2026-10"], "no SLA policy"),
        (["--period", "2026-10", "--policy", "nope"], "no SLA policy nope"),
        (["--period", "2026-10", "--policy", "vultr", "--policy-file", "x.yaml"], "not both"),
        (["--period", "2026-10", "--policy-file", "/no/such.yaml"], "does not exist"),
        (["--period", "2027-03", "--policy", "vultr"], "no probe data"),
        (["--period", "2026-10", "--policy", "vultr", "--chart", "/no/such/dir/x"], "not exist"),
        (["--period", "2026-10", "--policy", "equinix-colocation@contract"], "placeholder"),
    ],
)
def test_sla_report_refuses_bad_input(cli, october, args, needle) -> None:
    before = len(json.loads(cli("evidence", "list", october, "--json").stdout))
    result = cli("sla", "report", october, *args)
    assert result.exit_code == 2, result.output
    assert needle.lower() in result.stderr.lower()
    assert len(json.loads(cli("evidence", "list", october, "--json").stdout)) == before
    assert json.loads(cli("incident", "list", october, "--json").stdout) == []


def test_sla_report_warns_loudly_when_the_window_closes_within_7_days(
    cli, case_ref, tmp_path
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    end = now - timedelta(hours=20)
    start = end - timedelta(hours=6)
    path = write_checks(
        tmp_path / "vps.csv",
        now - timedelta(hours=30),
        now - timedelta(hours=1),
        [(None, start, end)],
        target="vps",
    )
    assert cli("monitor", "import", case_ref, str(path)).exit_code == 0
    period = end.strftime("%Y-%m")
    result = cli("sla", "report", case_ref, "--period", period, "--policy", "vultr")
    assert result.exit_code == 0, result.output
    assert "CLAIM WINDOW CLOSING" in result.stdout
    assert "2 day(s)" in result.stdout
    as_json = cli("sla", "report", case_ref, "--period", period, "--policy", "vultr", "--json")
    out = json.loads(as_json.stdout)
    assert out["warning"] is True and out["claim"]["days_remaining"] == 2
    assert "CLAIM WINDOW CLOSING" in as_json.stderr
    assert any("ticket" in p["text"] for p in out["procedure"])
    assert any("does not say in what intervals" in n for n in out["notes"])
    assert cli("verify", case_ref).exit_code == 0


def test_sla_report_warns_when_most_of_the_period_has_no_data(cli, case_ref, tmp_path) -> None:
    import json
    import shutil
    from pathlib import Path

    kuma = tmp_path / "kuma.db"
    shutil.copy(Path(__file__).parents[1] / "importers" / "fixtures" / "kuma_v1.db", kuma)
    assert cli("monitor", "import", case_ref, str(kuma), "--monitor", "1").exit_code == 0
    result = cli("sla", "report", case_ref, "--period", "2025-12", "--policy", "aws-ec2-instance")
    assert result.exit_code == 0, result.output
    assert "of the period has data" in result.stdout
    data = json.loads(
        cli(
            "sla",
            "report",
            case_ref,
            "--period",
            "2025-12",
            "--policy",
            "aws-ec2-instance",
            "--json",
        ).stdout
    )
    assert data["availability"]["thin_coverage"] is True
