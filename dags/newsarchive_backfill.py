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

import os
from typing import Any

import pendulum
from airflow.sdk import AssetAlias, CronDataIntervalTimetable, Param, dag, task, task_group

from newsarchive.orchestration import (
    CRAWL_POOL,
    CrawlWindow,
    RunReport,
    TaskDefaults,
    backfill_plan,
    crawl_outlet,
    ingest_snapshots,
    interval_window,
    resolve_config,
    verify_commit,
)
from newsarchive.orchestration.airflow import emit_outlet_asset, fail_if_unhealthy, is_scheduled_run
from newsarchive.orchestration.windows import parse_day

DEFAULTS = TaskDefaults.from_env()
NEW_ARTICLES = AssetAlias("newsarchive-new-articles")


@dag(
    dag_id="newsarchive_backfill",
    schedule=CronDataIntervalTimetable(os.environ.get("NEWSARCHIVE_BACKFILL_SCHEDULE", "0 0 1 * *"), timezone="UTC"),
    start_date=pendulum.datetime(2020, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=True,
    max_active_runs=1,
    default_args=DEFAULTS.default_args(),
    params={
        "outlet": Param("", type="string", description="Outlet id; empty for every outlet of the registry."),
        "since": Param("", type="string", description="First publication day (YYYY-MM-DD); empty: data interval."),
        "until": Param("", type="string", description="Last publication day (YYYY-MM-DD); empty: data interval."),
        "source": Param("live", enum=["live", "wayback"], description="Crawl the site, or ingest Wayback snapshots."),
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
        since, until = parse_day(params["since"]), parse_day(params["until"])
        if since or until:
            window = CrawlWindow(since=since, until=until)
        else:
            window = interval_window(data_interval_start, data_interval_end)
        outlets = [params["outlet"]] if params["outlet"] else []
        return backfill_plan(resolve_config(), outlets, window)

    @task(
        pool=CRAWL_POOL.name,
        execution_timeout=DEFAULTS.crawl_timeout,
        max_active_tis_per_dagrun=1,
        map_index_template="{{ task.op_kwargs['outlet_id'] }} {{ task.op_kwargs['window']['since'][:7] }}",
    )
    def crawl(outlet_id: str, window: dict[str, Any], params: Any = None) -> dict[str, Any]:
        config, chunk = resolve_config(), CrawlWindow.from_dict(window)
        if params["source"] == "wayback":
            return ingest_snapshots(config, outlet_id, chunk, timeout_s=DEFAULTS.crawl_timeout.total_seconds())
        return crawl_outlet(config, outlet_id, chunk, timeout_s=DEFAULTS.crawl_timeout.total_seconds())

    @task(outlets=[NEW_ARTICLES])
    def verify_and_commit(crawl: dict[str, Any], outlet_events: Any = None) -> dict[str, Any]:
        result = verify_commit(resolve_config(), crawl)
        emit_outlet_asset(outlet_events, NEW_ARTICLES, result)
        return result.to_dict()

    @task(trigger_rule="all_done", retries=0)
    def report(items: list[dict[str, Any]], results: list[dict[str, Any]]) -> None:
        expected = [f"{i['outlet_id']} {CrawlWindow.from_dict(i['window'])}" for i in items]
        run_report = RunReport.build(expected, results, by_window=True)
        print(run_report.render())
        fail_if_unhealthy({"failed_outlets": run_report.failed_outlets})

    @task_group(group_id="chunk")
    def per_chunk(outlet_id: str, window: dict[str, Any]) -> Any:
        # One mapped group per (outlet, month): a failed month fails its own tasks only.
        return verify_and_commit(crawl=crawl(outlet_id=outlet_id, window=window))

    items = plan()
    report(items, per_chunk.expand_kwargs(items))


newsarchive_backfill()
