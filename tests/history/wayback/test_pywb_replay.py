"""Issue 7 point 5: ``download --format warc`` output replays in pywb, served on 127.0.0.1
(pywb's own environment: :mod:`tests.fixtures.pywb`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from archive import Archive
from core.registry import Outlet
from core.settings import Settings
from history.wayback import RetryPolicy, backfill_from_wayback
from outlet_server import build_corpus
from tests.fixtures.pywb import pywb_bin, replay_in_pywb
from tests.fixtures.wayback import record_history
from tests.fixtures.wayback_server import WaybackServer


@pytest.mark.slow
def test_pywb_replays_a_downloaded_warc(tmp_path: Path) -> None:
    pywb_bin()  # fails first, and says how to install it, when pywb is missing
    corpus = build_corpus(seed=5, n_articles=8, start=date(2026, 10, 1), end=date(2026, 10, 6))
    outlet = Outlet(id="small", name="Small", base_url="https://small.example/", timezone=corpus.timezone)
    settings = Settings(spool_dir=tmp_path / "spool", wayback_cdx_per_minute=6000)
    archive_dir = str(tmp_path / "archive")
    with WaybackServer(record_history(corpus, outlet.base_url, since=date(2026, 10, 1), until=date(2026, 10, 6)).captures) as wb:
        summary = backfill_from_wayback(outlet, archive_dir, date(2026, 10, 1), date(2026, 10, 6), wayback_url=wb.base_url,
                                        settings=settings, state_dir=tmp_path / "state", retry=RetryPolicy(max_retries=1))
    assert summary.archived == len(corpus.articles)
    archive = Archive.open(archive_dir, settings)
    record = next(iter(archive.iter_records(outlet="small")))
    warc = tmp_path / "selection.warc.gz"
    assert archive.export("warc", warc, outlet="small").records == len(corpus.articles)

    replay = replay_in_pywb(tmp_path, [str(warc)], record.snapshot_timestamp, record.url)
    assert replay.status_code == 200
    assert record.title and record.title in replay.text
    assert record.text.split("\n\n")[0][:80] in replay.text.replace("&#x27;", "'").replace("&#39;", "'")
