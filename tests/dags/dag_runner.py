"""Run one DAG with ``dag.test()`` in this (fresh) process and print its task states as JSON.

Airflow reads its configuration at import time, so every test runs a DAG through
``python -m tests.dags.dag_runner DAG_ID LOGICAL_DATE [CONF_JSON]`` with its own
``AIRFLOW_HOME`` in the environment. The last line printed is ``DAG_RESULT {json}``.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime

RESULT_PREFIX = "DAG_RESULT "


def main(argv: list[str]) -> int:
    from airflow.dag_processing.dagbag import DagBag

    dag_id, logical_date = argv[0], datetime.fromisoformat(argv[1]).replace(tzinfo=UTC)
    conf = json.loads(argv[2]) if len(argv) > 2 else None
    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        print(RESULT_PREFIX + json.dumps({"import_errors": bag.import_errors}))
        return 1
    dag = bag.get_dag(dag_id)
    assert dag is not None, f"no DAG {dag_id!r}"
    run = dag.test(logical_date=logical_date, run_conf=conf)
    tasks = [
        {
            "task_id": ti.task_id,
            "map_index": ti.map_index,
            "label": ti.rendered_map_index,
            "state": str(ti.state) if ti.state else None,
        }
        for ti in run.get_task_instances()
    ]
    print(RESULT_PREFIX + json.dumps({"state": str(run.state), "run_id": run.run_id, "tasks": tasks}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
