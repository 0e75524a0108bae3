"""Recall over planted problems and false alarms on clean letters, on the labelled samples.

The figures are printed by the test (``pytest -s``) and, with the list of misses, false alarms
and unplanted findings, by ``python tests/domain/lint/test_lint_samples.py``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from hostclaim.domain.lint import Finding, LintFacts, Money, lint_text, rules

SAMPLES = Path(__file__).parent / "samples"


@dataclass
class Sample:
    id: str
    lang: str
    text: str
    facts: LintFacts
    expect: frozenset[str]
    note: str = ""


@dataclass
class Score:
    planted: int = 0
    found: int = 0
    clean: int = 0
    clean_flagged: int = 0
    missed: list[str] = field(default_factory=list)  # "sample: rule"
    false_alarms: list[str] = field(default_factory=list)  # "sample: rule «excerpt»"
    extras: list[str] = field(default_factory=list)  # unplanted findings on problem samples

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.clean_flagged / self.clean if self.clean else 0.0

    def summary(self) -> str:
        return (
            f"recall {self.found}/{self.planted} = {self.recall:.3f}; "
            f"false alarms {self.clean_flagged}/{self.clean} clean = {self.false_alarm_rate:.3f}"
        )


def _facts(profile: dict[str, object]) -> LintFacts:
    def day(value: object) -> date:
        return value if isinstance(value, date) else date.fromisoformat(str(value))

    amounts = [Money(Decimal(str(a)), str(c)) for a, c in profile.get("amounts", [])]  # type: ignore[attr-defined]
    return LintFacts(
        dates=frozenset(day(d) for d in profile.get("dates", [])),  # type: ignore[attr-defined]
        date_ranges=tuple((day(a), day(b)) for a, b in profile.get("date_ranges", [])),  # type: ignore[attr-defined]
        amounts=amounts,
        incident_proven=profile.get("incident_proven"),  # type: ignore[arg-type]
        own_contacts=tuple(profile.get("own_contacts", [])),  # type: ignore[arg-type]
        people=tuple(profile.get("people", [])),  # type: ignore[arg-type]
    )


def load_samples() -> list[Sample]:
    labels = yaml.safe_load((SAMPLES / "labels.yaml").read_text(encoding="utf-8"))
    profiles = {name: _facts(p) for name, p in labels["profiles"].items()}
    return [
        Sample(
            id=sample_id,
            lang=entry["lang"],
            text=(SAMPLES / f"{sample_id}.txt").read_text(encoding="utf-8"),
            facts=profiles[entry["profile"]],
            expect=frozenset(entry["expect"]),
            note=entry.get("note", ""),
        )
        for sample_id, entry in labels["samples"].items()
    ]


def score(samples: list[Sample]) -> Score:
    result = Score()
    for sample in samples:
        findings: list[Finding] = lint_text(sample.text, facts=sample.facts, ui_lang="en")
        serious = [f for f in findings if f.severity in ("error", "warning")]
        if not sample.expect:
            result.clean += 1
            if serious:
                result.clean_flagged += 1
                result.false_alarms += [f"{sample.id}: {f.rule} «{f.excerpt}»" for f in serious]
            continue
        reported = {f.rule for f in findings}
        for rule in sorted(sample.expect):
            result.planted += 1
            if rule in reported:
                result.found += 1
            else:
                result.missed.append(f"{sample.id}: {rule}")
        result.extras += [
            f"{sample.id}: {f.rule} «{f.excerpt}»" for f in serious if f.rule not in sample.expect
        ]
    return result


def held_out(samples: list[Sample]) -> list[Sample]:
    """The batch written after the rules were last changed (ids ``*_h*``)."""
    return [s for s in samples if "_h" in s.id]


def test_labelled_set_is_large_varied_and_consistent() -> None:
    samples = load_samples()
    assert len(samples) >= 40
    languages = Counter(s.lang for s in samples)
    assert min(languages["en"], languages["zh"]) >= len(samples) * 0.4
    assert sum(1 for s in samples if not s.expect) >= 12
    planted = {rule for s in samples for rule in s.expect}
    assert planted <= set(rules()), planted - set(rules())
    # Every family of rules is exercised, in both languages.
    for family in ("checklist", "tone", "legal", "privacy"):
        for lang in ("en", "zh"):
            assert any(r.startswith(family) for s in samples if s.lang == lang for r in s.expect)


def test_recall_and_false_alarm_rate() -> None:
    samples = load_samples()
    outcome = score(samples)
    held = score(held_out(samples))
    message = (
        f"{outcome.summary()} | held-out batch: {held.summary()} | "
        f"missed: {outcome.missed} | false alarms: {outcome.false_alarms}"
    )
    print(f"\nlint samples: {message}")
    assert outcome.recall >= 0.90, message
    assert outcome.false_alarm_rate <= 0.10, message


if __name__ == "__main__":
    everything = load_samples()
    outcome = score(everything)
    print(outcome.summary())
    print("held-out batch:", score(held_out(everything)).summary())
    for title, rows in (("missed", outcome.missed), ("false alarms", outcome.false_alarms),
                        ("unplanted findings on problem samples", outcome.extras)):  # fmt: skip
        print(f"{title}:")
        for row in rows:
            print("  ", row)
