"""Backfill from the local Archive into a real archive, through the live crawler's ingest path.

The outlet server serves the demo corpus with some articles gone (404/410); the fake Archive
holds the outlet's history (tests.fixtures.wayback.record_history): every article, some only
findable through archived sitemaps, some first captured before a correction, some under a
tracking-variant URL, and sitemaps, feeds, home and section pages as they looked in the past.
Jannah and Newspaper articles carry the outlet's template line (``outlet_server.TEMPLATE_LINES``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from core.registry import Outlet
from core.settings import Settings
from core.urls import canonical_url
from history.wayback import RetryPolicy, WaybackUnavailable, backfill_from_wayback
from ingest.tally import CrawlTally
from ingest.templates import saved_template_lines
from newsarchive.jobs import JobRequest, run_job
from outlet_server import TEMPLATE_LINES, Corpus, Faults, OutletServer
from tests.fixtures.wayback import CORRECTION, OutletHistory, record_history
from tests.fixtures.wayback_server import ArchivedCapture, WaybackServer

SINCE, UNTIL = date(2026, 10, 1), date(2026, 10, 31)
FAST = RetryPolicy(max_retries=3, backoff_base_s=0.02, backoff_max_s=0.1)


@pytest.fixture(scope="module")
def live_outlet(outlet_corpus: Corpus) -> Iterator[OutletServer]:
    """The outlet today: some articles are gone (they live on only in the Archive)."""
    with OutletServer(outlet_corpus, faults=Faults(gone=True), host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture(scope="module")
def history(outlet_corpus: Corpus, live_outlet: OutletServer) -> OutletHistory:
    return record_history(outlet_corpus, live_outlet.base_url, since=SINCE, until=UNTIL)


@pytest.fixture
def archive_of_the_past(history: OutletHistory) -> Iterator[WaybackServer]:
    with WaybackServer(history.captures) as server:
        yield server


@pytest.fixture
def outlet(live_outlet: OutletServer) -> Outlet:
    return Outlet.model_validate(live_outlet.outlet_yaml(id="demo"))


def in_window(corpus: Corpus) -> set[str]:
    return {
        canonical_url(article_url)
        for article in corpus.articles
        if SINCE <= article.published.astimezone(corpus.tz).date() <= UNTIL
        for article_url in [f"http://x{article.path}"]
    }


def paths(urls: set[str]) -> set[str]:
    return {u.split("/", 3)[3] for u in urls}


def settings_for(tmp_path: Path) -> Settings:
    return Settings(spool_dir=tmp_path / "spool", wayback_cdx_per_minute=6000, wayback_replay_per_minute=60000)


def backfill(outlet: Outlet, archive_dir: Path, wayback: WaybackServer, tmp_path: Path, **kwargs: Any) -> Any:
    return backfill_from_wayback(
        outlet, str(archive_dir), SINCE, UNTIL, wayback_url=wayback.base_url, settings=settings_for(tmp_path),
        state_dir=tmp_path / "state", retry=FAST, **kwargs,
    )


def records(archive_dir: Path, tmp_path: Path, **filters: Any) -> list[Any]:
    return list(Archive.open(str(archive_dir), settings_for(tmp_path)).iter_records(outlet="demo", **filters))


def test_backfill_archives_every_article_of_the_window_once(
    outlet: Outlet, outlet_corpus: Corpus, history: OutletHistory, archive_of_the_past: WaybackServer, tmp_path: Path
) -> None:
    summary = backfill(outlet, tmp_path / "archive", archive_of_the_past, tmp_path)
    stored = records(tmp_path / "archive", tmp_path)
    expected = in_window(outlet_corpus)
    assert paths({r.canonical_url for r in stored}) == paths(expected)
    assert len(stored) == len(expected) == summary.archived and summary.versions == 0
    assert all(r.source == "wayback" and r.snapshot_timestamp and len(r.snapshot_timestamp) == 14 for r in stored)
    # the record keeps the article's own URL (never the Archive's), and its raw capture points into the WARC
    assert all(r.url.startswith(outlet.base_url) and r.raw["warc_file"] for r in stored)
    # articles the CDX HTML filter misses (no Content-Type) were found through archived sitemaps
    unlisted = {canonical_url(f"http://x{a.path}") for a in history.unlisted} & expected
    assert unlisted and paths(unlisted) <= paths({r.canonical_url for r in stored})
    by_source = summary.stats["discovered_by_source"]
    assert sum(by_source[s] for s in ("sitemap", "news_sitemap", "feed", "section")) >= len(unlisted)
    # earliest snapshot by default: the pre-correction text
    corrected = {a.title for a in history.corrected if canonical_url(f"http://x{a.path}") in expected}
    assert corrected and all(CORRECTION in r.text for r in stored if r.title in corrected)
    # out-of-window articles were never fetched: their URL dates ruled them out
    replayed = [p for _t, kind, p, _s in archive_of_the_past.requests if kind == "replay"]
    assert not any("/2026/09/" in p.split("id_/", 1)[1] for p in replayed)
    assert summary.stats["requests_saved_by_window"] > 0
    assert CrawlTally.adds_up(summary.stats)
    assert summary.stats["skipped"]["robots"] > 0  # /private/ is disallowed by the archived robots.txt
    assert not any("/private/" in p for p in replayed)
    assert summary.failed == 0 and summary.committed and summary.run_id and not summary.stats["wayback"]["resumed"]


def test_no_duplicates_with_live_captures(
    outlet: Outlet, outlet_corpus: Corpus, history: OutletHistory, live_outlet: OutletServer,
    archive_of_the_past: WaybackServer, tmp_path: Path
) -> None:
    archive_dir = tmp_path / "archive"
    request = JobRequest.build("crawl", [outlet], str(archive_dir), since=SINCE, until=UNTIL,
                               settings=settings_for(tmp_path), throttle=False)
    [live] = run_job(request, timeout_s=300)
    live_urls = {r.canonical_url for r in records(archive_dir, tmp_path)}
    assert live.archived == len(live_urls) > 0

    summary = backfill(outlet, archive_dir, archive_of_the_past, tmp_path)
    every_version = records(archive_dir, tmp_path, all_versions=True)
    per_article = Counter(r.canonical_url for r in every_version)
    expected = in_window(outlet_corpus)
    corrected = {r.canonical_url for r in every_version if CORRECTION in r.text}
    assert paths(set(per_article)) == paths(expected)
    # same text as the live capture: not stored again; a differing text: a second version
    assert {u for u, n in per_article.items() if n == 2} == corrected & live_urls
    assert all(n == 1 for u, n in per_article.items() if u not in corrected)
    assert summary.stats["wayback"]["snapshot_outcomes"]["duplicate"] == len(live_urls - corrected)
    assert summary.versions == len(corrected & live_urls)
    gone = {r.canonical_url for r in every_version if r.source == "wayback" and r.version == 1}
    assert gone == set(per_article) - live_urls  # only the articles the outlet deleted are new
    # the pre-correction snapshot, though ingested after the live capture, is the older version:
    # the latest (what download hands out) is the corrected live text, and it lists both versions
    latest = {r.canonical_url: r for r in records(archive_dir, tmp_path)}
    for url in corrected & live_urls:
        assert latest[url].source == "live" and CORRECTION not in latest[url].text and latest[url].version == 1
        assert [v["version"] for v in latest[url].versions] == [2, 1]


def test_backfill_learns_the_outlets_template_lines(
    outlet: Outlet, outlet_corpus: Corpus, archive_of_the_past: WaybackServer, tmp_path: Path
) -> None:
    # No earlier run: the English line is learned from the snapshots (most of the window's English
    # articles carry it), and removed from every record, the ones read before it was learned too.
    line = TEMPLATE_LINES["en"]
    templated = {
        canonical_url(f"http://x{a.path}") for a in outlet_corpus.articles
        if a.language == "en" and a.theme in ("jannah", "newspaper") and not a.is_seed
        and SINCE <= a.published.astimezone(outlet_corpus.tz).date() <= UNTIL
    }
    archive_dir = tmp_path / "archive"
    first = backfill(outlet, archive_dir, archive_of_the_past, tmp_path)
    stored = records(archive_dir, tmp_path)
    assert first.archived == len(stored) > len(templated) > 4
    assert [r.canonical_url for r in stored if line in r.text] == []
    removed = {r.canonical_url for r in stored if line in r.extraction.get("template_lines_removed", [])}
    assert paths(removed) == paths(templated)
    with Archive.open(str(archive_dir), settings_for(tmp_path)) as archive:
        assert saved_template_lines(archive, "demo") == {"en": [line]}

    # The same snapshots again (a fresh checkpoint): the same texts, so nothing is stored.
    again = backfill(outlet, archive_dir, archive_of_the_past, tmp_path / "again")
    outcomes = again.stats["wayback"]["snapshot_outcomes"]
    assert again.archived == again.versions == 0 and again.failed == 0
    assert outcomes == {"duplicate": first.stats["wayback"]["snapshot_outcomes"]["new"]}
    assert len(records(archive_dir, tmp_path, all_versions=True)) == len(stored)


def test_pick_all_keeps_every_distinct_text_as_versions(
    outlet: Outlet, history: OutletHistory, archive_of_the_past: WaybackServer, tmp_path: Path
) -> None:
    summary = backfill(outlet, tmp_path / "archive", archive_of_the_past, tmp_path, pick="all")
    every_version = records(tmp_path / "archive", tmp_path, all_versions=True)
    two = {r.canonical_url for r in every_version if r.version == 2}
    assert two and summary.versions == len(two)
    latest = records(tmp_path / "archive", tmp_path)
    assert not any(CORRECTION in r.text for r in latest if r.canonical_url in two)


def test_interrupted_backfill_resumes_without_starting_over(
    outlet: Outlet, archive_of_the_past: WaybackServer, tmp_path: Path
) -> None:
    # The same batches as below: a batch's records lose the template lines learned by the batch's end.
    full = backfill(outlet, tmp_path / "reference", archive_of_the_past, tmp_path / "ref-state", batch_size=5)
    full_replays = full.stats["wayback"]["http"]["requests"]["replay"]
    archive_of_the_past.reset_log()

    archive_of_the_past.faults.replay_outage_after = full_replays - 12
    with pytest.raises(WaybackUnavailable):
        backfill(outlet, tmp_path / "archive", archive_of_the_past, tmp_path, batch_size=5)
    interrupted = records(tmp_path / "archive", tmp_path)
    assert 0 < len(interrupted) < full.archived  # committed batches survive the outage

    archive_of_the_past.faults.replay_outage_after = None
    archive_of_the_past.reset_log()
    resumed = backfill(outlet, tmp_path / "archive", archive_of_the_past, tmp_path, batch_size=5)
    assert not [r for r in archive_of_the_past.requests if r[1] == "cdx"]  # the CDX walk was not redone
    replays = [r for r in archive_of_the_past.requests if r[1] == "replay"]
    assert len(replays) <= 12 + 5  # what the outage cut off, plus at most the uncommitted batch
    assert resumed.stats["skipped"]["known"] >= len(interrupted) and resumed.stats["wayback"]["resumed"]
    final = records(tmp_path / "archive", tmp_path)
    reference = records(tmp_path / "reference", tmp_path / "ref-state")
    assert sorted(r.canonical_url for r in final) == sorted(r.canonical_url for r in reference)
    assert sorted(r.sha256 for r in final) == sorted(r.sha256 for r in reference)


def test_error_pages_and_outages_are_counted_not_fatal(
    outlet: Outlet, outlet_corpus: Corpus, archive_of_the_past: WaybackServer, tmp_path: Path
) -> None:
    in_october = sorted(
        (a for a in outlet_corpus.articles if SINCE <= a.published.astimezone(outlet_corpus.tz).date() <= UNTIL),
        key=lambda a: a.post_id,
    )
    broken, hidden = in_october[1], in_october[2]
    faults = archive_of_the_past.faults
    faults.error_page_urls.add(f"{outlet.base_url.rstrip('/')}{broken.path}")
    faults.excluded_urls.add(f"{outlet.base_url.rstrip('/')}{hidden.path}")
    faults.cdx_429, faults.retry_after, faults.cdx_truncated, faults.replay_503 = 1, "0", 1, 2
    summary = backfill(outlet, tmp_path / "archive", archive_of_the_past, tmp_path)
    stored = {r.title for r in records(tmp_path / "archive", tmp_path)}
    assert broken.title not in stored and hidden.title not in stored
    assert summary.stats["wayback"]["replay_failures"]["error_page"] == 1
    assert summary.stats["wayback"]["cdx_truncated"] == 1
    assert summary.archived == len(in_window(outlet_corpus)) - 2
    assert summary.failed >= 1 and CrawlTally.adds_up(summary.stats)


def _article_capture(site: str, day: int, number: int, extra: str = "") -> ArchivedCapture:
    """A small dated article page as the Archive captured it (hand-written for this test)."""
    url = f"{site}/2026/10/{day:02d}/story-{number}/"
    prose = " ".join(f"Sentence {k} of story {number} tells what the council decided on day {day}." for k in range(12))
    body = (
        f"<html><head><title>Story {number}</title>"
        f'<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="2026-10-{day:02d}T09:00:00+00:00">'
        f"</head><body><article><h1>Story {number}</h1><p>{prose}</p>{extra}"
        f"<p>Closing words of story {number}, with more to tell about the council and its vote.</p>"
        f"</article></body></html>"
    ).encode()
    return ArchivedCapture(url=url, timestamp=f"202610{day:02d}120000", body=body)


def test_a_line_on_the_first_batch_only_is_no_template_and_stays_in_its_records(tmp_path: Path) -> None:
    # Captures are read by time in batches of 5. A series' subheading is on 4 of the first 5 articles (enough
    # for a template line judged on them) and on none of the 12 others: it is no template, and the four
    # records committed with the first batch keep it. Before, the first batch removed it for good.
    site = "https://series.example"
    subheading = "What happens next"
    captures = [
        _article_capture(site, day, day, f"<h2>{subheading}</h2><p>Part {day} of the series continues.</p>"
                         if day <= 4 else "")
        for day in range(1, 18)
    ]
    outlet = Outlet.model_validate({"id": "series", "name": "Series Example", "base_url": f"{site}/",
                                    "language": "en", "timezone": "UTC"})
    with WaybackServer(captures) as wayback:
        summary = backfill_from_wayback(
            outlet, str(tmp_path / "archive"), date(2026, 10, 1), date(2026, 10, 31), wayback_url=wayback.base_url,
            settings=Settings(spool_dir=tmp_path / "spool", wayback_cdx_per_minute=6000,
                              wayback_replay_per_minute=60000, template_min_pages=4),
            state_dir=tmp_path / "state", retry=FAST, batch_size=5,
        )
    with Archive.open(str(tmp_path / "archive"), settings_for(tmp_path)) as archive:
        stored = {r.url.rsplit("/", 2)[-2]: r for r in archive.iter_records(outlet="series")}
    assert summary.archived == len(stored) == 17
    assert {slug for slug, r in stored.items() if subheading in r.text} == {f"story-{n}" for n in range(1, 5)}
