"""The formats a letter is issued in: their names, media types, and rendering to each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from hostclaim.errors import InvalidInput
from hostclaim.letters import Draft

FORMATS = ("md", "html", "pdf", "docx", "eml")
MEDIA = {
    "md": "text/markdown",
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "eml": "message/rfc822",
}


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen: list[str] = []
    for raw in items:
        for part in raw.split(","):
            name = part.strip().lower().lstrip(".")
            if not name:
                continue
            if name not in FORMATS:
                raise InvalidInput(
                    "letter_cli.error.bad_format", value=part.strip(), known=", ".join(FORMATS)
                )
            if name not in chosen:
                chosen.append(name)
    if not chosen:
        raise InvalidInput("letter_cli.error.bad_format", value=str(text), known=", ".join(FORMATS))
    return tuple(chosen)


def render(letter: Draft, fmt: str, created: datetime) -> bytes:
    from hostclaim.letters.render import to_docx, to_html, to_pdf

    if fmt == "html":
        return to_html(letter).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(letter, created=created)
    if fmt == "docx":
        return to_docx(letter)
    raise AssertionError(fmt)
