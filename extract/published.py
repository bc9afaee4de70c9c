"""When a page says it was published: structured data first, then htmldate's full search, the URL as a bound.

Order of trust (each recorded as the date's ``source`` with a ``confidence``):

1. structured data — JSON-LD ``datePublished``, the publication metas, ``<time datetime>``
   (found by :mod:`extract.metadata`): ``high`` confidence;
2. htmldate's full search of the page, cheapest part first (markup and metadata, then the text
   with ``extensive_search``), for the ``original_date`` (the first publication, not the last
   update), failing that any date it finds: ``medium``;
3. htmldate's search of the page as it was served, when the parsed tree gave nothing: the parser
   drops HTML comments (and repairs markup), where a CMS may print the only date; ``low``;
4. the date in the URL (``/2024/05/14/``, ``2024-05-14``, ``/20240514/``): ``low`` alone,
   ``medium`` when it overrules a date found on the page.

The URL's date is a sanity bound: a CMS writes it once, when the story is first published. When
the day found on the page differs from it (a time in UTC that is the previous evening locally, the
last update given as ``datePublished``, a related item's date), the URL's day is taken, with the
source ``url`` (a day only, midnight in the outlet's time zone). A date is never discarded without
a better one: without a URL date, the page's date stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from lxml import html

__all__ = ["WINDOW_UNTRUSTED_SOURCES", "Published", "htmldate_search", "raw_htmldate_search", "resolve_published",
           "url_date"]

#: Sources of a date too weak to leave a page out of a date window: it is recorded, but the window treats the page
#: as undated (kept). htmldate's search of the raw page finds copyright years and the like.
WINDOW_UNTRUSTED_SOURCES: frozenset[str] = frozenset({"htmldate-raw"})

_UTC = ZoneInfo("UTC")
#: htmldate's searches, cheapest first, each tried when the one before finds nothing: markup and
#: metadata for the original date; then also the page text (its "extensive" search, which parses
#: free text with dateparser and costs ten times more); then any date rather than none.
_SEARCHES = ((False, True), (True, True), (True, False))
_URL_DATE = re.compile(r"(?<!\d)(20\d\d|19\d\d)([/_.-]?)(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?!\d)")


@dataclass(frozen=True, slots=True)
class Published:
    """A publication time, where it was found and how far it is trusted."""

    value: datetime
    source: str
    confidence: str  # "high", "medium" or "low"


def url_date(url: str) -> date | None:
    """The full date a URL names in its path, or None."""
    path = url.split("?", 1)[0].split("://", 1)[-1]
    path = path.split("/", 1)[1] if "/" in path else ""
    match = _URL_DATE.search(path)
    if match is None or (not match.group(2) and "/" not in path[max(match.start() - 1, 0) : match.start()]):
        return None  # eight bare digits count only as a whole path segment start ("/20240514/")
    try:
        return date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
    except ValueError:
        return None


def _filter_dateparser_languages() -> None:
    """htmldate's extensive search reads free text with dateparser: give it :mod:`extract.textdates`' parser,
    which skips the languages a string cannot be written in (same dates; imported here, when first needed)."""
    from extract import textdates

    textdates.install()


def htmldate_search(tree: html.HtmlElement, url: str, tz: tzinfo | None) -> datetime | None:
    """htmldate's full search for the original publication date (never the crawl date)."""
    from htmldate import find_date

    found = None
    try:
        for extensive, original in _SEARCHES:
            if extensive:
                _filter_dateparser_languages()
            found = find_date(
                tree, url=url, extensive_search=extensive, original_date=original, outputformat="%Y-%m-%d"
            )
            if found:
                break
    except Exception:  # htmldate raises a variety of errors on odd pages
        return None
    if not found:
        return None
    try:
        return datetime.combine(date.fromisoformat(found), time(), tz or _UTC)
    except ValueError:
        return None


def raw_htmldate_search(raw: str, url: str, tz: tzinfo | None) -> datetime | None:
    """htmldate's default search (extensive, any date) of the page text as served, comments included."""
    from htmldate import find_date

    _filter_dateparser_languages()
    try:
        found = find_date(raw, url=url, extensive_search=True, original_date=False, outputformat="%Y-%m-%d")
        return datetime.combine(date.fromisoformat(found), time(), tz or _UTC) if found else None
    except Exception:  # htmldate raises a variety of errors on odd pages
        return None


def resolve_published(
    structured: tuple[datetime | None, str | None],
    tree: html.HtmlElement,
    url: str,
    tz: tzinfo | None,
    raw: str | None = None,
) -> Published | None:
    """The publication time: ``structured`` (value, source) when it has one, else htmldate, bounded by the URL.

    ``raw`` is the page text as served: searched (``htmldate-raw``, low confidence) only when
    neither the tree nor the URL gives a date, so that no date htmldate finds is lost.
    """
    bound = url_date(url)
    value, source = structured
    found = Published(value, source or "structured", "high") if value is not None else None
    if found is None:
        searched = htmldate_search(tree, url, tz)
        found = Published(searched, "htmldate", "medium") if searched is not None else None
    if found is None and bound is None and raw:
        searched = raw_htmldate_search(raw, url, tz)
        found = Published(searched, "htmldate-raw", "low") if searched is not None else None
    if bound is not None and (found is None or found.value.date() != bound):
        return Published(
            datetime.combine(bound, time(), tz or _UTC), "url", "low" if found is None else "medium"
        )
    return found
