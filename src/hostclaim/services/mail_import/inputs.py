"""What an import starts from: the complainant's addresses, the DKIM key sources, the files."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from hostclaim.errors import InvalidInput, NotFound
from hostclaim.mail import ChainKeySource, DkimKeySource, DnsKeySource, load_key_file

_EMAIL = re.compile(r"[A-Za-z0-9._%+'=-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_DOMAIN = re.compile(r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def own_addresses(contact: str | None, extra: Iterable[str] = ()) -> list[str]:
    """The complainant's addresses: e-mails in the case's contact field, then ``--own`` values.

    ``@shop.example`` stands for the whole domain.
    """
    found: list[str] = list(_EMAIL.findall(contact or ""))
    for entry in extra:
        value = entry.strip()
        if not (_DOMAIN.fullmatch(value) or _EMAIL.fullmatch(value)):
            raise InvalidInput("mail_import.error.bad_own", value=entry)
        found.append(value)
    seen: dict[str, None] = {}
    for value in found:
        seen.setdefault(value.lower(), None)
    return list(seen)


def key_source(
    key_file: Path | None = None, dns: bool = False, extra: DkimKeySource | None = None
) -> tuple[DkimKeySource | None, list[str]]:
    """Where DKIM keys come from: a given source, a key file, then DNS (only when asked)."""
    sources: list[DkimKeySource] = []
    labels: list[str] = []
    if extra is not None:
        sources.append(extra)
        labels.append("given")
    if key_file is not None:
        sources.append(load_key_file(key_file))
        labels.append(f"file:{key_file.name}")
    if dns:
        sources.append(DnsKeySource())
        labels.append("dns")
    if not sources:
        return None, []
    return (sources[0] if len(sources) == 1 else ChainKeySource(*sources)), labels


def _check_files(paths: Sequence[Path]) -> list[Path]:
    if not paths:
        raise InvalidInput("mail_import.error.no_files")
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise NotFound("mail.error.file_missing", path=str(path))
        if not path.is_file():
            raise InvalidInput("mail.error.not_a_file", path=str(path))
        files.append(path)
    return files
