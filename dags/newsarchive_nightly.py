"""newsarchive_nightly: crawl every outlet of the registry once a night.

``outlets`` lists the registry; ``outlet_shard`` cuts it into :data:`OUTLET_SHARDS` shards of at
most ``[core] max_map_length`` (1,024) outlets, and each shard maps one task group per outlet —
``outlet`` for the first 1,024 outlets, ``outlet_1`` for the next, … (an empty shard's group is
skipped). In each group:
``crawl`` (a crawl subprocess over the run's window: since the outlet's last successful
run minus the overlap, until the data interval's last day) → ``verify_and_commit`` (the
run's commit marker and objects are in the archive; emits the outlet's Asset when new
articles landed) → ``report`` (articles per outlet, failed outlets) → ``alert`` (fails
loudly when an outlet failed, or normally yields articles and yielded none).

Schedule: the ``nightly_schedule`` setting (``$NEWSARCHIVE_NIGHTLY_SCHEDULE``, cron, UTC) with real
data intervals. Configuration: docs/orchestration.md. All logic: newsarchive.orchestration.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag, task, task_group

from core.settings import Settings
from newsarchive.orchestration import (
    CRAWL_POOL,
    OUTLET_SHARDS,
    AlertPolicy,
    RunReport,
    TaskDefaults,
    crawl_outlet,
    list_outlet_ids,
    mapped_results,
    nightly_window,
    outlet_shard,
    resolve_config,
)
from newsarchive.orchestration.airflow import fail_if_unhealthy, verify_and_commit_task

SETTINGS = Settings.from_env()  # read when the DAG file is parsed
DEFAULTS = TaskDefaults.from_settings(SETTINGS)


@dag(
    dag_id="newsarchive_nightly",
    schedule=CronDataIntervalTimetable(SETTINGS.nightly_schedule, timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULTS.default_args(),
    tags=["newsarchive"],
    doc_md=__doc__,
)
def newsarchive_nightly() -> None:
    @task
    def outlets() -> list[str]:
        return list_outlet_ids(resolve_config())

    @task
    def shard(outlet_ids: list[str], number: int) -> list[str]:
        return outlet_shard(outlet_ids, number)

    @task(
        pool=CRAWL_POOL.name,
        execution_timeout=DEFAULTS.crawl_timeout,
        max_active_tis_per_dagrun=DEFAULTS.max_parallel_crawls,
        map_index_template="{{ task.op_kwargs['outlet_id'] }}",
    )
    def crawl(outlet_id: str, data_interval_start: Any = None, data_interval_end: Any = None) -> dict[str, Any]:
        window = nightly_window(data_interval_start, data_interval_end)
        return crawl_outlet(
            resolve_config(), outlet_id, window, timeout_s=DEFAULTS.crawl_timeout.total_seconds()
        )

    verify_and_commit = verify_and_commit_task(map_index_template="{{ task.op_kwargs['crawl']['outlet_id'] }}")

    @task(trigger_rule="all_done", retries=0)
    def report(expected: list[str], shards: list[Any]) -> dict[str, Any]:  # shards: each shard's verify XComs
        results = [result for verified in shards for result in mapped_results(verified)]
        run_report = RunReport.build(expected, results, AlertPolicy.from_settings(Settings.from_env()))
        print(run_report.render())
        return run_report.to_dict()

    @task(retries=0)
    def alert(run_report: dict[str, Any]) -> None:
        fail_if_unhealthy(run_report)

    @task_group(group_id="outlet")
    def per_outlet(outlet_id: str) -> Any:
        # One mapped group per outlet: verify[i] waits for crawl[i] only, so a failing
        # outlet fails its own tasks and nothing else.
        return verify_and_commit(crawl=crawl(outlet_id=outlet_id))

    ids = outlets()
    shards = []
    for number in range(OUTLET_SHARDS):
        group = per_outlet.override(group_id="outlet" if number == 0 else f"outlet_{number}")
        shard_ids = shard.override(task_id="outlet_shard" if number == 0 else f"outlet_shard_{number}")(ids, number)
        shards.append(group.expand(outlet_id=shard_ids))
    alert(report(ids, shards))


newsarchive_nightly()
