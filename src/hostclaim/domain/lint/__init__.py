"""The letter linter: effectiveness, tone, legal risk and privacy, in English and Chinese.

``lint_text(letter, facts=LintFacts(...))`` returns findings, each with a rule id, a severity,
where it is, and why/fix in the user's language; ``lint_attachments`` runs the privacy rules over
the files sent with the letter. Rule ids and their severities: ``rules()``.
"""

from hostclaim.domain.lint.attachments import AttachmentReport, lint_attachments
from hostclaim.domain.lint.context import detect_language
from hostclaim.domain.lint.engine import lint_text, rules
from hostclaim.domain.lint.model import Finding, LintFacts, Money, Severity

__all__ = [
    "AttachmentReport",
    "Finding",
    "LintFacts",
    "Money",
    "Severity",
    "detect_language",
    "lint_attachments",
    "lint_text",
    "rules",
]
