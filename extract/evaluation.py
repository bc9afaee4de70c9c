"""Scoring an extraction against gold: token precision/recall/F1, leakage, metadata accuracy.

The measures follow trafilatura's evaluation: texts are compared as bags of tokens (words,
numbers and punctuation-free), so a paragraph dropped costs recall and boilerplate kept costs
precision. Leakage is stricter: any listed boilerplate string present in the text is a failure,
whatever the F1. Used by ``tests/extract/test_quality_gate.py`` and by ``bench/``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = ["Score", "Totals", "dates_match", "leaked", "score_text", "tokens"]

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def tokens(text: str) -> Counter[str]:
    """Case-folded word tokens of ``text`` with their counts."""
    return Counter(token.casefold() for token in _TOKEN.findall(text or ""))


@dataclass(frozen=True)
class Score:
    """Token overlap of one extracted text with its gold text."""

    true_positives: int
    extracted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.extracted if self.extracted else float(self.gold == 0)

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_text(extracted: str, gold: str) -> Score:
    """Token precision/recall/F1 of ``extracted`` against ``gold``."""
    got, want = tokens(extracted), tokens(gold)
    overlap = sum((got & want).values())
    return Score(overlap, sum(got.values()), sum(want.values()))


def leaked(text: str, boilerplate: Iterable[str]) -> list[str]:
    """The boilerplate strings found in ``text`` (whitespace- and case-insensitive)."""
    haystack = " ".join(text.split()).casefold()
    return [b for b in boilerplate if b and " ".join(b.split()).casefold() in haystack]


def dates_match(got: datetime | None, want: str | None) -> bool:
    """``want`` is ISO 8601; a date-only gold value compares dates, a full one compares instants."""
    if want is None:
        return True
    if got is None:
        return False
    if len(want) == 10:
        return got.date() == date.fromisoformat(want)
    return got == datetime.fromisoformat(want)


@dataclass
class Totals:
    """Micro-averaged scores over a set of pages, plus failures by kind."""

    true_positives: int = 0
    extracted: int = 0
    gold: int = 0
    pages: int = 0
    failures: dict[str, list[str]] = field(default_factory=dict)

    def add(self, page_id: str, score: Score) -> None:
        self.pages += 1
        self.true_positives += score.true_positives
        self.extracted += score.extracted
        self.gold += score.gold

    def fail(self, kind: str, page_id: str) -> None:
        self.failures.setdefault(kind, []).append(page_id)

    @property
    def score(self) -> Score:
        return Score(self.true_positives, self.extracted, self.gold)
