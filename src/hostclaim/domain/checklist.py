"""The evidence checklist of the source guide: what a complaint needs, present or missing."""

from __future__ import annotations

from dataclasses import dataclass, field

from hostclaim.domain.case import EvidenceKind


@dataclass(frozen=True)
class ChecklistItem:
    key: str  # contract | communications | technical_proof | payment_proof
    present: bool
    items: list[str] = field(default_factory=list)  # evidence/communication refs that satisfy it


@dataclass(frozen=True)
class EvidenceFacts:
    """What the case holds, reduced to what the checklist needs."""

    evidence: list[tuple[str, EvidenceKind]]  # (ref, kind)
    communications: list[str]  # refs of logged contacts
    incidents_with_evidence: list[str]  # refs of incidents linked to evidence


def evaluate(facts: EvidenceFacts) -> list[ChecklistItem]:
    def refs(*kinds: EvidenceKind) -> list[str]:
        return [ref for ref, kind in facts.evidence if kind in kinds]

    contract = refs(EvidenceKind.CONTRACT)
    comms = refs(EvidenceKind.COMMUNICATION) + facts.communications
    technical = (
        refs(EvidenceKind.SYSTEM_LOG, EvidenceKind.TECHNICAL_REPORT) + facts.incidents_with_evidence
    )
    payment = refs(EvidenceKind.PAYMENT)
    return [
        ChecklistItem("contract", bool(contract), contract),
        ChecklistItem("communications", bool(comms), comms),
        ChecklistItem("technical_proof", bool(technical), technical),
        ChecklistItem("payment_proof", bool(payment), payment),
    ]
