"""newsarchive_nightly end to end with ``dag.test()``: the outlet server, a real SeaweedFS, two runs.

Run 1 (the data interval of 2026-09-14): outlets ``demo`` and ``mirror`` (the same site under two ids).
Run 2 (same date): ``demo`` unchanged, ``mirror`` now points at a redesigned site with no
articles, and ``broken`` at a port where nothing listens. S3 credentials reach the tasks only
through the Airflow connection. Windows are widened (``NEWSARCHIVE_DEFAULT_WINDOW_DAYS``,
``NEWSARCHIVE_OVERLAP_DAYS``) so that the wall clock of the machine never changes the result.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.dags.conftest import AirflowSandbox, DagResult, new_sandbox
from tests.dags.e2e import ArchiveContents, closed_port, expected_urls, moved_site, read_archive

pytestmark = [pytest.mark.airflow, pytest.mark.s3, pytest.mark.slow]

# A manual run at 2026-09-15 00:00 of an @daily data-interval timetable covers [09-14, 09-15).
LOGICAL_DATE = "2026-09-15"
UNTIL = date(2026, 9, 14)


@dataclass
class NightlyRuns:
    sandbox: AirflowSandbox
    first: DagResult
    after_first: ArchiveContents
    second: DagResult
    after_second: ArchiveContents
    expected: set[str]
    secret: str

    def asset_events(self, uri: str) -> int:
        with sqlite3.connect(self.sandbox.home / "airflow.db") as db:
            row = db.execute(
                "SELECT count(*) FROM asset_event JOIN asset ON asset.id = asset_event.asset_id WHERE asset.uri = ?",
                (uri,),
            ).fetchone()
        return int(row[0])


@pytest.fixture(scope="module")
def nightly(
    airflow_template: Path, tmp_path_factory: pytest.TempPathFactory, outlet_server, outlet_corpus, s3_server
) -> Iterator[NightlyRuns]:
    sandbox = new_sandbox(airflow_template, tmp_path_factory.mktemp("nightly") / "airflow")
    archive = f"s3://{s3_server.make_bucket('nightly')}/archive"
    settings = {
        "NEWSARCHIVE_NIGHTLY_SCHEDULE": "@daily",
        "NEWSARCHIVE_DEFAULT_WINDOW_DAYS": "3650",
        "NEWSARCHIVE_OVERLAP_DAYS": "3650",
        "NEWSARCHIVE_RETRY_TIMES": "1",  # the dead outlet fails after one retry, not three
        "NEWSARCHIVE_ALERT_MIN_HISTORY": "1",
    }
    sandbox.configure(
        outlets=[outlet_server.outlet_yaml(id="demo"), outlet_server.outlet_yaml(id="mirror")],
        archive=archive,
        s3=s3_server,
        **settings,
    )
    first = sandbox.dag_test("newsarchive_nightly", LOGICAL_DATE)
    after_first = read_archive(s3_server, archive)
    with moved_site() as moved:
        sandbox.configure(
            outlets=[
                outlet_server.outlet_yaml(id="demo"),
                outlet_server.outlet_yaml(id="mirror", base_url=moved, sections=[]),
                outlet_server.outlet_yaml(id="broken", base_url=f"http://127.0.0.1:{closed_port()}/", sections=[]),
            ],
            archive=archive,
            s3=s3_server,
            **settings,
        )
        second = sandbox.dag_test("newsarchive_nightly", LOGICAL_DATE)
    after_second = read_archive(s3_server, archive)
    yield NightlyRuns(
        sandbox=sandbox,
        first=first,
        after_first=after_first,
        second=second,
        after_second=after_second,
        expected=expected_urls(outlet_server, outlet_corpus, until=UNTIL),
        secret=s3_server.secret_key,
    )


def test_first_run_archives_every_article_of_the_window(nightly: NightlyRuns) -> None:
    assert nightly.first.state == "success", nightly.first.output[-5000:]
    assert nightly.first.states("outlet.crawl") == {"demo": "success", "mirror": "success"}
    assert nightly.first.states("outlet.verify_and_commit") == {"demo": "success", "mirror": "success"}
    assert nightly.first.states("alert") == {"-1": "success"}
    assert len(nightly.expected) >= 5
    for outlet in ("demo", "mirror"):
        archived = nightly.after_first.urls.get(outlet, set())
        assert (sorted(nightly.expected - archived), sorted(archived - nightly.expected)) == ([], [])


def test_new_articles_update_the_outlet_asset(nightly: NightlyRuns) -> None:
    assert nightly.asset_events("newsarchive://outlets/demo") == 1  # run 1 only: run 2 added nothing
    assert nightly.asset_events("newsarchive://outlets/mirror") == 1
    assert nightly.asset_events("newsarchive://outlets/broken") == 0


def test_second_run_for_the_same_date_adds_nothing(nightly: NightlyRuns) -> None:
    assert nightly.second.states("outlet.verify_and_commit")["demo"] == "success"
    assert nightly.after_second.record_keys == nightly.after_first.record_keys
    assert nightly.after_second.urls["demo"] == nightly.expected
    assert nightly.after_second.committed_runs > nightly.after_first.committed_runs  # it did run and commit


def test_failing_outlet_fails_only_its_own_mapped_task(nightly: NightlyRuns) -> None:
    second = nightly.second
    assert second.states("outlet.crawl") == {"demo": "success", "mirror": "success", "broken": "failed"}
    assert second.states("outlet.verify_and_commit") == {"demo": "success", "mirror": "success", "broken": "upstream_failed"}
    assert second.states("report") == {"-1": "success"}
    assert "never answered" in second.output


def test_outlet_that_normally_yields_and_yields_nothing_raises_the_alarm(nightly: NightlyRuns) -> None:
    second = nightly.second
    assert second.states("alert") == {"-1": "failed"}
    assert second.state == "failed"
    assert "SILENT outlets (normally yield articles, yielded none): mirror" in second.output
    assert "FAILED outlets (crawl or commit did not complete): broken" in second.output
    alarm = next(line for line in second.output.splitlines() if "AirflowFailException: newsarchive ALERT" in line)
    assert "yielded none" in alarm and "mirror" in alarm and "demo" not in alarm


def test_s3_secret_never_appears_in_task_output_or_logs(nightly: NightlyRuns) -> None:
    assert nightly.secret not in nightly.first.output
    assert nightly.secret not in nightly.second.output
    logs = [p for p in (nightly.sandbox.home / "logs").rglob("*") if p.is_file()]
    for path in logs:
        assert nightly.secret not in path.read_text(errors="replace"), path
