"""Draft files and the letters table: a draft is written as a plain Markdown file with a header
(never over an existing file) and recorded as a row; an (edited) draft file is read back."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from hostclaim.domain.timeutil import now_utc
from hostclaim.errors import InvalidInput
from hostclaim.letters import Draft, draft
from hostclaim.letters.render import draft_from_text
from hostclaim.services.letters.context import build_context
from hostclaim.services.letters.reply import DEFAULT_REPLY_DAYS
from hostclaim.services.records import get_numbered, next_number, ref_of
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage import ledger
from hostclaim.storage.tables import Case
from hostclaim.storage.tables_letters import Letter

DRAFTED, ISSUED = "drafted", "issued"
FENCE = "---"


def _with_header(markdown: str, extra: dict[str, object]) -> str:
    """``to_markdown``'s text with more header lines (our letter ref, the reply date)."""
    end = markdown.index(f"\n{FENCE}\n", len(FENCE))
    dumped = yaml.safe_dump(extra, allow_unicode=True, sort_keys=False, width=10_000)
    return markdown[: end + 1] + dumped + markdown[end + 1 :]


@dataclass(frozen=True)
class DraftFile:
    path: Path
    text: str
    draft: Draft
    letter_ref: str | None
    reply_by: date | None


def _header_values(text: str) -> dict[str, Any]:
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    loaded = yaml.safe_load("\n".join(lines[1:end])) or {}
    return loaded if isinstance(loaded, dict) else {}


def read_draft(path: Path) -> DraftFile:
    """An (edited) draft file: its header, its letter, our letter ref and reply date if any."""
    if not path.is_file():
        raise InvalidInput("error.file_missing", path=str(path))
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("letter_cli.error.not_utf8", path=str(path)) from None
    except OSError as exc:
        raise InvalidInput("error.file_unreadable", path=f"{path} ({exc.strerror})") from exc
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    letter = draft_from_text(text)
    header = _header_values(text)
    reply_by = header.get("reply_by")
    if isinstance(reply_by, str):
        from hostclaim.domain.timeutil import parse_date

        reply_by = parse_date(reply_by)
    if reply_by is not None and not isinstance(reply_by, date):
        raise InvalidInput("error.letters.bad_front_matter", problem="reply_by is not a date")
    ref = header.get("letter")
    return DraftFile(path, text, letter, str(ref).strip().upper() if ref else None, reply_by)


@dataclass(frozen=True)
class DraftResult:
    letter: Letter
    path: Path
    draft: Draft
    notes: list[str]

    @property
    def missing(self) -> list[str]:
        """What the case did not know, in the draft's language."""
        return self.draft.missing_labels()


def _free_path(target: Path | None, case_ref: str, kind: str, lang: str) -> Path:
    name = f"{case_ref}-{kind}-{lang}.md"
    if target is not None and not target.is_dir():
        if not target.exists() and not target.suffix:
            raise InvalidInput("letter_cli.error.no_directory", path=str(target))
        if target.exists():
            raise InvalidInput("letter_cli.error.out_exists", path=str(target))
        if not target.parent.is_dir():
            raise InvalidInput("letter_cli.error.no_directory", path=str(target.parent))
        return target
    folder = target if target is not None else Path.cwd()
    candidate = folder / name
    counter = 2
    while candidate.exists():
        candidate = folder / f"{case_ref}-{kind}-{lang}-{counter}.md"
        counter += 1
    return candidate


def draft_letter(
    ws: Workspace,
    case_ref: str,
    kind: str,
    lang: str,
    *,
    out: Path | None = None,
    reply_days: int = DEFAULT_REPLY_DAYS,
    recipient: str | None = None,
    now: datetime | None = None,
) -> DraftResult:
    """Draft ``kind`` in ``lang`` from the case into a new file (default ``./CASE-KIND-LANG.md``,
    never over an existing one) and record the draft (kind, language, file hash)."""
    moment = now or now_utc()
    built = build_context(
        ws, case_ref, kind=kind, lang=lang, reply_days=reply_days, recipient=recipient, now=moment
    )
    letter = draft(kind, built.ctx, lang)
    reply_by = built.ctx.reply_deadline()
    from hostclaim.letters.render import to_markdown

    path = _free_path(out, built.ctx.case_ref or case_ref, letter.kind, letter.lang)
    with ws.transaction() as session:
        case = load_case(session, case_ref, lock=True)
        number = next_number(session, Letter, case.id)
        text = _with_header(to_markdown(letter), {"letter": f"L{number}", "reply_by": reply_by})
        data = text.encode("utf-8")
        row = Letter(
            case_id=case.id,
            number=number,
            created_at=moment,
            kind=letter.kind,
            lang=letter.lang,
            subject=letter.subject[:500],
            status=DRAFTED,
            recipient=recipient,
            draft_file=str(path.resolve()),
            draft_sha256=hashlib.sha256(data).hexdigest(),
            missing_facts=list(letter.missing_facts),
            reply_days=reply_days,
            reply_by=reply_by,
            outputs={},
            enclosure_numbers=[item.number for item in built.enclosures],
        )
        session.add(row)
        session.flush()
        ledger.append(
            session,
            case,
            "letter_drafted",
            {"ref": ref_of(row), "kind": row.kind, "lang": row.lang, "sha256": row.draft_sha256},
            [row],
        )
        try:
            with path.open("xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except FileExistsError:
            raise InvalidInput("letter_cli.error.out_exists", path=str(path)) from None
        except OSError as exc:
            raise InvalidInput(
                "letter_cli.error.cannot_write", path=str(path), detail=exc.strerror
            ) from exc
    return DraftResult(row, path, letter, built.notes)


def find_letter(session: Session, case: Case, ref: str | None) -> Letter | None:
    if ref is None:
        return None
    return get_numbered(session, Letter, case.id, ref)
