"""extract.language's stopword count: each word counts once for every language that has it, ties go to the first."""

from __future__ import annotations

from extract.language import STOPWORDS, _latin_language


def _counted(text: str) -> dict[str, int]:
    words = text.lower().split()
    return {lang: sum(word in stop for word in words) for lang, stop in STOPWORDS.items()}


def test_the_language_with_most_stopwords() -> None:
    text = "The mayor said that the bridge was closed on Monday and the ferry is running for the town " * 2
    assert _latin_language(text) == "en"


def test_a_word_several_languages_share_counts_for_each_and_a_tie_goes_to_the_first() -> None:
    text = "la de que en " * 6  # Spanish stopwords, also French, Italian and Portuguese ones
    counts = _counted(text)
    best = max(counts.values())
    assert list(counts.values()).count(best) > 1
    assert _latin_language(text) == next(lang for lang, count in counts.items() if count == best)


def test_too_few_words_or_stopwords_say_nothing() -> None:
    assert _latin_language("the and of") is None
    assert _latin_language("Zebra quokka " * 20) is None
