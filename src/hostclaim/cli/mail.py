"""``hostclaim mail``: import a support mailbox, read it by conversation, promote attachments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hostclaim.cli.common import (
    JSON_OPTION,
    TransferBar,
    console,
    make_app,
    print_json,
    when,
    workspace,
)
from hostclaim.domain.case import EvidenceKind, parse_choice
from hostclaim.i18n import t
from hostclaim.services import mail_import as service
from hostclaim.services.mail_import import DkimStatus, MessageSummary
from hostclaim.services.records import ref_of

app = make_app("help.group.mail")
CASE = typer.Argument(metavar="CASE", help=t("help.arg.case"))
MESSAGE = typer.Argument(metavar="MESSAGE_REF", help=t("help.mail_arg.message"))
PROGRESS_MIN = 4 * 1024 * 1024  # bytes of mail; smaller imports finish before a bar is useful
TABLE_ROWS = 200

DKIM_MARK = {
    DkimStatus.VERIFIED: "[green]✔[/]",
    DkimStatus.FAILED: "[bold red]✘[/]",
    DkimStatus.UNCHECKED: "[yellow]?[/]",
    DkimStatus.UNSIGNED: "[dim]–[/]",
}


def _dkim(message: MessageSummary, long: bool = False) -> str:
    mark = DKIM_MARK[message.dkim]
    if not long:
        return mark
    text = f"{mark} {t(f'mail_import.dkim.{message.dkim.value}')}"
    if message.dkim_domain:
        text += f" ({message.dkim_domain})"
    return text


def _direction(message: MessageSummary) -> str:
    return t(f"mail_import.direction.{message.direction}")


def _subject(message: MessageSummary) -> str:
    if message.status == "unparsed":
        return f"[yellow]{t('mail_import.cli.unparsed')}[/]"
    return message.subject or t("mail_import.no_subject")


@app.command("import", help=t("help.mail.import"))
def import_(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help=t("help.mail_arg.files"))],
    own: Annotated[
        list[str] | None,
        typer.Option("--own", help=t("help.mail_opt.own"), metavar="ADDRESS"),
    ] = None,
    dkim_keys: Annotated[
        Path | None,
        typer.Option("--dkim-keys", help=t("help.mail_opt.dkim_keys"), metavar="FILE"),
    ] = None,
    dkim_dns: Annotated[bool, typer.Option("--dkim-dns", help=t("help.mail_opt.dkim_dns"))] = False,
    as_json: bool = JSON_OPTION,
) -> None:
    ws = workspace(ctx)
    with TransferBar(
        t("mail_import.cli.importing"), enabled=not as_json, minimum=PROGRESS_MIN
    ) as bar:
        report = service.import_mail(
            ws,
            case_ref,
            files,
            own=own or [],
            key_file=dkim_keys,
            dns=dkim_dns,
            progress=bar.progress,
            on_start=bar.on_start,
        )
    if as_json:
        print_json(report.as_json())
        return
    console.print(
        t(
            "mail_import.cli.counts",
            imported=report.imported,
            duplicates=len(report.duplicates),
            malformed=len(report.malformed),
        )
    )
    if report.imported == 0 and report.duplicates and not report.malformed:
        console.print(t("mail_import.cli.nothing_new", count=len(report.duplicates)))
    console.print(t("mail_import.cli.own", addresses=", ".join(report.own_addresses)), style="dim")
    for bad in report.malformed:
        kept = bad.evidence_ref or "—"
        console.print(f"[yellow]⚠[/] {bad.render()} ({kept})")
    for dup in report.duplicates:
        if not dup.same_bytes:
            console.print(
                "[yellow]⚠[/] "
                + t(
                    "mail_import.cli.duplicate_differs",
                    source=dup.source,
                    index=dup.index,
                    message_id=dup.message_id,
                    existing=dup.existing or "—",
                )
            )
    if report.undated:
        console.print(
            "[yellow]⚠[/] " + t("mail_import.cli.undated", refs=", ".join(report.undated))
        )
    if report.unaddressed:
        console.print(
            "[yellow]⚠[/] " + t("mail_import.cli.unaddressed", refs=", ".join(report.unaddressed))
        )
    if report.unchecked_signatures and not report.key_sources:
        console.print(t("mail_import.cli.no_keys", count=report.unchecked_signatures))
    if report.threads_updated:
        console.print(t("mail_import.cli.threads_updated", count=report.threads_updated))
    if not report.messages:
        return
    table = Table(
        t("col.ref"),
        t("col.time"),
        t("col.direction"),
        t("col.counterpart"),
        t("mail_import.col.subject"),
        t("col.ticket"),
        "DKIM",
        t("col.refs"),
    )
    for message in report.messages[:TABLE_ROWS]:
        table.add_row(
            message.ref,
            when(message.at, report.provider_tz),
            _direction(message),
            message.counterpart or "—",
            _subject(message),
            message.ticket or "—",
            _dkim(message),
            " · ".join(r for r in (message.evidence_ref, message.communication_ref) if r),
        )
    console.print(table)
    if len(report.messages) > TABLE_ROWS:
        console.print(t("mail_import.cli.more", count=len(report.messages) - TABLE_ROWS))
    console.print(t("mail_import.cli.legend"), style="dim")


@app.command("list", help=t("help.mail.list"))
def list_(ctx: typer.Context, case_ref: Annotated[str, CASE], as_json: bool = JSON_OPTION) -> None:
    listing = service.list_messages(workspace(ctx), case_ref)
    if as_json:
        print_json(listing.as_json())
        return
    if not listing.threads:
        console.print(t("mail_import.cli.no_messages"))
        return
    table = Table(
        t("col.ref"),
        t("col.time"),
        t("col.direction"),
        t("col.counterpart"),
        t("mail_import.col.subject"),
        t("col.ticket"),
        "DKIM",
        t("col.refs"),
    )
    for number, thread in enumerate(listing.threads, start=1):
        if number > 1:
            table.add_section()
        table.add_row(
            "",
            f"[bold]{t('mail_import.cli.thread', number=number, count=len(thread.messages))}[/]",
            "",
            "",
            f"[bold]{thread.subject or t('mail_import.no_subject')}[/]",
            "",
            "",
            "",
        )
        for message in thread.messages:
            table.add_row(
                message.ref,
                when(message.at, listing.provider_tz),
                _direction(message),
                message.counterpart or "—",
                _subject(message) + (f" 📎{message.attachments}" if message.attachments else ""),
                message.ticket or "—",
                _dkim(message, long=True),
                " · ".join(r for r in (message.evidence_ref, message.communication_ref) if r),
            )
    console.print(table)
    console.print(
        t("mail_import.cli.list_counts", messages=listing.count, threads=len(listing.threads)),
        style="dim",
    )


@app.command("attachments", help=t("help.mail.attachments"))
def attachments(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    message_ref: Annotated[str, MESSAGE],
    as_json: bool = JSON_OPTION,
) -> None:
    listing = service.list_attachments(workspace(ctx), case_ref, message_ref)
    if as_json:
        print_json(listing.as_json())
        return
    message = listing.message
    console.print(f"{message.ref} · {message.evidence_ref} · {_subject(message)}")
    if not listing.attachments:
        console.print(t("mail_import.cli.no_attachments", ref=message.ref))
        return
    table = Table(
        "#",
        t("mail_import.col.filename"),
        t("mail_import.col.type"),
        t("col.size"),
        "SHA-256",
        t("mail_import.col.promoted"),
    )
    for item in listing.attachments:
        table.add_row(
            str(item.index),
            item.filename or "—",
            item.content_type,
            f"{item.size:,}",
            item.sha256[:12],
            ", ".join(item.promoted_as) or "—",
        )
    console.print(table)
    console.print(t("mail_import.cli.promote_hint", case=case_ref, ref=message.ref), style="dim")


@app.command("promote", help=t("help.mail.promote"))
def promote(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    message_ref: Annotated[str, MESSAGE],
    index: Annotated[
        int, typer.Argument(metavar="ATTACHMENT_INDEX", help=t("help.mail_arg.attachment"))
    ],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help=t("help.mail_opt.kind"),
            metavar="|".join(k.value for k in EvidenceKind),
        ),
    ] = "other",
    title: Annotated[str | None, typer.Option("--title", help=t("help.mail_opt.title"))] = None,
) -> None:
    evidence_kind = parse_choice(EvidenceKind, kind, "evidence kind")
    result = service.promote_attachment(
        workspace(ctx), case_ref, message_ref, index, kind=evidence_kind, title=title
    )
    key = "mail_import.cli.already_promoted" if result.already else "mail_import.cli.promoted"
    console.print(
        t(
            key,
            index=result.attachment.index,
            message=result.message_ref,
            ref=ref_of(result.evidence),
            source=result.message_evidence_ref,
            sha=result.evidence.sha256[:12],
            size=result.evidence.size,
        )
    )
