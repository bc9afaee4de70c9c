"""Crash and rerun (issue 9, point 1): ``kill -9`` a crawl at several points, run it again, and the archive
ends complete — every live article of the window exactly once, no half-written run visible as complete,
no second object for one article.

The crawl writes to SeaweedFS through the S3 fault proxy, which holds the chosen upload open (never
forwarding it) so the kill lands at a known point, deterministically:

- ``fetching``: once the outlet server has answered 8 article pages (records stored, WARC file still local);
- ``record_upload``: while the 5th record's PUT is in flight;
- ``before_manifest``: while the manifest's PUT is in flight (records, WARC and index stored, no manifest).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from archive import Archive
from core.registry import Outlet
from core.settings import Settings
from loopback_servers.seaweedfs import S3Server
from outlet_server import OutletServer, build_corpus
from tests.reliability.fault_proxy import S3FaultProxy
from tests.reliability.harness import FIGURES, CrawlChild, audit, crawl, expected_urls, served_articles

pytestmark = [pytest.mark.s3, pytest.mark.slow]

WINDOW = (date(2026, 1, 1), date(2026, 12, 31))
#: Kill point -> the upload the proxy holds (path regex, matching uploads let through first), or None.
KILL_POINTS: dict[str, tuple[str, int] | None] = {
    "fetching": None,
    "record_upload": (r"/records/", 4),
    "before_manifest": (r"/runs/[^/]+/[^/]+/manifest\.json", 0),
}


@pytest.fixture(scope="module")
def crash_outlet() -> Iterator[OutletServer]:
    with OutletServer(build_corpus(seed=5, n_articles=30)) as server:
        yield server


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_killed_crawl_rerun_leaves_a_complete_archive(point: str, crash_outlet: OutletServer, s3_server: S3Server,
                                                      fault_proxy: S3FaultProxy, proxied_env: dict[str, str],
                                                      s3_bucket: str, tmp_path: Path) -> None:  # fmt: skip
    outlet = Outlet.model_validate(crash_outlet.outlet_yaml())
    settings = Settings(spool_dir=tmp_path / "spool", s3_max_attempts=3)
    uri = f"s3://{s3_bucket}/news"
    crash_outlet.reset_log()

    child = CrawlChild(outlet, uri, window=WINDOW, settings=settings, env=proxied_env, logs=tmp_path / "logs")
    held = KILL_POINTS[point]
    if held is None:
        child.wait_until(lambda: served_articles(crash_outlet) >= 8)
        child.kill()
    else:
        hold = fault_proxy.hold(held[0], skip=held[1])
        child.wait_until(hold.reached.is_set)
        child.kill()
        hold.release()  # the held upload is dropped, never forwarded: it died with its client
    with Archive.open(uri, settings) as archive:
        crashed = audit(archive, tmp_path)
    assert crashed.committed_runs == [] and crashed.exported == [], "the killed run is visible as complete"

    summary = crawl(outlet, uri, window=WINDOW, settings=settings, env=proxied_env, logs=tmp_path / "logs")
    assert summary.committed

    with Archive.open(uri, settings) as archive:
        after = audit(archive, tmp_path)
        warc = archive.export("warc", tmp_path / "all.warc.gz")
    expected = expected_urls(crash_outlet, WINDOW)
    assert FIGURES.account(expected, after.exported_urls) == [], "no article lost"
    assert sorted(after.exported_urls) == expected, "every live article of the window, nothing else"
    assert set(after.exported_urls.values()) == {1}, "each exactly once"
    assert after.committed_runs == [summary.run_id]
    assert len(after.record_objects) == len(expected) and set(after.record_objects.values()) == {1}, (
        "one record object per article: the rerun met the killed run's records at the same keys"
    )
    # What the killed run left (WARC, index, pack of an uncommitted run) is unlisted by any manifest and
    # invisible to readers; no record object is left unlisted.
    assert not [key for key in after.unreferenced if key.startswith("records/") or summary.run_id in key]
    assert all(any(run in key for run in after.uncommitted_runs) for key in after.unreferenced), after.unreferenced
    assert warc.records == len(expected) and warc.missing_raw == 0, "every article's raw capture is reachable"
