"""The text under review, with the views the rules share (lines, sentences, language)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property

from hostclaim.domain.lint.model import LintFacts

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# A full stop ends a sentence unless it sits in a number (26.70) or follows a title (Mr.).
_SENTENCE_END = re.compile(
    r"[!?。！？；;]+|\n|(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bMrs)(?<!\bNo)(?<!\bSt)(?<!\d)\.(?!\d)"
)


def detect_language(text: str) -> str:
    """``zh`` when Chinese characters carry the text, else ``en``."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    # A Chinese character carries roughly a word; an English word is about five letters.
    return "zh" if cjk >= 4 and cjk * 5 >= latin * 0.5 else "en"


@dataclass
class LintContext:
    text: str
    lang: str
    facts: LintFacts | None
    memo: dict[str, object] = field(default_factory=dict)  # work rules share (privacy scan)
    _line_starts: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", self.text)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    @cached_property
    def lines(self) -> list[tuple[int, int, str]]:
        """(start, end, text) of every line."""
        out = []
        for number, start in enumerate(self._line_starts):
            end = (
                self._line_starts[number + 1] - 1
                if number + 1 < len(self._line_starts)
                else len(self.text)
            )
            out.append((start, end, self.text[start:end]))
        return out

    @cached_property
    def nonempty_lines(self) -> list[tuple[int, int, str]]:
        return [line for line in self.lines if line[2].strip()]

    @cached_property
    def sentences(self) -> list[tuple[int, int, str]]:
        out = []
        start = 0
        for match in _SENTENCE_END.finditer(self.text):
            if self.text[start : match.start()].strip():
                out.append((start, match.end(), self.text[start : match.end()]))
            start = match.end()
        if self.text[start:].strip():
            out.append((start, len(self.text), self.text[start:]))
        return out
