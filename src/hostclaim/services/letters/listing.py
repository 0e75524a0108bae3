"""The case's letters: listed for the user, and the issued ones offered to follow-up (through
:func:`~hostclaim.services.facts.register_letter_source`) with the reply time each allowed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hostclaim.domain.deadlines.calendar_math import local_date
from hostclaim.services.facts import IssuedLetter, register_letter_source
from hostclaim.services.letters.case_file import complainant_zone
from hostclaim.services.letters.drafts import ISSUED
from hostclaim.services.letters.reply import NO_REPLY_KINDS
from hostclaim.services.records import ref_of
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage.tables import Case
from hostclaim.storage.tables_letters import Letter


def list_letters(ws: Workspace, case_ref: str) -> list[Letter]:
    with ws.reading() as session:
        case = load_case(session, case_ref)
        return list(
            session.execute(
                select(Letter).where(Letter.case_id == case.id).order_by(Letter.number)
            ).scalars()
        )


@register_letter_source
def _issued(session: Session, case: Case) -> list[IssuedLetter]:
    rows = session.execute(
        select(Letter).where(Letter.case_id == case.id, Letter.status == ISSUED)
    ).scalars()
    letters = []
    for row in rows:
        if row.issued_at is None or row.kind in NO_REPLY_KINDS:
            continue
        zone_name = complainant_zone(case)
        days = (
            (row.reply_by - local_date(row.issued_at, zone_name)).days
            if row.reply_by is not None
            else row.reply_days
        )
        letters.append(
            IssuedLetter(
                at=row.issued_at,
                ref=ref_of(row),
                kind=row.kind,
                reply_days=days,
                communication=row.communication_number,
            )
        )
    return letters
