from hostclaim.domain.lint import lint_text

LETTER = """Subject: Complaint about the outage of api-1 on 3 October 2026

Dear Sir or Madam,

Our server api-1 was unreachable from 06:10 UTC on 3 October 2026; orders failed as a result.
We request a service credit of 30%. The monitoring log is enclosed.

Yours faithfully,

Wang Min

**Enclosures**

| No. | Document |
|---|---|
{rows}
"""


def _close_findings(text: str) -> list[str]:
    return [f.rule for f in lint_text(text, lang="en") if f.rule == "checklist.close"]


def test_a_long_enclosure_list_does_not_hide_the_close() -> None:
    rows = "\n".join(f"| {n} | Document {n} |" for n in range(1, 12))
    assert _close_findings(LETTER.format(rows=rows)) == []


def test_a_letter_without_a_close_is_still_flagged() -> None:
    rows = "\n".join(f"| {n} | Document {n} |" for n in range(1, 12))
    text = LETTER.format(rows=rows).replace("Yours faithfully,", "")
    assert _close_findings(text) == ["checklist.close"]
