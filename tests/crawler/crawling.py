"""Helpers for the end-to-end crawl tests: a real crawl (in a subprocess) of an outlet server into a local archive."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from archive import Archive, ArticleRecord
from core.registry import Outlet
from core.settings import Settings
from core.urls import canonical_url
from ingest import RunSummary
from newsarchive.jobs import JobRequest, run_job
from outlet_server import ArticleSpec, OutletServer

WIDE_OPEN = (date(2026, 1, 1), date(2026, 12, 31))


@dataclass
class CrawlResult:
    summary: RunSummary
    archive_dir: Path
    requests: list[Any]  # the server's request log during this crawl

    @property
    def stats(self) -> dict[str, Any]:
        return self.summary.stats

    def records(self, *, all_versions: bool = False) -> list[ArticleRecord]:
        with Archive.open(str(self.archive_dir)) as archive:
            return list(archive.iter_records(all_versions=all_versions))

    def requested_paths(self) -> Counter[str]:
        """GET requests per path (query and fragment ignored), retries included."""
        return Counter(r.path.split("?", 1)[0].split("#", 1)[0] for r in self.requests if r.method == "GET")

    def warc_requests(self) -> list[dict[str, str]]:
        """WARC-Target-URI and User-Agent of every request record in the archive's WARC files."""
        found = []
        for path in sorted(self.archive_dir.rglob("*.warc.gz")):
            with open(path, "rb") as stream:
                for record in ArchiveIterator(stream):
                    if record.rec_type == "request":
                        found.append({
                            "uri": record.rec_headers.get_header("WARC-Target-URI"),
                            "user_agent": record.http_headers.get_header("User-Agent") if record.http_headers else "",
                        })
        return found

    def warc_responses(self) -> Counter[tuple[str, int]]:
        """(path, HTTP status) of every response record in the archive's WARC files."""
        found: Counter[tuple[str, int]] = Counter()
        for path in sorted(self.archive_dir.rglob("*.warc.gz")):
            with open(path, "rb") as stream:
                for record in ArchiveIterator(stream):
                    if record.rec_type == "response" and record.http_headers is not None:
                        uri = record.rec_headers.get_header("WARC-Target-URI")
                        found[urlsplit(uri).path, int(record.http_headers.get_statuscode())] += 1
        return found

    def warc_captures(self) -> list[Capture]:
        """Every response record of the archive's WARC files, with its request record's target URI."""
        responses: dict[str, Capture] = {}
        requested: dict[str, str] = {}
        for path in sorted(self.archive_dir.rglob("*.warc.gz")):
            with open(path, "rb") as stream:
                for record in ArchiveIterator(stream):
                    headers = record.rec_headers
                    if record.rec_type == "request":
                        requested[headers.get_header("WARC-Concurrent-To")] = headers.get_header("WARC-Target-URI")
                    elif record.rec_type == "response" and record.http_headers is not None:
                        responses[headers.get_header("WARC-Record-ID")] = Capture(
                            uri=headers.get_header("WARC-Target-URI"),
                            status=int(record.http_headers.get_statuscode()),
                            location=record.http_headers.get_header("Location"),
                        )
        for record_id, found in responses.items():
            found.request_uri = requested.get(record_id)
        return list(responses.values())

    def manifest(self) -> dict[str, Any]:
        """The manifest of the crawl's run (the archive holds one run)."""
        (path,) = self.archive_dir.glob("runs/*/*/manifest.json")
        return dict(json.loads(path.read_text()))


@dataclass
class Capture:
    """One response record of a WARC file, and the target URI of the request record written with it."""

    uri: str
    status: int
    location: str | None
    request_uri: str | None = None


def identity(server: OutletServer, article: ArticleSpec) -> str:
    return canonical_url(server.url(article))


def crawl(
    server: OutletServer,
    archive_dir: Path,
    *,
    window: tuple[date | None, date | None] = WIDE_OPEN,
    outlet_overrides: dict[str, Any] | None = None,
    throttle: bool = False,
    refresh_days: int | None = None,
    **settings: Any,
) -> CrawlResult:
    """Crawl ``server`` into ``archive_dir`` through ``python -m newsarchive.jobs``; the server log is reset first."""
    outlet = Outlet.model_validate(server.outlet_yaml(**(outlet_overrides or {})))
    config = Settings(spool_dir=archive_dir.parent / f"{archive_dir.name}-spool", **settings)
    server.reset_log()
    request = JobRequest.build("crawl", [outlet], str(archive_dir), since=window[0], until=window[1],
                               settings=config, refresh_days=refresh_days, throttle=throttle)
    (summary,) = run_job(request, timeout_s=300)
    return CrawlResult(summary, archive_dir, server.requests)


def adds_up(stats: dict[str, Any]) -> bool:
    outcomes = stats["articles_archived"] + stats["discovery_documents"] + sum(stats["skipped"].values())
    return sum(stats["discovered_by_source"].values()) == stats["discovered"] == outcomes
