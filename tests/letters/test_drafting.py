from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from hostclaim.errors import InvalidInput, NotFound
from hostclaim.i18n import t
from hostclaim.letters import (
    DISCLAIMER,
    LetterContext,
    TemplateKind,
    all_kinds,
    draft,
    ensure_complete,
    fact_label,
    find_placeholders,
    get_kind,
    register,
)
from hostclaim.letters.fmt import md, space_zh, when
from hostclaim.letters.model import Complainant, Demand, Enclosure, Incident, Provider

KINDS = [kind.key for kind in all_kinds()]
LANGS = ["en", "zh"]


def test_ten_kinds_are_registered_with_titles_in_both_languages() -> None:
    assert KINDS == [
        "support_ticket",
        "complaint_letter",
        "sla_credit_claim",
        "follow_up",
        "escalation_management",
        "regulator_complaint",
        "consumer_body_complaint",
        "mediation_request",
        "letter_before_action",
        "lawyer_brief",
    ]
    for kind in all_kinds():
        assert kind.title("en") != f"letters.kind.{kind.key}"
        assert kind.title("zh") != kind.title("en")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_missing_facts_become_visible_placeholders_never_inventions(kind: str, lang: str) -> None:
    result = draft(kind, LetterContext(), lang, today=date(2026, 11, 21))
    required = get_kind(kind).required
    assert set(required) <= set(result.missing_facts)
    shown = set(find_placeholders(result.subject + result.markdown))
    for path in result.missing_facts:
        assert fact_label(path, lang) in shown, path
    # Nothing that only the sample case knows leaks into an empty draft.
    for word in ("Rheinhost", "K-204519", "EUR", "欧元", "api-01"):
        assert word not in result.markdown
    with pytest.raises(InvalidInput):
        ensure_complete(result)


@pytest.mark.parametrize("lang", LANGS)
def test_only_the_missing_fact_is_a_placeholder(ctx: LetterContext, lang: str) -> None:
    without_email = ctx.model_copy(
        update={"provider": ctx.provider.model_copy(update={"address": None})}
    )
    result = draft("letter_before_action", without_email, lang)
    assert result.missing_facts == ("provider.address",)
    assert result.placeholders == [fact_label("provider.address", lang)]


def test_placeholder_labels_are_in_the_readers_language() -> None:
    assert fact_label("provider.name", "en") == "the provider's name"
    assert fact_label("provider.name", "zh") == "服务商名称"
    result = draft("support_ticket", LetterContext(), "zh", today=date(2026, 1, 1))
    assert "[[TO FILL: 服务商名称]]" in result.markdown


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_no_legal_advice_notice_inside_a_letter(kind: str, lang: str, context_for: object) -> None:
    result = draft(kind, context_for(kind), lang)  # type: ignore[operator]
    notice = t(DISCLAIMER, lang)
    assert notice != DISCLAIMER
    body = result.markdown.lower()
    assert notice[:30].lower() not in body
    assert "legal advice" not in body and "法律意见" not in body


def test_sla_claim_subject_carries_the_required_words_and_incident_details(
    ctx: LetterContext,
) -> None:
    result = draft("sla_credit_claim", ctx, "en")
    assert result.subject.startswith("SLA Credit Request – ")
    assert "2026-10-03 06:05 UTC (2026-10-03 08:05 CEST, UTC+02:00, Europe/Berlin)" in (
        result.markdown
    )
    assert "api-02 (203.0.113.11)" in result.markdown
    assert "logs showing the outage, with confidential data removed" in result.markdown


def test_every_time_is_given_in_utc_and_in_the_recipients_zone(ctx: LetterContext) -> None:
    moment = ctx.incidents[0].start
    assert when(moment, "Europe/Berlin", "en") == (
        "2026-10-03 06:05 UTC (2026-10-03 08:05 CEST, UTC+02:00, Europe/Berlin)"
    )
    assert when(moment, "Asia/Shanghai", "zh") == (
        "2026-10-03 06:05 UTC（Asia/Shanghai 当地时间 2026-10-03 14:05，UTC+08:00）"
    )
    assert when(moment, None, "en") == "2026-10-03 06:05 UTC"
    shanghai = ctx.model_copy(update={"recipient_zone": "Asia/Shanghai"})
    assert "14:05" in draft("complaint_letter", shanghai, "en").markdown


def test_reply_deadline_defaults_to_fourteen_days_and_can_be_set(ctx: LetterContext) -> None:
    assert "5 December 2026" in draft("complaint_letter", ctx, "en").markdown
    later = ctx.model_copy(update={"reply_days": 30})
    assert (
        "Please reply in writing by **21 December 2026**"
        in draft("complaint_letter", later, "en").markdown
    )
    fixed = ctx.model_copy(update={"reply_by": date(2027, 1, 8)})
    assert "2027年1月8日" in draft("complaint_letter", fixed, "zh").markdown
    undated = ctx.model_copy(update={"letter_date": None})
    assert (
        "15 January 2027"
        in draft("complaint_letter", undated, "en", today=date(2027, 1, 1)).markdown
    )


def test_follow_up_cites_earlier_contacts_and_the_missed_deadline(ctx: LetterContext) -> None:
    result = draft("follow_up", ctx, "en")
    assert "14 November 2026" in result.subject
    assert "automatic acknowledgement only" in result.markdown
    assert result.markdown.count("(ticket #4711)") == 3


def test_letter_before_action_names_claim_basis_calculation_deadline_and_forum(
    ctx: LetterContext,
) -> None:
    text = draft("letter_before_action", ctx, "en").markdown
    for needle in (
        "claims EUR 26.70",
        "**SLA §2.1**",
        "## 5. How the sums are calculated",
        "30 % × EUR 89.00 monthly fee = EUR 26.70",
        "by **5 December 2026**",
        "before Amtsgericht Frankfurt am Main",
    ):
        assert needle in text


def test_user_text_cannot_turn_into_markup() -> None:
    ctx = LetterContext(
        complainant=Complainant(name="*Evil* [link](http://x) <b>", customer_id="# 1"),
        provider=Provider(name="A|B"),
    )
    text = draft("support_ticket", ctx, "en", today=date(2026, 1, 1)).markdown
    assert "\\*Evil\\* \\[link\\](http://x) \\<b>" in text
    assert md("1. first") == "1\\. first"
    assert md("api_server_01") == "api_server_01"
    assert md("keep [[TO FILL: x]] as is") == "keep [[TO FILL: x]] as is"


def test_per_language_text_falls_back_to_the_other_language() -> None:
    ctx = LetterContext(
        incidents=(
            Incident(
                number=1,
                start=datetime.fromisoformat("2026-10-03T06:05:00+00:00"),
                impact={"zh": "订单接口无法访问"},
            ),
        ),
    )
    text = draft("support_ticket", ctx, "en", today=date(2026, 1, 1)).markdown
    assert "Impact: 订单接口无法访问" in text
    assert "still continuing on 1 January 2026" in text


def test_chinese_and_latin_words_are_spaced() -> None:
    assert (
        space_zh("我方是Rheinhost的客户（编号 K-1） 起") == "我方是 Rheinhost 的客户（编号 K-1）起"
    )


def test_model_refuses_what_would_make_a_letter_wrong() -> None:
    with pytest.raises(ValidationError):
        Incident(number=1, start=datetime(2026, 10, 3, 6, 5))  # naive time
    with pytest.raises(ValidationError):
        Incident(
            number=1,
            start=datetime.fromisoformat("2026-10-03T06:05:00+00:00"),
            end=datetime.fromisoformat("2026-10-03T05:00:00+00:00"),
        )
    with pytest.raises(ValidationError):
        Enclosure(title="x", sha256="not-hex")
    with pytest.raises(ValidationError):
        Demand(kind="refund", currency="EURO")
    assert Enclosure(title="x", sha256="AB" * 32).sha256 == "ab" * 6
    assert Demand(kind="refund", amount=Decimal("1"), currency="eur").currency == "EUR"


def test_unknown_kind_and_language_are_clear_errors(ctx: LetterContext) -> None:
    with pytest.raises(NotFound) as kind_error:
        draft("poem", ctx, "en")
    assert "support_ticket" in kind_error.value.render("en")
    with pytest.raises(InvalidInput) as lang_error:
        draft("support_ticket", ctx, "fr")
    assert "fr" in lang_error.value.render("en")


def test_a_new_kind_registers_like_the_built_in_ones(ctx: LetterContext) -> None:
    kind = register(TemplateKind("support_ticket_copy", ("provider.name",)))
    try:
        assert get_kind("support_ticket_copy") is kind
        with pytest.raises(Exception, match="support_ticket_copy"):
            draft("support_ticket_copy", ctx, "en")  # no template shipped for it
    finally:
        from hostclaim.letters import kinds

        kinds._REGISTRY.pop("support_ticket_copy")
