"""Run crawls: in this process (:func:`run_crawl`) or in a child process (:func:`crawl_in_subprocess`).

Scrapy's reactor cannot be restarted within one process, so :func:`run_crawl` may
run once per process; it crawls several outlets at once in one ``CrawlerProcess``,
one ``Crawler`` (with that outlet's politeness settings) per outlet. Airflow tasks
and tests call :func:`crawl_in_subprocess`, which runs ``python -m crawler.run``
with a JSON :class:`CrawlRequest` on stdin and reads the JSON summary it prints on
its last line of stdout.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from core.errors import CrawlError
from core.registry import Outlet
from core.settings import Settings, get_settings, redact
from crawler.settings import scrapy_settings
from ingest.summary import RunSummary

__all__ = ["CrawlRequest", "crawl_in_subprocess", "run_crawl"]

#: Loggers held at the crawl's log level (a record below it is never built).
LEVELLED_LOGGERS: tuple[str, ...] = ("scrapy", "twisted", "trafilatura", "htmldate", "courlan", "crawler", "extract",
                                     "archive")
def _settings_to_json(settings: Settings) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(settings).items()}


def _settings_from_json(data: dict[str, Any]) -> Settings:
    values: dict[str, Any] = {
        k: Path(v) if isinstance(getattr(Settings, k, None), Path) else v for k, v in data.items()
    }
    return Settings(**values)


@dataclass
class CrawlRequest:
    """Everything a crawl needs, as JSON (what ``python -m crawler.run`` reads)."""

    outlets: list[dict[str, Any]]
    archive_uri: str
    since: str | None = None
    until: str | None = None
    refresh_days: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    throttle: bool = True
    progress: bool = False

    @classmethod
    def build(cls, outlets: list[Outlet], archive_uri: str, *, since: date | None, until: date | None,
              refresh_days: int | None = None, settings: Settings | None = None,
              throttle: bool = True, progress: bool = False) -> CrawlRequest:
        return cls(
            outlets=[outlet.model_dump(mode="json") for outlet in outlets],
            archive_uri=archive_uri,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            refresh_days=refresh_days,
            settings=_settings_to_json(settings or get_settings()),
            throttle=throttle,
            progress=progress,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> CrawlRequest:
        return cls(**json.loads(text))

    def run(self) -> list[RunSummary]:
        return run_crawl(
            [Outlet.model_validate(o) for o in self.outlets],
            self.archive_uri,
            since=date.fromisoformat(self.since) if self.since else None,
            until=date.fromisoformat(self.until) if self.until else None,
            refresh_days=self.refresh_days,
            settings=_settings_from_json(self.settings) if self.settings else None,
            throttle=self.throttle,
            progress=self.progress,
        )


def run_crawl(
    outlets: list[Outlet],
    archive_uri: str,
    *,
    since: date | None,
    until: date | None,
    refresh_days: int | None = None,
    settings: Settings | None = None,
    progress: bool = False,
    throttle: bool = True,
) -> list[RunSummary]:
    """Crawl ``outlets`` into the archive at ``archive_uri``; one summary per outlet, in order.

    Runs a Twisted reactor: call it at most once per process (see :func:`crawl_in_subprocess`).
    Holds each outlet's crawl lease meanwhile: raises :class:`~core.errors.LeaseHeldError`
    when another crawl of one of the outlets is running.
    ``throttle=False`` turns AutoThrottle and delays off (loopback tests and benchmarks).
    """
    from scrapy.crawler import Crawler, CrawlerProcess

    from archive import Archive
    from crawler.spiders.news import NewsSpider
    from ingest.plan import build_plan

    settings = settings or get_settings()
    archive = Archive.open(archive_uri, settings)
    # Progress comes from crawler.progress (a rich display on a terminal, plain lines otherwise);
    # Scrapy's own INFO lines would only tear through that display.
    log_level = "WARNING"
    crawlers: list[Crawler] = []
    from crawler.resolver import private_hosts

    allowed_private = private_hosts(d for o in outlets if o.allow_private_addresses for d in o.allowed_domains)
    process = CrawlerProcess({
        "LOG_LEVEL": log_level,
        "TWISTED_DNS_RESOLVER": "crawler.resolver.PublicAddressResolver",
        "NEWSARCHIVE_PRIVATE_HOSTS": list(allowed_private),
    })
    # Scrapy's root handler filters by level only when a record is emitted; below the crawl's level,
    # records are not even created (Scrapy and trafilatura log every page at DEBUG).
    for name in LEVELLED_LOGGERS:
        logging.getLogger(name).setLevel(log_level)
    for number, outlet in enumerate(outlets):
        plan = build_plan(archive, outlet, since=since, until=until, refresh_days=refresh_days,
                          settings=settings, throttle=throttle)
        conf = scrapy_settings(outlet, settings, throttle=throttle)
        conf["LOG_LEVEL"] = log_level
        conf["NEWSARCHIVE_PROGRESS"] = "rich" if progress else "lines"
        crawler = Crawler(NewsSpider, conf, init_reactor=number == 0)
        crawlers.append(crawler)
        process.crawl(crawler, plan=plan)
    with ExitStack() as leases:
        # One crawl per outlet at a time, whichever machine or DAG started it (archive/lease.py).
        for outlet in outlets:
            leases.enter_context(archive.lease(outlet.id))
        process.start()
    summaries = []
    for crawler, outlet in zip(crawlers, outlets, strict=True):
        spider_summary = getattr(crawler.spider, "summary", None)
        if spider_summary is None:
            raise CrawlError(f"crawl of outlet {outlet.id!r} did not finish (see the log)")
        summaries.append(RunSummary.from_spider_summary(spider_summary))
    return summaries


def crawl_in_subprocess(
    outlets: list[Outlet],
    archive_uri: str,
    *,
    since: date | None,
    until: date | None,
    refresh_days: int | None = None,
    settings: Settings | None = None,
    progress: bool = False,
    throttle: bool = True,
    env: dict[str, str] | None = None,
    timeout_s: float | None = None,
) -> list[RunSummary]:
    """:func:`run_crawl` in a fresh ``python -m crawler.run`` process; its summaries parsed back."""
    request = CrawlRequest.build(outlets, archive_uri, since=since, until=until, refresh_days=refresh_days,
                                 settings=settings, throttle=throttle, progress=progress)
    child_env = {**os.environ, **(env or {})}
    root = str(Path(__file__).resolve().parent.parent)
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (root, child_env.get("PYTHONPATH", "")) if p)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "crawler.run", "-"],
            input=request.to_json(),
            capture_output=True,
            text=True,
            env=child_env,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CrawlError(f"crawl did not finish within {timeout_s} s") from exc
    lines = completed.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        result = {}
    if completed.returncode != 0 or "summaries" not in result:
        detail = result.get("error") or completed.stderr.strip()[-2000:] or f"exit code {completed.returncode}"
        raise CrawlError(f"crawl subprocess failed: {redact(detail)}")
    return [RunSummary.from_dict(item) for item in result["summaries"]]
