"""The few helpers that touch Airflow objects (assets, task failure); imported by the DAG files only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newsarchive.orchestration.report import OutletResult
from newsarchive.orchestration.tasks import asset_uri

__all__ = ["emit_outlet_asset", "fail_if_unhealthy", "is_scheduled_run", "outlet_asset"]


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
