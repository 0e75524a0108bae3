"""Each rule on its own: when it fires, when it stays silent, what it cites."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hostclaim.domain.deadlines import (
    BodyFiling,
    ComplainantKind,
    Contact,
    Deadline,
    DeadlineInputs,
    DeadlineKind,
    Direction,
    DisputeKind,
    EventKind,
    HandlingTime,
    LetterIssued,
    Party,
    Period,
    SlaClaimDeadline,
    SourceKind,
    SourceStatus,
    Unit,
    rule_by_id,
)
from hostclaim.domain.timeutil import parse_time as at
from hostclaim.errors import InvalidInput

Case = Callable[..., DeadlineInputs]

LONDON = Party("GB", "Europe/London")
PARIS = Party("FR", "Europe/Paris")
AMSTERDAM = Party("NL", "Europe/Amsterdam")
HONG_KONG = Party("HK", "Asia/Hong_Kong")
MELBOURNE = Party("AU", "Australia/Melbourne", "VIC")
SINGAPORE = Party("SG", "Asia/Singapore")
BEIJING = Party("CN", "Asia/Shanghai")


def run(rule_id: str, inputs: DeadlineInputs) -> list[Deadline]:
    return list(rule_by_id(rule_id).deadlines(inputs))


def only(rule_id: str, inputs: DeadlineInputs) -> Deadline:
    found = run(rule_id, inputs)
    assert len(found) == 1, found
    return found[0]


def out(text: str, ref: str = "") -> Contact:
    return Contact(at(text), Direction.OUTBOUND, ref=ref)


def reply(text: str, *, substantive: bool = True) -> Contact:
    return Contact(at(text), Direction.INBOUND, substantive=substantive)


# -- reply_due --------------------------------------------------------------------------------


def test_letter_reply_due_in_14_days_on_complainant_calendar(case: Case) -> None:
    letter = LetterIssued(at("2026-10-10T15:00:00+08:00"), "L-1")
    deadline = only("reply_due.letter", case(letters=[letter]))
    assert deadline.kind is DeadlineKind.REPLY_DUE
    assert deadline.due_at == at("2026-10-24T23:59:59+08:00")
    assert deadline.starts_from.event is EventKind.LETTER_ISSUED
    assert deadline.source.kind is SourceKind.DEFAULT
    assert deadline.source.status is SourceStatus.VERIFIED
    assert "Pre-Action" in deadline.source.citation
    assert deadline.subject == "L-1"


def test_letter_stating_its_own_period(case: Case) -> None:
    letter = LetterIssued(at("2026-10-10T15:00:00+08:00"), "L-2", reply_days=7)
    deadline = only("reply_due.letter", case(letters=[letter]))
    assert deadline.due_at == at("2026-10-17T23:59:59+08:00")
    assert deadline.source.kind is SourceKind.CASE
    assert deadline.source.citation == "L-2"


def test_answered_letter_has_no_reply_deadline_but_acknowledgement_does_not_count(
    case: Case,
) -> None:
    letter = LetterIssued(at("2026-10-10T15:00:00+08:00"), "L-1")
    ack = reply("2026-10-10T15:01:00+08:00", substantive=False)
    assert len(run("reply_due.letter", case(letters=[letter], contacts=[ack]))) == 1
    answer = reply("2026-10-12T10:00:00+02:00")
    assert run("reply_due.letter", case(letters=[letter], contacts=[ack, answer])) == []


def test_handling_time_in_hours_is_exact(case: Case) -> None:
    inputs = case(
        contacts=[out("2026-10-03T09:00:00+08:00", "T-1")],
        handling_time=HandlingTime(Period(48, Unit.HOURS), "support page"),
    )
    deadline = only("reply_due.handling_time", inputs)
    assert deadline.due_at == at("2026-10-05T01:00:00Z")
    assert deadline.source.kind is SourceKind.PROVIDER
    assert deadline.source.status is SourceStatus.UNCONFIRMED


def test_handling_time_in_business_days_uses_provider_calendar(case: Case) -> None:
    # Saturday 3 Oct 2026 (German Unity Day) 03:00 in Berlin: Mon 5 and Tue 6 are the 2 days.
    inputs = case(
        contacts=[out("2026-10-03T09:00:00+08:00")],
        handling_time=HandlingTime(
            Period(2, Unit.BUSINESS_DAYS), "https://example.net/sla", SourceStatus.VERIFIED
        ),
    )
    deadline = only("reply_due.handling_time", inputs)
    assert deadline.due_at == at("2026-10-06T23:59:59+02:00")
    assert deadline.source.status is SourceStatus.VERIFIED
    assert deadline.caveats == ()


def test_handling_time_restarts_after_an_answer(case: Case) -> None:
    inputs = case(
        contacts=[
            out("2026-10-03T09:00:00+08:00"),
            reply("2026-10-04T09:00:00+02:00"),
            out("2026-10-05T09:00:00+08:00", "second"),
            out("2026-10-06T09:00:00+08:00", "third"),
        ],
        handling_time=HandlingTime(Period(24, Unit.HOURS), "support page"),
    )
    deadline = only("reply_due.handling_time", inputs)
    assert deadline.starts_from.ref == "second"
    assert deadline.due_at == at("2026-10-06T09:00:00+08:00")


def test_handling_time_in_china_crossing_an_unpublished_year_says_so(case: Case) -> None:
    inputs = case(
        provider=BEIJING,
        contacts=[out("2026-12-30T10:00:00+08:00")],
        handling_time=HandlingTime(Period(5, Unit.BUSINESS_DAYS), "support page"),
    )
    deadline = only("reply_due.handling_time", inputs)
    assert [c.key for c in deadline.caveats] == ["deadlines.caveat.schedule_unpublished"]
    assert "2027" in deadline.caveats[0].render("en")


def test_handling_time_refuses_weeks() -> None:
    with pytest.raises(InvalidInput):
        HandlingTime(Period(1, Unit.WEEKS), "x")


# -- follow_up_cadence ------------------------------------------------------------------------


def test_follow_up_after_last_outbound_only_the_next_one(case: Case) -> None:
    inputs = case(
        contacts=[
            out("2026-10-03T09:00:00+08:00"),
            reply("2026-10-03T09:01:00+08:00", substantive=False),
            out("2026-10-06T20:00:00+08:00", "chaser"),
        ]
    )
    deadline = only("follow_up_cadence", inputs)
    assert deadline.due_at == at("2026-10-13T23:59:59+08:00")
    assert deadline.starts_from.ref == "chaser"
    assert deadline.source.kind is SourceKind.DEFAULT
    assert deadline.source.status is SourceStatus.UNCONFIRMED


def test_no_follow_up_once_answered(case: Case) -> None:
    inputs = case(contacts=[out("2026-10-03T09:00:00+08:00"), reply("2026-10-04T10:00:00Z")])
    assert run("follow_up_cadence", inputs) == []
    assert run("follow_up_cadence", case()) == []


def test_follow_up_counts_letters_as_outbound(case: Case) -> None:
    inputs = case(
        contacts=[out("2026-10-03T09:00:00+08:00")],
        letters=[LetterIssued(at("2026-10-10T15:00:00+08:00"), "L-1")],
    )
    assert only("follow_up_cadence", inputs).due_at == at("2026-10-17T23:59:59+08:00")


# -- sla_claim_window -------------------------------------------------------------------------


def test_sla_claim_is_wrapped_exactly(case: Case) -> None:
    claim = SlaClaimDeadline(
        due_at=at("2026-11-03T00:00:00Z"),
        incident_at=at("2026-10-03T02:00:00Z"),
        policy="hetzner-cloud@2024",
        source="Hetzner Cloud SLA",
        status=SourceStatus.UNCONFIRMED,
        url="https://example.com/sla",
        incident_ref="INC-1",
    )
    deadline = only("sla_claim_window", case(sla_claims=[claim]))
    assert deadline.due_at == claim.due_at
    assert deadline.starts_from.event is EventKind.INCIDENT
    assert deadline.source.citation == "Hetzner Cloud SLA"
    assert deadline.source.status is SourceStatus.UNCONFIRMED
    assert deadline.title.params == {"policy": "hetzner-cloud@2024", "incident": "INC-1"}


def test_sla_claim_before_incident_is_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        SlaClaimDeadline(
            due_at=at("2026-10-01T00:00:00Z"),
            incident_at=at("2026-10-03T02:00:00Z"),
            policy="p",
            source="s",
            status=SourceStatus.VERIFIED,
        )
    assert error.value.key == "error.deadlines.claim_before_incident"


# -- escalation_eligibility --------------------------------------------------------------------


def test_miit_15_days_after_complaint_to_operator(case: Case) -> None:
    inputs = case(provider=BEIJING, complaint_first_made=at("2026-09-20T10:00:00+08:00"))
    deadline = only("escalation.cn-miit-12300", inputs)
    assert deadline.due_at == at("2026-10-05T23:59:59+08:00")
    assert deadline.kind is DeadlineKind.ESCALATION_ELIGIBILITY
    assert deadline.source.citation.endswith("Art. 10(4)")
    assert "Order 35" in deadline.source.citation
    assert deadline.source.status is SourceStatus.VERIFIED


def test_miit_open_at_once_on_an_unsatisfying_answer(case: Case) -> None:
    inputs = case(
        provider=BEIJING,
        complaint_first_made=at("2026-09-20T10:00:00+08:00"),
        contacts=[reply("2026-09-25T10:00:00+08:00")],
    )
    deadline = only("escalation.cn-miit-12300", inputs)
    assert deadline.due_at == at("2026-09-25T10:00:00+08:00")
    assert deadline.starts_from.event is EventKind.PROVIDER_ANSWER


def test_schemes_only_for_providers_in_their_country(case: Case) -> None:
    inputs = case(complaint_first_made=at("2026-09-20T10:00:00+08:00"))  # provider in DE
    for rule_id in ("escalation.cn-miit-12300", "escalation.uk-ofcom-adr", "time_bar.au-tio"):
        assert run(rule_id, inputs) == []


@pytest.mark.parametrize(
    ("complained", "eligible"),
    [
        ("2026-04-07T12:00:00+01:00", "2026-06-02T23:59:59+01:00"),  # 8 weeks
        ("2026-04-08T12:00:00+01:00", "2026-05-20T23:59:59+01:00"),  # 6 weeks from 8 April
        ("2026-04-07T23:30:00Z", "2026-05-20T23:59:59+01:00"),  # 8 April in London already
        ("2025-12-01T09:00:00Z", "2026-01-26T23:59:59Z"),
    ],
)
def test_ofcom_adr_8_weeks_then_6_weeks(case: Case, complained: str, eligible: str) -> None:
    inputs = case(provider=LONDON, complaint_first_made=at(complained))
    assert only("escalation.uk-ofcom-adr", inputs).due_at == at(eligible)


def test_ofcom_adr_at_once_with_deadlock_letter(case: Case) -> None:
    inputs = case(
        provider=LONDON,
        complaint_first_made=at("2026-05-01T12:00:00+01:00"),
        deadlock_letter_at=at("2026-05-10T16:00:00+01:00"),
    )
    deadline = only("escalation.uk-ofcom-adr", inputs)
    assert deadline.due_at == at("2026-05-10T16:00:00+01:00")
    assert deadline.starts_from.event is EventKind.DEADLOCK_LETTER


def test_ofcom_not_for_large_business_but_for_small_with_caveat(case: Case) -> None:
    complaint = at("2026-05-01T12:00:00+01:00")
    big = case(
        provider=LONDON, complaint_first_made=complaint, complainant_kind=ComplainantKind.BUSINESS
    )
    assert run("escalation.uk-ofcom-adr", big) == []
    small = case(
        provider=LONDON,
        complaint_first_made=complaint,
        complainant_kind=ComplainantKind.SMALL_BUSINESS,
    )
    deadline = only("escalation.uk-ofcom-adr", small)
    assert [c.key for c in deadline.caveats] == ["deadlines.who.uk-ofcom-adr"]
    assert "10 employees" in deadline.caveats[0].render("en")


def test_french_mediator_two_months_without_answer_clamped(case: Case) -> None:
    inputs = case(provider=PARIS, complaint_first_made=at("2025-12-31T10:00:00+01:00"))
    assert only("escalation.fr-mediateur-telecom", inputs).due_at == at("2026-02-28T23:59:59+01:00")


def test_french_mediator_via_consumer_service(case: Case) -> None:
    answered = case(
        provider=PARIS,
        complaint_first_made=at("2026-01-10T10:00:00+01:00"),
        contacts=[reply("2026-01-20T10:00:00+01:00")],
    )
    # answered at the first level: the consumer service comes before the mediator
    assert run("escalation.fr-mediateur-telecom", answered) == []
    escalated = case(
        provider=PARIS,
        complaint_first_made=at("2026-01-10T10:00:00+01:00"),
        contacts=[reply("2026-01-20T10:00:00+01:00")],
        internal_escalation_at=at("2026-01-25T10:00:00+01:00"),
    )
    deadline = only("escalation.fr-mediateur-telecom", escalated)
    assert deadline.due_at == at("2026-02-25T23:59:59+01:00")
    assert deadline.starts_from.event is EventKind.INTERNAL_ESCALATION


def test_dutch_commission_one_month(case: Case) -> None:
    inputs = case(provider=AMSTERDAM, complaint_first_made=at("2026-01-31T10:00:00+01:00"))
    assert only("escalation.nl-geschillencommissie-telecom", inputs).due_at == at(
        "2026-02-28T23:59:59+01:00"
    )


def test_hong_kong_ccss_six_weeks_or_deadlock(case: Case) -> None:
    inputs = case(provider=HONG_KONG, complaint_first_made=at("2026-03-02T10:00:00+08:00"))
    assert only("escalation.hk-ccss", inputs).due_at == at("2026-04-13T23:59:59+08:00")
    deadlocked = case(
        provider=HONG_KONG,
        complaint_first_made=at("2026-03-02T10:00:00+08:00"),
        deadlock_letter_at=at("2026-03-09T10:00:00+08:00"),
    )
    assert only("escalation.hk-ccss", deadlocked).due_at == at("2026-03-09T10:00:00+08:00")


def test_tio_open_once_the_provider_had_the_complaint(case: Case) -> None:
    inputs = case(provider=MELBOURNE, contacts=[out("2026-03-02T10:00:00+11:00")])
    deadline = only("escalation.au-tio", inputs)
    assert deadline.due_at == at("2026-03-02T10:00:00+11:00")
    assert deadline.starts_from.event is EventKind.CONTACT_OUTBOUND
    assert run("escalation.au-tio", case(provider=MELBOURNE)) == []  # complain first


def test_no_escalation_deadline_once_filed(case: Case) -> None:
    inputs = case(
        provider=LONDON,
        complaint_first_made=at("2026-05-01T12:00:00+01:00"),
        body_filings=[BodyFiling("uk-ofcom-adr", at("2026-07-01T12:00:00+01:00"))],
    )
    assert run("escalation.uk-ofcom-adr", inputs) == []


# -- bodies' own clocks -----------------------------------------------------------------------


def test_samr_12315_accepts_within_7_working_days_across_golden_week(case: Case) -> None:
    # Filed Monday 28 Sep 2026: 29, 30 Sep, 8, 9, 10 (Saturday, worked), 12, 13 Oct.
    filing = BodyFiling("cn-12315", at("2026-09-28T10:00:00+08:00"), "12315-001")
    deadline = only("body_reply.cn-12315", case(body_filings=[filing]))
    assert deadline.due_at == at("2026-10-13T23:59:59+08:00")
    assert deadline.kind is DeadlineKind.REPLY_DUE
    assert deadline.source.citation.endswith("Art. 14")
    assert deadline.subject == "12315-001"


def test_miit_accepts_within_5_working_days(case: Case) -> None:
    filing = BodyFiling("cn-miit-12300", at("2026-09-28T10:00:00+08:00"))
    deadline = only("body_reply.cn-miit-12300", case(body_filings=[filing]))
    assert deadline.due_at == at("2026-10-10T23:59:59+08:00")


# -- time bars --------------------------------------------------------------------------------


def test_miit_time_bars_by_dispute_kind(case: Case) -> None:
    arose = at("2026-10-03T02:00:00+08:00")
    unknown = case(provider=BEIJING, dispute_arose_at=arose)
    billing = only("time_bar.cn-miit-12300.billing", unknown)
    other = only("time_bar.cn-miit-12300.other", unknown)
    assert billing.due_at == at("2027-03-03T23:59:59+08:00")
    assert other.due_at == at("2028-10-03T23:59:59+08:00")
    assert billing.severity.value == "critical"
    assert billing.source.citation.endswith("Art. 11(1)")
    only_billing = case(provider=BEIJING, dispute_arose_at=arose, dispute_kind=DisputeKind.BILLING)
    assert run("time_bar.cn-miit-12300.other", only_billing) == []
    assert len(run("time_bar.cn-miit-12300.billing", only_billing)) == 1


def test_samr_time_bar_three_years_for_consumers_only(case: Case) -> None:
    arose = at("2024-02-29T10:00:00+08:00")
    consumer = case(
        provider=BEIJING, dispute_arose_at=arose, complainant_kind=ComplainantKind.CONSUMER
    )
    assert only("time_bar.cn-12315", consumer).due_at == at("2027-02-28T23:59:59+08:00")
    business = case(
        provider=BEIJING, dispute_arose_at=arose, complainant_kind=ComplainantKind.BUSINESS
    )
    assert run("time_bar.cn-12315", business) == []


def test_french_mediator_one_year_after_written_complaint(case: Case) -> None:
    inputs = case(provider=PARIS, complaint_first_made=at("2026-02-15T10:00:00+01:00"))
    deadline = only("time_bar.fr-mediateur-telecom", inputs)
    assert deadline.due_at == at("2027-02-15T23:59:59+01:00")
    assert deadline.starts_from.event is EventKind.COMPLAINT_MADE


def test_singapore_and_tio_two_years_with_start_caveat(case: Case) -> None:
    arose = at("2026-03-01T09:00:00+08:00")
    sg = only("time_bar.sg-small-claims", case(provider=SINGAPORE, dispute_arose_at=arose))
    assert sg.due_at == at("2028-03-01T23:59:59+08:00")
    assert "deadlines.caveat.start_reading" in [c.key for c in sg.caveats]
    au = only("time_bar.au-tio", case(provider=MELBOURNE, dispute_arose_at=arose))
    assert au.due_at == at("2028-03-01T23:59:59+11:00")


def test_time_bar_without_dispute_date_counts_from_earliest_event_and_warns(case: Case) -> None:
    inputs = case(
        provider=SINGAPORE,
        contacts=[out("2026-05-02T10:00:00+08:00"), out("2026-05-01T10:00:00+08:00", "first")],
    )
    deadline = only("time_bar.sg-small-claims", inputs)
    assert deadline.starts_from.ref == "first"
    assumed = [c for c in deadline.caveats if c.key == "deadlines.caveat.start_assumed"]
    assert assumed
    assert "your message" in assumed[0].render("en")
    assert "您的消息" in assumed[0].render("zh")
    assert run("time_bar.sg-small-claims", case(provider=SINGAPORE)) == []
