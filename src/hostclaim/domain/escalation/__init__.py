"""The escalation ladder and the legal-route checklist: pure rules over case facts and the
directory. Every "why" is a catalog phrase, rendered in English or Chinese at the edge."""

from hostclaim.domain.escalation.facts import (
    CaseFacts,
    Complainant,
    Contact,
    ContractForum,
    EvidenceSummary,
    LetterKind,
)
from hostclaim.domain.escalation.gates import BodyVerdict, judge, relevant
from hostclaim.domain.escalation.ladder import Risk, Rung, Step, ladder
from hostclaim.domain.escalation.legal import (
    ForumLimit,
    Item,
    LegalChecklist,
    LegalStep,
    LegalStepKind,
    legal_route_checklist,
)
from hostclaim.domain.escalation.text import Phrase, Reason

__all__ = [
    "BodyVerdict",
    "CaseFacts",
    "Complainant",
    "Contact",
    "ContractForum",
    "EvidenceSummary",
    "ForumLimit",
    "Item",
    "LegalChecklist",
    "LegalStep",
    "LegalStepKind",
    "LetterKind",
    "Phrase",
    "Reason",
    "Risk",
    "Rung",
    "Step",
    "judge",
    "ladder",
    "legal_route_checklist",
    "relevant",
]
