"""The archive pipeline: every fetched response into the run's WARC, every article into a record.

The spider yields one :class:`FetchedPage` per response (discovery documents,
listings, candidate articles, and error responses alike). The pipeline opens the
outlet's archive run when the spider opens, hands each page to
:func:`crawler.ingest.ingest_page` (or just :func:`crawler.ingest.capture` for
non-article pages), records the outcome in the spider's tally, and at the end
commits the run with its stats — or aborts it when the crawl did not finish.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.http import Response

from crawler.ingest import capture, ingest_page
from newsarchive.errors import ArchiveError
from newsarchive.settings import redact

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from archive.run import ArchiveRun
    from crawler.spiders.news import NewsSpider

__all__ = ["ArchivePipeline", "FetchedPage"]

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class FetchedPage:
    """One response, as the pipeline needs it. ``role``: document, listing, page or failed."""

    url: str
    identity: str
    role: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    #: The outcome already decided by the spider (documents, listings, failures).
    outcome: str | None = None

    @classmethod
    def from_response(cls, response: Response, role: str, outcome: str | None = None) -> FetchedPage:
        def pairs(headers: Any) -> list[tuple[str, str]]:
            return [
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, values in headers.items()
                for value in values
            ]

        request = response.request
        assert request is not None
        return cls(
            url=response.url,
            identity=request.meta["identity"],
            role=role,
            status=response.status,
            headers=pairs(response.headers),
            body=response.body,
            fetched_at=datetime.now(UTC),
            request_headers=pairs(request.headers),
            outcome=outcome,
        )


class ArchivePipeline:
    """Writes captures and records into one archive run per crawler (outlet)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run: ArchiveRun | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @property
    def spider(self) -> NewsSpider:
        return self.crawler.spider  # type: ignore[return-value]

    def open_spider(self) -> None:
        plan = self.spider.plan
        self.run = plan.archive.begin_run(plan.outlet.id, source="live", window=plan.window.as_tuple())
        logger.info("archive run %s opened for outlet %s", self.run.run_id, plan.outlet.id)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        assert self.run is not None
        spider = self.spider
        if item.role == "page":
            result = ingest_page(
                self.run,
                spider.outlet,
                item.url,
                item.status,
                item.headers,
                item.body,
                item.fetched_at,
                known_headlines=spider.plan.known_headlines,
                window=spider.window,
                rules=spider.rules,
                request_headers=item.request_headers,
            )
            if result.outcome == "error":
                logger.warning("page %s not archived: %s", item.url, result.detail)
            spider.tally.finish(item.identity, result.outcome)
            return item
        capture(self.run, item.url, item.status, item.headers, item.body, item.fetched_at,
                request_headers=item.request_headers)
        spider.tally.finish(item.identity, item.outcome or "discovery")
        return item

    def spider_closed(self, spider: NewsSpider, reason: str) -> None:
        if self.run is None:
            return
        spider.tally.close_pending()
        stats = spider.run_stats()
        stats["close_reason"] = reason
        committed = False
        try:
            if reason == "finished":
                manifest = self.run.commit(stats)
                committed = manifest.committed  # False when the store was down: the run's objects are spooled
                if committed:
                    logger.info("archive run %s committed (%d objects)", manifest.run_id, len(manifest.objects))
                else:
                    stats["spooled"] = len(manifest.spooled)
            else:
                self.run.abort(f"crawl ended early: {reason}")
        except ArchiveError as exc:
            stats["archive_error"] = redact(str(exc))
            logger.error("archive run %s could not be committed: %s", self.run.run_id, redact(str(exc)))
            reason = "archive_error"
        skipped = ", ".join(f"{k} {v}" for k, v in stats["skipped"].items() if v) or "none"
        logger.info(
            "outlet %s: %d archived (%d versions), skipped: %s; %d requests, %d bytes, %.1f s",
            spider.outlet.id, stats["articles_archived"], stats["versions"], skipped,
            stats["requests"], stats["bytes"], stats["seconds"],
        )
        spider.finish(self.run.run_id, stats, committed=committed)
