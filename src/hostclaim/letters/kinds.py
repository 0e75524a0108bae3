"""Letter kinds: one small protocol and a registry, the built-in kinds registered like any other.

A kind has a key, a title per language, the facts it cannot do without, and a Jinja2 template per
language. The template defines a ``subject()`` macro and renders the Markdown body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from hostclaim.errors import NotFound
from hostclaim.i18n import SUPPORTED, t


@runtime_checkable
class LetterKind(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def required(self) -> tuple[str, ...]:
        """Fact paths (see ``facts.resolve``) the letter cannot do without."""
        ...

    def title(self, lang: str) -> str: ...

    def template(self, lang: str) -> str:
        """Template name under the template root, e.g. ``en/complaint_letter.md.j2``."""
        ...


@dataclass(frozen=True)
class TemplateKind:
    """A kind whose title is in the catalog and whose templates ship with the package."""

    key: str
    required: tuple[str, ...]

    def title(self, lang: str) -> str:
        return t(f"letters.kind.{self.key}", lang)

    def template(self, lang: str) -> str:
        return f"{lang}/{self.key}.md.j2"


_REGISTRY: dict[str, LetterKind] = {}


def register(kind: LetterKind) -> LetterKind:
    """Add a kind (or replace one with the same key) and return it."""
    _REGISTRY[kind.key] = kind
    return kind


def get_kind(key: str) -> LetterKind:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise NotFound("error.letters.unknown_kind", kind=key, known=", ".join(_REGISTRY)) from None


def all_kinds() -> tuple[LetterKind, ...]:
    return tuple(_REGISTRY.values())


_WHO = ("complainant.name", "complainant.customer_id", "provider.name")
_SERVICE = ("service.contract_ref", "service.product")

for _kind in (
    TemplateKind("support_ticket", (*_WHO, "service.product", "incidents")),
    TemplateKind(
        "complaint_letter",
        (*_WHO, "complainant.email", *_SERVICE, "incidents", "demands", "enclosures"),
    ),
    TemplateKind(
        "sla_credit_claim",
        (
            *_WHO,
            *_SERVICE,
            "sla.policy_key",
            "sla.subject_words",
            "sla.required_information",
            "sla.availability",
            "sla.commitment",
            "sla.credit_lines",
            "sla.claim_deadline",
            "incidents",
            "demands",
        ),
    ),
    TemplateKind(
        "follow_up",
        (*_WHO, "communications", "missed_deadline", "demands"),
    ),
    TemplateKind(
        "escalation_management",
        (*_WHO, *_SERVICE, "escalation.body", "communications", "incidents", "demands"),
    ),
    TemplateKind(
        "regulator_complaint",
        (
            *_WHO,
            "complainant.email",
            "provider.country",
            *_SERVICE,
            "escalation.body",
            "communications",
            "incidents",
            "demands",
            "enclosures",
        ),
    ),
    TemplateKind(
        "consumer_body_complaint",
        (
            *_WHO,
            "complainant.email",
            "complainant.is_consumer",
            "provider.country",
            *_SERVICE,
            "escalation.body",
            "communications",
            "incidents",
            "demands",
            "enclosures",
        ),
    ),
    TemplateKind(
        "mediation_request",
        (
            *_WHO,
            "complainant.email",
            *_SERVICE,
            "escalation.body",
            "communications",
            "incidents",
            "demands",
        ),
    ),
    TemplateKind(
        "letter_before_action",
        (
            *_WHO,
            "provider.address",
            *_SERVICE,
            "clauses",
            "incidents",
            "communications",
            "demands",
            "forum.name",
            "enclosures",
        ),
    ),
    TemplateKind(
        "lawyer_brief",
        (
            *_WHO,
            "provider.country",
            *_SERVICE,
            "incidents",
            "communications",
            "demands",
            "enclosures",
            "open_questions",
        ),
    ),
):
    register(_kind)

KIND_KEYS = tuple(_REGISTRY)
LANGS = SUPPORTED
