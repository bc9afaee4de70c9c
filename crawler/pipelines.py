"""The archive pipeline: every fetched response into the run's WARC, every article into a record.

The spider yields one :class:`~crawler.items.FetchedPage` per response (robots.txt, discovery documents,
listings, candidate articles, and 4xx/5xx error responses alike). The responses no
spider callback sees are announced by :data:`crawler.signals.response_consumed`:
429/5xx answers that are retried, every 3xx (and meta refresh) hop of a redirect — loops
and hops to refused targets included — and robots.txt files Scrapy fetches for hosts
the spider did not ask about. The pipeline opens the outlet's archive run when the
spider opens and writes every one of these responses, with its request, to the run's
WARC (:func:`ingest.pages.capture`), counted by role in the run stats
(``captures_by_role``, :data:`ingest.tally.CAPTURES_PREFIX`). It reads candidate articles
(:func:`ingest.pages.read_page`) in worker processes, each page within ``extract_timeout_s``
(:class:`ingest.extraction.PageReaders`: a slow page stalls no download; a polite crawl's pages go to them a
few at a time, :class:`ingest.extraction.PageBatches`), and holds their records back on disk. When the spider
closes it adds them to the run with every learned template line removed, records
each outcome in the spider's tally, and commits the run with its stats and its outcome
(:func:`ingest.summary.judge_run`): an interrupted or unreachable run is committed too — what
it fetched is kept — but its outcome is not ``ok``, so it never moves the next run's window. A crawl stopped by one of
its budgets (:mod:`crawler.budgets`) is committed the same way (its queued requests count as ``budget``
skips) and its summary says ``stopped="budget:<name>"``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals

from core.errors import ArchiveError
from core.settings import redact
from core.vocabulary import RecordSource
from crawler.items import FetchedPage
from crawler.outlet_spider import OutletSpider, outlet_spider
from crawler.signals import ConsumedKind, response_consumed
from ingest.budgets import is_budget_reason
from ingest.extraction import PageBatches, PageReaders
from ingest.pages import IngestContext, capture
from ingest.summary import judge_run, stopped_reason
from ingest.tally import CAPTURES_PREFIX
from ingest.templates import STATS_KEY, HeldRecords, OutletTemplates

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

    from archive.record import RawPointer
    from archive.run import ArchiveRun

__all__ = ["ArchivePipeline"]

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Writes captures and records into one archive run per crawler (outlet)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run: ArchiveRun | None = None
        self.templates: OutletTemplates | None = None
        self.held: HeldRecords | None = None
        self.context: IngestContext | None = None
        self.readers: PageReaders | None = None
        self.batches = PageBatches(crawler.settings.getint("NEWSARCHIVE_EXTRACT_BATCH"),
                                   crawler.settings.getfloat("NEWSARCHIVE_EXTRACT_BATCH_WAIT"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.response_consumed, signal=response_consumed)
        return pipeline

    @property
    def spider(self) -> OutletSpider:
        return outlet_spider(self.crawler)

    def open_spider(self) -> None:
        plan = self.spider.plan
        self.run = plan.archive.begin_run(plan.outlet.id, source=RecordSource.LIVE, window=plan.window)
        self.templates = OutletTemplates.from_settings(plan.settings, plan.template_lines)
        self.held = HeldRecords()
        self.context = IngestContext(
            plan.outlet, self.spider.rules, window=plan.window, known_headlines=plan.known_headlines,
            source=RecordSource.LIVE,
        )
        self.readers = PageReaders.acquire(workers=plan.settings.extract_workers,
                                           timeout_s=plan.settings.extract_timeout_s)
        logger.info("archive run %s opened for outlet %s", self.run.run_id, plan.outlet.id)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        assert self.run is not None and self.templates is not None and self.held is not None
        assert self.context is not None and self.readers is not None
        spider = self.spider
        pointer = self._capture(item)
        if item.role != "page":
            spider.tally.finish(item.identity, item.outcome or "discovery")
            return item
        # No template lines to the reader: every record is held to the end of the crawl, and the lines are
        # removed then, as finally judged (_add_held_records). A line judged template early on (a subheading
        # on 4 of the first 7 pages) may not be in the end; removed while reading, its paragraph was lost.
        await self.batches.turn()  # a polite crawl's pages go to the workers a few at a time, read back to back
        result = await self.readers.read(self.run.run_id, self.context, item.response, pointer)
        if self.templates.hold(self.held, item.identity, result):
            spider.tally.hold(item.identity)  # shown as "held" by the progress display
            return item  # its outcome is settled when the spider closes
        if result.outcome == "error":
            logger.warning("page %s not archived: %s", item.response.url, result.detail)
        spider.tally.finish(item.identity, result.outcome)
        return item

    def _capture(self, page: FetchedPage) -> RawPointer:
        """Write ``page`` with its request to the run's WARC, counted under its role."""
        assert self.run is not None
        pointer = capture(self.run, page.response)
        self.crawler.stats.inc_value(f"{CAPTURES_PREFIX}{page.role}")  # type: ignore[union-attr]
        return pointer

    def response_consumed(self, request: Request, response: Response, kind: ConsumedKind) -> None:
        """A response a middleware consumed (retried, redirect, robots.txt): no outcome, but fetched, so archived."""
        if self.run is None:
            return
        self._capture(FetchedPage.from_response(response, kind, request=request))

    def _add_held_records(self, spider: OutletSpider) -> None:
        """Add the held-back records to the run, every template line learned by now removed."""
        assert self.run is not None and self.templates is not None and self.held is not None
        for identity, record in self.held.drain(self.templates.lines):
            spider.tally.finish(identity, self.run.add_article(record))

    def spider_closed(self, spider: OutletSpider, reason: str) -> None:
        if self.run is None or self.templates is None or self.held is None:
            return
        archive_error: ArchiveError | None = None
        try:  # an interrupted run keeps what it fetched: its held records are added too
            self._add_held_records(spider)
        except ArchiveError as exc:
            archive_error = exc
        self.held.close()
        if self.readers is not None:
            self.readers.release(self.run.run_id)
            self.readers = None
        spider.tally.close_pending("budget" if is_budget_reason(reason) else "error")
        stats = spider.run_stats()
        stats["close_reason"] = reason
        stats[STATS_KEY] = self.templates.to_stats()
        stopped = stopped_reason(reason)
        # No response at all (DNS failure, refused port: crawler.middlewares.unreachable): nothing was fetched.
        unreachable = stats["requests"] > 0 and not stats["responses_by_status"]
        stats["stopped"], stats["unreachable"] = stopped, unreachable
        committed = False
        try:
            if archive_error is not None:
                self.run.abort(f"records could not be added: {redact(str(archive_error))}")
                raise archive_error
            outcome = judge_run(committed=True, spooled=0, stopped=stopped, unreachable=unreachable)
            manifest = self.run.commit(stats, outcome=outcome.value)
            committed = manifest.committed  # False when the store was down: the run's objects are spooled
            if committed:
                logger.info("archive run %s committed (%d objects, %s)", manifest.run_id, len(manifest.objects),
                            outcome.value)
            else:
                stats["spooled"] = len(manifest.spooled)
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
        spider.finish(self.run.run_id, stats, committed=committed, stopped=stopped, unreachable=unreachable)
