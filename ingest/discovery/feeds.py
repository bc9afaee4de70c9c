"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: article links with their publication dates.

A feed entry's date is its publication date (``pubDate``, ``dc:date``, Atom
``published``, else ``updated``), which lets the crawler skip out-of-window
entries before fetching them. Malformed feeds yield no entries and
``malformed=True``; entity bombs are never expanded (see :mod:`.xmlsafe`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

from core.dates import parse_datetime
from ingest.discovery.xmlsafe import MAX_XML_BYTES, absolute_url, local_name, parse_xml

__all__ = ["Feed", "FeedEntry", "looks_like_feed", "parse_feed"]

#: Child elements holding an entry's publication date, most specific first.
PUBLISHED_FIELDS: tuple[str, ...] = ("pubdate", "published", "issued", "date", "created")
UPDATED_FIELDS: tuple[str, ...] = ("updated", "modified")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    url: str
    published: datetime | None = None
    updated: datetime | None = None
    title: str | None = None


@dataclass(slots=True)
class Feed:
    kind: str  # "rss", "atom", "rdf" or "unknown"
    entries: list[FeedEntry] = field(default_factory=list)
    malformed: bool = False


def looks_like_feed(body: bytes) -> bool:
    """Cheap sniff: does ``body`` start like an RSS/Atom/RDF document?"""
    head = body[:1024].lstrip().lower()
    return head.startswith(b"<?xml") and any(tag in body[:4096].lower() for tag in (b"<rss", b"<feed", b"<rdf:rdf"))


def _first_text(element: etree._Element, names: tuple[str, ...]) -> str | None:
    children = {local_name(child): child for child in reversed(list(element))}
    for name in names:
        child = children.get(name)
        if child is not None and (child.text or "").strip():
            return (child.text or "").strip()
    return None


def _atom_link(entry: etree._Element) -> str | None:
    fallback = None
    for child in entry:
        if local_name(child) != "link":
            continue
        href = (child.get("href") or "").strip()
        rel = (child.get("rel") or "alternate").strip().lower()
        if href and rel == "alternate":
            return href
        if href and fallback is None and rel not in ("self", "enclosure", "edit", "replies"):
            fallback = href
    return fallback


def _rss_link(item: etree._Element) -> str | None:
    link = _first_text(item, ("link",))
    if link:
        return link
    for child in item:
        if local_name(child) == "guid" and (child.get("isPermaLink") or "true").lower() == "true":
            text = (child.text or "").strip()
            if text.startswith(("http://", "https://", "/")):
                return text
    return None


def parse_feed(
    body: bytes, base_url: str, *, tz: ZoneInfo | None = None, max_bytes: int = MAX_XML_BYTES
) -> Feed:
    """Entries of an RSS, RDF or Atom feed, links made absolute against ``base_url``."""
    problems: list[str] = []
    root = parse_xml(body, max_bytes=max_bytes, problems=problems)
    if root is None:
        return Feed("unknown", malformed=True)
    name = local_name(root)
    link_of: Callable[[etree._Element], str | None]
    if name == "feed":
        feed, items, link_of = Feed("atom"), [e for e in root if local_name(e) == "entry"], _atom_link
    elif name in ("rss", "rdf"):
        scope = root
        for child in root:
            if local_name(child) == "channel":
                scope = child if name == "rss" else root
        feed, items, link_of = Feed(name), [e for e in scope if local_name(e) == "item"], _rss_link
    else:
        return Feed("unknown", malformed=True)
    feed.malformed = bool(problems)
    for item in items:
        link = link_of(item)
        url = absolute_url(base_url, link) if link else None
        if not url:
            feed.malformed = feed.malformed or bool(link)
            continue
        feed.entries.append(
            FeedEntry(
                url=url,
                published=parse_datetime(_first_text(item, PUBLISHED_FIELDS), tz),
                updated=parse_datetime(_first_text(item, UPDATED_FIELDS), tz),
                title=_first_text(item, ("title",)),
            )
        )
    return feed
