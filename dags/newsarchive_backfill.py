"""newsarchive_backfill: crawl past publication dates, one calendar month per task.

Two ways to use it (docs/orchestration.md):

- ``airflow backfill create --dag-id newsarchive_backfill --from-date 2026-01-01 --to-date 2026-06-30``:
  the schedule is a cron timetable *with data intervals* (monthly), so each backfilled run
  crawls exactly its own interval's days;
- trigger with params ``outlet`` (empty: every outlet), ``since``/``until`` (YYYY-MM-DD, both or
  neither; they override the data interval) and ``source`` (``live`` crawls the site,
  ``wayback`` ingests archived snapshots).

``plan`` cuts the window into (outlet, month) items → ``crawl`` (mapped, one bounded task per
item, retried on its own: the DAG is resumable by clearing failed tasks) → ``verify_and_commit``
→ ``report`` (fails when a month failed). Rerunning any month adds nothing already archived.
Its own scheduled runs do nothing (the timetable is there for ``airflow backfill create``), so it
can stay unpaused — and must be, for backfill runs to execute. It is created paused.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, dag, task

from core.dates import DateWindow, parse_day
from core.settings import Settings
from core.vocabulary import RecordSource
from newsarchive.orchestration import (
    CRAWL_POOL,
    TaskDefaults,
    backfill_plan,
    interval_window,
    resolve_config,
)
from newsarchive.orchestration.airflow import is_scheduled_run, month_chunk_tasks

SETTINGS = Settings.from_env()  # read when the DAG file is parsed
DEFAULTS = TaskDefaults.from_settings(SETTINGS)


@dag(
    dag_id="newsarchive_backfill",
    schedule=CronDataIntervalTimetable(SETTINGS.backfill_schedule, timezone="UTC"),
    start_date=pendulum.datetime(2020, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=True,
    max_active_runs=1,
    default_args=DEFAULTS.default_args(),
    params={
        "outlet": Param("", type="string", description="Outlet id; empty for every outlet of the registry."),
        "since": Param("", type="string", description="First publication day (YYYY-MM-DD); empty: data interval."),
        "until": Param("", type="string", description="Last publication day (YYYY-MM-DD); empty: data interval."),
        "source": Param(RecordSource.LIVE.value, enum=[s.value for s in RecordSource], description="Crawl the site, or ingest Wayback snapshots."),
    },
    tags=["newsarchive"],
    doc_md=__doc__,
)
def newsarchive_backfill() -> None:
    @task
    def plan(
        params: Any = None, data_interval_start: Any = None, data_interval_end: Any = None, dag_run: Any = None
    ) -> list[dict[str, Any]]:
        if is_scheduled_run(dag_run):
            print("newsarchive_backfill does nothing on its own schedule: use `airflow backfill create` or trigger it")
            return []
        since, until = parse_day(params["since"], "since"), parse_day(params["until"], "until")
        if since or until:
            window = DateWindow(since=since, until=until)
        else:
            window = interval_window(data_interval_start, data_interval_end)
        outlets = [params["outlet"]] if params["outlet"] else []
        return backfill_plan(resolve_config(), outlets, window)

    month_chunk_tasks(plan(), task_id="crawl", pool=CRAWL_POOL, defaults=DEFAULTS)


newsarchive_backfill()
