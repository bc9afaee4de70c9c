"""Backfill an outlet's past from the Wayback Machine, through the live crawler's own ingest path.

:func:`backfill_from_wayback` runs four steps, each resumable:

1. **CDX** — every capture of the outlet (whatever its status; images, styles
   and scripts filtered out), one query per domain, captured from ``since`` to
   ``until`` plus a slack (an article is often first captured days after it
   appeared), walked page by page with resume keys into the checkpoint; the
   status-200 HTML rows are the articles' snapshots, the XML rows the discovery
   documents, and every row of an article is a fallback capture of it;
2. **discovery** — archived sitemaps, feeds and section pages of the window
   name the articles and their publication dates, including articles the
   outlet no longer serves and the CDX query did not list under that URL;
3. **selection** — the live crawler's rules keep article URLs and drop the
   out-of-window ones unfetched; one snapshot per canonical URL is picked
   (:class:`core.vocabulary.SnapshotPick`);
4. **ingest** — each snapshot is fetched in the ``id_`` form (the CDX row's
   ``original`` and ``timestamp`` as listed), written to the run's WARC and read
   by :func:`ingest.pages.read_page` with ``source="wayback"``, its
   ``snapshot_timestamp`` and original URL, in archive runs of ``batch_size``
   captures; each committed batch is marked done in the checkpoint.

**One bad capture never ends a backfill.** A replayed archived error (an
archived 503 or 404, an empty body) or a capture that reads as no article (a
soft-404, a captcha) is that capture's outcome: the URL's next-best capture is
tried (status 200 nearest in time first, then any; at most
``wayback_captures_per_url``), and an article none of whose captures serves ends
*unrecoverable*, its reasons listed in ``stats["wayback"]["unrecoverable"]``. A URL
known only from an archived document is looked up among the CDX rows already
walked (no query per URL) and replayed as listed there.

A backfill holds the outlet's lease (:meth:`archive.Archive.lease`, purpose
``backfill``): no crawl of the outlet runs meanwhile and ``gc`` leaves it alone.
Budgets (``backfill_max_requests``, ``backfill_max_seconds``) stop it cleanly:
what was fetched is committed and the summary says ``stopped="budget:<name>"``.
A Wayback host that refuses connections or does not resolve ends it at once
(``unreachable``). Progress (CDX pages read, snapshots fetched, recovered) is
logged every ``progress_interval_s``.

Template lines are learned as in the live crawl (:mod:`ingest.templates`):
each batch's records wait on local disk and are added with the lines learned by
then removed: the last batch every one, a batch before it only those of languages
seen on ``template_settled_pages`` pages or more (judged on fewer, a recurring
subheading could pass for template, and its paragraphs would be lost); lines first
learned in a later batch stay in earlier ones. An article's first snapshot only is
learned from, so ``pick=all`` cannot make its prose template.

The archive decides duplicates: an article already archived live with the
same text is a ``duplicate``; a differing text becomes a new version.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from protego import Protego

from core.dates import DateWindow, format_wayback_timestamp, parse_datetime
from core.registry import Outlet
from core.settings import Settings, get_settings, redact
from core.urls import canonical_url, same_site
from core.vocabulary import RecordSource, SnapshotPick
from history.wayback.cdx import CdxClient, CdxQuery, CdxRow, cdx_scopes
from history.wayback.checkpoint import BackfillCheckpoint, checkpointed_rows
from history.wayback.discover import DiscoveredUrl, read_discovery_capture
from history.wayback.replay import ReplayClient, ReplayError, replay_path, skip_reason
from history.wayback.snapshots import Snapshot, SnapshotSelector
from history.wayback.transport import RetryPolicy, WaybackHttp, WaybackUnreachable
from ingest.budgets import BACKFILL_BUDGETS, BudgetExhausted, Budgets
from ingest.pages import FetchedResponse, IngestContext, capture, read_page
from ingest.summary import RunSummary
from ingest.tally import CrawlTally
from ingest.templates import STATS_KEY as TEMPLATES_STATS_KEY
from ingest.templates import HeldRecords, OutletTemplates, saved_template_lines

if TYPE_CHECKING:
    import httpx

    from archive import Archive, ArchiveRun

__all__ = ["WaybackBackfill", "backfill_from_wayback"]

logger = logging.getLogger(__name__)

#: Filters of the CDX walk: every capture but images, media, fonts, styles and scripts (never articles).
CAPTURE_FILTERS: tuple[str, ...] = (
    "!mimetype:(image|video|audio|font)/.*",
    "!mimetype:(text/css|text/javascript|application/javascript|application/x-javascript)",
)
#: Statuses of a CDX row whose replay can be the article: 200, and a revisit ("-", the same bytes as before).
SERVING_STATUSES: frozenset[str] = frozenset({"200", "-"})
#: Outcomes of reading a capture that say the capture, not the article, is bad: the next capture is tried.
BAD_CAPTURE_OUTCOMES: frozenset[str] = frozenset({"error", "not_article"})
#: At most this many unrecoverable URLs are listed (with reasons) in the stats.
MAX_LISTED_UNRECOVERABLE = 1000


def is_html_row(row: CdxRow) -> bool:
    return row.statuscode == "200" and row.mimetype == "text/html"


def is_xml_row(row: CdxRow) -> bool:
    return row.statuscode == "200" and "xml" in row.mimetype


class WaybackBackfill:
    """One backfill of one outlet and window (see the module docstring)."""

    def __init__(
        self,
        outlet: Outlet,
        archive: Archive,
        window: DateWindow,
        *,
        http: WaybackHttp,
        checkpoint: BackfillCheckpoint,
        pick: SnapshotPick = SnapshotPick.EARLIEST,
        settings: Settings,
        capture_slack_days: int = 30,
        batch_size: int = 100,
        max_discovery_snapshots: int = 200,
    ) -> None:
        self.outlet = outlet
        self.archive = archive
        self.window = window
        self.http = http
        self.checkpoint = checkpoint
        self.settings = settings
        self.capture_slack_days = capture_slack_days
        self.batch_size = batch_size
        self.max_discovery_snapshots = max_discovery_snapshots
        #: The run's budgets (:mod:`ingest.budgets`): the requests ``http`` sends and the wall time.
        self.budgets = http.budgets or Budgets.from_settings(settings, BACKFILL_BUDGETS)
        self.cdx = CdxClient(http)
        self.replay = ReplayClient(
            http,
            max_redirects=settings.max_redirects,
            allow_url=lambda url: same_site(url, outlet.allowed_domains),
        )
        self.selector = SnapshotSelector(outlet, window, pick, max_listing_snapshots=max_discovery_snapshots)
        self.tally = CrawlTally()
        #: The outlet's template lines (:mod:`ingest.templates`): saved by its runs, and learned from the snapshots.
        self.templates = OutletTemplates.from_settings(settings)
        self._learned_from: set[str] = set()  # canonical URLs whose first snapshot was learned from
        self.replay_failures: Counter[str] = Counter()
        self.snapshot_outcomes: Counter[str] = Counter()
        self.run_ids: list[str] = []
        self.resumed = checkpoint.resumed
        self._remaining: Counter[str] = Counter()
        self._outcomes: dict[str, str] = {}
        #: Every CDX row of each article (canonical URL): its fallback captures.
        self.captures: dict[str, list[CdxRow]] = {}
        #: Canonical URL -> why each capture tried failed, for the articles none of whose captures served.
        self.unrecoverable: dict[str, list[str]] = {}
        self.recovered_by_fallback = 0
        self.stopped: str | None = None
        self.started = time.monotonic()
        self._progress_at = self.started
        self.fetched = 0
        self.planned = 0
        self.nothing_to_do = False

    # -- step 1: CDX
    def _query(self, url: str, match_type: str, filters: tuple[str, ...] | None = None) -> CdxQuery:
        until = self.window.until + timedelta(days=self.capture_slack_days) if self.window.until else None
        if filters is None:
            return CdxQuery(url, match_type=match_type, since=self.window.since, until=until)
        return CdxQuery(url, match_type=match_type, since=self.window.since, until=until, filters=filters)

    def cdx_rows(self, filters: tuple[str, ...] | None = CAPTURE_FILTERS) -> list[CdxRow]:
        rows: list[CdxRow] = []
        for url, match_type in cdx_scopes(self.outlet):
            rows += checkpointed_rows(self.cdx, self._query(url, match_type, filters), self.checkpoint)
        return rows

    @property
    def cdx_pages(self) -> int:
        return sum(int(q.get("pages", 0)) for q in self.checkpoint.value("queries", {}).values())

    # -- step 2: discovery
    def _read(self, timestamp: str, url: str) -> list[DiscoveredUrl]:
        try:
            capture = self.replay.fetch(timestamp, url)
        except ReplayError as exc:
            self.replay_failures[f"discovery_{exc.reason}"] += 1
            return []
        result = read_discovery_capture(capture, self.outlet, max_urls=self.settings.max_sitemap_urls)
        if result.malformed:
            self.tally.malformed["wayback_document"] += 1
        found = list(result.urls)
        for child in result.child_sitemaps[: self.max_discovery_snapshots]:
            child_capture = self._fetch_quietly(capture.timestamp, child)
            if child_capture is not None:
                found += read_discovery_capture(child_capture, self.outlet).urls
        return found

    def _fetch_quietly(self, timestamp: str, url: str) -> Any:
        try:
            return self.replay.fetch(timestamp, url)
        except ReplayError as exc:
            self.replay_failures[f"discovery_{exc.reason}"] += 1
            return None

    def discover(self, xml_rows: list[CdxRow], listings: list[CdxRow]) -> list[DiscoveredUrl]:
        """Article URLs named by archived sitemaps, feeds and listing pages of the window (checkpointed)."""
        saved = self.checkpoint.value("discovered")
        if saved is not None:
            return [DiscoveredUrl(u, s, parse_datetime(p)) for u, s, p in saved]
        per_day: dict[tuple[str, str], CdxRow] = {}
        for row in xml_rows:
            if self.window.contains_day(row.captured_at.astimezone(self.outlet.tz).date()):
                per_day.setdefault((canonical_url(row.original), row.timestamp[:8]), row)
        documents = sorted(per_day.values(), key=lambda r: r.timestamp)[: self.max_discovery_snapshots]
        found: list[DiscoveredUrl] = []
        for row in [*documents, *listings]:
            found += self._read(row.timestamp, row.original)
        self.checkpoint.set_value(
            "discovered", [[d.url, d.source, d.published.isoformat() if d.published else None] for d in found]
        )
        return found

    def read_robots(self) -> None:
        """Obey the outlet's robots.txt as archived at the end of the window (as the live crawl obeys today's)."""
        moment = self.window.end or datetime.now(UTC)
        text = self.checkpoint.value("robots")
        if text is None:
            try:
                capture = self.replay.fetch(format_wayback_timestamp(moment), urljoin(self.outlet.base_url, "/robots.txt"))
            except ReplayError as exc:
                self.replay_failures[f"robots_{exc.reason}"] += 1
                return
            text = capture.body.decode("utf-8", "replace")
            self.checkpoint.set_value("robots", text)
        robots = Protego.parse(text)
        agent = self.settings.user_agent
        self.selector.robots_allow = lambda url: bool(robots.can_fetch(url, agent))

    # -- step 3: selection
    def plan(self) -> list[Snapshot]:
        self.read_robots()
        every_row = self.cdx_rows()
        html_rows = [row for row in every_row if is_html_row(row)]
        xml_rows = [row for row in every_row if is_xml_row(row)]
        for row in every_row:
            if not is_xml_row(row):
                self.captures.setdefault(canonical_url(row.original), []).append(row)
        logger.info("wayback %s: %d CDX pages read, %d captures listed", self.outlet.id, self.cdx_pages, len(every_row))
        first = self.selector.plan(html_rows)
        discovered = self.discover(xml_rows, first.listings)
        hints: dict[str, datetime] = {}
        sources: dict[str, str] = {}
        for item in discovered:
            identity = canonical_url(item.url)
            sources.setdefault(identity, item.source)
            if item.published is not None:
                hints.setdefault(identity, item.published)
        plan = self.selector.plan(html_rows, hints)
        for row in [*html_rows, *xml_rows]:
            self.tally.discover(canonical_url(row.original), "cdx")
        for identity, reason in plan.skipped_urls.items():
            self.tally.finish(identity, reason)
        for identity in plan.listing_urls:
            self.tally.finish(identity, "discovery")
        for row in xml_rows:
            self.tally.finish(canonical_url(row.original), "discovery")
        self.tally.requests_saved_by_window += plan.saved_by_window
        snapshots = list(plan.articles)
        planned = {s.canonical_url for s in snapshots}
        for item in discovered:  # found by discovery only: fetch the capture nearest its publication
            identity = canonical_url(item.url)
            if identity in planned or not self.tally.discover(identity, item.source):
                continue
            skip = self.selector.url_outcome(item.url, hints.get(identity))
            if skip is not None:
                self.tally.finish(identity, skip)
                self.tally.requests_saved_by_window += skip == "out_of_window"
                continue
            moment = hints.get(identity) or _start_of(self.window)
            listed = self.alternates(identity, format_wayback_timestamp(moment), tried=set())
            if listed:  # replay a capture the index lists, as listed (its original URL may carry a query)
                snapshots.append(Snapshot(identity, listed[0].timestamp, listed[0].original, listed[0].digest,
                                          item.source, hints.get(identity)))
            else:  # not in the index walked: the capture nearest the publication
                snapshots.append(Snapshot(identity, format_wayback_timestamp(moment), item.url, "", item.source,
                                          hints.get(identity)))
            planned.add(identity)
        return snapshots

    def alternates(self, identity: str, timestamp: str, tried: set[tuple[str, str]]) -> list[CdxRow]:
        """The article's captures not tried yet, best first: status 200 (or revisit) nearest ``timestamp``, then any."""
        target = int(timestamp.ljust(14, "0")[:14])

        def rank(row: CdxRow) -> tuple[int, int, str]:
            return (0 if row.statuscode in SERVING_STATUSES else 1, abs(int(row.timestamp) - target), row.timestamp)

        rows = [r for r in self.captures.get(identity, []) if (r.timestamp, r.original) not in tried]
        return sorted({(r.timestamp, r.original): r for r in rows}.values(), key=rank)

    # -- step 4: fetch and ingest
    def run(self) -> RunSummary:
        started = self.started
        try:
            snapshots = self.plan()
        except BudgetExhausted as exc:
            self.stopped = exc.reason
            snapshots = []
        done = self.checkpoint.done_captures()
        todo = [s for s in snapshots if (s.timestamp, s.original) not in done]
        for identity in {s.canonical_url for s in snapshots} - {s.canonical_url for s in todo}:
            self.tally.finish(identity, "known")
        self._remaining.update(s.canonical_url for s in todo)
        self.planned = len(todo)
        self.nothing_to_do = not todo and not self.stopped
        for start in range(0, len(todo), self.batch_size):
            if self.stopped:
                break
            try:
                self._ingest_batch(todo[start : start + self.batch_size], last=start + self.batch_size >= len(todo))
            except BudgetExhausted as exc:  # the batch's work is committed (see _ingest_batch)
                self.stopped = exc.reason
        if self.stopped:
            unfetched = [i for i, n in self._remaining.items() if n > 0 and self.tally.is_pending(i)]
            for identity in unfetched:  # counted once, without a warning per URL
                self.tally.finish(identity, "error")
            left = len(unfetched)
            logger.warning("wayback %s: stopped (%s); %d articles not fetched", self.outlet.id, self.stopped, left)
        self.tally.close_pending()
        self._progress(force=True)
        return self._summarise(time.monotonic() - started)

    def _progress(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._progress_at < self.settings.progress_interval_s:
            return
        self._progress_at = now
        logger.info(
            "wayback %s: %d CDX pages read, %d/%d snapshots fetched, %d recovered, %d unrecoverable",
            self.outlet.id, self.cdx_pages, self.fetched, self.planned, self.tally.archived, len(self.unrecoverable),
        )

    def _ingest_batch(self, batch: list[Snapshot], *, last: bool) -> None:
        run = self.archive.begin_run(self.outlet.id, source=RecordSource.WAYBACK, window=self.window)
        context = IngestContext(
            self.outlet, self.selector.rules, window=self.window,
            known_headlines=self.archive.index.headlines(self.outlet.id), source=RecordSource.WAYBACK,
        )
        # Lines saved since the last batch (this backfill's own, or a live crawl's committed meanwhile).
        self.templates.remember(saved_template_lines(self.archive, self.outlet.id))
        held = HeldRecords()
        finished: list[tuple[str, str]] = []
        try:
            for snapshot in batch:
                if not self.budgets.tick():
                    self.budgets.check()  # raises BudgetExhausted
                outcome = self._read_one(run, context, snapshot, held)
                self.fetched += 1
                self._progress()
                if outcome is not None:  # else its record is held, and settled when added
                    self._record(snapshot.canonical_url, outcome)
                finished.append((snapshot.timestamp, snapshot.original))
        except BaseException as exc:  # not the end of the backfill: a rerun resumes it
            self._commit(run, held, finished, final=False, interrupted=f"{type(exc).__name__}: {exc}")
            raise
        self._commit(run, held, finished, final=last)

    def _record(self, identity: str, outcome: str) -> None:
        """Count one snapshot's outcome; the article's outcome is settled with its last snapshot."""
        self.snapshot_outcomes[outcome] += 1
        if self._outcomes.get(identity) not in ("new", "version"):
            self._outcomes[identity] = outcome
        self._remaining[identity] -= 1
        if self._remaining[identity] <= 0:
            self.tally.finish(identity, self._outcomes.pop(identity))

    def _read_one(
        self, run: ArchiveRun, context: IngestContext, snapshot: Snapshot, held: HeldRecords
    ) -> str | None:
        """Fetch, capture and read one article's snapshot, falling back to its next-best captures.

        Returns its outcome, or None when its record is held for the template lines.
        """
        identity = snapshot.canonical_url
        timestamp, original = snapshot.timestamp, snapshot.original
        tried: set[tuple[str, str]] = set()
        reasons: list[str] = []
        fallback = self.selector.pick is not SnapshotPick.ALL  # with "all", each distinct capture is its own snapshot
        limit = max(1, self.settings.wayback_captures_per_url if fallback else 1)
        first_skip: str | None = None
        while True:
            tried.add((timestamp, original))
            outcome, reason = self._try_capture(run, context, snapshot, timestamp, original, held)
            if reason is None:
                if reasons:
                    self.recovered_by_fallback += 1
                    logger.info("wayback: %s recovered from capture %s after %s", identity, timestamp, reasons)
                return outcome
            reasons.append(f"{timestamp}: {reason}")
            first_skip = first_skip or outcome
            following = self.alternates(identity, timestamp, tried) if fallback else []
            if not following or len(tried) >= limit:
                self.unrecoverable[identity] = reasons
                return first_skip
            timestamp, original = following[0].timestamp, following[0].original

    def _try_capture(
        self, run: ArchiveRun, context: IngestContext, snapshot: Snapshot, timestamp: str, original: str,
        held: HeldRecords,
    ) -> tuple[str | None, str | None]:
        """(outcome, None) when the capture served the article; (skip reason, why) when the capture is bad."""
        try:
            replayed = self.replay.fetch(timestamp, original)
        except ReplayError as exc:
            self.replay_failures[exc.reason] += 1
            logger.info("wayback: %s", exc)
            return skip_reason(exc.reason), exc.reason
        # The raw capture is stored under the article's own URL (not the Archive's replay URL), so the WARC
        # replays like a live capture (pywb); the record says where it came from: source + snapshot_timestamp.
        response = FetchedResponse(
            replayed.url, replayed.status, replayed.headers, replayed.body, replayed.fetched_at,
            request_headers={"User-Agent": self.settings.user_agent,
                             "Referer": self.http.url(replay_path(replayed.timestamp, replayed.url))},
            snapshot_timestamp=replayed.timestamp,
        )
        # Read without template lines: the batch's records are held and stripped when it commits (_commit), by
        # the lines judged on every page seen by then; judged on the few pages read so far, a line could be a
        # recurring subheading, and its paragraph would be lost (as in crawler.pipelines).
        result = read_page(context, response, capture(run, response))
        if result.outcome in BAD_CAPTURE_OUTCOMES:
            logger.info("wayback: %s at %s: %s %s", replayed.url, replayed.timestamp, result.outcome, result.detail)
            self.replay_failures[f"capture_{result.outcome}"] += 1
            return str(result.outcome), f"{result.outcome}: {result.detail}"
        first = snapshot.canonical_url not in self._learned_from
        self._learned_from.add(snapshot.canonical_url)
        if self.templates.hold(held, snapshot.canonical_url, result, learn=first):
            return None, None
        return str(result.outcome), None

    def _commit(
        self, run: ArchiveRun, held: HeldRecords, finished: list[tuple[str, str]], *, final: bool,
        interrupted: str | None = None,
    ) -> None:
        """Add the batch's held records, template lines removed, and commit it.

        The backfill's last batch (``final``) removes every line learned (:attr:`OutletTemplates.lines`) and saves
        them for later runs; a batch before it, or one cut short, only the settled ones
        (:attr:`OutletTemplates.settled_lines`): a later batch could show a line to be no template after all.
        """
        template_lines = self.templates.lines if final else self.templates.settled_lines
        try:
            for identity, record in held.drain(template_lines):
                self._record(identity, run.add_article(record))
        except BaseException as exc:
            run.abort(f"records could not be added: {type(exc).__name__}: {redact(str(exc))}")
            raise
        finally:
            held.close()
        if not finished:
            run.abort(interrupted or "nothing fetched")
            return
        stats = self.stats()
        stats[TEMPLATES_STATS_KEY] = self.templates.to_stats(keep_saved=True, settled_only=not final)
        if interrupted:
            stats["interrupted"] = interrupted
        run.commit(stats)
        self.checkpoint.mark_done(finished)
        self.run_ids.append(run.run_id)

    def stats(self) -> dict[str, Any]:
        stats = self.tally.snapshot()
        stats["requests"] = sum(self.http.stats.requests.values())
        stats["bytes"] = self.http.stats.bytes
        stats["responses_by_status"] = dict(sorted(self.http.stats.statuses.items()))
        stats["retries"] = sum(self.http.stats.retries.values())
        stats["wayback"] = {
            "base_url": self.http.base_url,
            "http": self.http.stats.as_dict(),
            "cdx_truncated": self.cdx.truncated,
            "replay_failures": dict(self.replay_failures),
            "snapshot_outcomes": dict(self.snapshot_outcomes),
            "cdx_pages": self.cdx_pages,
            "recovered_by_fallback": self.recovered_by_fallback,
            "unrecoverable_count": len(self.unrecoverable),
            "unrecoverable": [
                {"url": url, "reasons": reasons}
                for url, reasons in sorted(self.unrecoverable.items())[:MAX_LISTED_UNRECOVERABLE]
            ],
            "pick": self.selector.pick.value,
            "resumed": self.resumed,
            "run_ids": list(self.run_ids),
        }
        stats["budget"] = self.budgets.to_stats()
        return stats

    def _summarise(self, seconds: float) -> RunSummary:
        stats = self.stats()
        stats["seconds"] = round(seconds, 3)
        if self.stopped:
            stats["stopped"] = self.stopped
        return RunSummary.from_stats(
            self.outlet.id, self.run_ids[-1] if self.run_ids else "", stats,
            # a rerun with every capture already ingested did its work: nothing was left to commit
            committed=bool(self.run_ids) or not stats["discovered"] or self.nothing_to_do,
            stopped=self.stopped,
            versions=self.snapshot_outcomes["version"],  # records stored as a new version (several with pick=all)
        )


def _start_of(window: DateWindow) -> datetime:
    return window.start or datetime.now(UTC)


def backfill_from_wayback(
    outlet: Outlet,
    archive_uri: str,
    since: date | None,
    until: date | None,
    *,
    wayback_url: str | None = None,
    pick: SnapshotPick | str = SnapshotPick.EARLIEST,
    settings: Settings | None = None,
    state_dir: Path | None = None,
    batch_size: int = 100,
    capture_slack_days: int = 30,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
) -> RunSummary:
    """Archive ``outlet``'s articles published from ``since`` to ``until`` from Wayback snapshots.

    ``wayback_url`` overrides ``settings.wayback_url`` (``NEWSARCHIVE_WAYBACK_URL``);
    ``state_dir`` holds the resumable checkpoint (default: the ``wayback_state_dir`` setting).
    Raises :class:`~history.wayback.transport.WaybackUnavailable` when the Archive
    stays down; what was fetched before is committed and a rerun continues from there.
    A Wayback host that is unreachable from the start (refused, no DNS) is a summary
    with ``unreachable`` set, at once. Holds the outlet's lease
    (:class:`~core.errors.LeaseHeldError` when a crawl of it runs).
    """
    from archive import Archive

    settings = settings or get_settings()
    window = DateWindow(since, until, outlet.tz)
    pick = SnapshotPick(pick)
    archive = Archive.open(archive_uri, settings)
    with (
        archive.lease(outlet.id, purpose="backfill"),
        WaybackHttp.from_settings(
            settings, wayback_url=wayback_url, transport=transport, retry=retry,
            budgets=Budgets.from_settings(settings, BACKFILL_BUDGETS),
        ) as http,
    ):
        checkpoint = BackfillCheckpoint.for_backfill(
            state_dir or settings.wayback_state_dir, outlet.id, since, until, http.base_url,
            options=f"{pick.value}|{archive_uri}",
        )
        backfill = WaybackBackfill(
            outlet, archive, window, http=http, checkpoint=checkpoint, pick=pick, settings=settings,
            capture_slack_days=capture_slack_days, batch_size=batch_size,
        )
        try:
            return backfill.run()
        except WaybackUnreachable as exc:
            logger.error("%s", exc)
            return RunSummary(
                outlet_id=outlet.id, run_id="", archived=0, versions=0, skipped={}, failed=0,
                stats={"error": str(exc), "wayback": {"base_url": http.base_url}},
                seconds=round(time.monotonic() - backfill.started, 3), committed=False, unreachable=True,
            )
