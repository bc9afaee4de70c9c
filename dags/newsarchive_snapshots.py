"""newsarchive_snapshots: ingest archived (Wayback Machine) snapshots of one outlet for a date range.

Trigger with params ``outlet``, ``since`` and ``until`` (YYYY-MM-DD). ``plan`` cuts the range
into calendar months → ``ingest`` (mapped, one subprocess per month running
``python -m crawler.wayback``; the ``newsarchive_wayback`` pool bounds how many
run at once against the Wayback CDX API) → ``verify_and_commit`` → ``report``.
Ingested articles are records with ``source="wayback"``; rerunning a month adds nothing.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import AssetAlias, Param, dag, task, task_group

from newsarchive.orchestration import (
    WAYBACK_POOL,
    CrawlWindow,
    RunReport,
    TaskDefaults,
    backfill_plan,
    ingest_snapshots,
    resolve_config,
    verify_commit,
)
from newsarchive.orchestration.airflow import emit_outlet_asset, fail_if_unhealthy
from newsarchive.orchestration.windows import parse_day

DEFAULTS = TaskDefaults.from_env()
NEW_ARTICLES = AssetAlias("newsarchive-new-articles")


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
        window = CrawlWindow(since=parse_day(params["since"]), until=parse_day(params["until"]))
        return backfill_plan(resolve_config(), [params["outlet"]], window)

    @task(
        pool=WAYBACK_POOL.name,
        execution_timeout=DEFAULTS.crawl_timeout,
        max_active_tis_per_dagrun=1,
        map_index_template="{{ task.op_kwargs['outlet_id'] }} {{ task.op_kwargs['window']['since'][:7] }}",
    )
    def ingest(outlet_id: str, window: dict[str, Any]) -> dict[str, Any]:
        config, chunk = resolve_config(), CrawlWindow.from_dict(window)
        return ingest_snapshots(config, outlet_id, chunk, timeout_s=DEFAULTS.crawl_timeout.total_seconds())

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
        return verify_and_commit(crawl=ingest(outlet_id=outlet_id, window=window))

    items = plan()
    report(items, per_chunk.expand_kwargs(items))


newsarchive_snapshots()
