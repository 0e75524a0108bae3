"""``hostclaim letter``: draft, check, issue and list letters; and ``hostclaim evidence redact``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hostclaim.cli.common import (
    JSON_OPTION,
    console,
    err_console,
    fail,
    make_app,
    print_json,
    when,
    workspace,
)
from hostclaim.domain.case import Channel, parse_choice
from hostclaim.i18n import current_language, t
from hostclaim.letters import DISCLAIMER, all_kinds
from hostclaim.services import letters as service
from hostclaim.services.records import as_dict, ref_of

app = make_app("help.group.letter")
CASE = typer.Argument(metavar="CASE", help=t("help.arg.case"))
KINDS = "|".join(kind.key for kind in all_kinds())
ISSUE_CHANNELS = ("email", "portal", "letter", "ticket")
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _disclaimer() -> None:
    console.print(f"[bold yellow]⚠ {escape(t(DISCLAIMER))}[/]", soft_wrap=True)


@app.command("draft", help=t("letter_cli.help.draft"))
def draft(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    kind: Annotated[str, typer.Option("--kind", help=t("letter_cli.opt.kind"), metavar=KINDS)],
    lang: Annotated[
        str | None, typer.Option("--lang", help=t("letter_cli.opt.lang"), metavar="en|zh")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help=t("letter_cli.opt.out"), metavar="FILE.md")
    ] = None,
    reply_days: Annotated[
        int, typer.Option("--reply-days", help=t("letter_cli.opt.reply_days"), metavar="N")
    ] = service.DEFAULT_REPLY_DAYS,
    to: Annotated[
        str | None, typer.Option("--to", help=t("letter_cli.opt.to_body"), metavar="NAME")
    ] = None,
) -> None:
    result = service.draft_letter(
        workspace(ctx),
        case_ref,
        kind.strip(),
        lang or current_language(),
        out=out,
        reply_days=reply_days,
        recipient=to,
    )
    row = result.letter
    console.print(
        t(
            "letter_cli.drafted",
            ref=ref_of(row),
            title=t(f"letters.kind.{row.kind}"),
            lang=row.lang,
            path=str(result.path),
        ),
        soft_wrap=True,
    )
    missing = result.missing
    if missing:
        console.print(t("letter_cli.missing_intro", count=len(missing)))
        for label in missing:
            console.print(f"  • {escape(label)}", soft_wrap=True)
    else:
        console.print(t("letter_cli.nothing_missing"))
    for note in result.notes:
        console.print(f"[yellow]{escape(note)}[/]", soft_wrap=True)
    console.print(
        t("letter_cli.next_steps", path=str(result.path), case=row_case(case_ref)), soft_wrap=True
    )
    _disclaimer()


def row_case(case_ref: str) -> str:
    return case_ref.strip().upper()


def _print_report(report: service.CheckReport) -> None:
    console.print(
        f"[bold]{escape(str(report.path))}[/] — "
        + t("letter_cli.check_summary", errors=report.errors, warnings=report.warnings),
        soft_wrap=True,
    )
    if report.placeholders:
        left = t("letter_cli.check_placeholders", count=len(report.placeholders))
        console.print(f"[yellow]{escape(left)}[/]", soft_wrap=True)
    for found in report.findings:
        style = SEVERITY_STYLE.get(found.severity, "")
        severity = t(f"letter_cli.severity.{found.severity}")
        excerpt = f" “{escape(found.excerpt)}”" if found.excerpt else ""
        console.print(
            f"[{style}]{severity}[/] {escape(found.location)} [dim]{found.rule}[/]{excerpt}",
            soft_wrap=True,
        )
        console.print(f"    {t('letter_cli.why')}: {escape(found.why)}", soft_wrap=True)
        console.print(f"    {t('letter_cli.fix')}: {escape(found.fix)}", soft_wrap=True)
    if report.leaky_enclosures:
        refs = " ".join(report.leaky_enclosures)
        hint = t("letter_cli.check_redact_hint", refs=refs, case=report.case_ref or "CASE")
        console.print(f"[yellow]{escape(hint)}[/]", soft_wrap=True)
    for name, reason in report.skipped:
        console.print(
            f"[dim]{escape(t('letter_cli.check_skipped', name=name, reason=reason))}[/]",
            soft_wrap=True,
        )


@app.command("check", help=t("letter_cli.help.check"))
def check(
    ctx: typer.Context,
    target: Annotated[
        str, typer.Argument(metavar="FILE|CASE", help=t("letter_cli.arg.file_or_case"))
    ],
    as_json: bool = JSON_OPTION,
) -> None:
    ws = workspace(ctx)
    path = Path(target)
    if path.is_file():
        reports = [service.check_file(ws, path)]
    elif path.suffix.lower() in (".md", ".markdown", ".txt") or os.sep in target:
        fail("error.file_missing", path=target)
    else:
        reports = service.check_case(ws, target)
    if as_json:
        print_json([report.as_dict() for report in reports])
    else:
        for report in reports:
            _print_report(report)
    if any(report.errors for report in reports):
        raise typer.Exit(1)


def _smtp(
    send: bool,
    host: str | None,
    port: int | None,
    user: str | None,
    password_env: str | None,
    starttls: bool,
) -> service.SmtpSettings | None:
    if not send:
        if host or user or password_env:
            fail("letter_cli.error.smtp_without_send")
        return None
    if not host:
        fail("letter_cli.error.send_needs_host")
    password = None
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            fail("letter_cli.error.password_env_missing", var=password_env)
    return service.SmtpSettings(
        host=host,
        port=port or (587 if starttls else 25),
        username=user,
        password=password,
        starttls=starttls,
    )


@app.command("issue", help=t("letter_cli.help.issue"))
def issue(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    path: Annotated[Path, typer.Argument(metavar="FILE", help=t("letter_cli.arg.draft_file"))],
    channel: Annotated[
        str,
        typer.Option(
            "--channel", help=t("letter_cli.opt.channel"), metavar="|".join(ISSUE_CHANNELS)
        ),
    ] = "email",
    formats: Annotated[
        str | None,
        typer.Option("--format", help=t("letter_cli.opt.format"), metavar="md,html,pdf,docx,eml"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help=t("letter_cli.opt.out_dir"), metavar="DIR")
    ] = None,
    redacted_enclosures: Annotated[
        bool,
        typer.Option("--redacted-enclosures", help=t("letter_cli.opt.redacted_enclosures")),
    ] = False,
    force: Annotated[
        str | None, typer.Option("--force", help=t("letter_cli.opt.force"), metavar="REASON")
    ] = None,
    ticket: Annotated[str | None, typer.Option("--ticket", help=t("letter_cli.opt.ticket"))] = None,
    send: Annotated[bool, typer.Option("--send", help=t("letter_cli.opt.send"))] = False,
    smtp_host: Annotated[
        str | None, typer.Option("--smtp-host", help=t("letter_cli.opt.smtp_host"), metavar="HOST")
    ] = None,
    smtp_port: Annotated[
        int | None, typer.Option("--smtp-port", help=t("letter_cli.opt.smtp_port"), metavar="PORT")
    ] = None,
    smtp_user: Annotated[
        str | None, typer.Option("--smtp-user", help=t("letter_cli.opt.smtp_user"), metavar="USER")
    ] = None,
    smtp_password_env: Annotated[
        str | None,
        typer.Option(
            "--smtp-password-env", help=t("letter_cli.opt.smtp_password_env"), metavar="VAR"
        ),
    ] = None,
    starttls: Annotated[
        bool, typer.Option("--starttls", help=t("letter_cli.opt.starttls"))
    ] = False,
    sender: Annotated[
        str | None, typer.Option("--from", help=t("letter_cli.opt.from"), metavar="ADDRESS")
    ] = None,
    to: Annotated[
        list[str] | None, typer.Option("--to", help=t("letter_cli.opt.to"), metavar="ADDRESS")
    ] = None,
) -> None:
    if channel.strip().lower() not in ISSUE_CHANNELS:
        fail("error.bad_choice", what="channel", value=channel, choices=", ".join(ISSUE_CHANNELS))
    options = service.IssueOptions(
        channel=parse_choice(Channel, channel, "channel"),
        formats=service.parse_formats(formats) if formats is not None else None,
        out_dir=out,
        redacted_enclosures=redacted_enclosures,
        force_reason=force,
        sender=sender,
        to=list(to or []),
        ticket_ref=ticket,
        smtp=_smtp(send, smtp_host, smtp_port, smtp_user, smtp_password_env, starttls),
    )
    result = service.issue_letter(workspace(ctx), case_ref, path, options)
    row = result.letter
    console.print(
        t(
            "letter_cli.issued",
            ref=ref_of(row),
            title=t(f"letters.kind.{row.kind}"),
            evidence=ref_of(result.final_evidence),
            sha=result.final_evidence.sha256[:12],
        ),
        soft_wrap=True,
    )
    for fmt, (target, item) in result.outputs.items():
        console.print(f"  {fmt:<5} {escape(str(target))}  ({ref_of(item)})", soft_wrap=True)
    for original, copy in result.redacted:
        console.print(
            t("letter_cli.issued_redacted", original=ref_of(original), copy=ref_of(copy)),
            soft_wrap=True,
        )
    if result.enclosures:
        console.print(
            t(
                "letter_cli.issued_enclosures",
                refs=", ".join(ref_of(item) for item in result.enclosures),
            ),
            soft_wrap=True,
        )
    if result.sent is not None:
        console.print(
            t("letter_cli.issued_sent", reply=result.smtp_reply or "", ref=ref_of(result.sent)),
            soft_wrap=True,
        )
    console.print(t("letter_cli.issued_contact", ref=ref_of(result.communication)))
    if result.deadline is not None:
        console.print(
            t(
                "letter_cli.issued_deadline",
                ref=ref_of(result.deadline),
                due=when(result.deadline.due_at),
            ),
            soft_wrap=True,
        )
    if result.overridden:
        err_console.print(
            f"[yellow]{escape(t('letter_cli.issued_forced', count=len(result.overridden)))}[/]",
            soft_wrap=True,
        )
    for note in result.notes:
        console.print(f"[yellow]{escape(note)}[/]", soft_wrap=True)


@app.command("list", help=t("letter_cli.help.list"))
def list_(ctx: typer.Context, case_ref: Annotated[str, CASE], as_json: bool = JSON_OPTION) -> None:
    rows = service.list_letters(workspace(ctx), case_ref)
    if as_json:
        print_json([as_dict(row) for row in rows])
        return
    if not rows:
        console.print(t("letter_cli.none", case=case_ref.strip().upper()))
        return
    table = Table(
        t("col.ref"),
        t("letter_cli.col.kind"),
        t("letter_cli.col.lang"),
        t("col.status"),
        t("letter_cli.col.when"),
        t("letter_cli.col.reply_by"),
        t("letter_cli.col.where"),
    )
    for row in rows:
        if row.status == service.ISSUED:
            status = f"[green]{t('letter_cli.status.issued')}[/]"
            moment = when(row.issued_at)
            outputs = ", ".join(f"{fmt} E{number}" for fmt, number in row.outputs.items())
            where = f"E{row.evidence_number} · {outputs}" if outputs else f"E{row.evidence_number}"
        else:
            status = t("letter_cli.status.drafted")
            moment = when(row.created_at)
            where = escape(row.draft_file or "—")
        table.add_row(
            ref_of(row),
            t(f"letters.kind.{row.kind}"),
            row.lang,
            status,
            moment,
            row.reply_by.isoformat() if row.reply_by else "—",
            where,
        )
    console.print(table)
