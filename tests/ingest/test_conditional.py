"""When a run may trust the last run's validators (ingest.conditional): only when they stand for what it fetches."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.dates import DateWindow
from ingest.conditional import STATS_KEY, DiscoveryState

INDEX = "https://example.org/sitemap_index.xml"
CHILD = "https://example.org/sitemaps/posts-2026-10.xml"


def saved_stats(**overrides: object) -> dict[str, object]:
    stats: dict[str, object] = {
        "window": {"since": "2026-10-01", "until": None},
        "skipped": {"gone": 2, "error": 0, "http_error": 0},
        STATS_KEY: {"documents": {INDEX: {"etag": '"abc"', "last-modified": "Sun, 01 Nov 2026 10:00:00 GMT"},
                                  CHILD: {"lastmod": "2026-10-31T12:00:00+00:00"}},
                    "listings_add_articles": False},
    }
    stats.update(overrides)
    return stats


def test_validators_of_a_clean_run_covering_the_window_are_sent_back() -> None:
    state = DiscoveryState.from_stats(saved_stats(), DateWindow(date(2026, 10, 5), None), refresh_days=None)
    assert state.usable and not state.listings_add_articles
    assert state.request_headers(INDEX) == {"If-None-Match": '"abc"',
                                            "If-Modified-Since": "Sun, 01 Nov 2026 10:00:00 GMT"}
    assert state.request_headers("https://example.org/feed/") == {}


def test_a_run_with_failures_a_wider_window_or_refresh_discovers_everything() -> None:
    window = DateWindow(date(2026, 10, 5), None)
    failed = saved_stats(skipped={"error": 1})
    assert not DiscoveryState.from_stats(failed, window, refresh_days=None).usable
    assert not DiscoveryState.from_stats(saved_stats(), DateWindow(date(2026, 9, 1), None), refresh_days=None).usable
    bounded = saved_stats(window={"since": "2026-10-01", "until": "2026-10-31"})
    assert not DiscoveryState.from_stats(bounded, window, refresh_days=None).usable
    assert DiscoveryState.from_stats(bounded, DateWindow(date(2026, 10, 2), date(2026, 10, 30)),
                                     refresh_days=None).usable
    assert not DiscoveryState.from_stats(saved_stats(), window, refresh_days=3).usable
    assert not DiscoveryState.from_stats({"window": {}}, window, refresh_days=None).usable


def test_child_sitemaps_skipped_only_when_their_lastmod_is_not_newer_and_state_is_carried() -> None:
    state = DiscoveryState.from_stats(saved_stats(), DateWindow(date(2026, 10, 5), None), refresh_days=None)
    assert state.child_unchanged(CHILD, datetime(2026, 10, 31, 12, tzinfo=UTC))
    assert not state.child_unchanged(CHILD, datetime(2026, 11, 1, tzinfo=UTC))
    assert not state.child_unchanged(CHILD, None)
    assert state.children_skipped == 1
    state.unchanged(INDEX)
    state.fetched(CHILD, {"etag": '"new"'})
    kept = state.to_stats(listings_add_articles=False)["documents"]
    assert kept[INDEX]["etag"] == '"abc"'  # a 304 carries the validators to the next night
    assert kept[CHILD] == {"etag": '"new"', "lastmod": "2026-11-01T00:00:00+00:00"}
    assert state.not_modified == 1
