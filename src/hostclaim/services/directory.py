"""The directory for people: search it, show a record value by value with its source, show the
source guide's contact table with our verdicts, and link a case to a provider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from hostclaim.domain.directory import (
    Body,
    Channel,
    ClaimLimit,
    Condition,
    Eligibility,
    Forum,
    Jurisdiction,
    Provider,
    Sourced,
    SourceGuideRow,
    load_directory,
    search,
)
from hostclaim.domain.directory.models import Clock, HandlingTime, LegalEntity, Lifecycle, TimeBar
from hostclaim.domain.escalation.text import Phrase, show
from hostclaim.errors import NotFound
from hostclaim.i18n import current_language, normalise, t
from hostclaim.services.cases import CaseDetails, update_case
from hostclaim.services.workspace import Workspace
from hostclaim.storage.tables import Case


def _lang(lang: str | None) -> str:
    return normalise(lang) or current_language()


@dataclass(frozen=True)
class FactLine:
    """One sourced value, rendered for people."""

    field: str  # the model field it comes from
    label: str
    value: str
    source: str
    checked: str
    status: str  # verified | unconfirmed | wrong-in-source
    basis: str  # primary | secondary | inference
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "label": self.label,
            "value": self.value,
            "source": self.source,
            "checked": self.checked,
            "status": self.status,
            "basis": self.basis,
            "note": self.note,
        }


@dataclass(frozen=True)
class DirectoryEntry:
    kind: str  # provider | body | source_guide
    key: str
    name: str
    facts: tuple[FactLine, ...]
    record: dict[str, Any]  # the record as stored, every value with its source


@dataclass(frozen=True)
class DirectoryHit:
    kind: str
    key: str
    name: str
    country: str
    matched: str
    field: str
    score: int


@dataclass(frozen=True)
class GuideRow:
    key: str
    section: str
    body_as_written: str  # the guide's words (Chinese)
    body_translated: str
    contact: str
    contact_status: str
    verdict: str
    verdict_text: str
    finding: str
    correct_body: str | None
    correct_body_name: str | None
    see_also: tuple[str, ...]


# -- rendering sourced values -------------------------------------------------------------------


def _k(key: str, lang: str, **params: object) -> str:
    return t(f"followup.dir.{key}", lang, **params)


def _areas(codes: tuple[str, ...]) -> str:
    return ", ".join(codes)


def _eligibility(value: Eligibility, lang: str) -> str:
    parts = []
    if value.consumers:
        parts.append(_k("elig.consumers", lang))
    if value.businesses:
        limits = []
        if value.max_employees is not None:
            limits.append(_k("elig.max_employees", lang, n=value.max_employees))
        if value.max_full_time_equivalents is not None:
            limits.append(_k("elig.max_fte", lang, n=value.max_full_time_equivalents))
        if value.max_turnover is not None:
            limits.append(_k("elig.max_turnover", lang, limit=value.max_turnover))
        text = _k("elig.businesses", lang)
        if limits:
            text += f" ({t('escalation.join', lang).join(limits)})"
        parts.append(text)
    else:
        parts.append(_k("elig.no_businesses", lang))
    return t("escalation.join", lang).join(parts)


def _jurisdiction(value: Jurisdiction, lang: str) -> str:
    parts = []
    if value.provider_in:
        parts.append(_k("where.provider_in", lang, areas=_areas(value.provider_in)))
    if value.complainant_in:
        parts.append(_k("where.complainant_in", lang, areas=_areas(value.complainant_in)))
    if value.cross_border:
        parts.append(_k("where.cross_border", lang))
    return t("escalation.join", lang).join(parts) if parts else _k("where.anywhere", lang)


def _lifecycle(value: Lifecycle, lang: str) -> str:
    if value.state.value == "open":
        return _k("life.open", lang)
    return _k(
        "life.closed",
        lang,
        no_new=value.no_new_cases_from or "—",
        closed=value.closed_on or "—",
    )


def _condition(condition: Condition, lang: str) -> str:
    params: dict[str, object] = {}
    if condition.period is not None and condition.since is not None:
        params = {
            "period": condition.period,
            "anchor": Phrase(f"escalation.anchor.{condition.since.value}"),
        }
    text = Phrase(f"escalation.condition.{condition.kind.value}", params).render(lang)
    if condition.in_force_from is not None:
        text += " " + _k("in_force_from", lang, date=condition.in_force_from)
    if condition.in_force_until is not None:
        text += " " + _k("in_force_until", lang, date=condition.in_force_until)
    return text


def _time_bar(value: TimeBar, lang: str) -> str:
    text = _k(
        "time_bar",
        lang,
        period=show(value.period, lang),
        anchor=t(f"escalation.anchor.{value.since.value}", lang),
    )
    if value.applies_to is not None:
        text += f" — {value.applies_to.get(lang)}"
    return text


def _clock(value: Clock | HandlingTime, lang: str) -> str:
    text = value.what.get(lang)
    if value.period is not None:
        text += f" ({show(value.period, lang)})"
    return text


def _claim_limit(value: ClaimLimit, lang: str) -> str:
    parts = []
    if value.maximum is not None:
        parts.append(_k("limit.maximum", lang, limit=value.maximum))
    if value.by_consent is not None:
        parts.append(_k("limit.by_consent", lang, limit=value.by_consent))
    if value.minimum is not None:
        parts.append(_k("limit.minimum", lang, limit=value.minimum))
    return t("escalation.join", lang).join(parts) or "—"


def _channel(value: Channel, lang: str) -> str:
    text = f"{_k(f'channel.{value.kind.value}', lang)}: {value.address}"
    if value.label is not None:
        text += f" ({value.label.get(lang)})"
    return text


def _entity(value: LegalEntity, lang: str) -> str:
    parts = [value.name, value.country]
    if value.address:
        parts.append(value.address)
    text = ", ".join(parts)
    if value.applies_to is not None:
        text += f" — {value.applies_to.get(lang)}"
    return text


def _forum(value: Forum, lang: str) -> str:
    parts = [value.law.get(lang)]
    if value.venue is not None:
        parts.append(_k("forum.venue", lang, venue=value.venue.get(lang)))
    if value.venue_country:
        parts.append(_k("forum.venue_country", lang, country=value.venue_country))
    if value.arbitration:
        parts.append(_k("forum.arbitration", lang))
    text = t("escalation.join", lang).join(parts)
    if value.applies_to is not None:
        text += f" — {value.applies_to.get(lang)}"
    return text


def _body_name(key: str, lang: str) -> str:
    body = load_directory().bodies.get(key)
    if body is None:
        return key
    return body.names.zh.value if lang == "zh" else body.names.en.value


def _render(value: object, lang: str) -> str:
    if isinstance(value, Eligibility):
        return _eligibility(value, lang)
    if isinstance(value, Jurisdiction):
        return _jurisdiction(value, lang)
    if isinstance(value, Lifecycle):
        return _lifecycle(value, lang)
    if isinstance(value, TimeBar):
        return _time_bar(value, lang)
    if isinstance(value, Clock | HandlingTime):
        return _clock(value, lang)
    if isinstance(value, ClaimLimit):
        return _claim_limit(value, lang)
    if isinstance(value, Channel):
        return _channel(value, lang)
    if isinstance(value, LegalEntity):
        return _entity(value, lang)
    if isinstance(value, Forum):
        return _forum(value, lang)
    if hasattr(value, "conditions"):  # an opening path: all of its conditions together
        conditions = value.conditions
        return _k("and", lang).join(_condition(c, lang) for c in conditions)
    return show(value, lang)


def _line(name: str, sourced: Sourced[Any], lang: str, text: str | None = None) -> FactLine:
    return FactLine(
        field=name,
        label=_k(f"field.{name}", lang),
        value=text if text is not None else _render(sourced.value, lang),
        source=sourced.source,
        checked=sourced.checked.isoformat(),
        status=sourced.status.value,
        basis=sourced.basis.value,
        note=sourced.note,
    )


def _names(record: Provider | Body, lang: str) -> list[FactLine]:
    lines = [_line("name_en", record.names.en, lang), _line("name_zh", record.names.zh, lang)]
    lines += [_line("alias", alias, lang) for alias in record.names.aliases]
    return lines


def _kind_text(prefix: str, value: object, lang: str) -> str:
    return t(f"directory.{prefix}.{show(value, lang)}", lang)


def provider_facts(provider: Provider, lang: str) -> list[FactLine]:
    lines = _names(provider, lang)
    lines.append(_line("country", provider.country, lang))
    lines.append(_line("website", provider.website, lang))
    lines += [_line("legal_entity", v, lang) for v in provider.legal_entities]
    lines += [_line("support_channel", v, lang) for v in provider.support_channels]
    lines += [_line("complaint_route", v, lang) for v in provider.complaint_route]
    lines += [_line("escalation_route", v, lang) for v in provider.escalation_route]
    lines += [_line("handling_time", v, lang) for v in provider.handling_times]
    lines += [_line("sla_policy", v, lang) for v in provider.sla_policies]
    lines += [_line("governing_law", v, lang) for v in provider.governing_law]
    lines += [
        _line("adr_membership", v, lang, f"{v.value} — {_body_name(v.value, lang)}")
        for v in provider.adr_memberships
    ]
    return lines


def body_facts(body: Body, lang: str) -> list[FactLine]:
    lines = _names(body, lang)
    lines.append(_line("kind", body.kind, lang, _kind_text("kind", body.kind.value, lang)))
    lines.append(_line("country", body.country, lang))
    lines.append(_line("lifecycle", body.lifecycle, lang))
    lines.append(_line("eligibility", body.eligibility, lang))
    lines.append(_line("jurisdiction", body.jurisdiction, lang))
    scope = _kind_text("hosting_scope", body.hosting_scope.value, lang)
    lines.append(_line("hosting_scope", body.hosting_scope, lang, scope))
    member = _kind_text("membership", body.membership.value, lang)
    lines.append(_line("membership", body.membership, lang, member))
    if not body.opens_when:
        lines.append(
            FactLine(
                field="opens_when",
                label=_k("field.opens_when", lang),
                value=_k("no_precondition", lang),
                source=body.kind.source,
                checked=body.kind.checked.isoformat(),
                status=body.kind.status.value,
                basis=body.kind.basis.value,
            )
        )
    lines += [_line("opens_when", v, lang) for v in body.opens_when]
    lines += [_line("time_bar", v, lang) for v in body.time_bars]
    lines += [_line("clock", v, lang) for v in body.clocks]
    if body.claim_limit is not None:
        lines.append(_line("claim_limit", body.claim_limit, lang))
    lines += [_line("scope_note", v, lang) for v in body.scope_notes]
    lines += [_line("channel", v, lang) for v in body.channels]
    return lines


def guide_row_facts(row: SourceGuideRow, lang: str) -> list[FactLine]:
    written = row.body_as_written.value
    lines = [
        _line("section", row.section, lang),
        _line("body_as_written", row.body_as_written, lang, f"{written.zh} ({written.en})"),
        _line("contact_as_written", row.contact_as_written, lang),
        _line("verdict", row.verdict, lang, t(f"directory.verdict.{row.verdict.value}", lang)),
        _line("finding", row.finding, lang),
    ]
    if row.correct_body is not None:
        key = row.correct_body.value
        lines.append(
            _line("correct_body", row.correct_body, lang, f"{key} — {_body_name(key, lang)}")
        )
    lines += [
        _line("see_also", v, lang, f"{v.value} — {_body_name(v.value, lang)}") for v in row.see_also
    ]
    return lines


def _dump(record: BaseModel) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude_none=True)


# -- services -----------------------------------------------------------------------------------


def search_directory(text: str, lang: str | None = None) -> list[DirectoryHit]:
    code = _lang(lang)
    directory = load_directory()
    hits = []
    for hit in search(text, directory):
        if hit.kind.value == "provider":
            provider = directory.providers[hit.key]
            name = provider.names.zh.value if code == "zh" else provider.names.en.value
            country = provider.country_code
        elif hit.kind.value == "body":
            body = directory.bodies[hit.key]
            name = body.names.zh.value if code == "zh" else body.names.en.value
            country = body.country_code
        else:
            row = next(r for r in directory.source_guide if r.key == hit.key)
            name = row.body_as_written.value.get(code)
            country = "—"
        hits.append(
            DirectoryHit(
                kind=hit.kind.value,
                key=hit.key,
                name=name,
                country=country,
                matched=hit.matched,
                field=hit.field.value,
                score=hit.score,
            )
        )
    return hits


def show_entry(key: str, lang: str | None = None) -> DirectoryEntry:
    """A provider, a body or a row of the source guide's table, value by value."""
    code = _lang(lang)
    directory = load_directory()
    wanted = key.strip().lower()
    if wanted in directory.providers:
        provider = directory.providers[wanted]
        name = provider.names.zh.value if code == "zh" else provider.names.en.value
        return DirectoryEntry(
            "provider", wanted, name, tuple(provider_facts(provider, code)), _dump(provider)
        )
    if wanted in directory.bodies:
        body = directory.bodies[wanted]
        name = body.names.zh.value if code == "zh" else body.names.en.value
        return DirectoryEntry("body", wanted, name, tuple(body_facts(body, code)), _dump(body))
    for row in directory.source_guide:
        if row.key == wanted:
            name = row.body_as_written.value.get(code)
            return DirectoryEntry(
                "source_guide", wanted, name, tuple(guide_row_facts(row, code)), _dump(row)
            )
    raise NotFound("error.followup.unknown_directory_key", name=key)


def source_guide(lang: str | None = None) -> list[GuideRow]:
    """The source guide's contact table as written, each row with its verdict and the body
    that actually does the job."""
    code = _lang(lang)
    rows = []
    for row in load_directory().source_guide:
        written = row.body_as_written.value
        contact = row.contact_as_written.value
        correct = row.correct_body.value if row.correct_body is not None else None
        rows.append(
            GuideRow(
                key=row.key,
                section=row.section.value,
                body_as_written=written.zh,
                body_translated=written.en,
                contact=f"{_k(f'channel.{contact.kind.value}', code)}: {contact.address}",
                contact_status=row.contact_as_written.status.value,
                verdict=row.verdict.value.value,
                verdict_text=t(f"directory.verdict.{row.verdict.value.value}", code),
                finding=row.finding.value.get(code),
                correct_body=correct,
                correct_body_name=_body_name(correct, code) if correct else None,
                see_also=tuple(v.value for v in row.see_also),
            )
        )
    return rows


@dataclass(frozen=True)
class LinkResult:
    case: Case
    provider_key: str
    provider_name: str
    changed: tuple[str, ...]


def link_case(ws: Workspace, case_ref: str, provider_key: str) -> LinkResult:
    """Link a case to a directory provider; fill the provider's country and website when the
    case has none. Recorded in the ledger like any case update."""
    from hostclaim.services.cases import get_case

    provider = load_directory().provider(provider_key.strip().lower())
    case = get_case(ws, case_ref)
    details = CaseDetails(provider_key=provider.key)
    if not case.provider_country:
        details.provider_country = provider.country_code
    if not case.provider_website:
        details.provider_website = provider.website.value
    changed = tuple(key for key, value in details.given().items() if getattr(case, key) != value)
    updated = update_case(ws, case_ref, details)
    return LinkResult(updated, provider.key, provider.names.en.value, changed)
