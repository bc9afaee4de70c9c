"""Section (listing) pages: the links they list and the way to the next page.

Pagination is found the ways real CMSs mark it, each rule as data:

- ``<link rel="next">`` / ``<a rel="next">``;
- a link whose text is an "older posts" / "next page" label (several languages);
- a ``/page/N/`` (or ``?page=N``) link to page N+1 of the same listing.

:func:`parse_listing` never fails on bad HTML; it returns whatever links it found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree
from parsel import Selector

__all__ = ["NEXT_LINK_SELECTORS", "NEXT_PAGE_LABELS", "Listing", "page_number", "parse_listing"]

#: CSS selectors whose ``href`` is the next page of a listing.
NEXT_LINK_SELECTORS: tuple[str, ...] = (
    "link[rel~=next]::attr(href)",
    "a[rel~=next]::attr(href)",
    "a.next::attr(href)",
    ".nav-previous a::attr(href)",
    ".next-page a::attr(href)",
    "a.page-numbers.next::attr(href)",
)
#: Link texts (lower-cased, stripped of arrows) that lead to older entries.
NEXT_PAGE_LABELS: tuple[str, ...] = (
    "older posts", "older entries", "older articles", "next page", "next", "load more", "more articles",
    "المقالات السابقة", "التالي", "الصفحة التالية", "следующая", "следующая страница", "ранее", "далее",
)
#: Paths and queries that number a listing page.
PAGE_NUMBER_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"/page/(\d{1,9})/?$"),  # a longer digit run is no page number (and int() would refuse it)
    re.compile(r"[?&](?:page|paged|p)=(\d{1,9})(?:&|$)"),
)
_ARROWS = re.compile(r"[\s«»‹›←→<>|]+")
#: What parsel's ``base::attr(href)``, ``a::attr(href)``, ``a[href]`` and ``::text`` select, compiled once: a
#: listing page has hundreds of links, and parsel translated and wrapped each anchor's text query anew.
_BASE_HREFS = etree.XPath("descendant-or-self::base/@href")
_HREFS = etree.XPath("descendant-or-self::a/@href")
_ANCHORS = etree.XPath("descendant-or-self::a[@href]")
_TEXTS = etree.XPath("descendant-or-self::text()")


@dataclass(slots=True)
class Listing:
    links: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)


def page_number(url: str) -> int:
    """The page number a listing URL names (1 when it names none)."""
    for pattern in PAGE_NUMBER_PATTERNS:
        match = pattern.search(url.split("#", 1)[0])
        if match:
            return int(match.group(1))
    return 1


def _listing_root(url: str) -> str:
    path = urlsplit(url).path
    for pattern in PAGE_NUMBER_PATTERNS[:1]:
        path = pattern.sub("/", path)
    return path.rstrip("/")


def _absolute(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        url = urldefrag(urljoin(base, href))[0]
        return url if urlsplit(url).scheme in ("http", "https") else None
    except ValueError:  # e.g. "http://[::1": an invalid IPv6 host
        return None


def parse_listing(selector: Selector | str, url: str) -> Listing:
    """All links of a listing page and its next page(s), absolute and without fragments."""
    sel = Selector(text=selector) if isinstance(selector, str) else selector
    root = sel.root
    bases = _BASE_HREFS(root)
    base = _absolute(url, str(bases[0]) if bases else "") or url
    listing = Listing()
    seen: set[str] = set()
    for href in map(str, _HREFS(root)):
        link = _absolute(base, href)
        if link and link not in seen:
            seen.add(link)
            listing.links.append(link)

    candidates: list[str] = []
    for css in NEXT_LINK_SELECTORS:
        candidates.extend(sel.css(css).getall())
    for anchor in _ANCHORS(root):
        label = _ARROWS.sub(" ", " ".join(_TEXTS(anchor))).strip().lower()
        if label in NEXT_PAGE_LABELS:
            candidates.append(anchor.get("href"))
    current, root = page_number(url), _listing_root(url)
    for link in listing.links:
        if page_number(link) == current + 1 and _listing_root(link) == root:
            candidates.append(link)

    for href in candidates:
        link = _absolute(base, href)
        if link and link != url and link not in listing.next_pages:
            listing.next_pages.append(link)
    return listing
