"""The monitoring services below the CLI: durations, monitors, claim windows against a given
clock, the ticket rule, and the chart in Chinese."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from hostclaim.domain.case import Channel, Direction
from hostclaim.errors import Conflict, InvalidInput
from hostclaim.i18n import set_language
from hostclaim.services import cases, communications, monitoring, outages, sla_report
from hostclaim.services.deadlines import list_deadlines
from hostclaim.services.workspace import Workspace

Z = UTC
START, END = datetime(2026, 10, 3, 6, 10, 2, tzinfo=Z), datetime(2026, 10, 4, 2, 5, 2, tzinfo=Z)


def _case(ws: Workspace, **extra: object) -> str:
    details = cases.details_from_text(
        {
            "provider_name": "Nordstern Hosting GmbH",
            "complainant_name": "Wang Min",
            "monthly_fee": "89.00",
            "currency": "EUR",
            "service_tz": "Europe/Berlin",
            **extra,
        }
    )
    return cases.create_case(ws, details).ref


def _import_october(ws: Workspace, ref: str, tmp_path: Path) -> None:
    """api-1 every 5 minutes through October 2026 (UTC), one vantage, down START–END."""
    path = tmp_path / "october.csv"
    lines = ["timestamp,target,up"]
    at = datetime(2026, 9, 30, 20, 0, 2, tzinfo=Z)
    while at < datetime(2026, 11, 1, 2, 0, 2, tzinfo=Z):
        up = "down" if START <= at < END else "up"
        lines.append(f"{at.isoformat().replace('+00:00', 'Z')},api-1,{up}")
        at += timedelta(minutes=5)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monitoring.import_file(ws, ref, path)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("5m", 300), ("1.5h", 5400), ("250ms", 0.25), ("2d", 172800)],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert monitoring.parse_duration(text, what="--interval") == seconds


def test_parse_duration_and_options_refuse_nonsense() -> None:
    with pytest.raises(InvalidInput):
        monitoring.parse_duration("soon", what="--interval")
    assert monitoring.parse_options(["monitor=Shop", " target-column = host "]) == {
        "monitor": "Shop",
        "target_column": "host",
    }
    with pytest.raises(InvalidInput):
        monitoring.parse_options(["monitor"])


def test_monitors_per_case_and_a_run_over_all_cases(ws: Workspace) -> None:
    first, second = _case(ws), _case(ws)
    item = monitoring.MonitorInput(name="web", check="http", target="127.0.0.1:8080")
    row = monitoring.add_monitor(ws, first, item)
    assert (row.target, row.timeout_s) == ("http://127.0.0.1:8080", 10.0)
    with pytest.raises(Conflict):
        monitoring.add_monitor(ws, first, item)
    monitoring.add_monitor(ws, second, monitoring.MonitorInput("db", "tcp", "10.0.0.5:5432", 5))
    assert [(ref, m.name) for ref, m in monitoring.list_monitors(ws)] == [
        (first, "web"),
        (second, "db"),
    ]
    run = monitoring.prepare_run(ws, vantage="lab", references=["127.0.0.1:53"])
    assert run.routes == {"web": first, "db": second}
    assert run.references == ("reference 127.0.0.1:53",)
    spec = run.prober.health.references[0]
    assert (spec.interval_s, spec.timeout_s) == (5, 5)  # as often as the most frequent monitor
    monitoring.add_monitor(ws, second, monitoring.MonitorInput("web", "tcp", "10.0.0.6:80"))
    with pytest.raises(InvalidInput, match="one case at a time"):
        monitoring.prepare_run(ws)
    assert monitoring.prepare_run(ws, second).cases == [second]


@pytest.mark.parametrize(
    ("now", "open_", "days", "warning"),
    [
        (datetime(2026, 12, 20, tzinfo=Z), True, 12, False),
        (datetime(2026, 12, 25, tzinfo=Z), True, 7, True),  # exactly 7 days: warn
        (datetime(2026, 12, 31, 18, tzinfo=Z), True, 0, True),
        (datetime(2027, 1, 1, tzinfo=Z), False, 0, False),  # closed: too late to warn
    ],
)
def test_claim_window_against_an_injected_clock(
    ws: Workspace, tmp_path: Path, now: datetime, open_: bool, days: int, warning: bool
) -> None:
    ref = _case(ws)
    _import_october(ws, ref, tmp_path)
    report = sla_report.sla_report(
        ws, ref, period="2026-10", policy_ref="aws-ec2-instance", now=now
    )
    claim = report.claim
    assert claim is not None and claim.window is not None
    assert claim.window.deadline == datetime(2027, 1, 1, tzinfo=Z)
    assert claim.window.is_open(now) is open_
    assert claim.window.days_remaining(now) == days
    assert report.warning is warning
    data = json.loads(json.dumps(report.as_dict()))
    assert data["warning"] is warning and data["claim"]["open"] is open_
    assert data["now"] == now.isoformat().replace("+00:00", "Z")


def test_availability_is_exact_and_deadlines_are_idempotent(ws: Workspace, tmp_path: Path) -> None:
    ref = _case(ws)
    _import_october(ws, ref, tmp_path)
    report = sla_report.sla_report(ws, ref, period="2026-10", policy_ref="aws-ec2-instance")
    # 5-minute samples: down from the 06:10:02 sample to the 02:05:02 one, 1,196 minutes touched
    assert report.availability_percent == (Decimal(44640 - 1196) / 44640 * 100)
    assert report.credit.amount == Decimal("26.70")
    sla_report.sla_report(ws, ref, period="2026-10", policy_ref="aws-ec2-instance")
    (deadline,) = list_deadlines(ws, ref)
    assert deadline.origin == "I1" and deadline.kind == "sla_claim_window"
    policy = sla_report.load_policy("aws-ec2-instance")
    incident = outages.analyze_case(ws, ref).incidents[0].record
    made, problems = sla_report.add_claim_deadlines(ws, ref, policy, [incident])
    assert [d.id for d in made] == [deadline.id] and problems == []


def test_ticket_rule_counts_downtime_from_the_ticket(ws: Workspace, tmp_path: Path) -> None:
    ref = _case(ws)
    _import_october(ws, ref, tmp_path)
    without = sla_report.sla_report(ws, ref, period="2026-10", policy_ref="ovhcloud-dedicated")
    assert without.credit.amount == 0 and without.ticket_rule
    assert any("no ticket" in line for line in without.credit.lines("en"))
    communications.log_contact(
        ws,
        ref,
        communications.ContactInput(
            at=START + timedelta(hours=2),
            channel=Channel.TICKET,
            direction=Direction.OUTBOUND,
            summary="Server unreachable",
            ticket_ref="#448120",
        ),
    )
    report = sla_report.sla_report(ws, ref, period="2026-10", policy_ref="ovhcloud-dedicated")
    (outage,) = report.credit.outages
    assert outage.ticket_opened_at == START + timedelta(hours=2)
    assert outage.counted == timedelta(hours=17, minutes=55)
    # beyond the allowance (0.1 % of 44,640 min = 44.64 min): 1,030.36 min → 35 started
    # half hours × 5 % = 175 %, capped at 50 % of €89.00
    assert report.credit.intervals == 35
    assert report.credit.amount == Decimal("44.50") and report.credit.capped
    # the claim window: 60 calendar days after the day the incident ended (UTC)
    assert report.claim is not None and report.claim.window is not None
    assert report.claim.window.deadline == datetime(2026, 12, 4, tzinfo=Z)


def test_case_policy_by_reference_adds_deadlines_on_analysis(ws: Workspace, tmp_path: Path) -> None:
    ref = _case(ws, sla_policy="vultr")
    _import_october(ws, ref, tmp_path)
    analysis = outages.analyze_case(ws, ref)
    (deadline,) = analysis.deadlines
    assert deadline.due_at == END + timedelta(days=3)
    assert deadline.rule == "vultr@as-of-2026-11 days_after_incident"
    assert outages.analyze_case(ws, ref).deadlines[0].id == deadline.id


def test_chart_in_chinese(ws: Workspace, tmp_path: Path) -> None:
    ref = _case(ws)
    _import_october(ws, ref, tmp_path)
    set_language("zh")
    try:
        report = sla_report.sla_report(
            ws, ref, period="2026-10", policy_ref="aws-ec2-instance", chart=tmp_path / "图表"
        )
    finally:
        set_language("en")
    assert report.chart is not None
    png, svg = report.chart
    assert png.name == "图表.png" and png.read_bytes()[:4] == b"\x89PNG"
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with pytest.raises(InvalidInput):
        sla_report.sla_report(
            ws, ref, period="2026-10", policy_ref="aws-ec2-instance", chart=tmp_path / "no" / "x"
        )
