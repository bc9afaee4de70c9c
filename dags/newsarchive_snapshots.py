"""newsarchive_snapshots: ingest archived (Wayback Machine) snapshots of one outlet for a date range.

Trigger with params ``outlet``, ``since`` and ``until`` (YYYY-MM-DD). ``plan`` cuts the range
into calendar months → ``ingest`` (mapped, one subprocess per month running
a backfill job, ``python -m newsarchive.jobs``; the ``newsarchive_wayback`` pool bounds how many
run at once against the Wayback CDX API) → ``verify_and_commit`` → ``report``.
Ingested articles are records with ``source="wayback"``; rerunning a month adds nothing.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import Param, dag, task

from core.dates import DateWindow, parse_day
from core.settings import Settings
from core.vocabulary import RecordSource
from newsarchive.orchestration import WAYBACK_POOL, TaskDefaults, backfill_plan, resolve_config
from newsarchive.orchestration.airflow import month_chunk_tasks

DEFAULTS = TaskDefaults.from_settings(Settings.from_env())  # read when the DAG file is parsed


@dag(
    dag_id="newsarchive_snapshots",
    schedule=None,
    start_date=pendulum.datetime(2020, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULTS.default_args(),
    params={
        "outlet": Param("", type="string", minLength=1, description="Outlet id of the registry."),
        "since": Param("", type="string", minLength=10, description="First day (YYYY-MM-DD)."),
        "until": Param("", type="string", minLength=10, description="Last day (YYYY-MM-DD)."),
    },
    tags=["newsarchive"],
    doc_md=__doc__,
)
def newsarchive_snapshots() -> None:
    @task
    def plan(params: Any = None) -> list[dict[str, Any]]:
        window = DateWindow(since=parse_day(params["since"], "since"), until=parse_day(params["until"], "until"))
        return backfill_plan(resolve_config(), [params["outlet"]], window)

    month_chunk_tasks(plan(), task_id="ingest", pool=WAYBACK_POOL, defaults=DEFAULTS, source=RecordSource.WAYBACK)


newsarchive_snapshots()
