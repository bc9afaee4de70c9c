"""The paragraph filter that runs after trafilatura: teasers, furniture headings, known headlines.

In-body teasers written as paragraphs ("ALSO READ  Other headline", "Read also: ...",
"اقرأ أيضا: ...") survive every off-the-shelf extractor. This filter removes them with a *strict*
label match so that real paragraphs mentioning "related", "read" or "reply" stay:

- the label stands alone in its block (the headline then follows as the next block, and goes too
  when it looks like a headline: a link, a known headline, or a short line without a full stop);
- the label is written in capitals ("ALSO READ ...", "READ MORE ...");
- the label is followed by a colon or a dash ("Read also: ...", "See also — ...");
- the rest of the block is exactly a link or a known headline of the outlet;
- in languages listed in :data:`extract.rules.TEASER_LABEL_LANGUAGES_ANY_CASE` (Arabic, Russian),
  where the imperative label never opens real prose, the label followed by a short headline.

Besides teasers it drops share and follow bars (blocks of nothing but :data:`extract.rules.SHARE_BAR_WORDS`),
furniture headings (:data:`extract.rules.BLOCK_HEADINGS`) and the lists
of headlines under "Related Articles"-type headings, standard furniture sentences, paragraphs
equal to another headline of the outlet (the archive knows them), the page's own title repeated,
outlet ``drop_paragraphs`` regexes, and learned template lines.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from extract.content import Block, alnum_key, remove_block
from extract.rules import (
    BLOCK_HEADINGS,
    BOILERPLATE_LINES,
    BYLINE_LINES,
    DATE_LINES,
    END_HEADINGS,
    SHARE_BAR_WORDS,
    TEASER_LABEL_LANGUAGES_ANY_CASE,
    TEASER_LABELS,
)

__all__ = ["ParagraphFilter", "ParagraphRules", "headline_key", "headline_keys", "line_key"]

_LABEL_SEPARATORS = ":：-–—|»>•·"
_SENTENCE_END = ".!?…:;\"”»’')"
#: A "headline" after a teaser label or under a related heading is at most this many words.
_HEADLINE_MAX_WORDS = 25


def line_key(text: str) -> str:
    """Whitespace-normalised, case-folded form of a line (template and rule matching)."""
    return " ".join(text.split()).casefold()


def headline_key(text: str) -> str:
    """Letters and digits only, case-folded: two headlines are the same when their keys are."""
    return alnum_key(text)


@lru_cache(maxsize=8)
def _frozen_headline_keys(headlines: frozenset[str]) -> frozenset[str]:
    return frozenset(headline_key(h) for h in headlines if h)


def headline_keys(headlines: Iterable[str]) -> frozenset[str]:
    """Keys of ``headlines``; cached for a frozenset (the crawler passes the outlet's headlines as one)."""
    if isinstance(headlines, frozenset):
        return _frozen_headline_keys(headlines)
    return frozenset(headline_key(h) for h in headlines if h)


def _heading_key(text: str) -> str:
    return line_key(text).strip(" :.!…>|-–—·•")


def _any_of(patterns: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    """One pattern matching where any of ``patterns`` does (none holds a group reference or inline flag)."""
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns) or "(?!)", flags)


@dataclass(frozen=True)
class _Label:
    text: str  # case-folded
    any_case: bool  # label + short headline is enough (languages without ambiguous prose use)


@dataclass(frozen=True)
class ParagraphRules:
    """Compiled paragraph rules: built-in data plus an outlet's ``drop_paragraphs`` regexes."""

    outlet_patterns: tuple[str, ...] = ()
    labels: tuple[_Label, ...] = field(init=False)
    #: Every label's text, and the longest one's length: a block that opens with none of them (nearly
    #: all) is told apart by one ``startswith`` on its first characters, not a test per label.
    label_texts: tuple[str, ...] = field(init=False)
    label_chars: int = field(init=False)
    headings: frozenset[str] = field(init=False)
    end_headings: frozenset[str] = field(init=False)
    #: The line patterns as one alternation each: a whole block matches it when it matches one of
    #: them (a full match backtracks into the next alternative), in one call instead of one a pattern.
    lines: re.Pattern[str] = field(init=False)
    bylines: re.Pattern[str] = field(init=False)
    share_bar: re.Pattern[str] = field(init=False)
    outlet: tuple[re.Pattern[str], ...] = field(init=False)

    def __post_init__(self) -> None:
        labels = [
            _Label(label.casefold(), language in TEASER_LABEL_LANGUAGES_ANY_CASE)
            for language, group in TEASER_LABELS.items()
            for label in group
        ]
        # longest first, so "related articles" wins over "related"
        object.__setattr__(self, "labels", tuple(sorted(labels, key=lambda lab: -len(lab.text))))
        object.__setattr__(self, "label_texts", tuple(label.text for label in self.labels))
        object.__setattr__(self, "label_chars", max((len(label.text) for label in self.labels), default=0))
        object.__setattr__(self, "headings", frozenset(h.casefold() for g in BLOCK_HEADINGS.values() for h in g))
        object.__setattr__(self, "end_headings", frozenset(h.casefold() for h in END_HEADINGS))
        lines = (*BOILERPLATE_LINES, *DATE_LINES)
        object.__setattr__(self, "lines", _any_of(lines, re.IGNORECASE | re.DOTALL))
        object.__setattr__(self, "bylines", _any_of(BYLINE_LINES))
        words = "|".join(re.escape(w) for w in sorted(SHARE_BAR_WORDS, key=len, reverse=True))
        object.__setattr__(self, "share_bar", re.compile(rf"(?:(?:{words})\b[\s,|·•:/]*)+", re.IGNORECASE))
        object.__setattr__(self, "outlet", tuple(re.compile(p) for p in self.outlet_patterns))

    @classmethod
    @lru_cache(maxsize=128)
    def for_patterns(cls, outlet_patterns: tuple[str, ...] = ()) -> ParagraphRules:
        """Cached rules for one outlet's ``drop_paragraphs`` list."""
        return cls(outlet_patterns)


class ParagraphFilter:
    """Judge the blocks of one page; :meth:`apply` removes the dropped ones from their tree."""

    def __init__(
        self,
        rules: ParagraphRules,
        *,
        title: str | None = None,
        known_headlines: Iterable[str] = (),
        template_lines: Collection[str] = (),
    ) -> None:
        self.rules = rules
        self.title_key = headline_key(title or "")
        self.headlines = headline_keys(known_headlines) - {self.title_key, ""}
        self.template_lines = {line_key(line) for line in template_lines}

    # -- single-block tests -------------------------------------------------------------

    def teaser_label(self, block: Block) -> str | None:
        """``"label_only"`` when the block is just a label, ``"teaser"`` when it is a teaser, else None."""
        text = block.text
        # case folding maps each character on its own, to one or more: the first ``label_chars``
        # characters folded hold the start of the whole text folded, as far as any label reaches
        if not text[: self.rules.label_chars].casefold().startswith(self.rules.label_texts):
            return None
        folded = text.casefold()
        for label in self.rules.labels:
            if not folded.startswith(label.text):
                continue
            rest = text[len(label.text):]
            if rest[:1].isalnum():
                continue  # "Related" must not match "Relatedly"
            core = rest.lstrip(" \u00a0" + _LABEL_SEPARATORS).strip()
            if not core:
                return "label_only"
            written = text[: len(label.text)]
            if rest.lstrip(" \u00a0")[:1] in _LABEL_SEPARATORS and rest.strip():
                return "teaser"
            if any(ch.isalpha() for ch in written) and written.isupper() and len(label.text) > 3:
                return "teaser"
            if block.link_text and headline_key(core) == headline_key(block.link_text):
                return "teaser"
            if headline_key(core) in self.headlines:
                return "teaser"
            if label.any_case and self.looks_like_headline(core):
                return "teaser"
            return None
        return None

    def looks_like_headline(self, text: str) -> bool:
        """Short, no closing full stop: a line that names another article."""
        words = len(text.split())
        return 0 < words <= _HEADLINE_MAX_WORDS and text.rstrip()[-1:] not in _SENTENCE_END

    def is_headline_block(self, block: Block) -> bool:
        return (
            block.is_link_only
            or headline_key(block.text) in self.headlines
            or (block.kind in ("paragraph", "heading", "item") and self.looks_like_headline(block.text))
        )

    def line_rule(self, block: Block) -> str | None:
        """The reason a whole-block rule drops ``block``, or None."""
        key = headline_key(block.text)
        if self.title_key and key == self.title_key:
            return "title"
        if key in self.headlines:
            return "known_headline"
        heading = _heading_key(block.text)
        if heading in self.rules.end_headings:
            return "end_heading"
        if heading in self.rules.headings:
            return "block_heading"
        if self.template_lines and line_key(block.text) in self.template_lines:
            return "template"
        if any(pattern.search(block.text) for pattern in self.rules.outlet):
            return "outlet_rule"
        if self.rules.lines.fullmatch(block.text):
            return "boilerplate_line"
        if self.rules.bylines.fullmatch(block.text):
            return "byline"
        if block.kind != "table" and self.rules.share_bar.fullmatch(block.text):
            return "share_bar"
        if block.is_link_only and block.links >= 2 and block.kind != "item":
            return "link_list"
        return None

    # -- the whole page ------------------------------------------------------------------

    def judge(self, blocks: list[Block]) -> list[str | None]:
        """A drop reason per block (None = keep)."""
        reasons: list[str | None] = [None] * len(blocks)
        index = 0
        while index < len(blocks):
            block = blocks[index]
            label: str | None = None
            reason: str | None
            if _heading_key(block.text) in self.rules.end_headings:
                reason = "end_heading"
            else:
                label = self.teaser_label(block)
                reason = "teaser" if label else self.line_rule(block)
            reasons[index] = reason
            if label == "label_only" or reason == "end_heading":
                # what follows the label or heading: headlines go with it
                follower = index + 1
                while follower < len(blocks) and self.is_headline_block(blocks[follower]):
                    reasons[follower] = "teaser_headline" if label else "related_list"
                    follower += 1
                    if label and not blocks[follower - 1].is_link_only:
                        break  # a plain-line headline after a label: exactly one
                index = follower
                continue
            index += 1
        return reasons

    def apply(self, blocks: list[Block]) -> tuple[list[Block], Counter[str], list[str]]:
        """Remove dropped blocks from the tree; returns kept blocks, counts by reason, template hits."""
        kept: list[Block] = []
        dropped: Counter[str] = Counter()
        template_hits: list[str] = []
        for block, reason in zip(blocks, self.judge(blocks), strict=True):
            if reason is None:
                kept.append(block)
                continue
            dropped[reason] += 1
            if reason == "template":
                template_hits.append(block.text)
            remove_block(block)
        return kept, dropped, template_hits
