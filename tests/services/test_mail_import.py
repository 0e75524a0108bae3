"""Mail import as a service: records, DKIM keys kept, batches, resuming, threads, duplicates."""

from __future__ import annotations

import contextlib
import hashlib
import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mail"))

from mailkit import PROVIDER, SigningKey, make_key, plain, sign, with_attachment

from hostclaim.domain.case import EvidenceKind
from hostclaim.errors import InvalidInput, NotFound
from hostclaim.mail import StaticKeySource, mbox_entry
from hostclaim.services import cases
from hostclaim.services import mail_import as service
from hostclaim.services.communications import list_contacts
from hostclaim.services.evidence import list_evidence, read_bytes
from hostclaim.services.verify import verify_case
from hostclaim.services.workspace import open_workspace
from hostclaim.storage.tables import LedgerEntry
from hostclaim.storage.tables_mail import MailMessage

ENVELOPE = b"From MAILER-DAEMON Sat Oct  3 08:15:00 2026"
SHOP = "wang.min@shop.example"


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return make_key()


@pytest.fixture
def case(ws) -> str:
    details = cases.CaseDetails(
        provider_name="Nordstern Hosting GmbH",
        complainant_name="王敏",
        complainant_contact=f"王敏 <{SHOP}>, +86 755 0000 0000",
        service_tz="Europe/Berlin",
    )
    return cases.create_case(ws, details).ref


def _provider(key: SigningKey, n: int, **extra) -> bytes:
    fields = {
        "sender": f"Support <support@{PROVIDER}>",
        "to": SHOP,
        "subject": f"Re: [Ticket #448120] update {n}",
        "body": f"Update {n}: we are investigating.\n",
        "message_id": f"<reply-{n}@{PROVIDER}>",
        "date": f"Sat, 03 Oct 2026 {10 + n:02d}:00:00 +0200",
        "references": ("<case-1@shop.example>",),
    }
    fields.update(extra)
    return sign(plain(**fields), key)


def _opening() -> bytes:
    return with_attachment(
        sender=f"Wang Min <{SHOP}>",
        to=f"Support <support@{PROVIDER}>",
        subject="服务器宕机 / servers down",
        body="Our servers are unreachable since 08:12.",
        message_id="<case-1@shop.example>",
        filename="ping.txt",
        data=b"64 bytes from 203.0.113.10: icmp_seq=1 ttl=57 time=12.3 ms\n" * 20,
        date="Sat, 03 Oct 2026 08:20:00 +0800",
    )


def _write(path: Path, *messages: bytes) -> Path:
    with path.open("wb") as out:
        for message in messages:
            out.write(mbox_entry(message, ENVELOPE))
    return path


def _keys(key: SigningKey) -> StaticKeySource:
    return StaticKeySource({key.name: key.record})


def _rows(ws, case_ref: str) -> list[MailMessage]:
    with ws.reading() as session:
        return list(
            session.execute(select(MailMessage).order_by(MailMessage.number)).scalars().all()
        )


def test_each_message_is_evidence_a_contact_and_a_record(ws, case, key, tmp_path) -> None:
    undated = plain(
        sender=f"noc@{PROVIDER}",
        to=SHOP,
        subject="Maintenance notice",
        body="Planned maintenance.",
        message_id=f"<notice@{PROVIDER}>",
        date=None,
    )
    alias = plain(
        sender=f"Support <support@{PROVIDER}>",
        to="ops-alias@elsewhere.example",
        subject="[Ticket #448120] copy to your alias",
        body="Copy.",
        message_id=f"<alias@{PROVIDER}>",
    )
    mbox = _write(tmp_path / "box.mbox", _opening(), _provider(key, 1), undated, alias)
    report = service.import_mail(ws, case, [mbox], keys=_keys(key))

    assert report.own_addresses == [SHOP]  # taken from the case's contact field
    assert report.imported == 4 and not report.duplicates and not report.malformed
    assert report.key_sources == ["given"]
    rows = _rows(ws, case)
    opening, reply, notice, copy = rows
    assert opening.direction == "outbound" and not opening.dkim_signed
    assert [a["filename"] for a in opening.attachments] == ["ping.txt"]
    assert opening.attachments[0]["size"] == 59 * 20
    assert reply.direction == "inbound" and reply.dkim_verified is True
    assert reply.dkim_domain == PROVIDER and reply.dkim_selector == "s2026"
    assert reply.dkim_key_record == key.record  # kept: keys are rotated and withdrawn
    assert reply.dkim_signatures[0]["signed_at"] is not None
    assert reply.ticket_refs == [{"value": "448120", "kind": "ticket"}]
    assert reply.thread_root == opening.message_id == "case-1@shop.example"

    # No usable Date: kept as evidence, reported, and no contact with an invented time.
    assert notice.sent_at is None and notice.communication_number is None
    assert report.undated == [f"MSG{notice.number}"]
    assert "date_missing" in {w["code"] for w in notice.warnings}
    # Sent to an address that is not hers: logged as received, and said so.
    assert copy.direction == "unknown" and report.unaddressed == [f"MSG{copy.number}"]

    contacts = list_contacts(ws, case)
    assert len(contacts) == 3
    by_number = {c.number: c for c in contacts}
    logged = by_number[reply.communication_number]
    assert logged.direction == "inbound" and logged.ticket_ref == "448120"
    assert logged.evidence_numbers == [reply.evidence_number]
    assert by_number[copy.communication_number].direction == "inbound"

    evidence = {e.number: e for e in list_evidence(ws, case)}
    assert len(evidence) == 4
    item = evidence[reply.evidence_number]
    assert item.kind == "communication" and item.media_type == "message/rfc822"
    assert item.title == "Re: [Ticket #448120] update 1"
    assert hashlib.sha256(read_bytes(ws, item)).hexdigest() == item.sha256 == reply.sha256
    assert evidence[notice.evidence_number].captured_at is None

    with ws.reading() as session:
        kinds = [e.kind for e in session.execute(select(LedgerEntry)).scalars()]
    assert kinds.count("mail_imported") == 1  # one batch, one transaction, one entry
    assert verify_case(ws, case).intact


def test_an_interrupted_import_leaves_whole_batches_and_resumes(ws, case, key, tmp_path) -> None:
    messages = [_opening()] + [_provider(key, n) for n in range(1, 7)]
    mbox = _write(tmp_path / "box.mbox", *messages)
    calls = 0

    def stop_after_three(_count: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        service.import_mail(
            ws, case, [mbox], keys=_keys(key), batch_size=2, progress=stop_after_three
        )
    assert len(_rows(ws, case)) == 2  # the first batch; the one in progress is not half there
    assert verify_case(ws, case).intact

    report = service.import_mail(ws, case, [mbox], keys=_keys(key), batch_size=2)
    assert report.imported == 5 and len(report.duplicates) == 2
    assert all(d.same_bytes and d.existing for d in report.duplicates)
    rows = _rows(ws, case)
    assert [r.number for r in rows] == list(range(1, 8))
    assert {r.thread_root for r in rows} == {"case-1@shop.example"}
    assert len(list_contacts(ws, case)) == 7
    assert verify_case(ws, case).intact

    again = service.import_mail(ws, case, [mbox], keys=_keys(key))
    assert again.imported == 0 and len(again.duplicates) == 7


def test_a_conversation_imported_backwards_settles_on_its_first_message(
    ws, case, key, tmp_path
) -> None:
    later = _write(tmp_path / "later.mbox", _provider(key, 2), _provider(key, 1))
    first = service.import_mail(ws, case, [later], keys=_keys(key))
    # Without the opening mail the earliest reply present is the root.
    assert {r.thread_root for r in _rows(ws, case)} == {f"reply-1@{PROVIDER}"}
    assert first.threads_updated == 2  # placed by file order, settled by Date

    opening = tmp_path / "opening.eml"
    opening.write_bytes(_opening())
    second = service.import_mail(ws, case, [opening])
    assert second.threads_updated == 3  # the opening mail becomes everyone's root
    listing = service.list_messages(ws, case)
    [conversation] = listing.threads
    assert conversation.root == "case-1@shop.example"
    assert conversation.subject == "服务器宕机 / servers down"
    assert [m.message_id for m in conversation.messages] == [
        "case-1@shop.example",
        f"reply-1@{PROVIDER}",
        f"reply-2@{PROVIDER}",
    ]
    assert verify_case(ws, case).intact


def test_same_message_id_with_other_bytes_is_reported_not_added(ws, case, key, tmp_path) -> None:
    original = _provider(key, 1)
    altered = original.replace(b"investigating", b"done with it!")
    mbox = _write(tmp_path / "box.mbox", original, altered)
    report = service.import_mail(ws, case, [mbox], keys=_keys(key))
    assert report.imported == 1
    [duplicate] = report.duplicates
    assert not duplicate.same_bytes and duplicate.existing == "MSG1" and duplicate.index == 2
    assert json.dumps(report.as_json(), ensure_ascii=False)


def test_malformed_entries_are_kept_as_unparsed_evidence(ws, case, tmp_path) -> None:
    mbox = tmp_path / "box.mbox"
    mbox.write_bytes(mbox_entry(_opening(), ENVELOPE) + ENVELOPE + b"\nthis is not mail at all\n\n")
    report = service.import_mail(ws, case, [mbox])
    [bad] = report.malformed
    assert (bad.index, bad.reason) == (2, "no_headers") and bad.evidence_ref == "E2"
    assert "box.mbox" in bad.render("en") and "box.mbox" in bad.render("zh")
    row = _rows(ws, case)[1]
    assert row.status == "unparsed" and row.problem == "no_headers"
    assert row.message_id.endswith("@hostclaim.invalid")
    item = list_evidence(ws, case)[1]
    assert item.origin.startswith("mail-import-unparsed:box.mbox#2")
    assert read_bytes(ws, item) == b"this is not mail at all\n"
    again = service.import_mail(ws, case, [mbox])
    assert again.imported == 0 and not again.malformed and len(again.duplicates) == 2


def test_attachments_are_listed_and_promoted_once(ws, case, tmp_path) -> None:
    eml = tmp_path / "opening.eml"
    eml.write_bytes(_opening())
    service.import_mail(ws, case, [eml])
    listing = service.list_attachments(ws, case, "MSG1")
    [info] = listing.attachments
    assert (info.index, info.filename, info.promoted_as) == (1, "ping.txt", [])
    promoted = service.promote_attachment(
        ws, case, "msg1", 1, kind=EvidenceKind.TECHNICAL_REPORT, title="ping log"
    )
    assert not promoted.already and promoted.evidence.derived_from == 1
    assert promoted.evidence.kind == "technical_report" and promoted.evidence.title == "ping log"
    assert read_bytes(ws, promoted.evidence).startswith(b"64 bytes from 203.0.113.10")
    assert promoted.evidence.captured_at is not None
    again = service.promote_attachment(ws, case, "MSG1", 1)
    assert again.already and again.evidence.number == promoted.evidence.number
    assert service.list_attachments(ws, case, "MSG1").attachments[0].promoted_as == ["E2"]
    with pytest.raises(NotFound):
        service.promote_attachment(ws, case, "MSG1", 2)
    assert verify_case(ws, case).intact


def test_own_addresses_and_key_sources() -> None:
    assert service.own_addresses("王敏 <Wang@Shop.example>; +86 1", ["@shop.example"]) == [
        "wang@shop.example",
        "@shop.example",
    ]
    assert service.own_addresses(None, ["ops@shop.example", "OPS@shop.example"]) == [
        "ops@shop.example"
    ]
    with pytest.raises(InvalidInput):
        service.own_addresses(None, ["shop.example"])
    assert service.key_source() == (None, [])
    _source, labels = service.key_source(dns=True)  # built, not asked: no lookup happens here
    assert labels == ["dns"]


def test_without_a_key_source_signatures_stay_unchecked(ws, case, key, tmp_path) -> None:
    eml = tmp_path / "reply.eml"
    eml.write_bytes(_provider(key, 1))
    report = service.import_mail(ws, case, [eml])
    [message] = report.messages
    assert message.dkim is service.DkimStatus.UNCHECKED
    assert message.dkim_reason == "no_key_source"
    assert report.unchecked_signatures == 1


def test_two_imports_of_one_mailbox_at_once_add_each_message_once(
    home, case, key, tmp_path
) -> None:
    mbox = _write(tmp_path / "box.mbox", _opening(), *[_provider(key, n) for n in range(1, 9)])
    failures: list[BaseException] = []

    def run() -> None:
        workspace = open_workspace(home)
        try:
            service.import_mail(workspace, case, [mbox], batch_size=1)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            workspace.close()

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    workspace = open_workspace(home)
    try:
        rows = _rows(workspace, case)
        assert len(rows) == 9 and len({r.message_id for r in rows}) == 9
        assert verify_case(workspace, case).intact
    finally:
        workspace.close()


# --- batches made durable with one sync, and the parser process ---------------------------


class ExplodingKeys:
    """A key source failing in a way DKIM checking does not expect (a bug, say)."""

    def lookup(self, name: str) -> str | None:
        raise ValueError(f"no idea about {name}")


def _mailbox(tmp_path: Path, key: SigningKey, count: int = 7) -> Path:
    return _write(tmp_path / "box.mbox", _opening(), *[_provider(key, n) for n in range(1, count)])


@pytest.fixture
def parsers(monkeypatch) -> list[service._ParserProcess | None]:
    """What each import used: the parser process, or None for parsing in this process."""
    used: list[service._ParserProcess | None] = []
    real = service._start_parser

    def spy(*args, **kwargs):
        parser = real(*args, **kwargs)
        used.append(parser)
        return parser

    monkeypatch.setattr(service, "_start_parser", spy)
    return used


def _state(ws, case_ref: str) -> dict:
    """Every row of the case as the ledger records it, less the times of the import."""
    from hostclaim.storage.ledger import snapshot
    from hostclaim.storage.tables import Communication, Evidence

    with ws.reading() as session:
        return {
            model.__tablename__: [
                {k: v for k, v in snapshot(row).items() if k not in ("created_at", "case_id")}
                for row in session.execute(select(model).order_by(model.id)).scalars()
            ]
            for model in (Evidence, Communication, MailMessage)
        }


def _report(report: service.ImportReport) -> dict:
    data = report.as_json()
    data.pop("case")
    return data


def test_the_parser_process_gives_what_parsing_here_gives(tmp_path, key, parsers) -> None:
    original = _provider(key, 1)
    altered = original.replace(b"investigating", b"done with it!")
    undated = plain(
        sender=f"noc@{PROVIDER}", to=SHOP, subject="n", body="b", message_id="<n@x>", date=None
    )
    first = _write(
        tmp_path / "first.mbox",
        _opening(),
        original,
        altered,  # same Message-ID, other bytes
        altered,  # and again: passed over without parsing it twice
        undated,
        original,  # an exact copy
    )
    with first.open("ab") as out:
        out.write(ENVELOPE + b"\nthis is not mail at all\n\n")
    second = _write(tmp_path / "second.mbox", *[_provider(key, n) for n in range(2, 9)], original)
    single = tmp_path / "single.eml"
    single.write_bytes(_provider(key, 9))

    results = {}
    for parallel in (False, True):
        workspace = open_workspace(tmp_path / f"home-{parallel}")
        details = cases.CaseDetails(
            provider_name="P", complainant_name="W", complainant_contact=SHOP, service_tz="UTC"
        )
        ref = cases.create_case(workspace, details).ref
        service.import_mail(workspace, ref, [second], keys=_keys(key), parallel=parallel)
        report = service.import_mail(
            workspace,
            ref,
            [first, single, second],
            keys=_keys(key),
            batch_size=3,
            parallel=parallel,
        )
        assert verify_case(workspace, ref).intact
        results[parallel] = (_report(report), _state(workspace, ref))
        workspace.close()
    assert parsers[0] is None and parsers[2] is not None  # both ways were taken
    assert results[True] == results[False]
    report = results[True][0]
    assert report["imported"] == 3 and report["malformed"] == 1  # opening, undated, single
    assert [(d["index"], d["same_bytes"]) for d in report["duplicate_messages"]] == [
        (2, True),
        (3, False),
        (4, False),
        (6, True),
        *[(n, True) for n in range(1, 9)],
    ]


def test_no_batch_is_committed_before_its_blobs_are_synced(ws, case, key, tmp_path) -> None:
    from sqlalchemy import event

    unsynced_at_commit: list[int] = []
    event.listen(ws.engine, "commit", lambda _conn: unsynced_at_commit.append(ws.blobs.unsynced))
    for parallel in (False, True):
        messages = [
            _provider(key, n, message_id=f"<{parallel}-{n}@{PROVIDER}>", body=f"{parallel} {n}")
            for n in range(9)
        ]
        mbox = _write(tmp_path / f"box-{parallel}.mbox", *messages)
        report = service.import_mail(
            ws, case, [mbox], keys=_keys(key), batch_size=2, parallel=parallel
        )
        assert report.imported == 9
    assert len(unsynced_at_commit) >= 10
    assert set(unsynced_at_commit) == {0}
    assert verify_case(ws, case).intact


@pytest.mark.parametrize("parallel", [False, True])
def test_an_import_killed_before_a_batch_is_synced_leaves_no_record_of_it(
    home, case, key, tmp_path, parallel
) -> None:
    mbox = _mailbox(tmp_path, key)
    children = tmp_path / "children"
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "import psutil\n"
        "from hostclaim.services import mail_import\n"
        "from hostclaim.services.workspace import open_workspace\n"
        "from hostclaim.storage.blobs import BlobStore\n"
        "calls = 0\n"
        "real = BlobStore.sync\n"
        "def sync(self):\n"
        "    global calls\n"
        "    calls += 1\n"
        "    if calls == 2:  # the second batch is written, not synced, not committed\n"
        "        pids = [str(p.pid) for p in psutil.Process().children()]\n"
        "        Path(sys.argv[4]).write_text(' '.join(pids))\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    real(self)\n"
        "BlobStore.sync = sync\n"
        "ws = open_workspace(Path(sys.argv[1]))\n"
        "mail_import.import_mail(\n"
        "    ws, sys.argv[2], [Path(sys.argv[3])], batch_size=3, parallel=sys.argv[5] == 'yes'\n"
        ")\n"
    )
    args = [str(home), case, str(mbox), str(children), "yes" if parallel else "no"]
    done = subprocess.run([sys.executable, "-c", script, *args], timeout=120)
    assert done.returncode == -signal.SIGKILL
    pids = [int(pid) for pid in children.read_text().split()]
    assert len(pids) == (1 if parallel else 0)
    for pid in pids:  # the parser process goes with the importer
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(pid).wait(timeout=30)

    workspace = open_workspace(home)
    try:
        assert len(_rows(workspace, case)) == 3  # the first batch only
        report = verify_case(workspace, case)
        assert report.intact and report.blobs == 3
        # The second batch's blobs are there, each whole under its name; no record has them.
        blobs = [p for p in (home / "blobs").rglob("*") if p.is_file() and ".tmp" not in p.parts]
        assert len(blobs) == 6
        for path in blobs:
            assert hashlib.sha256(path.read_bytes()).hexdigest() == path.parent.name + path.name
        again = service.import_mail(workspace, case, [mbox], keys=_keys(key))
        assert again.imported == 4 and len(again.duplicates) == 3
        assert verify_case(workspace, case).intact
    finally:
        workspace.close()


def test_stopping_an_import_stops_the_parser_process(ws, case, key, tmp_path, parsers) -> None:
    mbox = _mailbox(tmp_path, key)
    calls = 0

    def stop_after_three(_count: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        service.import_mail(
            ws,
            case,
            [mbox],
            keys=_keys(key),
            batch_size=2,
            progress=stop_after_three,
            parallel=True,
        )
    [parser] = parsers
    assert (
        parser is not None and parser.proc.returncode is not None and not parser.reader.is_alive()
    )
    assert len(_rows(ws, case)) == 2  # whole batches, as when parsing here
    assert verify_case(ws, case).intact


@pytest.mark.parametrize("parallel", [False, True])
def test_a_failure_while_parsing_is_raised_after_whole_batches(
    ws, case, key, tmp_path, parallel
) -> None:
    plain_ones = [
        plain(
            sender=SHOP, to=f"support@{PROVIDER}", subject=f"s{n}", body="b", message_id=f"<{n}@x>"
        )
        for n in range(4)
    ]
    mbox = _write(tmp_path / "box.mbox", *plain_ones, _provider(key, 1))
    with pytest.raises(ValueError, match="no idea about"):
        service.import_mail(ws, case, [mbox], keys=ExplodingKeys(), batch_size=2, parallel=parallel)
    assert len(_rows(ws, case)) == 4
    assert verify_case(ws, case).intact


def test_a_key_source_that_cannot_be_sent_is_used_here(ws, case, key, tmp_path, parsers) -> None:
    record = key.record

    class Local:  # a local class cannot be pickled
        def lookup(self, name: str) -> str | None:
            return record

    report = service.import_mail(ws, case, [_mailbox(tmp_path, key)], keys=Local(), parallel=True)
    assert parsers == [None] and report.imported == 7
    assert all(m.dkim is service.DkimStatus.VERIFIED for m in report.messages[1:])
