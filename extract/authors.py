"""The authors of a page: every standard source, ranked by trust, each name cleaned and checked.

Sources, most trusted first (the first that yields a clean name wins; the rules are data in
:mod:`extract.rules`):

1. JSON-LD ``author`` (``creator``) of the article node: a string, a Person, a list of either, or
   ``{"@id"}`` references into a ``@graph``; without an article node, the first node naming one;
2. ``<meta>`` names (:data:`~extract.rules.AUTHOR_META_NAMES`: ``author``, ``byl``,
   ``article:author`` when not a URL, ``parsely-author``, ``sailthru.author``, ``dc.creator`` ...),
   then the ``twitter:data`` labelled "Written by" (Yoast);
3. ``itemprop="author"`` (its ``itemprop="name"``, its ``content``, or its text) and
   ``rel="author"`` links;
4. byline elements (:data:`~extract.rules.AUTHOR_SELECTORS`) and short lines opening with a
   byline word in several languages ("By", "Par", "Von", "Por", "Di", "Автор:" ...);
5. links to author pages (``/author/jane-doe``, ``/autoren/...``), read last.

Cleaning (:func:`clean_authors`): HTML entities decoded, UTF-8 read as Latin-1 read again when that
is clean ("JosÃ© PÃ©rez"); byline words, trailing roles ("..., Staff Writer", "..., PhD"), dates,
"on <date>" tails, profile-link labels ("Alle Artikel", "Alles von") and social handles go, and so
do photo credits ("Foto: ..."; "Text & Fotos: Jane Doe" names the writer); "A and B" / "A und B" /
"A, B" / "A im Gespräch mit B" split; a name printed twice is one; desk names ("Staff",
"Newsroom"), placeholders ("Admin", "Username", "Follow Author"), words of a sentence ("deinen
Bloggern": a lower-case first word before a capitalised one), organisations (legal forms, copyright
lines, desks such as "Redaktion X", authorities), the site's own name, URLs, domains and e-mail
addresses are rejected. A weak first answer (one word, an organisation as JSON-LD author, the
site's name or a name given with the site's domain) is completed by a later source that names the
full person, or by the full name an author bio opens with, or by a personal site's name ("Jane" on
"Jane Doe"); a later meta naming the same people and more adds the co-authors. A byline ends at its
first ``<br>`` (a dateline follows), at the site's name after a name ("Jane Doe, Example News, New
York"), and weekdays go with the dates they precede ("Fr, 18. Oktober 2019"). A source naming more
than ten people is a list (a paper's references, a site's staff), not a byline, and is passed over.
Names read from author markup (sources 3-5) must look like names (a few capitalised words, no
digits) or be one login name ("gizzmo"); from a line of text, like names.
"""

from __future__ import annotations

import html as html_entities
import re
import unicodedata
from collections.abc import Callable, Iterable
from copy import deepcopy
from functools import cache, lru_cache
from urllib.parse import urlsplit

from lxml import html
from lxml.etree import XPath

from extract.content import alnum_key
from extract.jsonld import JsonLd
from extract.rules import (
    AUTHOR_BIO_CLASSES,
    AUTHOR_BIO_CONJUNCTIONS,
    AUTHOR_BIO_STOP_WORDS,
    AUTHOR_BYLINE_WORDS,
    AUTHOR_ELSEWHERE_PARTS,
    AUTHOR_ELSEWHERE_PREFIXES,
    AUTHOR_LINK_PATHS,
    AUTHOR_META_NAMES,
    AUTHOR_NOISE,
    AUTHOR_NOISE_LAST_WORDS,
    AUTHOR_ORGANISATION_WORDS,
    AUTHOR_PHOTO_LABELS,
    AUTHOR_PLACE_NAMES,
    AUTHOR_PREFIXES,
    AUTHOR_SELECTORS,
    AUTHOR_TAIL_WORDS,
    AUTHOR_TWITTER_LABELS,
    AUTHOR_WEEKDAYS,
    MONTHS,
)

__all__ = ["clean_authors", "looks_like_name", "page_authors"]

_SPLIT = re.compile(
    r"\s*(?:,|;|&|\+|/|\s\|\s|\s[–—-]\s|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bi\b|\bи\b|،|\bim gespräch mit\b|\bin conversation with\b|\bwith\b|\bmit\b)\s*",
    re.IGNORECASE,
)
_EMAIL_OR_URL = re.compile(
    r"\S+@\S+|(?:https?://|www\.)\S+|\S+\.(?:com|org|net|de|fr|co\.uk|ru)\b|(?-i:\w\S*\.[a-z]{2,4})(?![\w.])",
    re.IGNORECASE,
)
#: What follows a name in a byline and is not part of it: a date, a time, "on <date>", "Published ...".
_TAIL = re.compile(
    r"(?:\s+(?-i:on|am|le|el|il|at|um|op)(?:\s.*)?|[\s,|·•]*\b(?:published|updated|posted|veröffentlicht|aktualisiert|"
    r"publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|опубликовано|обновлено)\b.*|\s*(?<!\w)\d.*)$",
    re.IGNORECASE | re.DOTALL,
)
_MONTH = "(?:" + "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True)) + r")\.?"
_WEEKDAY = "(?:" + "|".join(sorted(map(re.escape, AUTHOR_WEEKDAYS), key=len, reverse=True)) + r")\.?,?\s+"
#: Dates inside a byline ("May 5, 2020", "5. Mai 2020", "05.05.2020", "2020-05-05"), with the
#: weekday before them ("Fr, 18. Oktober 2019"), removed before splitting.
_DATE = re.compile(
    rf"\b(?:{_WEEKDAY})?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\.?\s+{_MONTH}\s+\d{{4}}|\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}})",
    re.IGNORECASE,
)
#: Text after a name that is not part of it (:data:`~extract.rules.AUTHOR_TAIL_WORDS`), also glued
#: to the name's last letter when capitalised ("WilsonHace 2 horas").
_TAIL_WORDS = re.compile(
    r"(?:\s+(?:" + "|".join(map(re.escape, AUTHOR_TAIL_WORDS)) + r")|(?<=[^\W\d_])(?:"
    + "|".join(re.escape(w) for w in AUTHOR_TAIL_WORDS if w[:1].isupper()) + r"))(?!\w).*$",
    re.DOTALL,
)
#: A social handle inside a byline ("Jane Doe @janedoe"): not part of the name.
_HANDLE = re.compile(r"(?<!\S)@[\w.]+")
#: A parenthesised note after a name: a role, a desk's code or a place ("Jane Doe (Pressesprecherin)").
_PARENTHESES = re.compile(r"(?<=\S)\s*\([^()]*\)")
#: One capitalised word after a full name and a comma, ending the byline ("Jane Doe, Berlin"): a
#: place (a co-author has a full name too: "Jane Doe, Tom Roe" stays two people).
_PLACE_AFTER_NAME = re.compile(
    r"^(?P<name>[^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*){1,3})\s*,\s*[A-ZÀ-ÞА-Я][^\W\d_]+[\s,]*$"
)
_WORD_PARTS = re.compile(r"[\s\-/_]+")
#: UTF-8 read as Latin-1 or Windows-1252 ("OÃ\x96 Volksblatt", "JosÃ© PÃ©rez"): the letter a lead byte
#: (0xC2-0xEF) reads as, then one a continuation byte (0x80-0xBF) reads as in either code page.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_USERNAME = re.compile(r"[^\W_][\w.-]*", re.UNICODE)
_MONTHS_ONLY = re.compile(rf"(?:{_MONTH}\s*)+", re.IGNORECASE)
#: Weekdays written out ("Dienstag" after the byline word "Di", Tuesday's abbreviation): no name.
_WEEKDAY_NAMES = frozenset(day.casefold() for day in AUTHOR_WEEKDAYS if len(day) > 4)
#: Byline words that are also name particles ("Di Maria"): when capitalised, stripped only before two words or more.
_AMBIGUOUS_PREFIXES = frozenset({"von", "di", "door", "av", "par", "por", "text"})
_PARTICLES = frozenset(
    {
        "de",
        "da",
        "di",
        "del",
        "della",
        "van",
        "von",
        "der",
        "den",
        "du",
        "des",
        "la",
        "le",
        "bin",
        "ibn",
        "al",
        "el",
        "dos",
        "das",
        "do",
        "ten",
        "ter",
        "zu",
        "y",
        "e",
    }
)
_NOT_IN_COMMENTS = "[not(ancestor-or-self::*[contains(@class,'comment') or contains(@id,'comment')])]"
_TEXT_NODES = XPath("//body//text()")
_TEXT_STRINGS = XPath("//body//text()", smart_strings=False)
#: A line opening with a byline word (:data:`~extract.rules.AUTHOR_BYLINE_WORDS`): a word written
#: with its colon needs it ("Text:"); others may take one ("Written by: Jane Doe") or stand alone
#: in their own element ("<b>Von</b> <span>Max Muster</span>").
_SEPARATOR_CHARS = "|·•–—-"
_LEADING_SEPARATOR = re.compile(rf"^[{_SEPARATOR_CHARS}]+\s*")
#: First letters of the byline words: most text nodes are ruled out before the regular expression.
_OPENER_INITIALS = frozenset(word[0] for word in AUTHOR_BYLINE_WORDS)
#: What a line opening a byline starts with: a byline word's first letter or a separator before it.
_LINE_INITIALS = _OPENER_INITIALS | frozenset(_SEPARATOR_CHARS)
_BYLINE_OPENER = re.compile(
    "^(?:"
    + "|".join(
        re.escape(w[:-1]) + r"[ \u00a0\u202f]?:" if w.endswith(":") else re.escape(w) + r"(?:\s*:)?"
        for w in sorted(AUTHOR_BYLINE_WORDS, key=len, reverse=True)
    )
    + r")(?=\s|$)"
)
_PREFIX = re.compile(
    "^(?:"
    + "|".join(re.escape(p) for p in sorted(AUTHOR_PREFIXES, key=len, reverse=True))
    + r")(?:\s*:\s*|\s+|(?-i:(?<=[a-zß-ÿа-я])(?=[A-ZÀ-ÞА-Я])))",
    re.IGNORECASE,
)
_PREFIX_WORDS = frozenset(p.casefold().rstrip(":") for p in (*AUTHOR_PREFIXES, *AUTHOR_BYLINE_WORDS))
#: Reader reviews (``itemprop="review"``, ``itemtype=".../Review"``) name their reviewers as authors.
_NOT_IN_REVIEWS = "[not(ancestor::*[@itemprop='review' or contains(@itemtype,'Review')])]"
# Written as a test of the attribute, then its element: the same elements, in the same order, as
# "//*[@itemprop='author' ...]", at a third of the cost (no attribute lookup on every element).
_ITEMPROP = XPath("//@itemprop[.='author' or .='creator']/parent::*" + _NOT_IN_COMMENTS + _NOT_IN_REVIEWS)
_REL_AUTHOR = XPath("//a/@rel[contains(concat(' ', normalize-space(.), ' '), ' author ')]/parent::*" + _NOT_IN_COMMENTS)
_MAX_FROM_MARKUP = 4
#: More names than this from one source are a list (references, contributors, a site's staff), not a byline.
_MAX_AUTHORS = 10
_BIO = XPath(
    "//*[" + " or ".join(f"contains(@class,'{c}')" for c in AUTHOR_BIO_CLASSES) + "]" + _NOT_IN_COMMENTS
)


def _strip_prefix(name: str) -> str:
    match = _PREFIX.match(name)
    if match is None:
        return name
    rest = name[match.end() :]
    word = match.group().strip(" :")
    if word.casefold() in _AMBIGUOUS_PREFIXES and word[:1].isupper() and len(rest.split()) < 2:
        return name
    return rest


_NOISE_KEYS = frozenset(alnum_key(n) for n in AUTHOR_NOISE)


def _noise(site_names: Iterable[str]) -> frozenset[str]:
    return _NOISE_KEYS | {alnum_key(s) for s in site_names if s}


def looks_like_name(name: str) -> bool:
    """A few capitalised words (particles such as "de", "von" aside), no digits: how page text names a person."""
    words = name.split()
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in name):
        return False
    return all(_capitalised(w) or w.casefold() in _PARTICLES for w in words)


def _phrase(name: str) -> bool:
    """Words of a sentence, not a name: a lower-case first word (no particle such as "de", "von")
    before a capitalised one ("deinen Hochzeitsbloggern", "selbst ist der Mann"). A name written all
    in lower case (a login, "bell hooks") or with a lower-case surname ("Ana ruiz") is no phrase."""
    words = name.split()
    return (
        len(words) > 1
        and not _capitalised(words[0])
        and words[0].casefold() not in _PARTICLES
        and any(_capitalised(word) for word in words[1:])
    )


def _capitalised(word: str) -> bool:
    """Starts with a capital, or with a letter of a script without case (Arabic), or with no letter."""
    first = word[:1]
    return first.isupper() or not first.isalpha() or first.lower() == first.upper()


def _username(name: str) -> bool:
    """One token such as a blog's login name ("gizzmo", "happyface313"), as author markup shows it."""
    return len(name) >= 3 and _USERNAME.fullmatch(name) is not None


def _organisation(name: str) -> bool:
    """A word of ``name`` is a legal form, a copyright mark or a desk word (:data:`AUTHOR_ORGANISATION_WORDS`)."""
    return any(
        word.strip(".,()[]'\"").replace(".", "").casefold() in AUTHOR_ORGANISATION_WORDS
        for word in _WORD_PARTS.split(name)
        if word
    )


def _repaired(text: str) -> str:
    """``text`` with UTF-8 read as Latin-1 or Windows-1252 read again as UTF-8, when that reading is
    clean (every character encodes and the bytes decode); else ``text`` as it was."""
    if _MOJIBAKE.search(text) is None:
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text


def _collapse_repeat(name: str) -> str:
    """ "Jane Doe Jane Doe" (a name printed twice, as avatar text and link) -> "Jane Doe"."""
    words = name.split()
    half = len(words) // 2
    if half and len(words) % 2 == 0 and words[:half] == words[half:]:
        return " ".join(words[:half])
    return name


def clean_authors(
    names: Iterable[str], site_names: Iterable[str] = (), *, read_from: str = "data"
) -> list[str]:
    """Split, strip byline words, roles and dates, reject desks and placeholders; keeps order, no duplicates.

    ``read_from``: ``"data"`` (structured data: any clean name), ``"markup"`` (an element marked as
    the author: a name or a login name) or ``"text"`` (a line of text: it must look like a name).
    A part naming an organisation (:func:`_organisation`) goes; when it opens the byline, the rest
    of it goes too ("Ministry of Roads, Rail and Ports" is one organisation, not three names).
    """
    noise = _noise(site_names)
    sites = {alnum_key(s) for s in site_names if s}
    result: list[str] = []
    seen: set[str] = set()
    for raw in names:
        raw = _repaired(html_entities.unescape(raw))
        if alnum_key(_strip_prefix(raw)) in noise:
            continue
        if "," in raw and _EMAIL_OR_URL.match(raw.strip()):
            continue  # "example.com, Frankfurt, Germany": a site and its address, no person
        raw = _PARENTHESES.sub(" ", _HANDLE.sub(" ", raw))
        if "," in raw and raw.rsplit(",", 1)[1].strip(" .()").casefold() in AUTHOR_PLACE_NAMES:
            raw = raw.split(",", 1)[0]  # "Jane Doe, Nairobi, Kenya": a dateline follows the first comma
        raw = _strip_prefix(" ".join(_DATE.sub(" , ", _EMAIL_OR_URL.sub(" , ", raw)).split()))
        if place := _PLACE_AFTER_NAME.match(raw):
            raw = place.group("name")
        for index, part in enumerate(_SPLIT.split(raw)):
            if ":" in part and part.split(":", 1)[0].strip().casefold() in AUTHOR_PHOTO_LABELS:
                continue  # a photo credit
            name = _TAIL.sub("", _strip_prefix(" ".join(part.split())))
            name = _collapse_repeat(_TAIL_WORDS.sub("", name).strip(" -–—:|·•()[]\"'“”„"))
            if _organisation(name) or (index > 0 and alnum_key(name) in sites):
                # an organisation opening the byline is all of it; after a name, an affiliation
                # ("Jane Doe, Example News, New York"): what follows it is a place or a desk
                break
            if index == 0 and alnum_key(name) in sites and "," in raw:
                break  # "Example News, Frankfurt, Germany": the site and its address
            if len(name) > 60 or not any(sum(ch.isalpha() for ch in word) >= 2 for word in name.split()):
                continue
            key = alnum_key(name)
            words = name.casefold().split()
            if (
                key in noise
                or name.casefold().rstrip(":") in _PREFIX_WORDS
                or words[-1] in AUTHOR_NOISE_LAST_WORDS
                or name.startswith("@")
                or _MONTHS_ONLY.fullmatch(name)
                or not _WEEKDAY_NAMES.isdisjoint(words)
            ):
                continue
            if len(name.split()) > 5 or _phrase(name) or (
                read_from != "data"
                and not looks_like_name(name)
                and not (read_from == "markup" and _username(name))
            ):
                continue
            if key not in seen:
                seen.add(key)
                result.append(name)
    return result


@lru_cache(maxsize=512)  # the byline selectors, each also narrowed to the terms pages can satisfy
def _xpath(expression: str) -> XPath:
    return XPath(expression)


#: The forms of a byline selector whose match needs a class/id token (or a part of one):
#: ``//*[T or T ...]`` steps (``and not(...)`` allowed), each ``T`` a class-token test or a
#: ``contains(@class|@id, '...')``.
_STEP = re.compile(r"//\*\[(?P<terms>.*?)(?: and not\((?P<negated>.*)\))?\]")
_TOKEN_TERM = re.compile(r"contains\(concat\(' ',normalize-space\(@class\),' '\),' (?P<token>[^'\s]+) '\)")
_PART_TERM = re.compile(r"contains\(@(?P<attribute>class|id),'(?P<part>[^'\s]+)'\)")


@lru_cache(maxsize=32)
def _needs(selector: str) -> tuple[tuple[frozenset[str], tuple[str, ...]], ...] | None:
    """What a page must hold for ``selector`` to match anything, or None when its form is not one known.

    One entry per step, all needed; a step needs one of its whole tokens (``.byline``) or one token
    containing one of its parts (``.author``, ``#author``, prefix included). Page tokens split on
    any whitespace, XPath's on XML whitespace: a page token holds every token XPath sees, so a
    selector whose needs are not met matches nothing. Evaluating it then only costs a page scan.
    A ``[not(...)]`` predicate after the last step (:func:`_split_filter`) only narrows the match:
    the needs are those of what precedes it.
    """
    steps = _split_filter(selector)[0].split("]//*[")
    needs = []
    for number, step in enumerate(steps):
        step = ("" if number == 0 else "//*[") + step + ("" if number == len(steps) - 1 else "]")
        match = _STEP.fullmatch(step)
        if match is None or not _balanced(match["negated"] or ""):
            return None
        whole: set[str] = set()
        parts: list[str] = []
        for term in match["terms"].split(" or "):
            if token := _TOKEN_TERM.fullmatch(term):
                whole.add("." + token["token"])
            elif part := _PART_TERM.fullmatch(term):
                parts.append(("." if part["attribute"] == "class" else "#") + part["part"])
            else:
                return None
        needs.append((frozenset(whole), tuple(parts)))
    return tuple(needs)


def _split_filter(selector: str) -> tuple[str, str]:
    """``selector`` as (steps, trailing ``[not(...)]`` predicate), the predicate '' when there is none.

    The predicate is split off only when it is one whole predicate closing the selector.
    """
    index = selector.find("][not(")
    if index < 0:
        return selector, ""
    tail = selector[index + 1 :]
    depth = 0
    for number, char in enumerate(tail):
        depth += (char == "[") - (char == "]")
        if depth == 0 and number != len(tail) - 1:
            return selector, ""  # closes before the end: more follows it
    return (selector[: index + 1], tail) if tail.endswith(")]") and depth == 0 else (selector, "")


def _balanced(expression: str) -> bool:
    """Parentheses closed in order: ``not(...)`` negates all of it, nothing after it."""
    depth = 0
    for char in expression:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


def _may_match(selector: str, tokens: frozenset[str], joined: dict[str, str]) -> bool:
    """False only when ``selector`` cannot match a page with these class/id ``tokens``.

    ``joined``: the page's class tokens (key ".") and ids (key "#"), each kind joined by NUL (no part
    holds one, so a part found there lies within one token).
    """
    needs = _needs(selector)
    if needs is None:
        return True
    return all(
        not whole.isdisjoint(tokens) or any(part[1:] in joined[part[0]] for part in parts) for whole, parts in needs
    )


def _term_may_match(term: str, tokens: frozenset[str], joined: dict[str, str]) -> bool:
    """False only when the class/id test ``term`` holds on no element of a page with these ``tokens``."""
    if token := _TOKEN_TERM.fullmatch(term):
        return "." + token["token"] in tokens
    part = _PART_TERM.fullmatch(term)
    return part is None or part["part"] in joined["." if part["attribute"] == "class" else "#"]


def _narrowed(selector: str, tokens: frozenset[str], joined: dict[str, str]) -> str:
    """``selector`` without the ``or`` terms this page cannot satisfy (:func:`_term_may_match`): it
    selects the same elements, and each term left out is one string test fewer on every element
    (the class-token selector has thirteen, each a ``concat``/``normalize-space`` of ``@class``).

    A step with ``and not(...)`` stays whole: XPath binds ``and`` tighter than ``or``, so dropping
    the term the negation belongs to would change what the step means.
    """
    if _needs(selector) is None:
        return selector
    selector, trailing = _split_filter(selector)
    steps = selector.split("]//*[")
    narrowed = []
    for number, step in enumerate(steps):
        step = ("" if number == 0 else "//*[") + step + ("" if number == len(steps) - 1 else "]")
        match = _STEP.fullmatch(step)
        if match is not None and match["negated"] is None:
            kept = [term for term in match["terms"].split(" or ") if _term_may_match(term, tokens, joined)]
            step = "//*[" + " or ".join(kept) + "]" if kept else step
        narrowed.append(step)
    return "".join(narrowed) + trailing


@lru_cache(maxsize=512)
def _on_class_attribute(selector: str) -> str:
    """A one-step ``//*[P]`` (a trailing ``[not(...)]`` allowed) as ``//@class[P']/parent::*`` when every
    test of ``P`` is one of ``@class`` (``P'`` tests ``.``, the attribute itself); else ``selector``.

    The same elements in the same order: ``P`` is false on an element without a class (each of its
    ``or`` terms needs a part or token in it), and on one with a class it sees the same string. The
    attribute form visits only class attributes, not every element: 0.43 -> 0.29 ms a selector.
    """
    steps, trailing = _split_filter(selector)
    match = _STEP.fullmatch(steps)
    if match is None or "]//*[" in steps:
        return selector
    terms = match["terms"].split(" or ")
    negated = match["negated"].split(" or ") if match["negated"] is not None else []
    if not all(_TOKEN_TERM.fullmatch(t) or _PART_TERM.fullmatch(t) for t in (*terms, *negated)):
        return selector
    if any(t.count("@") != 1 or "@class" not in t for t in (*terms, *negated)):
        return selector
    return "//@class[" + steps[len("//*[") : -1].replace("@class", ".") + "]/parent::*" + trailing


def _joined_tokens(tokens: frozenset[str]) -> dict[str, str]:
    return {kind: "\0".join(token[1:] for token in tokens if token.startswith(kind)) for kind in ".#"}


def _elsewhere(element: html.HtmlElement) -> bool:
    """Inside (or itself) a reader comment or a related-article teaser (:data:`AUTHOR_ELSEWHERE_PARTS`,
    :data:`AUTHOR_ELSEWHERE_PREFIXES`): its names are commenters or other articles' people, not the author."""
    node: html.HtmlElement | None = element
    while node is not None:
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if any(part in marks for part in AUTHOR_ELSEWHERE_PARTS) or any(
            token.startswith(AUTHOR_ELSEWHERE_PREFIXES) for token in marks.split()
        ):
            return True
        node = node.getparent()
    return False


def _text(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _broken_text(element: html.HtmlElement) -> str | None:
    """The text of ``element`` with a line break at each ``<br>``; None when it has none."""
    if element.find(".//br") is None:
        return None
    copy = deepcopy(element)
    for br in copy.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return copy.text_content()


def _first_line(element: html.HtmlElement) -> str:
    """The text of ``element`` up to its first ``<br>``: a byline's next line is a dateline or a role
    ("Jane Doe<br>Nairobi, Kenya"), not more names."""
    if (broken := _broken_text(element)) is None:
        return _text(element)
    return " ".join(broken.split("\n", 1)[0].split())


def _first_group(elements: list[html.HtmlElement]) -> list[html.HtmlElement]:
    """The first element and those in the same byline (same parent or grandparent): co-authors sit
    together, other articles' bylines elsewhere."""
    if not elements:
        return []
    parent = elements[0].getparent()
    grand = parent.getparent() if parent is not None else None
    return [
        e
        for e in elements
        if (up := e.getparent()) is parent
        or (grand is not None and up is not None and up.getparent() is grand)
    ][:_MAX_FROM_MARKUP]


def _itemprop_names(tree: html.HtmlElement) -> list[str]:
    names = []
    for element in _first_group(_ITEMPROP(tree)):
        inner = element.xpath(".//*[@itemprop='name']")
        value = (
            inner[0].get("content") or _text(inner[0]) if inner else element.get("content") or _text(element)
        )
        if value and len(value) < 90:
            names.append(value)
    return names


_AUTHOR_LINK = XPath(
    "//a/@href[" + " or ".join(f"contains(.,'{path}')" for path in AUTHOR_LINK_PATHS) + "]/parent::*"
    + _NOT_IN_COMMENTS
)


def _author_link_names(tree: html.HtmlElement) -> list[str]:
    """The text of the first links to author pages (:data:`~extract.rules.AUTHOR_LINK_PATHS`) and of
    those beside them: the byline of a page that marks it up no other way."""
    return [name for a in _first_group(_AUTHOR_LINK(tree)) if (name := _text(a))]


def _rel_author_names(tree: html.HtmlElement) -> list[str]:
    return [name for a in _first_group(_REL_AUTHOR(tree)) if (name := _text(a))]


def _leading_name(text: str) -> str | None:
    """The full name an author bio opens with ("Jane Doe is a reporter ...", "Jane Doe - engineer,
    ..."): two to four capitalised words, then a lower-case word or punctuation; else None."""
    words: list[str] = []
    tokens = text.split()
    for word in tokens[:5]:
        bare = word.rstrip(",;:")
        if (
            not bare[:1].isupper()
            or not bare[:1].isalpha()
            or any(ch.isdigit() for ch in bare)
            or bare in AUTHOR_BIO_STOP_WORDS
        ):
            break
        words.append(bare)
        if bare != word:
            break
    after = tokens[len(words)] if len(words) < len(tokens) else ""
    if after.casefold() in AUTHOR_BIO_CONJUNCTIONS:
        return None
    return " ".join(words) if 2 <= len(words) <= 4 and after else None


def _collapse_repeat_start(text: str) -> str:
    """ "Jane Doe Jane Doe is ..." (avatar text, then the bio) -> "Jane Doe is ..."."""
    words = text.split()
    for size in (2, 3):
        if len(words) >= 2 * size and words[:size] == words[size : 2 * size]:
            return " ".join(words[size:])
    return text


def _bio_names(tree: html.HtmlElement, ld: JsonLd) -> list[str]:
    """Full names that author bios open with: a JSON-LD Person's ``description``, bio boxes."""
    authors = [ld.get("author")]
    people = [*ld.nodes, *(a for v in authors for a in (v if isinstance(v, list) else [v]) if isinstance(a, dict))]
    texts = [
        node["description"]
        for node in people
        if isinstance(node.get("description"), str) and "Person" in str(node.get("@type"))
    ]
    texts += [_text(el) for el in _BIO(tree)[:_MAX_FROM_MARKUP]]
    return [name for text in texts if (name := _leading_name(text))]


def _byline_element_names(tree: html.HtmlElement, tokens: frozenset[str] | None) -> list[str]:
    joined = _joined_tokens(tokens) if tokens is not None else {}
    for selector in AUTHOR_SELECTORS:
        if tokens is not None:
            if not _may_match(selector, tokens, joined):
                continue
            selector = _narrowed(selector, tokens, joined)
        matched = _xpath(_on_class_attribute(selector))(tree)
        found = [_first_line(el) for el in _first_group([e for e in matched if not _elsewhere(e)])]
        # a longer one holds a bio or more: the name it opens with, if any; unless it opens with a
        # byline word: then it names several people ("Posted by A, B, C and D - Example team")
        found = [
            text if len(text) < 90 or (len(text) < 200 and _BYLINE_OPENER.match(text))
            else _leading_name(_collapse_repeat_start(text)) or ""
            for text in found
        ]
        found = [text for text in found if text]
        if found:
            return found
    return []


def _lines(element: html.HtmlElement) -> list[str]:
    """The non-empty lines of ``element`` (split at ``<br>``), whitespace collapsed."""
    if (broken := _broken_text(element)) is None:
        return [text] if (text := _text(element)) else []
    return [line for raw in broken.split("\n") if (line := " ".join(raw.split()))]


def _byline_at(element: html.HtmlElement, text: str) -> str:
    """The byline line that ``text`` (a byline word, maybe the name after it) opens inside ``element``:
    its first line, joined with the next when the first holds the byline word alone ("<b>Von:</b><br>
    Max Muster"); ``text`` itself when ``element`` holds more than that line."""
    whole = _text(element)
    if not whole.startswith(text) or len(whole) >= 90:
        return text
    lines = _lines(element)
    if len(lines) > 1 and _BYLINE_OPENER.fullmatch(lines[0]):
        return f"{lines[0]} {lines[1]}"
    return lines[0] if lines else text


def _opens_byline(text: str) -> str:
    """``text`` stripped (of a leading separator too: "| By Jane Doe" after a date or a label) when it
    is short and opens with a byline word; else ""."""
    text = text.strip()
    if text[:1] in _SEPARATOR_CHARS:
        text = _LEADING_SEPARATOR.sub("", text)
    if len(text) >= 90 or text[:1] not in _OPENER_INITIALS or _BYLINE_OPENER.match(text) is None:
        return ""
    return text


def _byline_lines(
    tree: html.HtmlElement, site_names: Iterable[str] = (), strings: Callable[[], list[str]] | None = None
) -> list[str]:
    """The first short line of text opening with a byline word and naming someone (later ones
    belong to other articles' teasers). The name may sit in the next element ("By <a>Jane Doe</a>")
    and the byline word in its own ("<strong>von</strong> <span>Max Muster</span>")."""
    texts = strings() if strings else _TEXT_STRINGS(tree)
    # the first character tested inline first: a function call for every text node costs more
    if not any(text.lstrip()[:1] in _LINE_INITIALS and _opens_byline(text) for text in texts):
        return []  # the common case, found without a proxy object for every text node's parent
    title = _text(titles[0]) if (titles := tree.xpath("//title")) else ""
    for node in _TEXT_NODES(tree):
        text = _opens_byline(node)
        if not text or (opener := _BYLINE_OPENER.match(text)) is None:
            continue
        text = " ".join(text.split())
        parent = node.getparent()
        if parent is None or _elsewhere(parent):
            continue
        if text[:1].islower() and node.is_tail and parent.tag != "br":
            continue  # "... <a>Leasing</a> von Firmenwagen": a sentence going on, not a byline's start
        text = _byline_at(parent, text)
        if _BYLINE_OPENER.fullmatch(text) and not node.is_tail:
            # the byline word alone in its element: the name follows it ("<h5>Autor:</h5> Max Muster",
            # "<span>By</span> <span>Jane Doe</span>") or the element and its neighbours make the line
            after = " ".join((parent.tail or "").split())
            if not after and (sibling := parent.getnext()) is not None:
                after = next(iter(_lines(sibling)), "")
            if after and len(after) < 90:
                text = f"{text} {after}"
            elif (up := parent.getparent()) is not None:
                text = _byline_at(up, text)
        if len(text) > 20 and text in title:
            continue  # a headline opening with a byline word ("Von Fischen, Vögeln und ...")
        names = clean_authors([text], site_names, read_from="text")  # "By Example News": look further
        if names and text[opener.end() :].lstrip(" :").startswith(names[0]):
            return [text]  # a name right after the byline word, not one further along a sentence
    return []


_SEPARATOR = rf"\s*[{_SEPARATOR_CHARS}]\s*"
#: A line of a date (a time may follow), a separator and a name only: "05.05.2020 - Jane Doe",
#: "May 5, 2020 | 13:10 | Jane Doe".
_DATED_LINE = re.compile(
    rf"^{_DATE.pattern}(?:,?\s*\d{{1,2}}[:.]\d\d(?:\s*Uhr)?)?{_SEPARATOR}(?:\d{{1,2}}[:.]\d\d(?:\s*Uhr)?{_SEPARATOR})?"
    r"(?P<name>[^\d|·•–—]+)$",
    re.IGNORECASE,
)


_DIGIT = re.compile(r"\d")


def _dated_candidate(text: str) -> bool:
    text = text.strip()
    return len(text) < 70 and text[:1].isalnum() and _DIGIT.search(text) is not None and bool(
        _DATED_LINE.match(" ".join(text.split()))
    )


def _dated_lines(tree: html.HtmlElement, strings: Callable[[], list[str]] | None = None) -> list[str]:
    """The name of the first short line holding only a date and a name ("11.12.2019 - Jane Doe"):
    a byline without a byline word. Two to four words shaped like a name, nothing more."""
    if not any(_dated_candidate(text) for text in (strings() if strings else _TEXT_STRINGS(tree))):
        return []  # the common case, found without a proxy object for every text node's parent
    for node in _TEXT_NODES(tree):
        text = node.strip()
        if len(text) >= 70 or not text[:1].isalnum() or _DIGIT.search(text) is None:
            continue
        text = " ".join(text.split())
        if len(text) >= 70:
            continue
        if (match := _DATED_LINE.match(text)) is None:
            continue
        name = match.group("name").strip()
        if (
            2 <= len(name.split()) <= 4
            and clean_authors([name], read_from="text") == [name]  # one person: no "A & B", no desk
            and not _elsewhere(node.getparent())
        ):
            return [name]
    return []


def page_authors(
    tree: html.HtmlElement, metas: dict[str, list[str]], ld: JsonLd, site_names: Iterable[str],
    tokens: frozenset[str] | None = None, url: str = "",
) -> tuple[list[str], str | None]:
    """The page's authors and the source they came from (None when no source names one).

    The most trusted source that names someone wins, unless its names are weak (:func:`_upgrade`): a
    later source may then complete them ("Jane" -> "Jane Doe"), or name the person behind an
    organisation given as the JSON-LD author, or behind names that are the site's own (its domain,
    :func:`_site_like`: "Example News" on example-news.com). A JSON-LD author typed ``Person`` may
    carry the site's name: a personal blog is named after its author (and keeps it when no later
    source names someone else). A name given with the site's own domain ("Example Welle
    (www.example.com)") is the site's too (:func:`_names_own_domain`). A structured source's names
    are completed by a later meta that names them all and their co-authors (:func:`_co_authors`).

    ``tokens`` are the page's class/id tokens (:func:`extract.selectors.page_tokens`) when already
    collected: byline selectors the page cannot match are then not evaluated.
    """
    site = list(site_names)
    labels = _site_labels(url)
    strings = cache(lambda: _TEXT_STRINGS(tree))  # the page's text, read once for both line readers
    ld_types = ld.author_types()
    sources: list[tuple[str, str, Callable[[], list[str]]]] = [  # (source, what it is read from, reader)
        ("json-ld", "data", ld.author_names),
        *(
            (f"meta:{name}", "data", lambda name=name: [v for v in metas.get(name, []) if not _is_url(v)])  # type: ignore[misc]
            for name in AUTHOR_META_NAMES
        ),
        ("meta:twitter:data", "data", lambda: _labelled_twitter_data(metas)),
        ("itemprop", "markup", lambda: _itemprop_names(tree)),
        ("rel-author", "markup", lambda: _rel_author_names(tree)),
        ("byline", "markup", lambda: _byline_element_names(tree, tokens)),
        ("byline-text", "text", lambda: _byline_lines(tree, site, strings)),
        ("dated-line", "text", lambda: _dated_lines(tree, strings)),
        ("author-link", "markup", lambda: _author_link_names(tree)),
    ]
    # Only to complete a weak name: the full name an author bio opens with, and a personal site
    # named after its author ("Jane" on the site "Jane Doe").
    completions: list[tuple[str, str, Callable[[], list[str]]]] = [
        ("author-bio", "text", lambda: _bio_names(tree, ld)),
        ("site-name", "text", lambda: site),
    ]
    for index, (source, read_from, read) in enumerate(sources):
        person = source == "json-ld" and "Person" in ld_types
        if not (raw := read()):
            continue
        cleaned = clean_authors(raw, () if person else site, read_from=read_from)
        if not cleaned or len(cleaned) > _MAX_AUTHORS:
            continue
        organisation = (
            (source == "json-ld" and not person and bool(ld_types & _ORGANISATION_TYPES))
            or all(_site_like(name, labels) for name in cleaned)
            or _names_own_domain(raw, labels)
        )
        if organisation or any(len(name.split()) == 1 for name in cleaned):
            for later, later_from, later_read in sources[index + 1 :]:
                if not (values := later_read()):
                    continue
                better = clean_authors(values, site, read_from=later_from)
                if len(better) > _MAX_AUTHORS:
                    continue
                if better and organisation and all(_site_like(name, labels) for name in better):
                    continue  # the site's name again, from another source
                if better and _upgrade(cleaned, better, organisation=organisation):
                    return better, later
            for later, later_from, later_read in completions:
                better = _completing(cleaned, clean_authors(later_read(), (), read_from=later_from))
                if better and better != cleaned:
                    return better, later
        if read_from == "data" and (more := _co_authors(cleaned, sources[index + 1 :], site)):
            return more
        return cleaned, source
    return [], None


def _co_authors(
    names: list[str], later: list[tuple[str, str, Callable[[], list[str]]]], site: list[str]
) -> tuple[list[str], str] | None:
    """A later structured source (a meta) naming everyone ``names`` holds and more: the co-authors
    the first left out (JSON-LD naming one author, ``meta author`` both). Only structured sources
    are read: they cost a lookup, and page text naming more may be other articles' bylines."""
    keys = {alnum_key(name) for name in names}
    for source, read_from, read in later:
        if read_from != "data":
            break
        if not (values := read()):
            continue
        more = clean_authors(values, site, read_from=read_from)
        if len(names) < len(more) <= _MAX_AUTHORS and keys <= {alnum_key(name) for name in more}:
            return more, source
    return None


#: Letters folded the way domains spell them ("Günter" on guenter-example.de).
_DOMAIN_SPELLING = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
#: Host labels that say nothing about the site's name.
_GENERIC_LABELS = frozenset({"www", "m", "blog", "blogs", "news", "web"})


def _domain_key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_DOMAIN_SPELLING))
    return alnum_key("".join(ch for ch in folded if not unicodedata.combining(ch)))


def _site_labels(url: str) -> frozenset[str]:
    """The labels of ``url``'s host that may name the site (not its top-level domain, not "www"),
    folded as :func:`_domain_key`; an archived page's (``web.archive.org/web/<time>/<url>``) own."""
    parts = urlsplit(url)
    if parts.hostname == "web.archive.org" and (inner := re.search(r"/(https?://.+)", parts.path)):
        parts = urlsplit(inner.group(1))
    labels = (parts.hostname or "").split(".")[:-1]
    return frozenset(key for label in labels if label not in _GENERIC_LABELS and (key := _domain_key(label)))


def _site_like(name: str, labels: frozenset[str]) -> bool:
    """``name`` and a label of the site's domain hold one another ("L'Opinion" on lopinion.fr, "Die
    Example" on example.at): the site named as author. Weak, never rejected: personal sites are
    named after their authors too."""
    key = _domain_key(name)
    for label in labels:
        short, long = sorted((key, label), key=len)
        if len(short) >= 3 and short in long:
            return True
    return False


def _names_own_domain(values: list[str], labels: frozenset[str]) -> bool:
    """A value gives the site's own domain beside the name ("Example News (www.example.com)"): the
    name is the site's, however unlike its domain it reads."""
    return any(
        _site_labels("//" + found.split("://")[-1].split("@")[-1].split("/")[0].strip(".,;()")) & labels
        for value in values
        if "." in value
        for found in _EMAIL_OR_URL.findall(value)
    )


_ORGANISATION_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation"})


def _upgrade(names: list[str], better: list[str], *, organisation: bool) -> bool:
    """Whether ``better`` (from a less trusted source) completes weak ``names``.

    Weak names are one word ("Jane", a login) or an organisation given as the author. ``better``
    must be full names (two words or more, shaped like names); for one-word names, each must be a
    word of one of them (the first name, or the login's letters in the full name).
    """
    if not all(
        len(b.split()) >= 2 and looks_like_name(b) and b.split()[0].casefold() not in _AMBIGUOUS_PREFIXES
        for b in better
    ):
        return False
    if organisation:
        return True
    full = [alnum_key(b) for b in better]
    words = {alnum_key(w) for b in better for w in b.split()}
    return all(
        len(name.split()) > 1 or alnum_key(name) in words or any(f.startswith(alnum_key(name)) for f in full)
        for name in names
    ) and len(better) >= len(names)


def _completing(names: list[str], candidates: list[str]) -> list[str]:
    """``names`` with each one-word name replaced by the one candidate of two or three words that
    opens with it ("Jane" and "Jane Doe"); [] unless every one-word name is completed."""
    result = []
    for name in names:
        if len(name.split()) > 1:
            result.append(name)
            continue
        full = [c for c in candidates if 2 <= len(c.split()) <= 3 and alnum_key(c.split()[0]) == alnum_key(name)]
        if len(full) != 1:
            return []
        result.append(full[0])
    return result


def _labelled_twitter_data(metas: dict[str, list[str]]) -> list[str]:
    """``twitter:dataN`` whose ``twitter:labelN`` says "Written by" (Yoast writes the author there)."""
    for number in "12345":
        labels = metas.get(f"twitter:label{number}")
        if not labels:
            break
        if labels[0].casefold() in AUTHOR_TWITTER_LABELS:
            return metas.get(f"twitter:data{number}", [])[:1]
    return []


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "//", "/"))
