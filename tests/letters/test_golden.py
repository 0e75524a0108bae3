"""Every kind, in both languages, drafted from the sample case: compared exactly with the files
under golden/. After an intended change, regenerate them with HOSTCLAIM_REGEN_GOLDEN=1 and read
the diff before committing it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from hostclaim.letters import LetterContext, all_kinds, draft
from hostclaim.letters.render import to_markdown, to_text

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("HOSTCLAIM_REGEN_GOLDEN") == "1"
KINDS = [kind.key for kind in all_kinds()]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", KINDS)
def test_draft_matches_golden_file(
    kind: str, lang: str, context_for: Callable[[str], LetterContext]
) -> None:
    result = draft(kind, context_for(kind), lang)
    text = to_markdown(result)
    path = GOLDEN / f"{kind}.{lang}.md"
    if REGEN:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with HOSTCLAIM_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")
    assert result.missing_facts == ()
    assert result.placeholders == []


def test_every_golden_file_belongs_to_a_kind() -> None:
    expected = {f"{kind}.{lang}.md" for kind in KINDS for lang in ("en", "zh")}
    assert {p.name for p in GOLDEN.glob("*.md")} == expected


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", KINDS)
def test_markup_renders_without_stray_markers(
    kind: str, lang: str, context_for: Callable[[str], LetterContext]
) -> None:
    # CommonMark will not close "**标签：**文字" (punctuation inside, a letter outside), so a
    # template mistake shows as literal asterisks in every renderer: catch it here.
    text = to_text(draft(kind, context_for(kind), lang))
    assert "**" not in text
    assert "\\" not in text
