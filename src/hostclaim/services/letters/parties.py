"""Who a letter is from and to: the complainant's contact details, and where the provider (or a
regulator, consumer body or mediator in the directory) takes mail."""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr
from typing import Any

from hostclaim.domain.case import Channel, Direction
from hostclaim.services.letters.case_file import CaseFile, read_case
from hostclaim.services.workspace import Workspace
from hostclaim.storage.tables import Case
from hostclaim.storage.tables import Communication as CommunicationRow


def _address(text: str | None) -> str | None:
    """The e-mail address in ``text`` (``Name <a@b>`` or ``a@b``), else None."""
    if not text or "@" not in text:
        return None
    found = parseaddr(text)[1]
    return found if "@" in found and " " not in found else None


def directory_provider(case: Case) -> Any:
    if not case.provider_key:
        return None
    from hostclaim.domain.directory import load_directory

    return load_directory().providers.get(case.provider_key)


def directory_body(key: str | None) -> Any:
    if not key:
        return None
    from hostclaim.domain.directory import load_directory

    return load_directory().bodies.get(key.strip().lower())


def channel_address(channels: Iterable[Any], kind: str) -> str | None:
    for item in channels:
        value = getattr(item, "value", item)
        if str(getattr(value, "kind", "")) == kind:
            return str(value.address)
    return None


def provider_email(data: CaseFile) -> str | None:
    """Where the provider takes mail: the directory's support address, else the address the
    complainant last wrote to, else the one the provider wrote from."""
    listed = directory_provider(data.case)
    if listed is not None:
        found = channel_address(listed.support_channels, "email")
        if found:
            return found
    for direction in (Direction.OUTBOUND.value, Direction.INBOUND.value):
        for row in reversed(data.communications):
            if row.channel == Channel.EMAIL.value and row.direction == direction:
                found = _address(row.counterpart)
                if found:
                    return found
    return None


def provider_email_of(ws: Workspace, case_ref: str) -> tuple[str | None, list[CommunicationRow]]:
    """The provider's mail address as the case knows it, and the case's contacts."""
    data = read_case(ws, case_ref)
    return provider_email(data), data.communications


def complainant_email(case: Case) -> str | None:
    return _address(case.complainant_contact)


def complainant_phone(case: Case) -> str | None:
    contact = (case.complainant_contact or "").strip()
    if contact and "@" not in contact and sum(ch.isdigit() for ch in contact) >= 6:
        return contact
    return None
