"""newsarchive_snapshots end to end with ``dag.test()``: a local Wayback Machine, a real SeaweedFS, two runs.

The fake Archive (tests/fixtures/wayback_server.py) holds the outlet's history as the real one
would (articles captured after publication, sitemaps and feeds captured every few days); the
DAG ingests one outlet's articles of 2026-10-01..2026-10-08 as ``source="wayback"`` records,
and a second run of the same range stores nothing new.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urljoin

import pytest

from core.urls import canonical_url
from tests.dags.conftest import AirflowSandbox
from tests.dags.e2e import read_archive
from tests.fixtures.wayback import record_history
from tests.fixtures.wayback_server import WaybackServer

pytestmark = [pytest.mark.airflow, pytest.mark.s3, pytest.mark.slow]

BASE_URL = "https://demo-news.example/"  # never fetched live: only its snapshots are
SINCE, UNTIL = date(2026, 10, 1), date(2026, 10, 8)
CONF = {"outlet": "demo", "since": SINCE.isoformat(), "until": UNTIL.isoformat()}


def test_snapshot_ingestion_archives_the_range_once(airflow_sandbox: AirflowSandbox, outlet_corpus, s3_server) -> None:
    history = record_history(outlet_corpus, BASE_URL, since=SINCE, until=UNTIL)
    expected = {
        canonical_url(urljoin(BASE_URL, a.path))
        for a in outlet_corpus.articles
        if SINCE <= a.published.astimezone(outlet_corpus.tz).date() <= UNTIL
    }
    assert len(expected) >= 3
    archive = f"s3://{s3_server.make_bucket('snapshots')}/archive"
    outlet = {"id": "demo", "name": "Demo", "base_url": BASE_URL, "timezone": outlet_corpus.timezone}
    with WaybackServer(history.captures) as wayback:
        airflow_sandbox.configure(
            outlets=[outlet],
            archive=archive,
            s3=s3_server,
            NEWSARCHIVE_WAYBACK_URL=wayback.base_url,
            NEWSARCHIVE_WAYBACK_CDX_PER_MINUTE="6000",
        )
        first = airflow_sandbox.dag_test("newsarchive_snapshots", "2026-11-20", CONF)
        assert first.state == "success", first.output[-5000:]
        assert first.states("chunk.ingest") == {"demo 2026-10": "success"}
        after_first = read_archive(s3_server, archive)
        archived = after_first.urls.get("demo", set())
        assert (sorted(expected - archived), sorted(archived - expected)) == ([], [])
        assert after_first.sources == {"wayback"}

        second = airflow_sandbox.dag_test("newsarchive_snapshots", "2026-11-21", CONF)
        assert second.state == "success", second.output[-5000:]
    after_second = read_archive(s3_server, archive)
    assert after_second.record_keys == after_first.record_keys
