"""The authors of a page: every standard source, ranked by trust, each name cleaned and checked.

Sources, most trusted first (the first that yields a clean name wins; the rules are data in
:mod:`extract.rules`):

1. JSON-LD ``author`` (``creator``) of the article node: a string, a Person, a list of either, or
   ``{"@id"}`` references into a ``@graph``; without an article node, the first node naming one;
2. ``<meta>`` names (:data:`~extract.rules.AUTHOR_META_NAMES`: ``author``, ``byl``,
   ``article:author`` when not a URL, ``parsely-author``, ``sailthru.author``, ``dc.creator`` ...);
3. ``itemprop="author"`` (its ``itemprop="name"``, its ``content``, or its text) and
   ``rel="author"`` links;
4. byline elements (:data:`~extract.rules.AUTHOR_SELECTORS`) and short lines opening with a
   byline word in several languages ("By", "Par", "Von", "Por", "Di", "Автор:" ...).

Cleaning (:func:`clean_authors`): byline words, trailing roles ("..., Staff Writer"), dates and
"on <date>" tails go; "A and B" / "A und B" / "A, B" split; desk names ("Staff", "Newsroom"),
placeholders ("Admin", "Username", "Follow Author"), the site's own name, URLs and e-mail
addresses are rejected. Names read from page text (sources 3-4) must also *look* like names:
a few capitalised words, no digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from lxml import html
from lxml.etree import XPath

from extract.content import alnum_key
from extract.jsonld import JsonLd
from extract.rules import (
    AUTHOR_BYLINE_WORDS,
    AUTHOR_META_NAMES,
    AUTHOR_NOISE,
    AUTHOR_NOISE_LAST_WORDS,
    AUTHOR_PREFIXES,
    AUTHOR_SELECTORS,
    MONTHS,
)

__all__ = ["clean_authors", "looks_like_name", "page_authors"]

_SPLIT = re.compile(
    r"\s*(?:,|;|&|\+|/|\s\|\s|\s[–—-]\s|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bi\b|\bи\b|،|\bwith\b|\bmit\b)\s*",
    re.IGNORECASE,
)
_EMAIL_OR_URL = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+|\S+\.(?:com|org|net|de|fr|co\.uk|ru)\b", re.IGNORECASE)
#: What follows a name in a byline and is not part of it: a date, a time, "on <date>", "Published ...".
_TAIL = re.compile(
    r"(?:\s+(?:on|am|le|el|il|at|um|op)\s.*|[\s,|·•]*\b(?:published|updated|posted|veröffentlicht|aktualisiert|"
    r"publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|опубликовано|обновлено)\b.*|\s*\d.*)$",
    re.IGNORECASE | re.DOTALL,
)
_MONTH = "(?:" + "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True)) + r")\.?"
#: Dates inside a byline ("May 5, 2020", "5. Mai 2020", "05.05.2020", "2020-05-05"), removed before splitting.
_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\.?\s+{_MONTH}\s+\d{{4}}|\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}})",
    re.IGNORECASE,
)
#: Byline words that are also name particles or sentence openers: stripped only before two words or more.
_AMBIGUOUS_PREFIXES = frozenset({"von ", "di ", "door ", "av ", "par ", "por "})
_PARTICLES = frozenset({"de", "da", "di", "del", "della", "van", "von", "der", "den", "du", "des", "la", "le", "bin",
                        "ibn", "al", "el", "dos", "das", "do", "ten", "ter", "zu", "y", "e"})
_NOT_IN_COMMENTS = "[not(ancestor::*[contains(@class,'comment') or contains(@id,'comment')])]"
#: A line of page text opening with a byline word (the word itself is checked in Python).
_BYLINE_TEXT = XPath(
    "//body//text()[string-length(normalize-space(.)) < 90][" + " or ".join(
        f"starts-with(normalize-space(.), '{word}')" for word in AUTHOR_BYLINE_WORDS
    ) + "]" + _NOT_IN_COMMENTS,
)
_ITEMPROP = XPath("//*[@itemprop='author' or @itemprop='creator']" + _NOT_IN_COMMENTS)
_REL_AUTHOR = XPath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]" + _NOT_IN_COMMENTS)
_MAX_FROM_MARKUP = 4


def _strip_prefix(name: str) -> str:
    lowered = name.casefold()
    for prefix in AUTHOR_PREFIXES:
        if lowered.startswith(prefix):
            rest = name[len(prefix):].lstrip(" :")
            if prefix in _AMBIGUOUS_PREFIXES and len(rest.split()) < 2:
                return name
            return rest
    return name


def _noise(site_names: Iterable[str]) -> frozenset[str]:
    return frozenset({alnum_key(n) for n in AUTHOR_NOISE} | {alnum_key(s) for s in site_names if s})


def looks_like_name(name: str) -> bool:
    """A few capitalised words (particles such as "de", "von" aside), no digits: how page text names a person."""
    words = name.split()
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in name):
        return False
    return all(_capitalised(w) or w.casefold() in _PARTICLES for w in words)


def _capitalised(word: str) -> bool:
    """Starts with a capital, or with a letter of a script without case (Arabic), or with no letter."""
    first = word[:1]
    return first.isupper() or not first.isalpha() or first.lower() == first.upper()


def clean_authors(names: Iterable[str], site_names: Iterable[str] = (), *, from_text: bool = False) -> list[str]:
    """Split, strip byline words, roles and dates, reject desks and placeholders; keeps order, no duplicates.

    ``from_text``: the names come from page text, so each must also :func:`looks_like_name`.
    """
    noise = _noise(site_names)
    result: list[str] = []
    seen: set[str] = set()
    for raw in names:
        raw = _strip_prefix(" ".join(_DATE.sub(" , ", _EMAIL_OR_URL.sub(" , ", raw)).split()))
        for part in _SPLIT.split(raw):
            name = _TAIL.sub("", _strip_prefix(" ".join(part.split()))).strip(" -–—:|·•()[]\"'“”")
            if len(name) > 60 or not any(sum(ch.isalpha() for ch in word) >= 2 for word in name.split()):
                continue
            key = alnum_key(name)
            words = name.casefold().split()
            if key in noise or words[-1] in AUTHOR_NOISE_LAST_WORDS:
                continue
            if from_text and not looks_like_name(name):
                continue
            if key not in seen:
                seen.add(key)
                result.append(name)
    return result


@lru_cache(maxsize=32)
def _xpath(expression: str) -> XPath:
    return XPath(expression + _NOT_IN_COMMENTS)


def _text(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _itemprop_names(tree: html.HtmlElement) -> list[str]:
    names = []
    for element in _ITEMPROP(tree):
        inner = element.xpath(".//*[@itemprop='name']")
        value = inner[0].get("content") or _text(inner[0]) if inner else element.get("content") or _text(element)
        if value and len(value) < 90:
            names.append(value)
    return names[:_MAX_FROM_MARKUP]


def _rel_author_names(tree: html.HtmlElement) -> list[str]:
    return [name for a in _REL_AUTHOR(tree)[:_MAX_FROM_MARKUP] if (name := _text(a))]


def _byline_element_names(tree: html.HtmlElement) -> list[str]:
    for selector in AUTHOR_SELECTORS:
        found = [_text(el) for el in _xpath(selector)(tree)[:_MAX_FROM_MARKUP]]
        found = [text for text in found if text and len(text) < 90]
        if found:
            return found
    return []


def _byline_lines(tree: html.HtmlElement) -> list[str]:
    lines = []
    for node in _BYLINE_TEXT(tree):
        text = " ".join(str(node).split())
        parent = node.getparent()
        if parent is not None:  # "By <a>Jane Doe</a>": the name is in the next element
            whole = _text(parent)
            if whole.startswith(text) and len(whole) < 90:
                text = whole
        word = text.split(maxsplit=1)[0]
        if word in AUTHOR_BYLINE_WORDS and len(text.split()) > 1:
            lines.append(text)
    return lines[:_MAX_FROM_MARKUP]


def page_authors(
    tree: html.HtmlElement, metas: dict[str, list[str]], ld: JsonLd, site_names: Iterable[str]
) -> tuple[list[str], str | None]:
    """The page's authors and the source they came from (None when no source names one)."""
    site = list(site_names)
    sources: list[tuple[str, bool, Callable[[], list[str]]]] = [  # (name, from page text, reader)
        ("json-ld", False, ld.author_names),
        *(
            (f"meta:{name}", False, lambda name=name: [v for v in metas.get(name, []) if not _is_url(v)])  # type: ignore[misc]
            for name in AUTHOR_META_NAMES
        ),
        ("itemprop", True, lambda: _itemprop_names(tree)),
        ("rel-author", True, lambda: _rel_author_names(tree)),
        ("byline", True, lambda: _byline_element_names(tree)),
        ("byline-text", True, lambda: _byline_lines(tree)),
    ]
    for source, from_text, read in sources:
        cleaned = clean_authors(read(), site, from_text=from_text)
        if cleaned:
            return cleaned, source
    return [], None


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "//", "/"))
