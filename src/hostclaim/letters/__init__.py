"""Letters: draft a complaint, claim or brief from case facts, and render it.

    from hostclaim.letters import LetterContext, draft
    from hostclaim.letters.render import to_markdown, to_pdf

Drafts are not legal advice; interfaces show ``t(DISCLAIMER)`` beside them, never inside them.
"""

from hostclaim.letters.drafting import DISCLAIMER, Draft, draft, ensure_complete
from hostclaim.letters.facts import fact_label, find_placeholders
from hostclaim.letters.kinds import LetterKind, TemplateKind, all_kinds, get_kind, register
from hostclaim.letters.model import LetterContext

__all__ = [
    "DISCLAIMER",
    "Draft",
    "LetterContext",
    "LetterKind",
    "TemplateKind",
    "all_kinds",
    "draft",
    "ensure_complete",
    "fact_label",
    "find_placeholders",
    "get_kind",
    "register",
]
