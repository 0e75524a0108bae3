"""compute_deadlines: the registry run over a whole case, ordering, urgency, catalog coverage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

import hostclaim
from hostclaim.domain.deadlines import (
    DEFAULT_RULES,
    RULES,
    BodyFiling,
    ComplainantKind,
    Contact,
    DeadlineInputs,
    DeadlineKind,
    Direction,
    EventKind,
    HandlingTime,
    LetterIssued,
    Party,
    Period,
    Severity,
    SlaClaimDeadline,
    SourceStatus,
    Unit,
    Urgency,
    compute_deadlines,
    default_rules,
    rule_by_id,
)
from hostclaim.domain.timeutil import parse_time as at
from hostclaim.errors import InvalidInput, NotFound

Case = Callable[..., DeadlineInputs]
LOCALES = Path(hostclaim.__file__).parent / "locales"


def wang_min(case: Case, now: str) -> DeadlineInputs:
    """Journey 1: Shenzhen business, German host, 3 October outage, letter on 10 October."""
    return case(
        now=at(now),
        complainant_kind=ComplainantKind.BUSINESS,
        contacts=[
            Contact(at("2026-10-03T09:00:00+08:00"), Direction.OUTBOUND, ref="ticket 4711"),
            Contact(at("2026-10-03T09:01:00+08:00"), Direction.INBOUND, substantive=False),
            Contact(at("2026-10-04T11:00:00+02:00"), Direction.INBOUND, ref="vague email"),
        ],
        letters=[LetterIssued(at("2026-10-10T15:00:00+08:00"), "SLA claim letter")],
        sla_claims=[
            SlaClaimDeadline(
                due_at=at("2026-11-14T23:59:59+01:00"),
                incident_at=at("2026-10-03T02:05:00+08:00"),
                policy="example-dedicated@2025",
                source="provider SLA §4",
                status=SourceStatus.VERIFIED,
                incident_ref="INC-1",
            )
        ],
    )


def test_journey_reply_overdue_two_weeks_after_the_letter(case: Case) -> None:
    deadlines = compute_deadlines(wang_min(case, "2026-10-25T09:00:00+08:00"))
    by_rule = {d.rule_id: d for d in deadlines}
    assert set(by_rule) == {"reply_due.letter", "follow_up_cadence", "sla_claim_window"}
    assert by_rule["reply_due.letter"].due_at == at("2026-10-24T23:59:59+08:00")
    assert by_rule["reply_due.letter"].overdue
    assert by_rule["sla_claim_window"].urgency is Urgency.LATER
    assert [d.due_at for d in deadlines] == sorted(d.due_at for d in deadlines)
    assert len(set(deadlines)) == len(deadlines)  # hashable, and no two alike


def test_urgency_relative_to_now(case: Case) -> None:
    inputs = wang_min(case, "2026-10-18T09:00:00+08:00")
    urgency = {d.rule_id: d.urgency for d in compute_deadlines(inputs)}
    assert urgency == {
        "follow_up_cadence": Urgency.OVERDUE,  # due 17 Oct
        "reply_due.letter": Urgency.DUE_SOON,  # due 24 Oct
        "sla_claim_window": Urgency.LATER,
    }
    wider = compute_deadlines(inputs, soon=timedelta(days=30))
    assert {d.rule_id for d in wider if d.due_soon} == {"reply_due.letter", "sla_claim_window"}


def test_due_soon_boundary_is_inclusive(case: Case) -> None:
    letter = LetterIssued(at("2026-10-10T15:00:00+08:00"), "L")
    due = at("2026-10-24T23:59:59+08:00")
    only_reply = [rule_by_id("reply_due.letter")]

    def urgency(now_offset: timedelta) -> Urgency | None:
        inputs = case(now=due + now_offset, letters=[letter])
        return compute_deadlines(inputs, only_reply)[0].urgency

    assert urgency(-timedelta(days=7, seconds=1)) is Urgency.LATER
    assert urgency(-timedelta(days=7)) is Urgency.DUE_SOON
    assert urgency(timedelta(0)) is Urgency.DUE_SOON
    assert urgency(timedelta(seconds=1)) is Urgency.OVERDUE


def test_equal_times_put_the_most_severe_first(case: Case) -> None:
    moment = at("2026-11-01T12:00:00Z")
    inputs = case(
        provider=Party("AU", "Australia/Melbourne"),
        complaint_first_made=moment,
        sla_claims=[
            SlaClaimDeadline(
                due_at=moment,
                incident_at=moment - timedelta(days=1),
                policy="p",
                source="s",
                status=SourceStatus.VERIFIED,
            )
        ],
    )
    deadlines = [d for d in compute_deadlines(inputs) if d.due_at == moment]
    assert [d.severity for d in deadlines] == [Severity.CRITICAL, Severity.INFO]


def test_configurable_defaults(case: Case) -> None:
    letter = LetterIssued(at("2026-10-10T15:00:00+08:00"), "L")
    rules = default_rules(reply_days=10, follow_up_days=3)
    by_rule = {d.rule_id: d for d in compute_deadlines(case(letters=[letter]), rules)}
    assert by_rule["reply_due.letter"].due_at == at("2026-10-20T23:59:59+08:00")
    assert by_rule["follow_up_cadence"].due_at == at("2026-10-13T23:59:59+08:00")
    with pytest.raises(InvalidInput):
        default_rules(reply_days=-1)


def test_registry_ids_are_unique_and_looked_up() -> None:
    assert len(RULES) == len(DEFAULT_RULES)
    assert rule_by_id("time_bar.cn-12315").kind is DeadlineKind.TIME_BAR
    with pytest.raises(NotFound) as error:
        rule_by_id("nope")
    assert error.value.key == "error.deadlines.unknown_rule"


def test_naive_times_are_refused(case: Case) -> None:
    from datetime import datetime

    with pytest.raises(InvalidInput):
        case(now=datetime(2026, 10, 5, 12))
    with pytest.raises(InvalidInput):
        Contact(datetime(2026, 10, 5, 12), Direction.OUTBOUND)
    with pytest.raises(InvalidInput):
        Party("CN", "Asia/Nowhere")


# -- every rule's text exists in both languages -----------------------------------------------


def everything_cases(case: Case) -> list[DeadlineInputs]:
    """Cases that, between them, make every rule in the registry fire."""
    common = {
        "contacts": [Contact(at("2026-12-28T10:00:00+08:00"), Direction.OUTBOUND, ref="T")],
        "letters": [LetterIssued(at("2026-12-29T10:00:00+08:00"), "L")],
        "handling_time": HandlingTime(Period(5, Unit.BUSINESS_DAYS), "support page"),
        "sla_claims": [
            SlaClaimDeadline(
                due_at=at("2027-01-05T00:00:00Z"),
                incident_at=at("2026-12-20T00:00:00Z"),
                policy="p",
                source="s",
                status=SourceStatus.VERIFIED,
                incident_ref="I",
            )
        ],
        "body_filings": [
            BodyFiling("cn-12315", at("2026-12-30T10:00:00+08:00"), "S"),
            BodyFiling("cn-miit-12300", at("2026-12-30T10:00:00+08:00"), "M"),
        ],
    }
    providers = [
        Party("CN", "Asia/Shanghai"),
        Party("GB", "Europe/London"),
        Party("FR", "Europe/Paris"),
        Party("NL", "Europe/Amsterdam"),
        Party("HK", "Asia/Hong_Kong"),
        Party("AU", "Australia/Melbourne"),
        Party("SG", "Asia/Singapore"),
    ]
    return [case(provider=provider, **common) for provider in providers] + [
        # a case with the dispute date recorded (no "start assumed" caveat)
        case(
            provider=Party("CN", "Asia/Shanghai"),
            dispute_arose_at=at("2026-12-01T00:00:00+08:00"),
            contacts=[Contact(at("2026-12-02T00:00:00+08:00"), Direction.OUTBOUND)],
        ),
    ]


def test_every_rule_fires_somewhere_and_renders_in_both_languages(case: Case) -> None:
    fired: set[str] = set()
    for inputs in everything_cases(case):
        for deadline in compute_deadlines(inputs):
            fired.add(deadline.rule_id)
            messages = [deadline.title, deadline.rule_text, *deadline.caveats]
            for message in messages:
                for lang in ("en", "zh"):
                    text = message.render(lang)
                    assert text != message.key, (lang, message.key)
                    assert "{" not in text and "}" not in text, (lang, message.key, text)
                assert message.render("en") != message.render("zh"), message.key
    assert fired == set(RULES)


def _flat(node: object, prefix: str = "") -> set[str]:
    if isinstance(node, dict):
        return set().union(
            *(_flat(v, f"{prefix}.{k}" if prefix else str(k)) for k, v in node.items())
        )
    return {prefix}


def test_catalogs_have_the_same_keys_and_cover_every_label() -> None:
    en = _flat(yaml.safe_load((LOCALES / "en" / "deadlines.yaml").read_text(encoding="utf-8")))
    zh = _flat(yaml.safe_load((LOCALES / "zh" / "deadlines.yaml").read_text(encoding="utf-8")))
    assert en == zh
    for enum, group in (
        (EventKind, "event"),
        (SourceStatus, "status"),
        (DeadlineKind, "kind"),
        (Severity, "severity"),
        (Urgency, "urgency"),
    ):
        for member in enum:
            assert f"deadlines.{group}.{member}" in en, (group, member)
