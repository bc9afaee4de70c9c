"""Backfill an outlet from Common Crawl's CC-NEWS WARC files, through the live crawler's ingest path.

:func:`backfill_from_ccnews` reads the month listings that can hold the window
(:mod:`history.ccnews.source`), then streams each picked WARC file once:

- only ``response`` records of the outlet are kept: the record's host, ``www.``
  stripped, must *equal* one of the outlet's domains (``notdemo.example`` and
  ``demo.example.evil`` are not ``demo.example``);
- each kept record goes through :func:`ingest.pages.capture` and
  :func:`ingest.pages.read_page` with ``source="ccnews"``, its WARC-Date as the
  snapshot time, and the CC-NEWS file and record offset as provenance
  (``raw["source_warc"]``, ``raw["source_offset"]``);
- the window is enforced by the extracted publication date (``out_of_window``);
- one archive run per WARC file, committed before the file is marked done in the
  checkpoint (:class:`~history.wayback.checkpoint.BackfillCheckpoint`, its
  ``done`` list): a rerun, or a resume after kill -9, reads no committed file again;
- a truncated file (cut mid-record) keeps what was read before the cut and is
  counted in ``stats["ccnews"]["truncated_files"]``.

It holds the outlet's lease like every backfill, stops cleanly at its budgets
(:mod:`ingest.budgets`: ``backfill_max_requests`` counts the listings and WARC files
opened, ``backfill_max_seconds`` the wall time), and an
endpoint that does not answer ends it at once as ``unreachable``.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections import Counter
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from core.dates import DateWindow, format_wayback_timestamp, parse_datetime
from core.registry import Outlet
from core.settings import Settings, get_settings
from core.urls import canonical_url, registered_host
from core.vocabulary import RecordSource
from history.ccnews.source import (
    CcNewsFile,
    CcNewsSource,
    CcNewsUnreachable,
    files_for_window,
    months,
    window_bounds,
)
from history.wayback.checkpoint import BackfillCheckpoint
from ingest.articles import ArticleRules
from ingest.budgets import BACKFILL_BUDGETS, BudgetExhausted, Budgets
from ingest.pages import FetchedResponse, IngestContext, capture, read_page
from ingest.summary import RunSummary
from ingest.tally import CrawlTally
from ingest.templates import STATS_KEY as TEMPLATES_STATS_KEY
from ingest.templates import OutletTemplates, saved_template_lines

if TYPE_CHECKING:
    from archive import Archive

__all__ = ["CcNewsBackfill", "backfill_from_ccnews", "outlet_hosts"]

logger = logging.getLogger(__name__)

#: The discovery source of every URL found in CC-NEWS (stats["discovered_by_source"]).
DISCOVERY_SOURCE = "ccnews"


def outlet_hosts(outlet: Outlet) -> frozenset[str]:
    """The hosts whose records are the outlet's: its domains exactly (``www.`` stripped, port kept)."""
    return frozenset(outlet.allowed_domains)


class CcNewsBackfill:
    """One CC-NEWS backfill of one outlet and window (see the module docstring)."""

    def __init__(self, outlet: Outlet, archive: Archive, window: DateWindow, *, source: CcNewsSource,
                 checkpoint: BackfillCheckpoint, settings: Settings) -> None:  # fmt: skip
        self.outlet = outlet
        self.archive = archive
        self.window = window
        self.source = source
        self.checkpoint = checkpoint
        self.settings = settings
        self.hosts = outlet_hosts(outlet)
        self.rules = ArticleRules(outlet)
        self.tally = CrawlTally()
        self.records_scanned = 0
        self.records_kept = 0
        self.outcomes: Counter[str] = Counter()
        self.files_read: list[str] = []
        self.files_known = 0
        self.truncated: list[str] = []
        self.run_ids: list[str] = []
        #: The run's budgets (:mod:`ingest.budgets`): requests made (listings and WARC files) and wall time.
        self.budgets = Budgets.from_settings(settings, BACKFILL_BUDGETS)
        self.stopped: str | None = None
        self.started = time.monotonic()
        self._progress_at = self.started

    def files(self) -> list[CcNewsFile]:
        """The WARC files that can hold the window (previous month too: its last file runs into this one)."""
        assert self.window.since is not None and self.window.until is not None
        start, end = window_bounds(self.window.since, self.window.until, self.settings.ccnews_slack_days)
        listed: list[CcNewsFile] = []
        for year, month in months((start - timedelta(days=31)).date(), end.date()):
            listed += self.source.listing(year, month)
        return files_for_window(listed, start, end)

    def run(self) -> RunSummary:
        files = self.files()
        done = {key for _kind, key in self.checkpoint.done_captures()}
        for item in files:
            if item.key in done:
                self.files_known += 1
                continue
            if self._over_budget():
                break
            try:
                self.read_file(item)
            except BudgetExhausted as exc:  # asked to stop mid-file: what was read is committed (read_file)
                self.stopped = exc.reason
                break
            self._progress()
        self._progress(force=True)
        return self._summarise(files)

    def _over_budget(self) -> bool:
        """Before the next file: stop once the requests made reach their limit or the wall time is spent."""
        self.budgets.measure("requests", self.source.requests)
        if self.budgets.tick() and not self.budgets.allows("requests"):
            self.budgets.exhaust("requests")
        self.stopped = self.budgets.reason
        return self.budgets.stopped

    def _progress(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._progress_at >= self.settings.progress_interval_s:
            self._progress_at = now
            logger.info("ccnews %s: %d WARC files read (%d known), %d records scanned, %d kept, %d archived",
                        self.outlet.id, len(self.files_read), self.files_known, self.records_scanned,
                        self.records_kept, self.tally.archived)  # fmt: skip

    def read_file(self, item: CcNewsFile) -> None:
        """Stream one WARC file into one archive run; commit it, then mark the file done."""
        run = self.archive.begin_run(self.outlet.id, source=RecordSource.CCNEWS, window=self.window)
        context = IngestContext(self.outlet, self.rules, window=self.window,
                                known_headlines=self.archive.index.headlines(self.outlet.id),
                                source=RecordSource.CCNEWS)  # fmt: skip
        templates = OutletTemplates.from_settings(self.settings)
        templates.remember(saved_template_lines(self.archive, self.outlet.id))  # removed, as in a live crawl
        template_lines = templates.lines
        try:
            with self.source.open(item.key) as stream:
                if stream is None:
                    logger.warning("ccnews: %s is listed but missing", item.key)
                else:
                    self._scan(stream, item, run, context, template_lines)
        except BaseException as exc:
            if run.counts["captures"]:
                run.commit({**self.tally.snapshot(), "interrupted": f"{type(exc).__name__}: {exc}"})
                self.run_ids.append(run.run_id)
            else:
                run.abort(f"{type(exc).__name__}: {exc}")
            raise
        if run.counts["captures"]:
            run.commit({**self.tally.snapshot(), "ccnews": {"warc_file": item.key},
                        TEMPLATES_STATS_KEY: templates.to_stats(keep_saved=True)})
            self.run_ids.append(run.run_id)
        else:
            run.abort("no record of the outlet in this file")
        self.checkpoint.mark_done([("file", item.key)])
        self.files_read.append(item.key)

    def _scan(self, stream: Any, item: CcNewsFile, run: Any, context: IngestContext,
              template_lines: Collection[str]) -> None:  # fmt: skip
        records = ArchiveIterator(stream)
        iterator = iter(records)
        while True:
            try:  # only reading the file is guarded: a cut gzip member or WARC header ends the file, kept so far
                record = next(iterator)
            except StopIteration:
                reader = getattr(records, "reader", None)
                decompressor = getattr(reader, "decompressor", None)
                if decompressor is not None and not getattr(decompressor, "eof", True):  # the last gzip member is cut
                    self.truncated.append(item.key)
                    logger.warning("ccnews: %s ends inside a record; keeping what was read", item.key)
                return
            except (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error) as exc:
                self.truncated.append(item.key)
                logger.warning("ccnews: %s is cut short after %d records (%s: %s); keeping what was read",
                               item.key, self.records_scanned, type(exc).__name__, exc)  # fmt: skip
                return
            if record.rec_type != "response":
                continue
            self.budgets.check()  # a stop request ends the file here (the budgets are spent between files)
            self.records_scanned += 1
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            if not url.startswith(("http://", "https://")) or registered_host(url) not in self.hosts:
                continue
            self.records_kept += 1
            try:
                self._ingest(record, url, item, records, run, context, template_lines)
            except (EOFError, zlib.error) as exc:  # the record's own body is cut
                self.truncated.append(item.key)
                logger.warning("ccnews: %s is cut short in a record of %s (%s)", item.key, url, exc)
                self.tally.finish(canonical_url(url), "error")
                return

    def _ingest(self, record: Any, url: str, item: CcNewsFile, records: ArchiveIterator, run: Any, context: IngestContext,
                template_lines: Collection[str]) -> None:  # fmt: skip
        identity = canonical_url(url)
        self.tally.discover(identity, DISCOVERY_SOURCE)
        http = record.http_headers
        if http is None:
            self.tally.finish(identity, "error")
            return
        status = int(http.get_statuscode() or 0)
        body = record.content_stream().read(self.settings.download_maxsize + 1)
        if getattr(record.raw_stream, "limit", 0) > 0 and len(body) <= self.settings.download_maxsize:
            raise EOFError(f"record cut short: {getattr(record.raw_stream, 'limit', 0)} bytes missing")
        offset = records.get_record_offset()  # only once the body is read: asking first consumes the record
        if len(body) > self.settings.download_maxsize:
            self.outcomes["too_large"] += 1
            self.tally.finish(identity, "too_large")
            return
        captured = parse_datetime(record.rec_headers.get_header("WARC-Date"))  # ISO 8601, UTC
        response = FetchedResponse(url, status, list(http.headers), body, captured or datetime.now(UTC),
                                   snapshot_timestamp=format_wayback_timestamp(captured) if captured else None)
        result = read_page(context, response, capture(run, response), template_lines=template_lines)
        outcome = result.outcome
        if outcome == "error":
            logger.info("ccnews: %s in %s at %d: %s", url, item.key, offset, result.detail)
        if result.record is not None:
            result.record.raw.update({"source_warc": item.key, "source_offset": offset})
            outcome = run.add_article(result.record)
        self.outcomes[str(outcome)] += 1
        self.tally.finish(result.identity if self.tally.is_pending(result.identity) else identity, str(outcome))
        if self.tally.is_pending(identity):  # rel=canonical named another identity
            self.tally.finish(identity, "duplicate")

    def stats(self) -> dict[str, Any]:
        stats = self.tally.snapshot()
        stats["requests"] = self.source.requests
        stats["bytes"] = self.source.bytes
        stats["ccnews"] = {
            "url": self.source.url,
            "files_read": len(self.files_read),
            "files_known": self.files_known,
            "truncated_files": list(self.truncated),
            "records_scanned": self.records_scanned,
            "records_of_outlet": self.records_kept,
            "outcomes": dict(self.outcomes),
            "run_ids": list(self.run_ids),
        }
        stats["budget"] = self.budgets.to_stats()
        return stats

    def _summarise(self, files: list[CcNewsFile]) -> RunSummary:
        self.tally.close_pending()
        stats = self.stats()
        stats["seconds"] = round(time.monotonic() - self.started, 3)
        if self.stopped:
            stats["stopped"] = self.stopped
        # committed: every file read was committed (or held nothing of the outlet)
        return RunSummary.from_stats(self.outlet.id, self.run_ids[-1] if self.run_ids else "", stats,
                                     committed=True, stopped=self.stopped)


def backfill_from_ccnews(
    outlet: Outlet,
    archive_uri: str,
    since: date | None,
    until: date | None,
    *,
    ccnews_url: str | None = None,
    settings: Settings | None = None,
    state_dir: Path | None = None,
) -> RunSummary:
    """Archive ``outlet``'s articles published from ``since`` to ``until`` from CC-NEWS (``ccnews_url`` setting)."""
    from archive import Archive
    from core.errors import ConfigError

    settings = settings or get_settings()
    if since is None or until is None:
        raise ConfigError("a CC-NEWS backfill needs --since and --until")
    window = DateWindow(since, until, outlet.tz)
    archive = Archive.open(archive_uri, settings)
    source = CcNewsSource(ccnews_url or settings.ccnews_url, timeout_s=settings.download_timeout_s,
                          user_agent=settings.user_agent)  # fmt: skip
    try:
        with archive.lease(outlet.id, purpose="backfill"):
            checkpoint = BackfillCheckpoint.for_backfill(
                state_dir or settings.ccnews_state_dir, outlet.id, since, until, source.url, options=archive_uri
            )
            backfill = CcNewsBackfill(outlet, archive, window, source=source, checkpoint=checkpoint, settings=settings)
            try:
                return backfill.run()
            except CcNewsUnreachable as exc:
                logger.error("%s", exc)
                return RunSummary(outlet_id=outlet.id, run_id="", archived=0, versions=0, skipped={}, failed=0,
                                  stats={"error": str(exc), "ccnews": {"url": source.url}},
                                  seconds=round(time.monotonic() - backfill.started, 3), committed=False,
                                  unreachable=True)  # fmt: skip
    finally:
        source.close()
