"""Language: what the page declares, checked against the script and words of its text.

A page's ``lang`` attribute is often a theme default ("en-US" on an Arabic site). The check is
deliberately simple and fast: the dominant script decides between Arabic, Cyrillic and Latin
text, and within Latin text a few hundred stopwords decide between common languages. A declared
language consistent with the text is kept; an inconsistent one is replaced by the detected one.
"""

from __future__ import annotations

import re

__all__ = ["LANGUAGE_SCRIPTS", "STOPWORDS", "check_language", "detect_script", "primary_subtag"]

#: Scripts of the languages we can check (others are trusted as declared).
LANGUAGE_SCRIPTS: dict[str, str] = {
    "ar": "arabic", "fa": "arabic", "ur": "arabic", "ps": "arabic",
    "ru": "cyrillic", "uk": "cyrillic", "bg": "cyrillic", "sr": "cyrillic", "be": "cyrillic", "mk": "cyrillic",
    "kk": "cyrillic",
    "en": "latin", "fr": "latin", "de": "latin", "es": "latin", "it": "latin", "pt": "latin", "nl": "latin",
    "tr": "latin", "pl": "latin", "sv": "latin", "id": "latin",
}
#: Default language for a script when the declared one does not fit.
SCRIPT_DEFAULT: dict[str, str] = {"arabic": "ar", "cyrillic": "ru", "latin": "en"}
def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


#: Frequent function words of Latin-script languages.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words("the and of to in is that for it was on with as by he said at from his an be have are"),
    "fr": _words("le la les de des et en un une du est que dans pour qui pas sur au avec il par"),
    "de": _words("der die das und ist nicht ein eine zu den mit von sich des auf für im dem wird"),
    "es": _words("el la los las de del y en un una que es por con para se al como su lo"),
    "it": _words("il la di che e un una per non con del della sono da gli le si nel"),
    "pt": _words("o a os as de do da e em um uma que para com não no na por se dos"),
}

#: Each stopword with the languages that have it, in :data:`STOPWORDS` order: a page's words are
#: looked up once each, not once per language.
_STOPWORD_LANGUAGES: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang, stop in STOPWORDS.items() if word in stop) for stop in STOPWORDS.values() for word in stop
}

_WORD = re.compile(r"[^\W\d_]+")


def primary_subtag(tag: str | None) -> str | None:
    """``"en-US"`` -> ``"en"``, ``"ar_SY"`` -> ``"ar"``; None for empty or odd values."""
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


#: Runs of letters of each script (the ranges :func:`detect_script` counts).
_SCRIPT_LETTERS: dict[str, re.Pattern[str]] = {
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufeff]+"),
    "cyrillic": re.compile(r"[\u0400-\u052f]+"),
    "latin": re.compile(r"[\u0000-\u024f]+"),
}


def _count(letters: str, script: re.Pattern[str]) -> int:
    """How many characters of ``letters`` are in ``script``'s ranges: what removing them takes away
    (a third of the cost of listing each one)."""
    return len(letters) - len(script.sub("", letters))


def detect_script(text: str) -> str | None:
    """``"arabic"``, ``"cyrillic"`` or ``"latin"`` when one holds most letters of ``text``."""
    letters = "".join(filter(str.isalpha, text[:5000]))
    if len(letters) < 20:
        return None
    counts = {script: _count(letters, pattern) for script, pattern in _SCRIPT_LETTERS.items()}
    script, count = max(counts.items(), key=lambda item: item[1])
    return script if count / len(letters) >= 0.6 else None


def _latin_language(text: str) -> str | None:
    words = [w.lower() for w in _WORD.findall(text[:5000])]
    if len(words) < 20:
        return None
    scores = dict.fromkeys(STOPWORDS, 0)
    for word in words:
        for lang in _STOPWORD_LANGUAGES.get(word, ()):
            scores[lang] += 1
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] >= 0.08 * len(words) else None


def check_language(declared: str | None, text: str, fallback: str | None = None) -> tuple[str | None, str | None]:
    """(language to report, detected language or None) for ``declared`` and the page's ``text``."""
    declared = primary_subtag(declared)
    script = detect_script(text)
    if script is None:
        return declared or primary_subtag(fallback), None
    detected = _latin_language(text) if script == "latin" else SCRIPT_DEFAULT[script]
    fits_script = bool(declared) and LANGUAGE_SCRIPTS.get(declared or "", script) == script
    if fits_script and (script != "latin" or detected in (None, declared) or declared not in STOPWORDS):
        return declared, detected
    fallback = primary_subtag(fallback)
    if detected is None and fallback and LANGUAGE_SCRIPTS.get(fallback) == script:
        return fallback, detected
    return detected or SCRIPT_DEFAULT[script], detected
