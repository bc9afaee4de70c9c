"""newsarchive_nightly once under a real scheduler: ``airflow standalone`` (scheduler, dag-processor,
triggerer, API server, LocalExecutor) on SQLite, against the outlet server and SeaweedFS.

The DAG is unpaused once the API server answers, and the scheduler itself creates the run of
the latest data interval — no ``dag.test()`` shortcut: parsing, pools, the execution API, task subprocesses and
XCom all go through the real components. ``standalone`` is started in its own process group
(its children would outlive a plain SIGTERM) with the API bound to 127.0.0.1 on a free port,
and the whole group is stopped at the end.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Callable
from datetime import date

import pytest

from newsarchive.orchestration import OUTLET_SHARDS, POOLS
from outlet_server import build_corpus
from tests.dags.conftest import AIRFLOW, REPO, AirflowSandbox
from tests.dags.e2e import closed_port, expected_urls, read_archive
from tools.stack import group_alive, stop_groups

pytestmark = [pytest.mark.airflow, pytest.mark.s3, pytest.mark.slow]

RUN_TIMEOUT_S = 300


def test_nightly_runs_under_the_scheduler(airflow_sandbox: AirflowSandbox, make_outlet_server, s3_server) -> None:
    corpus = build_corpus(seed=11, n_articles=12, start=date(2026, 9, 15), end=date(2026, 10, 20))
    server = make_outlet_server(corpus)
    archive = f"s3://{s3_server.make_bucket('scheduler')}/archive"
    port = closed_port()
    pools = {p.name: {"slots": p.slots, "description": p.description, "include_deferred": False} for p in POOLS}
    (airflow_sandbox.home / "pools.json").write_text(json.dumps(pools))
    airflow_sandbox.airflow("pools", "import", str(airflow_sandbox.home / "pools.json"))
    airflow_sandbox.configure(
        outlets=[server.outlet_yaml(id="small")],
        archive=archive,
        s3=s3_server,
        NEWSARCHIVE_NIGHTLY_SCHEDULE="@daily",
        NEWSARCHIVE_DEFAULT_WINDOW_DAYS="3650",
        NEWSARCHIVE_ALERT_MIN_HISTORY="1",
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__PORT=str(port),
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
        AIRFLOW__CORE__PARALLELISM="4",
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
    )
    log = (airflow_sandbox.home / "standalone.log").open("wb")
    process = subprocess.Popen(
        [str(AIRFLOW), "standalone"],
        env=airflow_sandbox.env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, killed as a group below
    )
    try:
        # Unpause once the API server (which task workers call) answers: the scheduler then
        # creates the run of the latest complete data interval by itself.
        wait_for_api(port, process)
        wait_for(lambda: query(airflow_sandbox, "SELECT 1 FROM dag WHERE dag_id = 'newsarchive_nightly'"), process)
        airflow_sandbox.airflow("dags", "unpause", "newsarchive_nightly")
        nightly_state = wait_for_run(airflow_sandbox, process, "newsarchive_nightly", "scheduled")
        after_nightly = read_archive(s3_server, archive)
        # A backfill of September through the CLI: one run, whose data interval is the month.
        airflow_sandbox.airflow("dags", "unpause", "newsarchive_backfill")
        airflow_sandbox.airflow(
            "backfill", "create", "--dag-id", "newsarchive_backfill", "--from-date", "2026-09-01", "--to-date", "2026-09-01"
        )
        backfill_state = wait_for_run(airflow_sandbox, process, "newsarchive_backfill", "backfill")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/version", timeout=10) as response:
            api_version = json.load(response)["version"]
    finally:
        stop_groups([process], grace_s=30)
        log.close()
    output = (airflow_sandbox.home / "standalone.log").read_text(errors="replace")
    assert not group_alive(process.pid), "standalone left processes behind"
    assert nightly_state == "success", output[-6000:]
    empty_shards = {
        (task, "-1"): state
        for n in range(1, OUTLET_SHARDS)
        for task, state in (
            (f"outlet_shard_{n}", "success"),
            (f"outlet_{n}.crawl", "skipped"),
            (f"outlet_{n}.verify_and_commit", "skipped"),
        )
    }
    assert task_states(airflow_sandbox, "newsarchive_nightly", "scheduled") == {
        ("outlets", "-1"): "success",
        ("outlet_shard", "-1"): "success",
        ("outlet.crawl", "small"): "success",
        ("outlet.verify_and_commit", "small"): "success",
        ("report", "-1"): "success",
        ("alert", "-1"): "success",
        **empty_shards,
    }
    assert after_nightly.urls == {"small": expected_urls(server, corpus, until=date(2026, 10, 20))}

    assert backfill_state == "success", output[-6000:]
    backfill_tasks = task_states(airflow_sandbox, "newsarchive_backfill", "backfill")
    assert backfill_tasks[("chunk.crawl", "small 2026-09")] == "success"
    after_backfill = read_archive(s3_server, archive)
    assert after_backfill.committed_runs == after_nightly.committed_runs + 1  # the September crawl ran...
    assert after_backfill.record_keys == after_nightly.record_keys  # ...and its articles were all there
    assert api_version.startswith("3.3")


def query(sandbox: AirflowSandbox, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{sandbox.home / 'airflow.db'}?mode=ro", uri=True, timeout=10) as db:
        return db.execute(sql).fetchall()


def _first_run(dag_id: str, run_type: str) -> str:
    """SQL for the id of the DAG's first run of ``run_type``: the scheduler may create the next one meanwhile (a
    daily schedule does when the test runs across midnight UTC; that run's tasks have no state yet)."""
    return f"(SELECT min(id) FROM dag_run WHERE dag_id = '{dag_id}' AND run_type = '{run_type}')"


def task_states(sandbox: AirflowSandbox, dag_id: str, run_type: str) -> dict[tuple[str, str], str]:
    """``{(task_id, label or map index): state}`` of the DAG's first run of ``run_type``."""
    rows = query(
        sandbox,
        "SELECT ti.task_id, coalesce(ti.rendered_map_index, ti.map_index), ti.state FROM task_instance ti "
        f"JOIN dag_run dr ON dr.dag_id = ti.dag_id AND dr.run_id = ti.run_id "
        f"WHERE ti.dag_id = '{dag_id}' AND dr.id = {_first_run(dag_id, run_type)}",
    )
    return {(str(task), str(label)): str(state) for task, label, state in rows}


def wait_for(probe: Callable[[], object], process: subprocess.Popen[bytes], timeout_s: float = 180) -> None:
    """Poll ``probe`` until it returns something truthy (fails if standalone dies or time runs out)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "airflow standalone exited early"
        with contextlib.suppress(OSError, sqlite3.Error):
            if probe():
                return
        time.sleep(2)
    raise AssertionError(f"{probe} still false after {timeout_s} s")


def wait_for_api(port: int, process: subprocess.Popen[bytes]) -> None:
    def answers() -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/version", timeout=5) as response:
            return response.status == 200

    wait_for(answers, process)


def wait_for_run(sandbox: AirflowSandbox, process: subprocess.Popen[bytes], dag_id: str, run_type: str) -> str:
    """The state of the DAG's first run of ``run_type`` once it finished."""
    finished: list[str] = []

    def done() -> bool:
        rows = query(sandbox, f"SELECT state FROM dag_run WHERE id = {_first_run(dag_id, run_type)}")
        finished.extend(str(state) for (state,) in rows if state in ("success", "failed"))
        return bool(finished)

    wait_for(done, process, timeout_s=RUN_TIMEOUT_S)
    return finished[0]
