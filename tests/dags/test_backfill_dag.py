"""newsarchive_backfill end to end with ``dag.test()``: params across a month end.

The window 2026-09-27..2026-10-03 becomes two month chunks (two mapped task groups); the
archive (a real SeaweedFS bucket) then holds exactly the corpus articles published in the
window. The other way in — ``airflow backfill create`` under a real scheduler, a backfilled
month whose articles are already archived storing nothing new — is in test_scheduler.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.dags.conftest import AirflowSandbox
from tests.dags.e2e import expected_urls, read_archive

pytestmark = [pytest.mark.airflow, pytest.mark.s3, pytest.mark.slow]

SINCE, UNTIL = date(2026, 9, 27), date(2026, 10, 3)
CONF = {"outlet": "demo", "since": SINCE.isoformat(), "until": UNTIL.isoformat(), "source": "live"}


def test_backfill_params_are_cut_into_months_and_archive_exactly_the_window(
    airflow_sandbox: AirflowSandbox, outlet_server, outlet_corpus, s3_server
) -> None:
    archive = f"s3://{s3_server.make_bucket('backfill')}/archive"
    airflow_sandbox.configure(
        outlets=[outlet_server.outlet_yaml(id="demo"), outlet_server.outlet_yaml(id="other")],
        archive=archive,
        s3=s3_server,
    )
    expected = expected_urls(outlet_server, outlet_corpus, since=SINCE, until=UNTIL)
    assert len(expected) >= 3

    run = airflow_sandbox.dag_test("newsarchive_backfill", "2026-11-01", CONF)
    assert run.state == "success", run.output[-5000:]
    assert run.states("chunk.crawl") == {"demo 2026-09": "success", "demo 2026-10": "success"}
    assert set(run.states("chunk.verify_and_commit").values()) == {"success"}
    contents = read_archive(s3_server, archive)
    archived = contents.urls.get("demo", set())
    assert (sorted(expected - archived), sorted(archived - expected)) == ([], [])
    assert contents.sources == {"live"}
    assert "other" not in contents.urls  # the outlet param limits the backfill
