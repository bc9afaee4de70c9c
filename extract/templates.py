"""Template text learned per outlet: lines that recur across many pages of one outlet.

Some furniture is specific to one outlet ("Follow Syria Truth on Telegram", a standing
disclaimer) and no built-in rule knows it. :class:`TemplateLearner` watches the extracted
paragraphs of an outlet's pages during a crawl; a line seen on at least ``min_pages`` pages *and*
on at least ``min_share`` of the pages seen *in the same language* is template text (a
multilingual outlet has one template line per language). Pass
:meth:`TemplateLearner.template_lines` to :func:`extract.extract_article` for later pages.
The thresholds come from :class:`core.settings.Settings` (``template_min_pages``,
``template_min_share``). :func:`strip_template_lines` removes learned lines from a text already
extracted (pages of a crawl seen before the lines were learned).

Memory stays flat in the outlet's size: a line is counted under a 64-bit hash of (language,
line), and its text is kept only once it is seen on a second page — most lines of an outlet are
article prose seen once. Once more than ``max_lines`` hashes are counted, the lines seen on one page
only are forgotten (a template line is on many pages, so it survives). Holding every line's text
cost ~6 KB per article: 60 MB at 10,000 articles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable

from core.settings import Settings, get_settings
from extract.paragraphs import line_key
from extract.result import Extraction

__all__ = ["TemplateLearner", "strip_template_lines"]

#: Lines longer than this are article prose even when repeated (syndicated copy), never template.
_MAX_TEMPLATE_CHARS = 400
#: Distinct lines counted before the lines seen on a single page are forgotten (~100 bytes each).
_MAX_COUNTED_LINES = 100_000


def strip_template_lines(text: str, lines: Collection[str]) -> tuple[str, list[str]]:
    """``text`` (paragraphs joined by blank lines) without the paragraphs equal to one of ``lines``.

    Returns the text and the paragraphs removed; lines compare as in the paragraph filter
    (whitespace folded, case-insensitive).
    """
    keys = {line_key(line) for line in lines}
    if not keys:
        return text, []
    kept: list[str] = []
    removed: list[str] = []
    for paragraph in text.split("\n\n"):
        (removed if line_key(paragraph) in keys else kept).append(paragraph)
    return ("\n\n".join(kept), removed) if removed else (text, [])


class TemplateLearner:
    """Counts, per line, on how many pages of one outlet it appears."""

    def __init__(self, min_pages: int = 5, min_share: float = 0.5, *, max_lines: int = _MAX_COUNTED_LINES) -> None:
        if min_pages < 2 or not 0 < min_share <= 1:
            raise ValueError("min_pages must be >= 2 and min_share in (0, 1]")
        self.min_pages = min_pages
        self.min_share = min_share
        self.max_lines = max_lines
        self.pages: Counter[str | None] = Counter()  # pages seen, by language
        self.counts: Counter[int] = Counter()  # hash((language, line key)) -> pages it is on
        #: The lines counted on two pages or more: hash -> (language, the line as first written).
        self.examples: dict[int, tuple[str | None, str]] = {}
        self._frequent: set[int] = set()  # counted on at least min_pages pages

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> TemplateLearner:
        settings = settings or get_settings()
        return cls(settings.template_min_pages, settings.template_min_share)

    def observe(self, page: Extraction | str | Iterable[str], language: str | None = None) -> None:
        """Count the lines of one page: an :class:`Extraction`, its text, or its paragraphs.

        For an Extraction the lines already removed as template count too, so learning stays
        stable once its results are applied.
        """
        if isinstance(page, Extraction):
            lines = [*page.paragraphs, *page.details.get("template_lines_removed", [])]
            language = language or page.language
        elif isinstance(page, str):
            lines = page.split("\n\n")
        else:
            lines = list(page)
        self.pages[language] += 1
        seen = set()
        counts = self.counts
        for line in lines:
            key = line_key(line)
            if key and len(key) <= _MAX_TEMPLATE_CHARS and key not in seen:
                seen.add(key)
                slot = hash((language, key))
                count = counts[slot] + 1
                counts[slot] = count
                if count >= 2 and slot not in self.examples:
                    self.examples[slot] = (language, " ".join(line.split()))
                if count >= self.min_pages:
                    self._frequent.add(slot)
        if len(counts) > self.max_lines:
            self._forget_single_page_lines()

    def _forget_single_page_lines(self) -> None:
        self.counts = Counter({slot: count for slot, count in self.counts.items() if count > 1})

    def template_lines_by_language(self, min_language_pages: int = 0) -> dict[str | None, set[str]]:
        """:meth:`template_lines`, by the language of the pages they were counted on.

        ``min_language_pages``: only languages seen on at least this many pages (judged on fewer, a line
        that qualifies now may not once more pages are seen).
        """
        found: dict[str | None, set[str]] = {}
        for slot in self._frequent:
            language, example = self.examples[slot]
            pages = self.pages[language]
            if pages >= min_language_pages and self.counts[slot] >= self.min_share * pages:
                found.setdefault(language, set()).add(example)
        return found

    def template_lines(self) -> set[str]:
        """Lines that are template text given what was observed so far."""
        return {line for lines in self.template_lines_by_language().values() for line in lines}
