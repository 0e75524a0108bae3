"""Follow-up services on scenario cases built through the services, on real SQLite.

"Today" is fixed (``NOW``) and passed to the services, so the scenarios do not age.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from hostclaim.domain.case import Channel, ComplainantType, DemandKind, Direction
from hostclaim.domain.lifecycle import Stage
from hostclaim.errors import InvalidInput
from hostclaim.i18n import t
from hostclaim.services import cases, communications, demands, followup, incidents
from hostclaim.services.deadlines import list_deadlines
from hostclaim.services.facts import case_facts, deadline_inputs, load_case_data
from hostclaim.services.verify import verify_case
from hostclaim.services.workspace import Workspace, load_case

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def open_case(ws: Workspace, **details: Any) -> str:
    values: dict[str, Any] = {
        "complainant_name": "Test complainant",
        "provider_name": "Example Hosting",
        "service_tz": "Europe/London",
    }
    values.update(details)
    return cases.create_case(ws, cases.CaseDetails(**values)).ref


def contact(
    ws: Workspace,
    ref: str,
    at: datetime,
    direction: str = "outbound",
    channel: str = "email",
    summary: str = "About the outage",
    **extra: Any,
) -> str:
    row = communications.log_contact(
        ws,
        ref,
        communications.ContactInput(
            at=at,
            channel=Channel(channel),
            direction=Direction(direction),
            summary=summary,
            **extra,
        ),
    )
    return f"C{row.number}"


def set_fields(ws: Workspace, ref: str, **values: str) -> None:
    cases.update_case(ws, ref, cases.details_from_text(dict(values)))


def codes(reasons: list[dict[str, Any]], *, blocking: bool | None = None) -> list[str]:
    return [r["code"] for r in reasons if blocking is None or r["blocking"] is blocking]


def closed(step: followup.NextStep, name: str) -> dict[str, Any]:
    return next(r for r in step.closed if r["step"] == name)


def body(rung: dict[str, Any], key: str) -> dict[str, Any]:
    return next(b for b in rung["bodies"] if b["key"] == key)


# -- UK: a consumer, a micro-business and a larger business against a UK provider ---------------


def uk_case(ws: Workspace, kind: ComplainantType, employees: int | None = None) -> str:
    ref = open_case(
        ws,
        complainant_type=kind,
        complainant_country="GB",
        provider_country="GB",
        currency="GBP",
    )
    if employees is not None:
        set_fields(ws, ref, complainant_employees=str(employees))
    contact(ws, ref, ago(60), summary="Reported the outage")
    contact(ws, ref, ago(55), "inbound", summary="We are looking into it, no credit offered")
    contact(ws, ref, ago(50), channel="letter", subject="Formal complaint", summary="Letter")
    contact(ws, ref, ago(40), summary="Follow-up: still no answer to our letter")
    set_fields(ws, ref, management_escalation_at=ago(30).isoformat())
    cases.move_stage(ws, ref, Stage.ESCALATED_INTERNAL, "wrote to the managing director")
    return ref


@pytest.mark.parametrize(
    ("kind", "employees"),
    [(ComplainantType.CONSUMER, None), (ComplainantType.BUSINESS, 8)],
    ids=["consumer", "micro-business"],
)
def test_uk_consumer_and_micro_business_go_to_adr(
    ws: Workspace, kind: ComplainantType, employees: int | None
) -> None:
    ref = uk_case(ws, kind, employees)
    step = followup.next_step(ws, ref, now=NOW, lang="en")
    assert step.step is not None and step.step["step"] == "mediation"
    assert step.letter == "mediation_request"
    assert step.command == f"hostclaim letter draft {ref} --kind mediation_request"
    adr = body(step.step, "uk-ofcom-adr")
    assert adr["open"] is True
    assert "no_answer" in codes(step.why)
    assert step.step["risks"]  # the guide's warnings at this step
    rules = {row.rule for row in list_deadlines(ws, ref)}
    assert "escalation.uk-ofcom-adr" in rules  # consumers and businesses of ≤ 10 employees


def test_larger_uk_business_goes_the_contract_route(ws: Workspace) -> None:
    ref = uk_case(ws, ComplainantType.BUSINESS, 50)
    step = followup.next_step(ws, ref, now=NOW, lang="en")
    assert step.step is not None and step.step["step"] == "legal"
    assert step.letter == "letter_before_action"
    mediation = closed(step, "mediation")
    assert "too_big_employees" in codes(body(mediation, "uk-ofcom-adr")["reasons"], blocking=True)
    assert "skipped" in codes(step.why)
    assert "escalation.uk-ofcom-adr" not in {row.rule for row in list_deadlines(ws, ref)}


def test_business_size_unknown_is_asked_for(ws: Workspace) -> None:
    ref = uk_case(ws, ComplainantType.BUSINESS)
    step = followup.next_step(ws, ref, now=NOW, lang="en")
    adr = body(closed(step, "mediation"), "uk-ofcom-adr")
    assert "size_unknown_employees" in codes(adr["reasons"], blocking=True)


# -- a Chinese business against a German host (JOURNEYS §1) -------------------------------------


def wang_min(ws: Workspace) -> str:
    ref = open_case(
        ws,
        complainant_name="王敏",
        complainant_type=ComplainantType.BUSINESS,
        complainant_country="CN",
        provider_name="Hetzner Online GmbH",
        provider_key="hetzner",
        provider_country="DE",
        service_tz="Europe/Berlin",
        currency="EUR",
        monthly_fee=Decimal("89.00"),
    )
    set_fields(
        ws,
        ref,
        complainant_employees="40",
        governing_law="German law",
        venue="Landgericht Frankfurt am Main",
        venue_country="DE",
    )
    incidents.record_incident(
        ws, ref, incidents.IncidentInput(start=ago(58), end=ago(57), impact="API unreachable")
    )
    contact(ws, ref, ago(58), channel="ticket", summary="Opened ticket about the outage")
    contact(ws, ref, ago(58), "inbound", summary="Automatic reply: ticket #448120 opened")
    contact(ws, ref, ago(56), "inbound", summary="Vague reply: resolved, no cause given")
    contact(ws, ref, ago(40), channel="letter", subject="Formal complaint", summary="Complaint")
    contact(ws, ref, ago(25), summary="Follow-up on our complaint letter")
    contact(
        ws,
        ref,
        ago(20),
        channel="letter",
        subject="Escalation to management",
        summary="Wrote to the managing directors",
    )
    demands.add_demand(
        ws,
        ref,
        demands.DemandInput(
            kind=DemandKind.SERVICE_CREDIT, text="30% SLA credit", amount=Decimal("26.70")
        ),
    )
    return ref


def test_chinese_business_against_a_german_host(ws: Workspace) -> None:
    ref = wang_min(ws)
    step = followup.next_step(ws, ref, now=NOW, lang="en")
    # The overdue reply to the escalation letter comes first.
    assert step.overdue and step.overdue[0].state == "overdue"
    assert step.overdue[0].kind == "reply_due"
    # No third party is open: consumer bodies are closed, MIIT is out of scope by inference.
    for name in ("mediation", "regulator", "consumer_body"):
        assert closed(step, name)["open"] is False
    samr = body(closed(step, "regulator"), "cn-12315")
    assert "consumer_only" in codes(samr["reasons"], blocking=True)
    miit = body(closed(step, "regulator"), "cn-miit-12300")
    outside = next(r for r in miit["reasons"] if r["code"] == "provider_outside")
    assert outside["blocking"] and outside["inference"]
    bnetza = body(closed(step, "mediation"), "de-bnetza-schlichtung")
    assert "provider_not_member" in codes(bnetza["reasons"], blocking=True)
    # The route: a letter before action, then the court named in the contract.
    assert step.step is not None and step.step["step"] == "legal"
    assert step.letter == "letter_before_action"
    forum = next(r for r in step.step["reasons"] if r["code"] == "contract_forum")
    assert "Landgericht Frankfurt am Main" in forum["text"]
    # In Chinese too.
    zh = followup.next_step(ws, ref, now=NOW, lang="zh")
    assert zh.letter_title == t("escalation.letter.letter_before_action", "zh")
    assert zh.step is not None and zh.step["title"] == t("escalation.step.legal", "zh")
    forum_zh = next(r for r in zh.step["reasons"] if r["code"] == "contract_forum")
    assert "Landgericht Frankfurt am Main" in forum_zh["text"] and forum_zh["text"] != forum["text"]


def test_a_new_reply_window_makes_next_wait(ws: Workspace) -> None:
    ref = wang_min(ws)
    contact(ws, ref, ago(3), channel="letter", subject="Letter before action", summary="LBA")
    step = followup.next_step(ws, ref, now=NOW, lang="en")
    assert step.step is not None and step.step["step"] == "legal"
    assert step.letter is None and step.command is None
    assert step.wait_until is not None and step.wait_until > NOW
    assert codes(step.why) == ["waiting"]


def test_legal_route_checklist(ws: Workspace) -> None:
    ref = wang_min(ws)
    view = followup.legal_route(ws, ref, now=NOW, lang="en")
    steps = {s["step"]: s for s in view.steps}
    assert list(steps) == [
        "consult_lawyer",
        "prepare_materials",
        "file_claim",
        "hearing",
        "enforcement",
    ]
    has = {i["item"] for i in steps["consult_lawyer"]["has"]}
    assert {"amount_calculation", "forum_known"} <= has
    assert "contract" in {i["item"] for i in steps["consult_lawyer"]["lacks"]}
    assert "statement_of_claim" in {i["item"] for i in steps["prepare_materials"]["lacks"]}
    assert view.claimed == ["EUR 26.70"]
    assert view.forums == []  # no small-claims procedure for DE or CN in the directory
    assert view.contract_forum and view.contract_forum["venue_country"] == "DE"

    set_fields(ws, ref, lawyer_consulted_on="2026-11-20", statement_of_claim="E9")
    view = followup.legal_route(ws, ref, now=NOW, lang="en")
    steps = {s["step"]: s for s in view.steps}
    assert steps["consult_lawyer"]["done"] is True
    assert "statement_of_claim" in {i["item"] for i in steps["prepare_materials"]["has"]}


def test_uk_small_claims_limit_in_the_legal_route(ws: Workspace) -> None:
    ref = uk_case(ws, ComplainantType.BUSINESS, 50)
    demands.add_demand(
        ws,
        ref,
        demands.DemandInput(kind=DemandKind.COMPENSATION, text="Lost sales", amount=Decimal(2400)),
    )
    forum = next(f for f in followup.legal_route(ws, ref, now=NOW).forums)
    assert forum["body"] == "uk-small-claims" and forum["fits"] is True
    assert forum["limit"] == "GBP 10,000"
    demands.add_demand(
        ws,
        ref,
        demands.DemandInput(kind=DemandKind.COMPENSATION, text="More", amount=Decimal(9000)),
    )
    forum = next(f for f in followup.legal_route(ws, ref, now=NOW).forums)
    assert forum["fits"] is False and forum["claimed"] == "GBP 11,400"


# -- scheme membership and time bars -------------------------------------------------------------


def test_provider_that_is_not_a_scheme_member(ws: Workspace) -> None:
    ref = open_case(
        ws,
        complainant_type=ComplainantType.CONSUMER,
        complainant_country="DE",
        provider_name="Hetzner",
        provider_key="hetzner",
        service_tz="Europe/Berlin",
    )
    contact(ws, ref, ago(30), summary="Complaint about the outage")
    contact(ws, ref, ago(25), "inbound", summary="We decline any credit")
    contact(ws, ref, ago(20), channel="letter", subject="Formal complaint", summary="Letter")
    contact(ws, ref, ago(15), "inbound", summary="Final answer: declined")
    set_fields(ws, ref, management_escalation_at=ago(12).isoformat())
    contact(ws, ref, ago(10), "inbound", summary="Management: declined as well")
    step = followup.next_step(ws, ref, now=NOW, lang="en")
    bnetza = body(closed(step, "mediation"), "de-bnetza-schlichtung")
    assert codes(bnetza["reasons"], blocking=True) == ["provider_not_member"]

    set_fields(ws, ref, provider_memberships="de-bnetza-schlichtung")
    step = followup.next_step(ws, ref, now=NOW, lang="en")
    assert step.step is not None and step.step["step"] == "mediation"
    assert body(step.step, "de-bnetza-schlichtung")["open"] is True
    assert "answered_unresolved" in codes(step.why)


def test_unknown_membership_key_is_refused(ws: Workspace) -> None:
    ref = open_case(ws, complainant_country="DE")
    with pytest.raises(Exception) as raised:
        set_fields(ws, ref, provider_memberships="no-such-scheme")
    assert getattr(raised.value, "key", "") == "error.directory.unknown_body"


def test_time_bar_passed(ws: Workspace) -> None:
    ref = open_case(
        ws,
        complainant_type=ComplainantType.CONSUMER,
        complainant_country="FR",
        provider_name="OVHcloud",
        provider_key="ovhcloud",
        provider_country="FR",
        service_tz="Europe/Paris",
    )
    set_fields(ws, ref, provider_memberships="fr-mediateur-telecom")
    contact(ws, ref, ago(400), channel="letter", subject="Réclamation", summary="Complaint")
    step = followup.next_step(ws, ref, now=NOW, lang="en")
    mediator = body(closed(step, "mediation"), "fr-mediateur-telecom")
    assert "time_bar_passed" in codes(mediator["reasons"], blocking=True)
    # The time bar is a recorded deadline too, shown with the late items as passed.
    bar = next(i for i in step.overdue if i.rule == "time_bar.fr-mediateur-telecom")
    assert bar.state == "passed" and "fr-mediateur-telecom" in bar.rule
    assert bar.source and "[verified]" in bar.source


def test_ladder_needs_the_complainant_country(ws: Workspace) -> None:
    ref = open_case(ws, provider_country="DE")
    contact(ws, ref, ago(20))
    step = followup.next_step(ws, ref, now=NOW, lang="en")
    assert step.missing == ["complainant_country"] and step.step is None
    assert step.overdue  # the follow-up cadence is known without it
    with ws.reading() as session:
        data = load_case_data(session, load_case(session, ref))
    with pytest.raises(InvalidInput):
        case_facts(data, NOW)


# -- deadlines in the case's table ----------------------------------------------------------------


def test_sync_is_idempotent_and_follows_the_facts(ws: Workspace) -> None:
    ref = uk_case(ws, ComplainantType.CONSUMER)
    first = followup.sync_deadlines(ws, ref, NOW)
    assert first.added
    rows = list_deadlines(ws, ref)
    assert all(row.source and row.rule for row in rows)
    assert followup.sync_deadlines(ws, ref, NOW).added == []
    assert followup.sync_deadlines(ws, ref, NOW + timedelta(days=3)).added == []
    assert len(list_deadlines(ws, ref)) == len(rows)

    # The provider answers: the reply and follow-up deadlines are superseded, not deleted.
    contact(ws, ref, ago(1), "inbound", summary="Full answer with an offer")
    report = followup.sync_deadlines(ws, ref, NOW)
    assert report.superseded
    statuses = {row.rule: row.status for row in list_deadlines(ws, ref)}
    assert statuses["reply_due.letter"] == "superseded"
    assert statuses["escalation.uk-ofcom-adr"] == "open"
    assert followup.sync_deadlines(ws, ref, NOW).superseded == []
    assert verify_case(ws, ref).intact


def test_sla_claim_windows_from_the_table_are_read_not_rewritten(ws: Workspace) -> None:
    from hostclaim.services.deadlines import DeadlineInput, add_deadline

    ref = uk_case(ws, ComplainantType.CONSUMER)
    incident = incidents.record_incident(
        ws, ref, incidents.IncidentInput(start=ago(62), end=ago(61), impact="down")
    )
    add_deadline(
        ws,
        ref,
        DeadlineInput(
            due_at=ago(61) + timedelta(days=30),
            kind="sla_claim_window",
            title="Claim the SLA credit",
            rule="example-sla@1 days_after_incident",
            source="Example SLA §4",
            origin=f"I{incident.number}",
        ),
    )
    followup.sync_deadlines(ws, ref, NOW)
    windows = [row for row in list_deadlines(ws, ref) if row.kind == "sla_claim_window"]
    assert len(windows) == 1 and windows[0].status == "open"
    with ws.reading() as session:
        data = load_case_data(session, load_case(session, ref))
    inputs = deadline_inputs(data, NOW)
    assert len(inputs.sla_claims) == 1
    assert inputs.sla_claims[0].incident_ref == f"I{incident.number}"
    due = followup.due(ws, days=14, now=NOW, lang="en")
    assert any(i.kind == "sla_claim_window" and i.state == "passed" for i in due)
    export = followup.calendar(ws, ref, now=NOW, lang="en")
    from icalendar import Calendar

    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(export.ics).walk("VEVENT")]
    assert any("SLA credit" in s and "example-sla@1" in s for s in summaries)


def test_acknowledgements_answer_nothing(ws: Workspace) -> None:
    ref = open_case(ws, complainant_country="GB", provider_country="GB")
    contact(ws, ref, ago(10), summary="Ticket about the outage")
    contact(ws, ref, ago(10), "inbound", summary="Automatic reply: we have received your request")
    step = followup.next_step(ws, ref, now=NOW, lang="en")
    assert any(i.kind == "follow_up_cadence" and i.state == "overdue" for i in step.overdue)
    assert step.letter == "follow_up"


def test_due_lists_open_cases_overdue_first(ws: Workspace) -> None:
    first = uk_case(ws, ComplainantType.CONSUMER)
    second = open_case(ws, complainant_country="GB", provider_country="GB")
    contact(ws, second, ago(2), channel="letter", subject="Formal complaint", summary="Letter")
    closed_case = open_case(ws, complainant_country="GB", provider_country="GB")
    contact(ws, closed_case, ago(30))
    cases.move_stage(ws, closed_case, Stage.RESOLVED, "credit granted")
    items = followup.due(ws, days=14, now=NOW, lang="en")
    refs = {i.case_ref for i in items}
    assert {first, second} <= refs and closed_case not in refs
    late = [i.state in ("overdue", "passed") for i in items]
    assert late == sorted(late, reverse=True)  # every late item before every upcoming one
    assert any(i.case_ref == second and i.state == "due_soon" for i in items)
    with pytest.raises(InvalidInput):
        followup.due(ws, days=-1, now=NOW)


def test_a_closed_case_has_no_next_step(ws: Workspace) -> None:
    ref = open_case(ws, complainant_country="GB", provider_country="GB")
    contact(ws, ref, ago(20))
    cases.move_stage(ws, ref, Stage.RESOLVED, "credit granted")
    step = followup.next_step(ws, ref, now=NOW, lang="zh")
    assert step.step is None and step.letter is None and step.added == []
    assert codes(step.why) == ["case_closed"] and "已解决" in step.why[0]["text"]
