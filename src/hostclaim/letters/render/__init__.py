"""Renderers of a draft: Markdown file, plain text, HTML, PDF, DOCX and e-mail."""

from hostclaim.letters.render.docx import to_docx
from hostclaim.letters.render.eml import Attachment, to_eml, verify_enclosures
from hostclaim.letters.render.html import to_html
from hostclaim.letters.render.markdown import DraftMeta, draft_from_text, parse_draft, to_markdown
from hostclaim.letters.render.pdf import to_pdf
from hostclaim.letters.render.text import to_text

__all__ = [
    "Attachment",
    "DraftMeta",
    "draft_from_text",
    "parse_draft",
    "to_docx",
    "to_eml",
    "to_html",
    "to_markdown",
    "to_pdf",
    "to_text",
    "verify_enclosures",
]
