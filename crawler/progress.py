"""Live progress of a crawl: a rich display on a terminal, plain log lines otherwise.

:class:`CrawlProgress` is a Scrapy extension (``NEWSARCHIVE_PROGRESS`` = ``"rich"`` or
``"lines"``; anything else switches it off with ``NotConfigured``). Every outlet crawled in
the process gets one row of one shared display, fed from the spider's :class:`CrawlTally`
and Scrapy's counters: responses fetched, article pages extracted, records held for the
outlet's template pass (archived when the crawl ends), archived, skipped, pending, and an
estimate of the time left (pending URLs at the recent rate of finished ones). Without a
terminal it writes one plain line per outlet every ``progress_interval_s`` seconds (a
newsarchive setting) on stderr, so a scheduler's log shows a long crawl moving. While the
rich display runs, log lines go above it, never into it.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

    from ingest.tally import CrawlTally

__all__ = ["CrawlProgress"]


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class _Rate:
    """Finished URLs per second over the last minute or so: the estimate of the time left."""

    WINDOW_S = 60.0

    def __init__(self) -> None:
        self.points: list[tuple[float, int]] = []

    def seconds_left(self, finished: int, pending: int, now: float | None = None) -> float | None:
        now = time.monotonic() if now is None else now
        self.points.append((now, finished))
        while len(self.points) > 2 and now - self.points[1][0] > self.WINDOW_S:
            self.points.pop(0)
        (t0, f0), (t1, f1) = self.points[0], self.points[-1]
        if pending <= 0 or f1 <= f0 or t1 <= t0:
            return None
        return pending / ((f1 - f0) / (t1 - t0))

MODES = ("rich", "lines")


class _SharedDisplay:
    """One rich display for every crawl of the process, started by the first and stopped by the last."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.users = 0
        self._streams: list[tuple[logging.StreamHandler[Any], Any]] = []

    def acquire(self) -> Progress:
        if self.progress is None:
            # rich only on a terminal: a crawl job's process (plain lines) never imports it.
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("[bold]{task.fields[outlet]}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[detail]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
                # Redrawn by CrawlProgress.update (every 0.5 s), not by rich's own thread ten times a second:
                # a polite crawl that waits should not burn CPU redrawing an unchanged display.
                auto_refresh=False,
            )
            self.progress.start()
            self._log_above_display()
        self.users += 1
        return self.progress

    def _log_above_display(self) -> None:
        """Point the stderr log handlers at rich's stderr proxy: each line is printed above the display."""
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream in (sys.__stderr__, sys.stderr):
                self._streams.append((handler, handler.setStream(sys.stderr)))

    def release(self) -> None:
        self.users -= 1
        if self.users == 0 and self.progress is not None:
            for handler, stream in self._streams:
                handler.setStream(stream)
            self._streams.clear()
            self.progress.stop()
            self.progress = None


class CrawlProgress:
    """Shows how one outlet's crawl is going (see the module docstring)."""

    display: ClassVar[_SharedDisplay] = _SharedDisplay()

    def __init__(self, mode: str, interval_s: float, crawler: Crawler | None = None) -> None:
        self.mode = mode
        self.interval_s = interval_s
        self.crawler = crawler
        self.rate = _Rate()
        self.spider: Spider | None = None
        self.task_id: TaskID | None = None
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        mode = crawler.settings.get("NEWSARCHIVE_PROGRESS")
        if mode not in MODES:
            raise NotConfigured
        extension = cls(mode, crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL"), crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        # engine_stopped comes after every spider_closed handler, the spider's own tally closing included.
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.spider = spider
        if self.mode == "rich":
            progress = self.display.acquire()
            self.task_id = progress.add_task("crawl", total=None, outlet=self._outlet_id(), detail="starting")
            interval = 0.5
        else:
            interval = self.interval_s
        self.loop = task.LoopingCall(self.update)
        self.loop.start(interval, now=False)

    def engine_stopped(self) -> None:
        if self.spider is None:
            return
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.update(final=True)
        if self.mode == "rich":
            self.display.release()

    def update(self, final: bool = False) -> None:
        tally: CrawlTally | None = getattr(self.spider, "tally", None)
        if tally is None:
            return
        stats = self.crawler.stats.get_stats() if self.crawler is not None and self.crawler.stats else {}
        counts = self._counts(tally, stats)
        # Held records are done but for the template pass at the end: not work left.
        left = None if final else self.rate.seconds_left(counts["finished"] + counts["held"],
                                                         counts["pending"] - counts["held"])
        detail = (
            f"fetched {counts['fetched']} · extracted {counts['extracted']} · held {counts['held']}"
            f" · archived {counts['archived']} · skipped {counts['skipped']} · pending {counts['pending']}"
            + (f" · ~{_duration(left)} left" if left is not None else "")
        )
        if self.mode == "rich" and self.display.progress is not None and self.task_id is not None:
            self.display.progress.update(
                self.task_id, total=counts["discovered"], completed=counts["finished"], detail=detail, refresh=True
            )
        elif self.mode == "lines":
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            state = "done" if final else "progress"
            print(
                f"{stamp} [crawler.progress] {self._outlet_id()}: {state}: {counts['finished']}/{counts['discovered']}"
                f" URLs, {detail}",
                file=sys.stderr,
                flush=True,
            )

    @staticmethod
    def _counts(tally: CrawlTally, stats: dict[str, Any] | None = None) -> dict[str, Any]:
        discovered = sum(tally.discovered_by_source.values())
        skipped = sum(tally.skipped.values())
        finished = tally.archived + tally.discovery_documents + skipped
        return {
            "discovered": discovered,
            "finished": finished,
            "fetched": int((stats or {}).get("downloader/response_count", 0)),
            "extracted": tally.extracted,
            "held": tally.held,
            "archived": tally.archived,
            "skipped": skipped,
            "pending": discovered - finished,
        }

    def _outlet_id(self) -> str:
        plan = getattr(self.spider, "plan", None)
        outlet = getattr(plan, "outlet", None)
        return str(getattr(outlet, "id", getattr(self.spider, "name", "crawl")))
