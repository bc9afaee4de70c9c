"""The run tally: what was discovered, fetched, archived and skipped — and why.

Every URL a fetcher discovers gets an identity (its canonical URL), is counted once
under the surface that found it first, and ends with exactly one outcome: archived
(new or version), a discovery document (robots.txt, sitemap, feed), or a skip reason.
So the stats add up by construction::

    sum(discovered_by_source) == articles_archived + discovery_documents + sum(skipped)

:class:`CrawlTally` keeps that ledger for the live crawl and the history fetchers alike;
:meth:`CrawlTally.snapshot` merges it with the fetcher's own counters (for the crawl, Scrapy's:
requests, responses by status, bytes, responses written to the WARC by role) into the dict
saved in the run manifest.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

__all__ = ["CAPTURES_PREFIX", "DISCOVERY_SOURCES", "FAILED_OUTCOMES", "SKIP_REASONS", "CrawlTally"]

logger = logging.getLogger(__name__)

#: Scrapy stats key prefix of the responses written to the WARC, by role (see :class:`crawler.items.FetchedPage`):
#: ``captures_by_role`` in the run stats.
CAPTURES_PREFIX = "newsarchive/captures/"
#: Where a URL was first found. "start": robots.txt, the home page and the registry's sitemaps/feeds/sections.
DISCOVERY_SOURCES: tuple[str, ...] = ("start", "robots", "sitemap", "news_sitemap", "feed", "section", "link")
#: Why a discovered URL was not archived.
SKIP_REASONS: tuple[str, ...] = (
    "duplicate",  # same article under another URL, or unchanged text already archived
    "known",  # already archived by an earlier run: not requested (incremental crawl)
    "out_of_window",  # published outside --since/--until (by discovery date or extracted date)
    "not_article",  # listing, category, tag, author, search, about, contact, calendar, ... page
    "binary",  # PDF, image, media link: not fetched
    "robots",  # robots.txt Disallow
    "private_address",  # resolves to loopback/private/link-local (SSRF guard)
    "offsite",  # redirected off the outlet's domains
    "gone",  # 404 / 410
    "http_error",  # other 4xx/5xx, after retries
    "timeout",  # no answer within DOWNLOAD_TIMEOUT, after retries
    "too_large",  # above DOWNLOAD_MAXSIZE (gzip bombs included)
    "redirect_loop",  # more than REDIRECT_MAX_TIMES redirects
    "unsupported_scheme",  # neither http nor https (ftp:, s3:, file:, data:, ...): never requested
    "budget",  # not fetched: the run stopped at one of its budgets (crawl_max_* settings)
    "extract_timeout",  # fetched and archived raw, but its extraction took longer than extract_timeout_s
    "too_deep",  # fetched and archived raw, but nested deeper than an HTML parser keeps: no text extracted
    "error",  # anything else (connection, DNS, extraction, malformed page)
)
#: Skip reasons that mean a page could not be fetched or read (a run summary's ``failed``).
FAILED_OUTCOMES: tuple[str, ...] = ("error", "http_error", "timeout", "too_large", "redirect_loop", "extract_timeout",
                                    "too_deep")
#: URLs named in the one warning :meth:`CrawlTally.close_pending` logs.
PENDING_EXAMPLES = 3


class CrawlTally:
    """The ledger of one outlet's crawl: one source and one outcome per URL identity."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.discovered_by_source: Counter[str] = Counter({source: 0 for source in DISCOVERY_SOURCES})
        self.skipped: Counter[str] = Counter()
        self.archived = 0
        self.versions = 0
        self.discovery_documents = 0
        self.requests_saved_by_window = 0
        #: Discovery documents answered 304 plus child sitemaps not requested (unchanged ``<lastmod>``).
        self.requests_saved_by_conditional = 0
        self.archived_by_source: Counter[str] = Counter()
        self.malformed: Counter[str] = Counter()
        self.offsite_links = 0
        #: Article pages read into a record; those whose record waits for the outlet's template pass
        #: (archived when the crawl ends) are ``held``.
        self.extracted = 0
        self._held: set[str] = set()
        self._source: dict[str, str] = {}
        self._pending: set[str] = set()

    def discover(self, identity: str, source: str) -> bool:
        """Record ``identity`` as found by ``source``; False when it was already known."""
        if identity in self._source:
            return False
        self._source[identity] = source
        self.discovered_by_source[source] += 1
        self._pending.add(identity)
        return True

    def is_pending(self, identity: str) -> bool:
        return identity in self._pending

    def finish(self, identity: str, outcome: str) -> bool:
        """Record the outcome of ``identity`` ("new", "version", "discovery" or a skip reason), once."""
        if identity not in self._pending:
            return False
        self._pending.discard(identity)
        self._held.discard(identity)
        if outcome in ("new", "version"):
            self.archived += 1
            self.archived_by_source[self._source.get(identity, "start")] += 1
            self.versions += outcome == "version"
        elif outcome == "discovery":
            self.discovery_documents += 1
        else:
            if outcome not in SKIP_REASONS:
                logger.warning("unknown skip reason %r counted as error", outcome)
                outcome = "error"
            self.skipped[outcome] += 1
        return True

    def hold(self, identity: str) -> None:
        """``identity`` was extracted; its record is held until the template pass (still pending)."""
        if identity in self._pending and identity not in self._held:
            self._held.add(identity)
            self.extracted += 1

    @property
    def held(self) -> int:
        return len(self._held)

    def close_pending(self, outcome: str = "error") -> int:
        """Give the URLs left without an outcome ``outcome``: "error" for a request Scrapy dropped silently,
        "budget" for the requests still queued when a budget stopped the run.

        One warning line, whatever their number (an interrupted fan-out leaves millions), with a few examples.
        """
        left = len(self._pending)
        if not left:
            return 0
        examples = [identity for identity, _ in zip(self._pending, range(PENDING_EXAMPLES), strict=False)]
        if outcome == "error":
            logger.warning("no outcome recorded for %d URLs (%s%s); counted as error", left, ", ".join(examples),
                           ", ..." if left > len(examples) else "")
        if outcome not in SKIP_REASONS:
            outcome = "error"
        self.skipped[outcome] += left
        self._pending.clear()
        self._held.clear()
        return left

    def snapshot(self, scrapy_stats: dict[str, Any] | None = None) -> dict[str, Any]:
        """The run stats (JSON-serialisable), Scrapy's counters merged in."""
        scrapy_stats = scrapy_stats or {}
        def by_prefix(prefix: str) -> dict[str, int]:
            return {key.removeprefix(prefix): int(value)
                    for key, value in sorted(scrapy_stats.items()) if key.startswith(prefix)}

        by_status = by_prefix("downloader/response_status_count/")
        skipped = {reason: self.skipped.get(reason, 0) for reason in SKIP_REASONS}
        discovered = dict(self.discovered_by_source)
        return {
            "discovered_by_source": discovered,
            "discovered": sum(discovered.values()),
            "requests": int(scrapy_stats.get("downloader/request_count", 0)),
            "responses_by_status": by_status,
            "captures_by_role": by_prefix(CAPTURES_PREFIX),
            "retries": int(scrapy_stats.get("retry/count", 0)),
            "retry_after_honoured": int(scrapy_stats.get("newsarchive/retry_after_honoured", 0)),
            "articles_archived": self.archived,
            "versions": self.versions,
            "discovery_documents": self.discovery_documents,
            "skipped": skipped,
            "requests_saved_by_window": self.requests_saved_by_window,
            "requests_saved_by_conditional": self.requests_saved_by_conditional,
            "archived_by_source": dict(self.archived_by_source),
            "malformed_documents": dict(self.malformed),
            "offsite_links_ignored": self.offsite_links,
            "bytes": int(scrapy_stats.get("downloader/response_bytes", 0)),
            "seconds": round(time.monotonic() - self.started, 3),
        }

    @staticmethod
    def adds_up(stats: dict[str, Any]) -> bool:
        """The ledger identity of a stats dict (see the module docstring)."""
        outcomes = stats["articles_archived"] + stats["discovery_documents"] + sum(stats["skipped"].values())
        return bool(sum(stats["discovered_by_source"].values()) == outcomes)
