"""Hostile outlets (issue 20): every crawl ends by itself, in bounded time and memory, keeping what it fetched.

Each case is a small hostile site of :mod:`tests.reliability.hostile_servers` on 127.0.0.1, crawled by a
real crawl child process (:mod:`tests.reliability.harness`, ``python -m newsarchive.jobs``) with small
budgets so that each case takes seconds. Each test asserts that the run ended by itself (the harness
waits a bounded time, then fails), the crawl child's peak RSS, what the archive committed, and the
run's stats: the reason counts and the budget recorded when one stopped the run.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.errors import ExitCode
from core.settings import Settings
from ingest import RunSummary
from ingest.summary import RunOutcome
from ingest.tally import CrawlTally
from tests.reliability.harness import FIGURES, crawl
from tests.reliability.hostile_servers import (
    ARTICLE_DAY,
    Answer,
    Case,
    HostileServer,
    article_html,
    hostile_server,
    sitemap_index,
    urlset,
)

WINDOW = (date(2026, 1, 1), date(2026, 12, 31))
#: Peak RSS of a crawl child that meets a hostile outlet (a plain crawl child takes ~150-200 MiB).
RSS_LIMIT = 400 * 2**20
#: Wall time a hostile case may take, end to end (the harness kills the child past it and fails).
CASE_TIMEOUT_S = 90
HTML = "text/html; charset=utf-8"
XML = "application/xml"


def _crawl(server: HostileServer, tmp_path: Path, *, env: dict[str, str] | None = None,
           outlet: dict[str, Any] | None = None, **settings: Any) -> RunSummary:
    config = Settings(spool_dir=tmp_path / "spool", **settings)
    summary = crawl(server.outlet(**(outlet or {})), str(tmp_path / "archive"), window=WINDOW, settings=config,
                    env=env or {}, logs=tmp_path / "logs")
    FIGURES.faults_injected[f"hostile {server.case.name}"] += 1
    assert summary.stats["peak_rss"] < RSS_LIMIT, f"peak RSS {summary.stats['peak_rss'] / 2**20:.0f} MiB"
    assert CrawlTally.adds_up(summary.stats), summary.stats
    return summary


def _stopped_by(summary: RunSummary, budget: str) -> None:
    """The run stopped at ``budget``, committed what it fetched, and says partial."""
    assert summary.stopped == f"budget:{budget}", (summary.stopped, summary.stats.get("budget"))
    assert summary.stats["budget"]["exhausted"] == budget
    assert summary.stats["close_reason"] == f"budget:{budget}"
    assert summary.committed, "what was fetched is committed"
    assert summary.outcome is RunOutcome.PARTIAL and summary.outcome.exit_code is ExitCode.PARTIAL


def _stderr_lines(tmp_path: Path) -> int:
    return sum(len(path.read_bytes().splitlines()) for path in (tmp_path / "logs").glob("*.stderr"))


# -- 1. sitemap fan-out -----------------------------------------------------------------------------

FANOUT = 10_000  # child indexes of /sitemap.xml, and sitemaps of each child index


def _fanout(server: HostileServer, path: str) -> Answer | None:
    base = server.base
    if path == "/sitemap.xml":
        return 200, XML, sitemap_index(f"{base}/index-{i}.xml" for i in range(FANOUT))
    if path.startswith("/index-"):
        i = path.removeprefix("/index-").removesuffix(".xml")
        return 200, XML, sitemap_index(f"{base}/sitemap-{i}-{j}.xml" for j in range(FANOUT))
    if path.startswith("/sitemap-"):
        key = path.removeprefix("/sitemap-").removesuffix(".xml")
        return 200, XML, urlset([f"{base}/{ARTICLE_DAY}/story-{key}-{n}/" for n in range(3)])
    if path.startswith(f"/{ARTICLE_DAY}/story-"):
        return 200, HTML, article_html(len(path)).encode()
    return None


FANOUT_CASE = Case("fanout", _fanout, robots="User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")


@pytest.mark.parametrize(("budget", "settings"), [
    ("sitemaps", {"crawl_max_sitemaps": 40}),
    ("sitemap_urls", {"crawl_max_sitemaps": 50_000, "crawl_max_sitemap_urls": 15_000}),
    ("pending", {"crawl_max_pending": 3_000}),
])
def test_sitemap_fan_out_stops_at_its_budget(budget: str, settings: dict[str, Any], tmp_path: Path) -> None:
    with hostile_server(FANOUT_CASE) as server:
        summary = _crawl(server, tmp_path, **settings)
        requested = len(server.seen)
    _stopped_by(summary, budget)
    assert requested < 1_000, f"{requested} requests to a fan-out stopped by its {budget} budget"
    assert summary.skipped.get("budget", 0) > 0, "the requests refused by the budget are counted"
    assert summary.stats["captures_by_role"].get("document", 0) >= 1, "the sitemaps fetched are in the WARC"
    assert _stderr_lines(tmp_path) < 200, "no warning line per queued URL"


# -- 2. ftp:// and s3:// entries on the outlet's own host ---------------------------------------------

def _schemes(server: HostileServer, path: str) -> Answer | None:
    host = f"127.0.0.1:{server.port}"
    if path == "/sitemap.xml":
        return 200, XML, urlset([*(f"{server.base}/{ARTICLE_DAY}/story-{n}/" for n in range(3)),
                                 f"ftp://{host}/{ARTICLE_DAY}/ftp-story/", f"s3://{host}/{ARTICLE_DAY}/s3-story/",
                                 "file:///etc/passwd", "data:text/html,hostile"])
    if path.startswith(f"/{ARTICLE_DAY}/story-"):
        return 200, HTML, article_html(int(path.rstrip("/")[-1])).encode()
    return None


SCHEMES_CASE = Case("schemes", _schemes, robots="User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")


def test_other_schemes_are_counted_and_never_requested(tmp_path: Path) -> None:
    with hostile_server(SCHEMES_CASE) as server:
        summary = _crawl(server, tmp_path)
    assert summary.stopped is None and summary.committed and summary.outcome is RunOutcome.OK
    assert summary.archived == 3, summary.skipped
    assert summary.skipped.get("unsupported_scheme") == 4, summary.skipped
    assert summary.failed == 0, summary.skipped


# -- 3. link-mode trap --------------------------------------------------------------------------------

def _trap(server: HostileServer, path: str) -> Answer | None:
    if path in ("/sitemap.xml", "/feed/") or path.startswith("/feed"):
        return None
    if path == "/" or path.startswith(("/page/", "/calendar/", f"/{ARTICLE_DAY}/")):
        key = abs(hash(path)) % 10**9
        links = "".join(f'<a href="/{ARTICLE_DAY}/trap-{key}-{n}/">Trap story {key} {n}</a>' for n in range(20))
        page = (f'{links}<a rel="next" href="/page/{key}/">next</a><a href="/calendar/{key}/">calendar</a>')
        if path.startswith(f"/{ARTICLE_DAY}/"):
            return 200, HTML, article_html(key).replace("</article>", f"</article><nav>{page}</nav>").encode()
        return 200, HTML, f"<html><body><h1>News</h1>{page}</body></html>".encode()
    return None


TRAP_CASE = Case("trap", _trap)


@pytest.mark.parametrize(("budget", "settings"), [
    ("requests", {"crawl_max_requests": 150}),
    ("time", {"crawl_max_seconds": 4.0}),
])
def test_link_mode_trap_ends_at_its_budget(budget: str, settings: dict[str, Any], tmp_path: Path) -> None:
    with hostile_server(TRAP_CASE) as server:
        summary = _crawl(server, tmp_path, max_depth=1_000, **settings)
    _stopped_by(summary, budget)
    assert summary.stats["link_mode"]
    assert summary.archived > 0, "the trap's pages fetched before the stop are kept"
    if budget == "requests":
        assert summary.stats["requests"] <= 150 + 16, "at most the requests in flight beyond the budget"
    assert summary.skipped.get("budget", 0) > 0, "what was queued is counted, not lost silently"


# -- 5. a page whose extraction takes minutes ---------------------------------------------------------

def _slow(server: HostileServer, path: str) -> Answer | None:
    if path == "/sitemap.xml":
        return 200, XML, urlset([f"{server.base}/{ARTICLE_DAY}/slow-story/",
                                 *(f"{server.base}/{ARTICLE_DAY}/story-{n}/" for n in range(3))])
    if path == f"/{ARTICLE_DAY}/slow-story/":
        paragraphs = "".join(f"<p>Line {n}.</p>" for n in range(200_000))  # ~90 s of extraction, unbounded
        return 200, HTML, article_html(9).replace("</article>", f"{paragraphs}</article>").encode()
    if path.startswith(f"/{ARTICLE_DAY}/story-"):
        return 200, HTML, article_html(int(path.rstrip("/")[-1])).encode()
    return None


SLOW_CASE = Case("slow_extraction", _slow, robots="User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")


def test_a_page_too_slow_to_extract_is_extract_timeout_and_stalls_nothing(tmp_path: Path) -> None:
    with hostile_server(SLOW_CASE) as server:
        summary = _crawl(server, tmp_path, extract_timeout_s=2.0)
    assert summary.outcome is RunOutcome.OK and summary.stopped is None
    assert summary.skipped.get("extract_timeout") == 1, summary.skipped
    assert summary.archived == 3, "the other pages are read"
    assert summary.stats["captures_by_role"].get("page") == 4, "the slow page's response is in the WARC"
    assert summary.seconds < 30, "the crawl did not wait for the slow page's extraction"


# -- 6. exotic charsets ----------------------------------------------------------------------------------

EXOTIC_CHARSETS = ("zlib", "rot13", "hex", "idna", "undefined")


def _charsets(server: HostileServer, path: str) -> Answer | None:
    if path == "/sitemap.xml":
        return 200, XML, urlset([f"{server.base}/{ARTICLE_DAY}/{charset}-story/" for charset in EXOTIC_CHARSETS])
    for number, charset in enumerate(EXOTIC_CHARSETS):
        if path == f"/{ARTICLE_DAY}/{charset}-story/":
            meta = '<meta http-equiv="refresh" content="30">'
            return 200, f"text/html; charset={charset}", article_html(number, charset_meta=meta).encode()
    return None


CHARSET_CASE = Case("charsets", _charsets, robots="User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")


def test_every_response_is_archived_whatever_its_declared_charset(tmp_path: Path) -> None:
    with hostile_server(CHARSET_CASE) as server:
        summary = _crawl(server, tmp_path)
    assert summary.outcome is RunOutcome.OK
    assert summary.stats["captures_by_role"].get("page") == len(EXOTIC_CHARSETS), summary.stats["captures_by_role"]
    assert summary.archived == len(EXOTIC_CHARSETS), summary.skipped
    assert summary.skipped.get("error", 0) == 0


# -- 9. a host refused at connect time -----------------------------------------------------------------

REBIND_SHIM = Path(__file__).parent / "rebind_shim"


def test_a_host_refused_by_the_resolver_is_private_address_and_not_retried(tmp_path: Path) -> None:
    """DNS rebinding, made deterministic by a shim (a real DNS server cannot be run here): ``rebound.test``
    answers a public address to the request middleware's lookup and 127.0.0.1 to the connection's."""
    with hostile_server(SCHEMES_CASE) as server:
        env = {"PYTHONPATH": str(REBIND_SHIM), "HOSTILE_REBIND_HOSTS": "rebound.test"}
        summary = _crawl(server, tmp_path, env=env, outlet={
            "base_url": f"http://rebound.test:{server.port}/", "allow_private_addresses": False})
        assert server.seen == [], "nothing reached the loopback server"
    assert summary.skipped.get("private_address", 0) >= 1, summary.skipped
    assert summary.skipped.get("error", 0) == 0, summary.skipped
    assert summary.stats["retries"] == 0


# -- 10. an article wrapped in 100,000 divs ---------------------------------------------------------------

def _deep(server: HostileServer, path: str) -> Answer | None:
    if path == "/sitemap.xml":
        return 200, XML, urlset([f"{server.base}/{ARTICLE_DAY}/deep-story/", f"{server.base}/{ARTICLE_DAY}/story-1/"])
    if path == f"/{ARTICLE_DAY}/deep-story/":
        return 200, HTML, article_html(0, wrapper=("<div>" * 100_000, "</div>" * 100_000)).encode()
    if path == f"/{ARTICLE_DAY}/story-1/":
        return 200, HTML, article_html(1).encode()
    return None


DEEP_CASE = Case("deep", _deep, robots="User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")


def test_an_article_nested_too_deep_is_a_counted_too_deep(tmp_path: Path) -> None:
    with hostile_server(DEEP_CASE) as server:
        summary = _crawl(server, tmp_path)
    assert summary.skipped.get("too_deep") == 1, summary.skipped
    assert summary.archived == 1
    assert summary.stats["captures_by_role"].get("page") == 2, "the deep page's response is in the WARC"

