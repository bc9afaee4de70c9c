"""Outlet faults at scale (issue 9, point 3): 2,000 articles, one in twenty hit by each per-article fault
(gone, flaky 5xx, slow, 429 with Retry-After, wrong charset) and every site-wide trap of the crawl issue on
at once (redirect loops, private redirects, gzip bombs, a 25 MB page, broken and entity-bomb sitemaps,
tracking variants, binary and offsite links). The run completes, archives every live article exactly
once, and its stats account for every URL it discovered.

``no_sitemaps_no_feeds`` stays off: with it on the sitemap traps would never be fetched (the link-mode
crawl of every fault is covered by ``tests/crawler/test_faults.py`` on 500 articles).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from archive import Archive
from core.registry import Outlet
from core.settings import Settings
from core.urls import canonical_url
from ingest import CrawlTally
from outlet_server import ArticleSpec, Faults, OutletServer, build_corpus
from tests.reliability.harness import FIGURES, crawl

pytestmark = pytest.mark.slow

ARTICLES = 2_000
EVERY = 20  # each per-article fault hits one article in twenty: 5%
WINDOW = (date(2026, 1, 1), date(2026, 12, 31))


def test_two_thousand_articles_with_every_fault_at_five_percent(tmp_path: Path) -> None:
    corpus = build_corpus(seed=13, n_articles=ARTICLES)
    faults = Faults.all(every=EVERY, no_sitemaps_no_feeds=False)
    with OutletServer(corpus, faults=faults) as server:
        outlet = Outlet.model_validate(server.outlet_yaml())
        summary = crawl(outlet, str(tmp_path / "archive"), window=WINDOW, settings=Settings(spool_dir=tmp_path / "spool"),
                        env={}, logs=tmp_path / "logs")
        served = server.requests
        live = server.live_articles(*WINDOW)
    stats = summary.stats
    assert summary.committed and stats["close_reason"] == "finished"
    # A 25 MB page and gzip bombs inflating to 128 MiB were met: the crawl's memory stayed bounded.
    assert stats["peak_rss"] < 500 * 2**20, f"peak RSS {stats['peak_rss'] / 2**20:.0f} MiB"

    # Every URL accounted for: discovered once, one outcome each.
    assert CrawlTally.adds_up(stats) and stats["discovered"] == sum(stats["discovered_by_source"].values())
    assert stats["requests"] == len(served), "every request the outlet saw is counted"

    # Every live article exactly once, nothing else.
    with Archive.open(str(tmp_path / "archive")) as archive:
        archived = [r.canonical_url for r in archive.iter_records(all_versions=True)]
    expected = sorted(canonical_url(server.url(a)) for a in live)
    assert FIGURES.account(expected, archived) == [], "no live article lost"
    assert len(archived) == len(set(archived)) == stats["articles_archived"]
    assert sorted(archived) == expected

    # The faults were met, at about the rate planned, and each has its reason.
    def hit(kind: str) -> list[ArticleSpec]:
        return [a for a in corpus.articles if faults.affects(kind, a)]

    faulty = [r for r in served if r.status != 200]
    assert 0.04 <= len(faulty) / len(served) <= 0.25, f"{len(faulty)} faulty responses of {len(served)}"
    delayed_or_misdeclared = {a.path for kind in ("slow", "wrong_charset") for a in hit(kind)}
    FIGURES.faults_injected["outlet error response"] += len(faulty)
    FIGURES.faults_injected["outlet slow or mis-declared page"] += sum(
        1 for r in served if r.status == 200 and r.path in delayed_or_misdeclared)
    skipped = stats["skipped"]
    assert skipped["gone"] >= len(hit("gone")) >= ARTICLES // EVERY - 1  # the seed article is never hit
    assert stats["responses_by_status"]["503"] == 2 * len(hit("flaky_5xx")), "two flaky hits each, then OK"
    assert stats["responses_by_status"]["429"] == len(hit("rate_limit_429"))
    assert stats["retry_after_honoured"] >= len(hit("rate_limit_429"))
    assert skipped["too_large"] >= 3 and skipped["redirect_loop"] >= 1 and skipped["private_address"] >= 1
    assert stats["malformed_documents"]["xml"] >= 2
    assert skipped["error"] == 0 and skipped["http_error"] == 0 and skipped["timeout"] == 0
