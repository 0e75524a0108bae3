"""Privacy rules over the files that go with a letter (logs, exports, mail, PDFs)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hostclaim.domain.lint.engine import lint_text
from hostclaim.domain.lint.model import Finding, LintFacts
from hostclaim.domain.redact.formats import attachment_text
from hostclaim.i18n import t


@dataclass(frozen=True, slots=True)
class AttachmentReport:
    name: str
    findings: tuple[Finding, ...]
    skipped: str | None = None  # why the file was not read, in the user's language


Attachment = str | Path | tuple[str, bytes]


def lint_attachments(
    items: Iterable[Attachment],
    *,
    facts: LintFacts | None = None,
    ui_lang: str | None = None,
) -> list[AttachmentReport]:
    """Run the privacy rules over text attachments: txt, log, csv, eml, json … and PDF text.

    Each item is a path or ``(name, bytes)``. A path is read here for convenience; services that
    hold evidence as blobs pass bytes. Files that carry no readable text (images, image-only PDFs,
    archives) are reported as skipped, with the reason.
    """
    reports = []
    for item in items:
        if isinstance(item, tuple):
            name, data = item
        else:
            path = Path(item)
            name, data = path.name, path.read_bytes()
        extracted = attachment_text(data, name)
        if extracted.text is None:
            reason = t(extracted.reason or "redact.refused.unsupported", ui_lang, name=name)
            reports.append(AttachmentReport(name, (), reason))
            continue
        findings = lint_text(extracted.text, facts=facts, ui_lang=ui_lang, only={"privacy"})
        reports.append(AttachmentReport(name, tuple(findings)))
    return reports
