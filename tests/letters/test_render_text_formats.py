"""Markdown file (front matter) round trip, plain text and standalone HTML."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostclaim.errors import InvalidInput
from hostclaim.letters import Draft, LetterContext, draft
from hostclaim.letters.render import draft_from_text, parse_draft, to_html, to_markdown, to_text
from hostclaim.letters.render.markdown import DraftMeta


def test_a_draft_file_parses_back_to_the_same_draft(ctx: LetterContext) -> None:
    original = draft("sla_credit_claim", ctx, "zh")
    text = to_markdown(original)
    assert text.startswith("---\nkind: sla_credit_claim\nlang: zh\ncase: HC-2026-0007\nsubject: ")
    meta, body = parse_draft(text)
    assert meta == DraftMeta("sla_credit_claim", "zh", original.subject, "HC-2026-0007")
    assert body == original.markdown
    again = draft_from_text(text)
    assert (again.subject, again.markdown, again.kind, again.lang, again.case_ref) == (
        original.subject,
        original.markdown,
        original.kind,
        original.lang,
        original.case_ref,
    )


def test_an_edited_file_is_read_as_edited(ctx: LetterContext) -> None:
    text = to_markdown(draft("support_ticket", ctx, "en"))
    edited = text.replace("Kind regards,", "Best regards,\n\n[[TO FILL: phone]]").replace(
        "\n", "\r\n"
    )
    result = draft_from_text("\ufeff" + edited)
    assert "Best regards," in result.markdown
    assert result.placeholders == ["phone"]


subjects = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=80
).filter(lambda s: s.strip())


@given(subject=subjects, case=st.one_of(st.none(), st.text(min_size=1, max_size=20)))
def test_front_matter_survives_any_subject(subject: str, case: str | None) -> None:
    d = Draft(subject=subject, markdown="Body\n", kind="follow_up", lang="en", case_ref=case)
    meta, body = parse_draft(to_markdown(d))
    assert meta.subject == " ".join(subject.split())
    assert meta.case == ((" ".join(case.split()) or None) if case else None)
    assert body == "Body\n"


@pytest.mark.parametrize(
    "text",
    [
        "no header\n",
        "---\nkind: follow_up\nlang: en\n",
        "---\nkind: [\n---\nbody",
        "---\n- a list\n---\nbody",
        "---\nkind: follow_up\nlang: en\n---\nbody",
        "---\nkind: follow_up\nlang: fr\nsubject: x\n---\nbody",
    ],
)
def test_a_broken_header_is_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_draft(text)
    assert "---" in error.value.render("en")


def test_plain_text_has_no_markdown_syntax(ctx: LetterContext) -> None:
    text = to_text(draft("support_ticket", ctx, "en"))
    assert "**" not in text and "\\" not in text
    assert "- Incident 1, from 2026-10-03 06:05 UTC" in text
    assert "  Affected resources: api-01 (203.0.113.10), api-02 (203.0.113.11)." in text


def test_html_is_standalone_escaped_and_marks_placeholders(ctx: LetterContext) -> None:
    hostile = ctx.model_copy(
        update={
            "complainant": ctx.complainant.model_copy(
                update={"organisation": "<script>alert(1)</script> & Co"}
            ),
            "provider": ctx.provider.model_copy(update={"address": None}),
        }
    )
    result = draft("letter_before_action", hostile, "zh")
    page = to_html(replace(result, subject=result.subject + " <i>"))
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    assert "<title>" in page and "&lt;i&gt;</title>" in page
    assert '<mark class="to-fill">[[TO FILL: 服务商的通信地址]]</mark>' in page
    assert "@page" in page and "src=" not in page and 'href="http' not in page
    assert "<table>" in page and "<h2>一、索赔主张</h2>" in page
