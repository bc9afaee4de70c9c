"""Gap days of the archive's stats become Wayback backfill ranges, and filling them targets exactly those days."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from archive import Archive
from archive.stats import compute_stats
from core.registry import Outlet
from core.settings import Settings
from history.wayback import RetryPolicy, backfill_from_wayback, fill_gaps, gap_days, gap_ranges
from outlet_server import build_corpus
from tests.fixtures.wayback import record_history
from tests.fixtures.wayback_server import WaybackServer

D = date(2026, 10, 1)


def test_gap_ranges_merge_consecutive_days_only() -> None:
    days = [D + timedelta(days=n) for n in (9, 3, 4, 5, 12, 4)]
    assert gap_ranges(days) == [(D + timedelta(3), D + timedelta(5)), (D + timedelta(9), D + timedelta(9)),
                                (D + timedelta(12), D + timedelta(12))]
    assert gap_ranges(days, join_within_days=4) == [(D + timedelta(3), D + timedelta(12))]
    assert gap_ranges(days, join_within_days=3) == [(D + timedelta(3), D + timedelta(5)), (D + timedelta(9), D + timedelta(12))]
    assert gap_ranges([]) == []


def test_fill_gaps_backfills_exactly_the_gap_days(tmp_path: Path) -> None:
    since, until = D, date(2026, 10, 16)
    corpus = build_corpus(seed=11, n_articles=100, start=since, end=until)
    outlet = Outlet(id="dense", name="Dense", base_url="https://dense.example/", timezone=corpus.timezone)
    history = record_history(corpus, outlet.base_url, since=since, until=until, every=1000)
    missing_days = {date(2026, 10, 6), date(2026, 10, 7), date(2026, 10, 12)}
    missing = [a for a in corpus.articles if a.published.astimezone(corpus.tz).date() in missing_days]
    assert missing
    settings = Settings(spool_dir=tmp_path / "spool", wayback_cdx_per_minute=6000,
                        wayback_replay_per_minute=60000)
    options = {"settings": settings, "state_dir": tmp_path / "state",
               "retry": RetryPolicy(max_retries=2, backoff_base_s=0.01)}
    archive_dir = str(tmp_path / "archive")
    with WaybackServer(history.captures) as wayback:
        wayback.faults.excluded_urls.update(f"https://dense.example{a.path}" for a in missing)
        first = backfill_from_wayback(outlet, archive_dir, since, until, wayback_url=wayback.base_url, **options)
        assert first.archived == len(corpus.articles) - len(missing)

        gaps = gap_days(outlet, archive_dir, settings)
        assert missing_days <= set(gaps)  # stats --gaps sees the holes
        wayback.faults.excluded_urls.clear()  # the Archive has them (again)
        wayback.reset_log()
        summaries = fill_gaps(outlet, archive_dir, wayback_url=wayback.base_url, **options)

        windows = set()
        for _t, kind, path, _s in wayback.requests:
            if kind == "cdx":
                query = parse_qs(urlsplit(path).query)
                windows.add(query["from"][0][:8])
    ranges = gap_ranges(gaps)
    assert len(summaries) == len(ranges)
    assert windows == {start.strftime("%Y%m%d") for start, _end in ranges}  # one CDX walk per gap range
    assert sum(s.archived for s in summaries) == len(missing)
    stored = {r.title for r in Archive.open(archive_dir, settings).iter_records(outlet="dense")}
    assert {a.title for a in missing} <= stored
    assert set(compute_stats(Archive.open(archive_dir, settings).index, "dense").gaps["dense"]).isdisjoint(missing_days)
