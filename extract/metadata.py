"""Article metadata from where real sites put it: JSON-LD, ``<meta>`` tags, ``<time>``, bylines.

Each field has one resolver, and each resolver lists its sources in order of trust:

- title: a heading on the page that equals a cleaned candidate, else og:title / JSON-LD
  headline / ``<title>`` with the site name ("| Site") removed;
- authors: :mod:`extract.authors` (JSON-LD, author metas, ``itemprop``/``rel`` author, bylines);
- published / modified: JSON-LD, ``article:*_time`` and similar metas, ``<time datetime>``, then
  (published) htmldate's full search bounded by the URL's date (:mod:`extract.published`; never
  the crawl date); naive times take the outlet's time zone, then UTC;
- section: ``article:section`` / JSON-LD ``articleSection``, then the breadcrumb trail (JSON-LD
  ``BreadcrumbList``, then markup), then the post's category links;
- tags: ``article:tag`` / JSON-LD ``keywords`` / ``news_keywords``, then the post's tag links
  (Drupal tag fields, theme tag boxes); a tag equal to the section is not repeated (Ghost's
  primary tag is its section);
- canonical URL, description, lead image.

Metadata is read from the full page *before* the DOM pre-clean removes bylines and breadcrumbs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from urllib.parse import urljoin, urlsplit

from lxml import html
from lxml.etree import XPath

from core.dates import parse_datetime
from core.urls import canonical_url
from extract.authors import page_authors
from extract.content import alnum_key
from extract.dom import text_of
from extract.jsonld import JsonLd
from extract.published import resolve_published
from extract.rules import (
    BREADCRUMB_SELECTORS,
    CATEGORY_LINK_SELECTORS,
    DATE_META_NAMES,
    MODIFIED_META_NAMES,
    TAG_LINK_SELECTORS,
    TITLE_SEPARATORS,
)
from extract.selectors import select

__all__ = ["Metadata", "extract_metadata", "strip_site_name"]



#: ``<time datetime>`` values that date the article, most specific first.
_TIME_DATETIMES = XPath(
    "//time[@itemprop='datePublished']/@datetime|//article//time[contains(@class,'publish') or "
    "contains(@class,'entry-date')]/@datetime|//article//time/@datetime|//time[@pubdate]/@datetime"
)


@dataclass
class Metadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    authors_source: str | None = None
    published: datetime | None = None
    published_source: str | None = None
    published_confidence: str | None = None
    modified: datetime | None = None
    language_declared: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    description: str | None = None
    image: str | None = None
    site_name: str | None = None
    og_type: str | None = None
    jsonld_article: bool = False


def _metas(tree: html.HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), []).append(" ".join(content.split()))
    return found


def strip_site_name(title: str, site_names: list[str]) -> str:
    """``"Headline | Site"`` -> ``"Headline"`` (also "Site - Headline") when the site is known."""
    names = {alnum_key(n) for n in site_names if n}
    for separator in TITLE_SEPARATORS:
        if separator not in title:
            continue
        head, _, tail = title.rpartition(separator)
        if alnum_key(tail) in names and head.strip():
            return strip_site_name(head.strip(), site_names)
        first, _, rest = title.partition(separator)
        if alnum_key(first) in names and rest.strip():
            return strip_site_name(rest.strip(), site_names)
    return title.strip()


def _title(tree: html.HtmlElement, metas: dict[str, list[str]], ld: JsonLd, site_names: list[str]) -> str | None:
    raw = [
        ld.text("headline"),
        *metas.get("og:title", [])[:1],
        *metas.get("twitter:title", [])[:1],
        text_of(tree.find(".//title")) or None,
    ]
    candidates = [strip_site_name(c, site_names) for c in raw if c]
    headings = [text_of(h) for h in (*tree.xpath("//article//h1"), *tree.iter("h1"), *tree.iter("h2"))]
    folded = {alnum_key(c) for c in candidates}
    for heading in headings:
        if heading and alnum_key(heading) in folded:
            return heading
    # A heading that a candidate starts with: the candidate still carries an unknown site name.
    for heading in headings:
        if heading and len(heading) > 10 and any(alnum_key(c).startswith(alnum_key(heading)) for c in candidates):
            return heading
    if candidates:
        return candidates[0]
    return headings[0] if headings and headings[0] else None


def _date_from_page(
    tree: html.HtmlElement, metas: dict[str, list[str]], ld: JsonLd, tz: tzinfo | None, *, modified: bool
) -> tuple[datetime | None, str | None]:
    key = "dateModified" if modified else "datePublished"
    candidates: list[tuple[str | None, str]] = [(ld.text(key), "json-ld")]
    for name in MODIFIED_META_NAMES if modified else DATE_META_NAMES:
        candidates.extend((value, f"meta:{name}") for value in metas.get(name, [])[:1])
    for value, source in candidates:
        parsed = parse_datetime(value, tz)
        if parsed is not None:
            return parsed, source
    # last, and only on pages with a <time> at all (most have none): the expression is four scans
    if not modified and next(tree.iter("time"), None) is not None:
        for value in _TIME_DATETIMES(tree)[:1]:  # type: ignore[index]
            parsed = parse_datetime(str(value), tz)
            if parsed is not None:
                return parsed, "time"
    return None, None


def _trail_section(trail: list[tuple[str, str | None]], url: str, title: str | None) -> str | None:
    """The last item of a breadcrumb ``trail`` that is neither the home page nor the page itself."""
    page, title_key = canonical_url(url), alnum_key(title or "")
    for name, href in reversed(trail):
        if not name or alnum_key(name) == title_key:
            continue
        if href:
            try:
                target = urljoin(url, href)
                if urlsplit(target).path in ("", "/") or canonical_url(target) == page:
                    continue
            except ValueError:  # a malformed link still names the section
                pass
        return name
    return None


def _section(
    tree: html.HtmlElement, url: str, metas: dict[str, list[str]], ld: JsonLd, title: str | None,
    tokens: frozenset[str] | None,
) -> str | None:
    sections = metas.get("article:section", []) or ld.strings("articleSection")
    if sections:
        return sections[0]
    section = _trail_section(ld.breadcrumb(), url, title)
    if section is None:
        trails = select(tree, BREADCRUMB_SELECTORS, tokens)
        if trails:
            links = [(text_of(a), a.get("href")) for a in trails[0].iter("a")]
            section = _trail_section(links, url, title)
    if section is None:
        section = next((name for a in select(tree, CATEGORY_LINK_SELECTORS, tokens) if (name := text_of(a))), None)
    return section


def _tags(
    tree: html.HtmlElement, metas: dict[str, list[str]], ld: JsonLd, section: str | None,
    tokens: frozenset[str] | None,
) -> list[str]:
    tags = [*metas.get("article:tag", []), *ld.strings("keywords")]
    if not tags:
        tags = [p.strip() for v in metas.get("news_keywords", []) for p in v.split(",") if p.strip()]
    if not tags:
        tags = [text_of(a) for a in select(tree, TAG_LINK_SELECTORS, tokens)]
    return [tag for tag in dict.fromkeys(t for t in tags if t) if tag != section]


def _first(metas: dict[str, list[str]], key: str) -> str | None:
    values = metas.get(key)
    return values[0] if values else None


def _first_url(base: str, *values: str | None) -> str | None:
    for value in values:
        if value and value.strip() and not value.strip().startswith("data:"):
            return urljoin(base, value.strip())
    return None


def extract_metadata(
    tree: html.HtmlElement, url: str, *, tz: tzinfo | None = None, site_name: str | None = None,
    tokens: frozenset[str] | None = None, raw_html: str | None = None,
) -> Metadata:
    """All metadata of the page ``tree`` fetched from ``url``; ``tz`` is the outlet's time zone.

    ``raw_html`` is the decoded page as served (comments included), the date search's last resort.

    ``tokens`` are the page's class/id tokens (:func:`extract.selectors.page_tokens`) when already collected.
    """
    metas = _metas(tree)
    ld = JsonLd(tree)
    site_names = [*metas.get("og:site_name", []), *metas.get("application-name", []), *ld.site_names()]
    if site_name:
        site_names.append(site_name)
    meta = Metadata(site_name=site_names[0] if site_names else None, jsonld_article=ld.is_article)
    meta.og_type = _first(metas, "og:type")
    meta.title = _title(tree, metas, ld, site_names)
    meta.authors, meta.authors_source = page_authors(tree, metas, ld, site_names, tokens, url=url)
    published = resolve_published(
        _date_from_page(tree, metas, ld, tz, modified=False), tree, url, tz, raw_html
    )
    if published is not None:
        meta.published, meta.published_source = published.value, published.source
        meta.published_confidence = published.confidence
    meta.modified, _ = _date_from_page(tree, metas, ld, tz, modified=True)
    root_lang = tree.get("lang") or tree.get("xml:lang")
    meta.language_declared = (
        root_lang
        or _first(metas, "content-language")
        or ld.text("inLanguage")
        or _first(metas, "og:locale")
    )
    meta.section = _section(tree, url, metas, ld, meta.title, tokens)
    meta.tags = _tags(tree, metas, ld, meta.section, tokens)
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    meta.canonical_url = _first_url(url, *(str(c) for c in canonical[:1]), *metas.get("og:url", [])[:1])
    meta.description = next(
        (v[0] for v in (metas.get("description"), metas.get("og:description"), metas.get("twitter:description")) if v),
        ld.text("description"),
    )
    meta.image = _first_url(url, *metas.get("og:image", [])[:1], *metas.get("twitter:image", [])[:1], ld.url("image"))
    return meta
