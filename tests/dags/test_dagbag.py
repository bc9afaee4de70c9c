"""The DAG files import cleanly and declare what the issue asks (mapping, retries, pools, timetables)."""

from __future__ import annotations

import json
import sys

import pytest

from newsarchive.orchestration import OUTLET_SHARDS
from tests.dags.conftest import AirflowSandbox

pytestmark = pytest.mark.airflow

INSPECT = r"""
import json, os
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk.definitions.mappedoperator import MappedOperator
bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
out = {"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    out["dags"][dag_id] = {
        "timetable": type(dag.timetable).__name__,
        "max_active_runs": dag.max_active_runs,
        "params": sorted(dag.params.keys()),
        "tasks": {
            t.task_id: {
                "mapped": isinstance(t, MappedOperator) or t.get_closest_mapped_task_group() is not None,
                "pool": t.pool,
                "retries": t.retries,
                "backoff": t.retry_exponential_backoff,
                "timeout": t.execution_timeout.total_seconds() if t.execution_timeout else None,
                "trigger_rule": getattr(t.trigger_rule, "value", t.trigger_rule),
                "downstream": sorted(t.downstream_task_ids),
            }
            for t in dag.tasks
        },
    }
print("INSPECT " + json.dumps(out))
"""


def test_dagbag_imports_every_dag_without_errors(airflow_sandbox: AirflowSandbox) -> None:
    airflow_sandbox.set(NEWSARCHIVE_DAG_RETRIES="3")
    proc = airflow_sandbox.run([sys.executable, "-c", INSPECT])
    line = next(li for li in proc.stdout.splitlines() if li.startswith("INSPECT "))
    bag = json.loads(line.removeprefix("INSPECT "))
    assert bag["errors"] == {}
    assert set(bag["dags"]) == {"newsarchive_nightly", "newsarchive_backfill", "newsarchive_snapshots"}

    nightly = bag["dags"]["newsarchive_nightly"]
    assert nightly["timetable"] == "CronDataIntervalTimetable"
    assert nightly["max_active_runs"] == 1
    crawl = nightly["tasks"]["outlet.crawl"]
    assert crawl["mapped"] and crawl["pool"] == "newsarchive_crawl"
    assert crawl["retries"] == 3 and crawl["backoff"] > 1 and crawl["timeout"] > 0
    assert crawl["downstream"] == ["outlet.verify_and_commit"]
    assert nightly["tasks"]["outlet.verify_and_commit"]["mapped"]
    for shard in range(1, OUTLET_SHARDS):  # beyond max_map_length (1,024 outlets): a mapped group per shard
        assert nightly["tasks"][f"outlet_shard_{shard}"]["downstream"] == [f"outlet_{shard}.crawl"]
        assert nightly["tasks"][f"outlet_{shard}.crawl"]["mapped"]
        assert nightly["tasks"][f"outlet_{shard}.verify_and_commit"]["downstream"] == ["report"]
    assert nightly["tasks"]["report"]["trigger_rule"] == "all_done"
    assert nightly["tasks"]["report"]["downstream"] == ["alert"]

    backfill = bag["dags"]["newsarchive_backfill"]
    assert backfill["timetable"] == "CronDataIntervalTimetable"
    assert backfill["params"] == ["outlet", "since", "source", "until"]
    assert backfill["tasks"]["chunk.crawl"]["mapped"]

    snapshots = bag["dags"]["newsarchive_snapshots"]
    assert snapshots["params"] == ["outlet", "since", "until"]
    assert snapshots["tasks"]["chunk.ingest"]["pool"] == "newsarchive_wayback"
