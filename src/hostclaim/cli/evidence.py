"""``hostclaim evidence``: the locker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hostclaim.cli.common import (
    JSON_OPTION,
    TZ_OPTION,
    TransferBar,
    console,
    make_app,
    print_json,
    time_arg,
    when,
    workspace,
)
from hostclaim.domain.case import EvidenceKind, parse_choice
from hostclaim.i18n import t
from hostclaim.services import evidence as service
from hostclaim.services.records import as_dict, ref_of

app = make_app("help.group.evidence")
CASE = typer.Argument(metavar="CASE", help=t("help.arg.case"))


@app.command("add", help=t("help.evidence.add"))
def add(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    path: Annotated[Path, typer.Argument(metavar="FILE", help=t("help.arg.file"))],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help=t("help.evidence_opt.kind"),
            metavar="|".join(k.value for k in EvidenceKind),
        ),
    ] = "other",
    title: Annotated[str | None, typer.Option("--title", help=t("help.evidence_opt.title"))] = None,
    captured: Annotated[
        str | None, typer.Option("--captured", help=t("help.evidence_opt.captured"), metavar="TIME")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help=t("help.evidence_opt.note"))] = None,
    tz: Annotated[str | None, TZ_OPTION] = None,
) -> None:
    evidence_kind = parse_choice(EvidenceKind, kind, "evidence kind")
    captured_at = time_arg(captured, tz)
    ws = workspace(ctx)
    with TransferBar(path.name) as bar:
        added = service.add_file(
            ws,
            case_ref,
            path,
            kind=evidence_kind,
            title=title,
            captured_at=captured_at,
            note=note,
            progress=bar.progress,
            on_start=bar.on_start,
        )
    ev = added.evidence
    console.print(t("cli.evidence_added", ref=ref_of(ev), sha=ev.sha256[:12], size=ev.size))
    if added.same_bytes_as:
        console.print(t("cli.evidence_same_bytes", refs=", ".join(added.same_bytes_as)))
    elif added.blob.existed:
        console.print(t("cli.evidence_blob_existed"))


@app.command("list", help=t("help.evidence.list"))
def list_(ctx: typer.Context, case_ref: Annotated[str, CASE], as_json: bool = JSON_OPTION) -> None:
    rows = service.list_evidence(workspace(ctx), case_ref)
    if as_json:
        print_json([as_dict(r) for r in rows])
        return
    if not rows:
        console.print(t("cli.no_evidence"))
        return
    table = Table(
        t("col.ref"), t("col.kind"), t("col.title"), t("col.size"), "SHA-256", t("col.captured")
    )
    for r in rows:
        table.add_row(
            ref_of(r),
            t(f"kind.{r.kind}"),
            r.title,
            f"{r.size:,}",
            r.sha256[:12],
            when(r.captured_at),
        )
    console.print(table)


@app.command("show", help=t("help.evidence.show"))
def show(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    ref: Annotated[str, typer.Argument(metavar="EVIDENCE", help=t("help.arg.evidence"))],
    as_json: bool = JSON_OPTION,
) -> None:
    r = service.get_evidence(workspace(ctx), case_ref, ref)
    if as_json:
        print_json(as_dict(r))
        return
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key, value in (
        ("ref", ref_of(r)),
        ("kind", t(f"kind.{r.kind}")),
        ("title", r.title),
        ("original_name", r.original_name or "—"),
        ("media_type", r.media_type),
        ("size", f"{r.size:,}"),
        ("sha256", r.sha256),
        ("captured", when(r.captured_at)),
        ("added", when(r.created_at)),
        ("origin", r.origin),
        ("note", r.note or "—"),
    ):
        table.add_row(t(f"field.{key}"), value)
    console.print(table)


@app.command("export", help=t("help.evidence.export"))
def export(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    ref: Annotated[str, typer.Argument(metavar="EVIDENCE", help=t("help.arg.evidence"))],
    destination: Annotated[Path, typer.Argument(metavar="DEST", help=t("help.arg.dest"))],
) -> None:
    target = service.export(workspace(ctx), case_ref, ref, destination)
    console.print(t("cli.exported", path=str(target)))


@app.command("redact", help=t("letter_cli.help.redact"))
def redact(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    ref: Annotated[str, typer.Argument(metavar="EVIDENCE", help=t("help.arg.evidence"))],
    mask: Annotated[
        list[str] | None, typer.Option("--mask", help=t("letter_cli.opt.mask"), metavar="TEXT")
    ] = None,
    as_json: bool = JSON_OPTION,
) -> None:
    from hostclaim.services import redaction

    outcome = redaction.redact_evidence(workspace(ctx), case_ref, ref, masks=list(mask or []))
    spans = [
        {
            "kind": span.kind,
            "location": span.location,
            "line": span.line,
            "replacement": span.replacement,
            "original_sha256": span.original_sha256,
        }
        for span in outcome.spans
    ]
    if as_json:
        print_json(
            {
                "source": ref_of(outcome.source),
                "copy": as_dict(outcome.copy) if outcome.copy is not None else None,
                "existed": outcome.existed,
                "spans": spans,
                "notes": outcome.notes,
            }
        )
        return
    if outcome.copy is None:
        console.print(t("letter_cli.redact.nothing", ref=ref_of(outcome.source)))
    else:
        copy = outcome.copy
        console.print(
            t(
                "letter_cli.redact.existed" if outcome.existed else "letter_cli.redact.done",
                ref=ref_of(copy),
                source=ref_of(outcome.source),
                count=len(spans),
                sha=copy.sha256[:12],
            ),
            soft_wrap=True,
        )
        table = Table(
            t("letter_cli.col.mask_kind"),
            t("letter_cli.col.location"),
            t("letter_cli.col.line"),
            t("letter_cli.col.replacement"),
        )
        for span in spans:
            table.add_row(
                str(span["kind"]),
                escape(str(span["location"] or "—")),
                str(span["line"]),
                escape(str(span["replacement"])),
            )
        console.print(table)
    for note in outcome.notes:
        console.print(f"[yellow]{escape(note)}[/]", soft_wrap=True)
