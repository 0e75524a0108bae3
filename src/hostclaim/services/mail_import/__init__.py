"""Importing correspondence: each e-mail becomes evidence, a dated contact and a mail record.

``import_mail`` streams ``.eml``/``.mbox`` files through :mod:`hostclaim.mail` (a few megabytes
of messages in memory at a time, whatever the size of the mailbox), stores each message's exact
bytes in the locker, and commits in batches: ``BATCH_SIZE`` messages per transaction, recorded
by one ledger entry (``mail_imported``) that lists the batch's messages and holds the new state
of every row it added. A killed import leaves whole batches behind and a consistent case;
running it again skips every Message-ID (and every exact copy) the case already holds, so only
what is missing is added.

Each message's bytes are written to the locker as soon as it is read, without an fsync of its
own; one :meth:`~hostclaim.storage.blobs.BlobStore.sync` per batch makes them all durable just
before the batch's transaction, so no committed row ever points to bytes that a power cut could
still take away. A big import (``PARALLEL_MIN_BYTES``) on two cores or more reads and parses
in a second process while this one stores and commits (see ``_ParserProcess``); what is
imported, and in which order, does not depend on it.

Per message:

* an evidence item (``message/rfc822``, the raw bytes; title = subject, captured = Date);
* a contact (channel e-mail, time from the Date header, direction from the complainant's
  addresses, counterpart, subject, summary, first ticket reference) — unless the message has
  no usable Date: it is then kept as evidence and reported, never given the import time;
* a :class:`MailMessage` row: Message-ID, thread root, DKIM verdict with the key record used,
  ticket references, attachments (name, type, size, SHA-256), evidence and contact numbers.

A message that cannot be read as mail is kept as evidence marked unparsed (and recorded, so a
second import skips it) and reported with its position in the file. DKIM never fails an
import. Positions in files are counted from 1, as people count.

The package: :mod:`.describe` (one entry of a file, alone), :mod:`.parser_process` (the second
process), :mod:`.store` (batches, blobs, rows, ledger), :mod:`.report` (what an import
reports), :mod:`.queries` (reading it back), :mod:`.inputs` (addresses, key sources, files).
Only what the parser process needs is imported with the package; the rest comes when asked
for, so the parser process does not load the database layer.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hostclaim.errors import InvalidInput
from hostclaim.mail import DkimKeySource, OwnAddresses
from hostclaim.services.mail_import.describe import (
    MAX_ID,
    MEDIA_TYPE,
    ORIGIN,
    SUMMARY_CHARS,
    Malformed,
    _produce,
)
from hostclaim.services.mail_import.inputs import _check_files, key_source, own_addresses
from hostclaim.services.mail_import.parser_process import (
    PARALLEL_MIN_BYTES,
    _ParserProcess,
    _start_parser,
)

if TYPE_CHECKING:
    from hostclaim.services.mail_import.queries import (
        AttachmentInfo,
        AttachmentListing,
        MailListing,
        MailThread,
        Promotion,
        list_attachments,
        list_messages,
        promote_attachment,
    )
    from hostclaim.services.mail_import.report import (
        DkimStatus,
        Duplicate,
        ImportReport,
        MessageSummary,
        dkim_status,
    )
    from hostclaim.services.mail_import.store import Progress
    from hostclaim.services.workspace import Workspace

BATCH_SIZE = 200

# Names of the modules that need the database layer, imported on first use (PEP 562).
_LAZY = {
    **dict.fromkeys(
        (
            "AttachmentInfo",
            "AttachmentListing",
            "MailListing",
            "MailThread",
            "Promotion",
            "list_attachments",
            "list_messages",
            "promote_attachment",
        ),
        "queries",
    ),
    **dict.fromkeys(
        ("DkimStatus", "Duplicate", "ImportReport", "MessageSummary", "dkim_status"), "report"
    ),
    "Progress": "store",
}

__all__ = [
    "BATCH_SIZE",
    "MAX_ID",
    "MEDIA_TYPE",
    "ORIGIN",
    "PARALLEL_MIN_BYTES",
    "SUMMARY_CHARS",
    "AttachmentInfo",
    "AttachmentListing",
    "DkimStatus",
    "Duplicate",
    "ImportReport",
    "MailListing",
    "MailThread",
    "Malformed",
    "MessageSummary",
    "Progress",
    "Promotion",
    "_ParserProcess",
    "_start_parser",
    "dkim_status",
    "import_mail",
    "key_source",
    "list_attachments",
    "list_messages",
    "own_addresses",
    "promote_attachment",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def import_mail(
    ws: Workspace,
    case_ref: str,
    paths: Sequence[Path],
    *,
    own: Iterable[str] = (),
    key_file: Path | None = None,
    dns: bool = False,
    keys: DkimKeySource | None = None,
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    parallel: bool | None = None,
) -> ImportReport:
    """Import ``.eml``/``.mbox`` files into a case; see the module docstring.

    ``own`` adds complainant addresses (``@domain`` for a whole domain) to the e-mail in the
    case's contact field. DKIM keys come from ``keys``, ``key_file`` and, only when ``dns`` is
    set, DNS. ``on_start`` gets the total bytes to read, ``progress`` the bytes read since its
    last call. ``parallel`` parses in a second process (True), in this one (False), or the
    former for ``PARALLEL_MIN_BYTES`` or more on two cores or more (None); the result is the
    same, and where no second process can start this one parses.
    """
    from hostclaim.services.mail_import.report import ImportReport
    from hostclaim.services.mail_import.store import _Importer, _name_duplicates, _rethread
    from hostclaim.services.workspace import load_case

    files = _check_files(paths)
    source, labels = key_source(key_file, dns, keys)
    with ws.reading() as session:
        case = load_case(session, case_ref)
        addresses = own_addresses(case.complainant_contact, own)
        if not addresses:
            raise InvalidInput("mail_import.error.no_own_address", ref=case.ref)
        report = ImportReport(
            case_ref=case.ref,
            provider_tz=case.service_tz,
            own_addresses=addresses,
            key_sources=labels,
            files=[str(p) for p in files],
        )
        importer = _Importer(ws, case.ref, report, batch_size, OwnAddresses(addresses), source)
        importer.load_known(session, case.id)
    total = sum(p.stat().st_size for p in files)
    if on_start is not None:
        on_start(total)
    parser = _start_parser(files, importer, total, parallel)
    try:
        for path in files:
            if parser is not None:
                events = parser.file()
            else:
                events = _produce(path, importer.owner, importer.keys, importer.by_sha)
            importer.read(path, events, progress)
        if parser is not None:
            parser.finish()
        importer.flush()
    finally:
        if parser is not None:
            parser.close()
    report.threads_updated = _rethread(ws, report.case_ref, batch_size)
    _name_duplicates(ws, report)
    return report
