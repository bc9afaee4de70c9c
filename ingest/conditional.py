"""Conditional discovery: what the last run learned about an outlet's sitemaps, feeds and listings.

A night with nothing new should cost a handful of requests. Each committed run keeps, in its
manifest's stats (:data:`STATS_KEY`), the validators of the discovery documents it fetched — the
``ETag`` and ``Last-Modified`` of every sitemap, feed and first listing page, and the ``<lastmod>`` its
sitemap index gave each child sitemap — and whether its listings found articles the sitemaps and feeds
did not list. The next run (:class:`DiscoveryState`, built by :func:`ingest.plan.build_plan`):

- sends ``If-None-Match`` / ``If-Modified-Since`` for those documents; a ``304`` means "unchanged": the
  URLs the last run found there stand (archived, so known to the index), nothing is parsed or followed;
- does not request a child sitemap whose ``<lastmod>`` in a changed index is not newer than last time;
- skips the home and section pages when every structured document was unchanged and the last run's
  listings added no article of their own (the outlet's sitemaps and feeds list everything).

The state is only trusted when it can stand for what the run would fetch: the previous run committed
with no failed URL (a page that failed then must be tried again, and a ``304`` would hide it), its
window covers this run's, and no ``refresh_days`` re-reads recent articles. Otherwise the run
discovers everything, as a first run does. A document that changed answers ``200`` (its validators
differ), so a 304 never hides an article added since.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.dates import DateWindow
from core.errors import ArchiveError, ConfigError
from core.settings import redact
from ingest.tally import FAILED_OUTCOMES

if TYPE_CHECKING:
    from archive import Archive

__all__ = ["STATS_KEY", "DiscoveryState", "previous_state"]

logger = logging.getLogger(__name__)

#: Key of the state in a run's stats (its manifest).
STATS_KEY = "conditional_discovery"
#: Response headers kept per document, and the request header each one is sent back as.
VALIDATOR_HEADERS: dict[str, str] = {"etag": "If-None-Match", "last-modified": "If-Modified-Since"}


class DiscoveryState:
    """The validators of one outlet's discovery documents: the previous run's, and this run's."""

    def __init__(self, documents: Mapping[str, Mapping[str, str]] | None = None, *,
                 listings_add_articles: bool = True) -> None:
        #: Previous run, by URL identity: ``{"etag": ..., "last-modified": ..., "lastmod": ...}``.
        self.previous: dict[str, dict[str, str]] = {url: dict(v) for url, v in (documents or {}).items()}
        self.listings_add_articles = listings_add_articles
        self.current: dict[str, dict[str, str]] = {}
        self.not_modified = 0  # documents answered 304
        self.children_skipped = 0  # child sitemaps not requested: <lastmod> unchanged

    @property
    def usable(self) -> bool:
        return bool(self.previous)

    def request_headers(self, identity: str) -> dict[str, str]:
        """The conditional headers for ``identity`` (empty when nothing is known of it)."""
        known = self.previous.get(identity, {})
        return {header: known[name] for name, header in VALIDATOR_HEADERS.items() if known.get(name)}

    def fetched(self, identity: str, headers: Mapping[str, str]) -> None:
        """A ``200`` of ``identity`` with these (lower-case) response headers: keep its validators."""
        kept = {name: headers[name] for name in VALIDATOR_HEADERS if headers.get(name)}
        lastmod = self.current.get(identity, {}).get("lastmod")
        if lastmod:
            kept["lastmod"] = lastmod
        if kept:
            self.current[identity] = kept

    def unchanged(self, identity: str) -> None:
        """A ``304`` of ``identity``: its previous validators stand."""
        self.not_modified += 1
        self._carry(identity)

    def child_unchanged(self, identity: str, lastmod: datetime | None) -> bool:
        """Is the child sitemap ``identity`` listed with a ``<lastmod>`` not newer than last time? Remembers it."""
        if lastmod is None:
            return False
        stamp = lastmod.isoformat()
        before = self.previous.get(identity, {}).get("lastmod")
        if before is not None and _not_newer(stamp, before):
            self.children_skipped += 1
            self._carry(identity)
            return True
        self.current.setdefault(identity, {})["lastmod"] = stamp
        return False

    def _carry(self, identity: str) -> None:
        if identity in self.previous:
            self.current[identity] = {**self.previous[identity], **self.current.get(identity, {})}

    def to_stats(self, *, listings_add_articles: bool) -> dict[str, Any]:
        """The state to keep in this run's stats: what it saw, over what the previous run kept.

        Entries this run did not reach are kept too (the children of an index that answered 304, a child
        sitemap skipped by its ``<lastmod>``): the night something changes, the documents that did not
        are still asked for conditionally.
        """
        merged = {**self.previous, **self.current}
        documents = {url: v for url, v in sorted(merged.items()) if set(v) & {*VALIDATOR_HEADERS, "lastmod"}}
        return {"documents": documents, "listings_add_articles": listings_add_articles}

    @classmethod
    def from_stats(cls, stats: Mapping[str, Any], window: DateWindow, *, refresh_days: int | None) -> DiscoveryState:
        """The state a previous run's stats allow this run (``window``) to use; empty when they allow none."""
        saved = stats.get(STATS_KEY)
        if refresh_days is not None or not isinstance(saved, dict) or not isinstance(saved.get("documents"), dict):
            return cls()
        if sum(stats.get("skipped", {}).get(reason, 0) for reason in FAILED_OUTCOMES) or not _covers(
                stats.get("window"), window):
            return cls()
        documents = {str(url): {str(k): str(v) for k, v in values.items()}
                     for url, values in saved["documents"].items() if isinstance(values, dict)}
        return cls(documents, listings_add_articles=bool(saved.get("listings_add_articles", True)))


def _not_newer(stamp: str, before: str) -> bool:
    try:
        return datetime.fromisoformat(stamp) <= datetime.fromisoformat(before)
    except (TypeError, ValueError):
        return False


def _covers(saved: Any, window: DateWindow) -> bool:
    """Did the previous run's window (stats["window"]) include every day of ``window``?"""
    if not isinstance(saved, dict):
        return False
    try:
        before = DateWindow.from_dict(saved, window.tz)
    except (ValueError, TypeError, ConfigError):
        return False
    if before.since is not None and (window.since is None or window.since < before.since):
        return False
    return before.until is None or (window.until is not None and window.until <= before.until)


def previous_state(archive: Archive, outlet_id: str, window: DateWindow, *, refresh_days: int | None) -> DiscoveryState:
    """The discovery state of the outlet's most recent committed run (only that one: see the module docstring)."""
    runs = archive.committed_runs(outlet_id)
    if not runs:
        return DiscoveryState()
    try:
        manifest = archive.manifest(outlet_id, runs[-1][1])
    except ArchiveError as exc:
        logger.warning("manifest of run %s unreadable, discovery not conditional: %s", runs[-1][1], redact(str(exc)))
        return DiscoveryState()
    return DiscoveryState.from_stats(manifest.stats, window, refresh_days=refresh_days)
