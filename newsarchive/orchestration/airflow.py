"""The Airflow side of the DAGs: assets, task failure, and the tasks more than one DAG declares.

Imported by the DAG files only, which stay declarations: ``dags/newsarchive_nightly.py`` takes
:func:`verify_and_commit_task` from here, ``dags/newsarchive_backfill.py`` and
``dags/newsarchive_snapshots.py`` their whole month-chunk pipeline (:func:`month_chunk_tasks`).
Airflow is imported inside the functions, so the package imports without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.dates import DateWindow
from newsarchive.orchestration.config import Pool, TaskDefaults, resolve_config
from newsarchive.orchestration.report import OutletResult, RunReport
from newsarchive.orchestration.tasks import archive_window, asset_uri, verify_commit

__all__ = [
    "NEW_ARTICLES_ALIAS",
    "emit_outlet_asset",
    "fail_if_unhealthy",
    "is_scheduled_run",
    "month_chunk_tasks",
    "outlet_asset",
    "verify_and_commit_task",
]

#: The AssetAlias through which every DAG emits the Asset of an outlet that got new articles.
NEW_ARTICLES_ALIAS = "newsarchive-new-articles"
#: The label of one month chunk's mapped task in the UI: ``outlet YYYY-MM``.
_CHUNK_LABEL = "{{ task.op_kwargs['outlet_id'] }} {{ task.op_kwargs['window']['since'][:7] }}"


def outlet_asset(outlet_id: str) -> Any:
    """The Asset updated when new articles of ``outlet_id`` land in the archive."""
    from airflow.sdk import Asset

    return Asset(name=f"newsarchive-{outlet_id}", uri=asset_uri(outlet_id), group="newsarchive")


def emit_outlet_asset(outlet_events: Any, alias: Any, result: OutletResult) -> bool:
    """Emit the outlet's Asset through ``alias`` when the run committed new articles or versions."""
    if not result.committed or not (result.archived or result.versions):
        return False
    outlet_events[alias].add(
        outlet_asset(result.outlet_id),
        extra={"run_id": result.run_id, "window": result.window, "new": result.archived, "versions": result.versions},
    )
    return True


def fail_if_unhealthy(run_report: Mapping[str, Any]) -> None:
    """Fail the task, without retrying, when the report names failed or silent outlets."""
    from airflow.sdk.exceptions import AirflowFailException

    problems = []
    if run_report.get("failed_outlets"):
        problems.append("crawl or commit failed for: " + ", ".join(run_report["failed_outlets"]))
    if run_report.get("silent_outlets"):
        problems.append(
            "outlets that normally yield articles yielded none (site changed? feeds/sitemaps moved?): "
            + ", ".join(run_report["silent_outlets"])
        )
    if problems:
        raise AirflowFailException("newsarchive ALERT: " + "; ".join(problems))


def is_scheduled_run(dag_run: Any) -> bool:
    """True for a run the DAG's own timetable created (not a backfill, not a manual trigger)."""
    run_type = getattr(dag_run, "run_type", None)
    return str(getattr(run_type, "value", run_type)) == "scheduled"


def verify_and_commit_task(*, map_index_template: str | None = None) -> Any:
    """The ``verify_and_commit`` task: the crawl's run is committed in the archive (else it fails);
    emits the outlet's Asset through :data:`NEW_ARTICLES_ALIAS` when new articles landed."""
    from airflow.sdk import AssetAlias, task

    alias = AssetAlias(NEW_ARTICLES_ALIAS)

    @task(outlets=[alias], map_index_template=map_index_template)
    def verify_and_commit(crawl: dict[str, Any], outlet_events: Any = None) -> dict[str, Any]:
        result = verify_commit(resolve_config(), crawl)
        emit_outlet_asset(outlet_events, alias, result)
        return result.to_dict()

    return verify_and_commit


def month_chunk_tasks(
    items: Any, *, task_id: str, pool: Pool, defaults: TaskDefaults, source: str | None = None
) -> Any:
    """Declare, in the DAG being defined, the work on ``items`` (the XCom of a task returning
    :func:`~newsarchive.orchestration.tasks.backfill_plan`).

    One mapped task group ``chunk`` per (outlet, month) item — ``task_id`` (archives the month
    from ``source``, or from the run's ``source`` param when ``None``; in ``pool``, one month at a
    time per run, within ``defaults.crawl_timeout``) → ``verify_and_commit`` — so a failed month
    fails its own tasks only; then ``report`` (all done; fails, without retrying, when a month failed).
    Returns the ``report`` task's XCom.
    """
    from airflow.sdk import task, task_group

    timeout = defaults.crawl_timeout

    @task(
        task_id=task_id,
        pool=pool.name,
        execution_timeout=timeout,
        max_active_tis_per_dagrun=1,
        map_index_template=_CHUNK_LABEL,
    )
    def archive_month(outlet_id: str, window: dict[str, Any], params: Any = None) -> dict[str, Any]:
        config, chunk = resolve_config(), DateWindow.from_dict(window)
        chosen = source or params["source"]
        return archive_window(config, outlet_id, chunk, source=chosen, timeout_s=timeout.total_seconds())

    verify_and_commit = verify_and_commit_task()

    @task(trigger_rule="all_done", retries=0)
    def report(items: list[dict[str, Any]], results: Any) -> None:  # results: the months' verify XComs
        expected = [f"{i['outlet_id']} {DateWindow.from_dict(i['window'])}" for i in items]
        run_report = RunReport.build(expected, results, by_window=True)
        print(run_report.render())
        fail_if_unhealthy({"failed_outlets": run_report.failed_outlets})

    @task_group(group_id="chunk")
    def per_chunk(outlet_id: str, window: dict[str, Any]) -> Any:
        return verify_and_commit(crawl=archive_month(outlet_id=outlet_id, window=window))

    return report(items, per_chunk.expand_kwargs(items))
