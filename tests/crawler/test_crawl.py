"""End-to-end crawls of the outlet server on 127.0.0.1 (issue 3, points 1-6 and 8), each in a subprocess.

The fault-free session server is crawled once into a module archive; the incremental and
refresh crawls reuse that archive. Tests that need faults start a server of their own.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from core.urls import canonical_url
from outlet_server import Corpus, OutletServer, build_corpus
from tests.crawler.crawling import CrawlResult, adds_up, crawl, identity

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("crawl") / "archive"


@pytest.fixture(scope="module")
def first_crawl(outlet_server: OutletServer, archive_dir: Path) -> CrawlResult:
    return crawl(outlet_server, archive_dir)


def test_every_article_archived_once_from_every_surface(first_crawl: CrawlResult, outlet_server: OutletServer,
                                                         outlet_corpus: Corpus) -> None:
    expected = {identity(outlet_server, a) for a in outlet_corpus.articles}
    records = first_crawl.records(all_versions=True)
    assert sorted(r.canonical_url for r in records) == sorted(expected)
    stats = first_crawl.stats
    assert first_crawl.summary.archived == len(expected) and first_crawl.summary.committed
    found = stats["discovered_by_source"]
    assert found["robots"] >= 1, "sitemaps found through robots.txt"
    # Each URL is credited to the surface that reached it first, so which of them wins a given article depends
    # on response order; what does not is that every surface was read and the sitemaps credited with some.
    assert found["sitemap"] > 0
    fetched = {r.path for r in first_crawl.requests if r.status == 200}
    assert {"/news-sitemap.xml", "/feed/"} <= fetched, "news sitemap and feed read"
    assert any(p.startswith("/category/") and "/page/" in p for p in fetched), "paginated sections read"
    assert stats["link_mode"] is False
    assert adds_up(stats)
    assert stats["requests"] == len(first_crawl.requests), "every request counted, as the server saw them"
    assert sum(stats["responses_by_status"].values()) == stats["requests"]
    assert stats["bytes"] > 0 and stats["seconds"] > 0


def test_nothing_but_articles_and_nothing_disallowed(first_crawl: CrawlResult, outlet_corpus: Corpus) -> None:
    non_articles = {p.split("?")[0] for p in outlet_corpus.non_article_paths()}
    archived_paths = {canonical_url(r.url).split("/", 3)[3] for r in first_crawl.records()}
    assert not {p.strip("/") for p in non_articles} & {p.strip("/") for p in archived_paths}
    assert not [p for p in first_crawl.requested_paths() if p.startswith("/private/")]
    assert first_crawl.stats["skipped"]["robots"] >= 1, "the disallowed preview link is counted"
    assert first_crawl.stats["skipped"]["not_article"] >= len(outlet_corpus.by_section)
    assert not [p for p in first_crawl.requested_paths() if p.startswith(("/calendar/", "/tag/", "/author/"))]


def test_robots_txt_fetched_once(first_crawl: CrawlResult) -> None:
    # Scrapy's robots.txt rules and the spider's Sitemap lines come from the same response.
    assert first_crawl.requested_paths()["/robots.txt"] == 1
    assert first_crawl.stats["discovered_by_source"]["robots"] >= 1
    assert first_crawl.stats["skipped"]["robots"] >= 1
    assert first_crawl.warc_responses()["/robots.txt", 200] == 1


def test_second_crawl_fetches_discovery_pages_only(first_crawl: CrawlResult, outlet_server: OutletServer,
                                                   outlet_corpus: Corpus, archive_dir: Path) -> None:
    # Every sitemap and feed read again (an outlet without validators): the conditional path is test_conditional's.
    again = crawl(outlet_server, archive_dir, conditional_discovery=False)
    article_paths = {a.path for a in outlet_corpus.articles}
    assert not set(again.requested_paths()) & article_paths
    assert again.summary.archived == 0
    assert again.stats["skipped"]["known"] == len(article_paths)
    assert again.requests, "discovery pages were fetched"
    assert adds_up(again.stats)


def test_refresh_refetches_recent_articles_without_new_versions(
    first_crawl: CrawlResult, outlet_server: OutletServer, outlet_corpus: Corpus, archive_dir: Path,
) -> None:
    refreshed = crawl(outlet_server, archive_dir, refresh_days=3650)
    assert {a.path for a in outlet_corpus.articles} <= set(refreshed.requested_paths())
    assert refreshed.summary.archived == 0, "unchanged texts are not new versions"
    assert refreshed.stats["skipped"]["duplicate"] == len(outlet_corpus.articles)


def test_date_window_skips_out_of_window_urls_before_fetching(outlet_server: OutletServer, outlet_corpus: Corpus,
                                                              tmp_path: Path) -> None:
    since, until = date(2026, 10, 1), date(2026, 10, 31)
    result = crawl(outlet_server, tmp_path / "archive", window=(since, until))
    inside = [a for a in outlet_corpus.articles if since <= a.published.astimezone(outlet_corpus.tz).date() <= until]
    outside = [a for a in outlet_corpus.articles if a not in inside]
    assert inside and outside
    assert sorted(r.canonical_url for r in result.records()) == sorted(identity(outlet_server, a) for a in inside)
    requested = result.requested_paths()
    assert not [a.path for a in outside if a.path in requested], "out-of-window articles are never requested"
    assert result.stats["requests_saved_by_window"] >= len(outside)
    assert result.stats["skipped"]["out_of_window"] >= len(outside)
    assert result.stats["window"] == {"since": "2026-10-01", "until": "2026-10-31"}
    assert adds_up(result.stats)


def test_article_reachable_by_many_urls_is_fetched_once(make_outlet_server, outlet_corpus: Corpus,
                                                        tmp_path: Path) -> None:
    server = make_outlet_server(tracking_variants=True)
    result = crawl(server, tmp_path / "archive")
    requested = result.requested_paths()
    fetched = {a.path: requested[a.path] + requested[a.path.rstrip("/")] for a in outlet_corpus.articles}
    assert set(fetched.values()) == {1}, "each article fetched exactly once"
    records = result.records(all_versions=True)
    assert len(records) == len({r.canonical_url for r in records}) == len(outlet_corpus.articles)


def test_outlet_without_sitemaps_or_feeds_is_crawled_by_links(make_outlet_server, outlet_corpus: Corpus,
                                                              tmp_path: Path) -> None:
    server = make_outlet_server(no_sitemaps_no_feeds=True)
    result = crawl(server, tmp_path / "archive")
    assert result.stats["link_mode"] is True
    assert result.stats["discovered_by_source"]["sitemap"] == result.stats["discovered_by_source"]["feed"] == 0
    assert sorted(r.canonical_url for r in result.records()) == sorted(
        identity(server, a) for a in outlet_corpus.articles
    )
    assert not [p for p in result.requested_paths() if p.startswith(("/private/", "/calendar/"))]
    assert adds_up(result.stats)


def test_private_addresses_refused_unless_the_outlet_allows_them(outlet_server: OutletServer,
                                                                 tmp_path: Path) -> None:
    result = crawl(outlet_server, tmp_path / "archive", outlet_overrides={"allow_private_addresses": False})
    assert result.requests == [], "not a single request reached 127.0.0.1"
    assert result.summary.archived == 0
    assert result.stats["skipped"]["private_address"] >= 1
    assert adds_up(result.stats)


def test_timeouts_are_counted_and_the_crawl_goes_on(make_outlet_server, outlet_corpus: Corpus,
                                                    tmp_path: Path) -> None:
    server = make_outlet_server(slow=10.0)
    slow = [a for a in outlet_corpus.articles if server.faults.affects("slow", a)]
    result = crawl(server, tmp_path / "archive", download_timeout_s=4.0, retry_times=0)
    assert slow
    assert result.stats["skipped"]["timeout"] == len(slow)
    assert result.summary.archived == len(outlet_corpus.articles) - len(slow)
    assert result.summary.failed == len(slow), result.summary.skipped


def test_politeness_user_agent_and_delay(outlet_server: OutletServer, tmp_path: Path) -> None:
    result = crawl(
        outlet_server, tmp_path / "archive", window=(date(2026, 11, 19), date(2026, 11, 20)), throttle=True,
        outlet_overrides={"rate": {"concurrency": 1, "delay_s": 0.3}, "sections": []},
        contact_url="https://archive.example/contact", concurrency=1,
    )
    requests = result.warc_requests()
    assert requests and all("https://archive.example/contact" in r["user_agent"] for r in requests)
    # One request at a time, at least half the delay apart (Scrapy's jitter is ±50%).
    assert result.stats["seconds"] >= (result.stats["requests"] - 1) * 0.3 * 0.5


def test_scheduled_default_window_starts_at_the_last_run_minus_overlap(first_crawl: CrawlResult,
                                                                        outlet_server: OutletServer,
                                                                        archive_dir: Path) -> None:
    from archive import Archive
    from core.registry import Outlet
    from core.settings import Settings
    from ingest.plan import build_plan

    settings = Settings(overlap_days=2, spool_dir=archive_dir.parent / "plan-spool")
    outlet = Outlet.model_validate(outlet_server.outlet_yaml())
    with Archive.open(str(archive_dir), settings) as archive:
        last = archive.index.last_successful_run(outlet.id)
        plan = build_plan(archive, outlet, since=None, until=None, settings=settings)
    assert last is not None
    assert plan.window.since == (last - timedelta(days=2)).date() and plan.window.until is None
    assert plan.known_urls == {r.canonical_url for r in first_crawl.records()}


def test_several_outlets_in_one_process(make_outlet_server, outlet_corpus: Corpus, tmp_path: Path) -> None:
    from core.registry import Outlet
    from core.settings import Settings
    from newsarchive.jobs import JobRequest, run_job

    small = build_corpus(seed=5, n_articles=12)
    first, second = make_outlet_server(), make_outlet_server(small)
    outlets = [Outlet.model_validate(first.outlet_yaml(id="first")),
               Outlet.model_validate(second.outlet_yaml(id="second", sections=[]))]
    request = JobRequest.build("crawl", outlets, str(tmp_path / "archive"), since=date(2026, 1, 1),
                               until=date(2026, 12, 31), settings=Settings(spool_dir=tmp_path / "spool"), throttle=False)
    summaries = run_job(request, timeout_s=300)
    assert [s.outlet_id for s in summaries] == ["first", "second"]
    assert [s.archived for s in summaries] == [len(outlet_corpus.articles), len(small.articles)]
    assert summaries[0].run_id != summaries[1].run_id and all(s.committed for s in summaries)


def test_refresh_turns_a_silent_edit_into_a_new_version(outlet_corpus: Corpus, tmp_path: Path) -> None:
    import copy

    edited_corpus = copy.deepcopy(outlet_corpus)
    edited = next(a for a in edited_corpus.articles if not a.is_seed)
    paragraphs, subheadings = edited.body()
    paragraphs[-1] += " (Corrected: the bridge reopens on Monday, not Sunday.)"
    edited._fixed_body = (tuple(paragraphs), frozenset(subheadings))

    with OutletServer(outlet_corpus, host="127.0.0.1", port=0) as original:
        port = original.port
        before = crawl(original, tmp_path / "archive")
    with OutletServer(edited_corpus, host="127.0.0.1", port=port) as silently_edited:
        after = crawl(silently_edited, tmp_path / "archive", refresh_days=3650)
    assert before.summary.archived == len(outlet_corpus.articles)
    assert after.summary.archived == after.summary.versions == 1
    assert after.stats["skipped"]["duplicate"] == len(outlet_corpus.articles) - 1
    versions = [r for r in after.records(all_versions=True) if r.url.endswith(edited.path)]
    assert sorted(r.version for r in versions) == [1, 2]
    assert "Corrected: the bridge reopens on Monday" in max(versions, key=lambda r: r.version).text
