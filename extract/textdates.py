"""dateparser as htmldate's text search uses it, without asking every language about every string.

htmldate reads a date its own patterns cannot ("Viernes, 22 de Abril de 2022") with dateparser, told no
language. dateparser then asks each of its ~200 languages in turn whether the string could be written in
it, and the first time it asks a language it compiles three regular expressions of that language's
words. A string no language reads ("Copyright © 2001 - 2020", most of what htmldate hands over) has them
all compiled: ~2.4 s of CPU, once per process — in every extraction worker of every crawl that met such a
page (the nightly DAG crawls each outlet in a process of its own).

:class:`LanguageFilteredParser` asks a cheaper question first, from word lists made once per language
(~0.3 s for all of them): can the string be made of the language's words? Every run of letters of the
string, after the language's own simplification, must be a run of letters of one of its dictionary's
words, or made of letters of its relative-date patterns. That is a necessary condition of dateparser's
own test (its tokens are its dictionary's words, matched whole between non-letters; relative-date
expressions, whose patterns hold their letters literally; digits and punctuation), so a language that
fails it is passed over with nothing compiled, and any other is asked as before: the dates and locales
found are dateparser's. Checked against the unfiltered parser on the 10,150 date-like strings of real pages
(issue 16's development sets: text with 4 to 18 digits that passes htmldate's first gates): the same
date and locale for every one (4,252 dates), at a third of the CPU; the first string no language
reads costs a process ~0.5 s instead of ~2.4 s.

:func:`install` makes it the parser htmldate uses: htmldate keeps one, made by
``htmldate.extractors.get_external_parser``, which is replaced by a function returning a
:class:`LanguageFilteredParser` made with the same arguments. This module imports dateparser (~45 ms): import it
only where a text search is about to run (:mod:`extract.published` does, before htmldate's extensive searches).
"""

from __future__ import annotations

import re
import threading
from functools import cache, cached_property

from dateparser.conf import Settings
from dateparser.date import DateDataParser
from dateparser.languages.locale import Locale
from dateparser.utils import normalize_unicode
from htmldate import extractors

__all__ = ["LanguageFilteredParser", "LanguageWords", "filtered_external_parser", "install"]

#: A run of letters (no digits, no underscore).
_LETTERS = re.compile(r"[^\W\d_]+")
_TRUE = frozenset({"true", "1", "yes"})


def _cases(text: str) -> tuple[str, str]:
    """``text`` in lower case, as is and as dateparser normalises it (accents removed)."""
    lowered = text.lower()
    return lowered, normalize_unicode(lowered)


def _made_of(run: str, words: frozenset[str]) -> bool:
    """``run`` is a concatenation of ``words`` (a language written without spaces)."""
    ends = {0}
    for end in range(1, len(run) + 1):
        if any(run[start:end] in words for start in ends):
            ends.add(end)
    return len(run) in ends


class LanguageWords:
    """What ``locale``'s words can make of a string, read with dateparser's ``settings`` (see the module docstring)."""

    def __init__(self, locale: Locale, settings: Settings) -> None:
        self.locale, self.settings = locale, settings
        self.runs = frozenset(
            run for word in locale._get_dictionary(settings) for case in _cases(str(word)) for run in _LETTERS.findall(case)
        )
        patterns = " ".join(p for values in locale.info.get("relative-type-regex", {}).values() for p in values)
        self.relative_letters = frozenset(ch for case in _cases(patterns) for ch in case if ch.isalpha())
        self.no_word_spacing = str(locale.info.get("no_word_spacing", False)).strip().lower() in _TRUE

    def known(self, run: str) -> bool:
        """``run`` (a run of letters, lower case) may be a token of the language."""
        if run in self.runs or all(ch in self.relative_letters for ch in run):
            return True
        return self.no_word_spacing and _made_of(run, self.runs)

    def may_apply(self, date_string: str) -> bool:
        """False only when ``locale.is_applicable(date_string)`` is False: a run of letters its words cannot make."""
        text = self.locale._translate_numerals(date_string)
        if self.settings.NORMALIZE:
            text = normalize_unicode(text)
        text = self.locale._simplify(text, settings=self.settings).lower()
        return all(self.known(run) or self.known(run.casefold()) for run in _LETTERS.findall(text))


class LanguageFilteredParser(DateDataParser):  # type: ignore[misc]
    """dateparser's ``DateDataParser``, passing over the languages whose words cannot make the string."""

    _words_lock = threading.Lock()

    @cached_property
    def _words_by_locale(self) -> dict[str, LanguageWords]:
        return {}

    def _language_words(self, locale: Locale) -> LanguageWords:
        with self._words_lock:
            known = self._words_by_locale
            if (words := known.get(locale.shortname)) is None:
                words = known[locale.shortname] = LanguageWords(locale, self._settings)
            return words

    def _is_applicable_locale(self, locale: Locale, date_string: str, ignore_surrounding_text: bool = False) -> bool:
        # Letter variants (Arabic, Persian) and the lenient mode (unknown edge words ignored) keep dateparser's answer.
        if (
            not ignore_surrounding_text
            and not locale._translates_letters
            and not self._language_words(locale).may_apply(date_string)
        ):
            return False
        return bool(super()._is_applicable_locale(locale, date_string, ignore_surrounding_text))


#: htmldate's own ``get_external_parser`` (:func:`install` replaces it in htmldate).
_HTMLDATE_PARSER = extractors.get_external_parser


@cache
def filtered_external_parser() -> LanguageFilteredParser:
    """The parser htmldate would make, as a :class:`LanguageFilteredParser`: same languages, same settings."""
    own = _HTMLDATE_PARSER()
    return LanguageFilteredParser(
        languages=own.languages, locales=own.locales, region=own.region,
        try_previous_locales=own.try_previous_locales, use_given_order=own.use_given_order, settings=own._settings,
    )


def install() -> None:
    """Make htmldate's text search use :func:`filtered_external_parser` (idempotent)."""
    extractors.get_external_parser = filtered_external_parser
