"""Orchestration: everything the Airflow DAGs in ``dags/`` do, as plain, testable Python.

- :mod:`.config` — archive URI, outlets file and S3 connection, resolved from Airflow
  Variables/connections or the environment; task defaults (retries, timeouts);
- :mod:`.intervals` — a data interval as a run's date window, month chunks of a backfill;
- :mod:`.tasks` — crawl one outlet in a subprocess, verify its commit, ingest snapshots; shards of
  outlets within Airflow's ``max_map_length``;
- :mod:`.report` — the run report and the silent-outlet alert rule.

The DAG files import from here and stay thin; nothing here imports Airflow at module level.
"""

from __future__ import annotations

from newsarchive.orchestration.config import (
    CRAWL_POOL,
    POOLS,
    WAYBACK_POOL,
    OrchestrationConfig,
    TaskDefaults,
    aws_env_from_connection,
    resolve_config,
)
from newsarchive.orchestration.intervals import interval_window, month_chunks, nightly_window
from newsarchive.orchestration.report import AlertPolicy, OutletResult, RunReport, mapped_results
from newsarchive.orchestration.tasks import (
    MAX_MAP_LENGTH,
    OUTLET_SHARDS,
    asset_uri,
    backfill_plan,
    crawl_outlet,
    ingest_snapshots,
    list_outlet_ids,
    outlet_shard,
    verify_commit,
)

__all__ = [
    "CRAWL_POOL",
    "MAX_MAP_LENGTH",
    "OUTLET_SHARDS",
    "POOLS",
    "WAYBACK_POOL",
    "AlertPolicy",
    "OrchestrationConfig",
    "OutletResult",
    "RunReport",
    "TaskDefaults",
    "asset_uri",
    "aws_env_from_connection",
    "backfill_plan",
    "crawl_outlet",
    "ingest_snapshots",
    "interval_window",
    "list_outlet_ids",
    "mapped_results",
    "month_chunks",
    "nightly_window",
    "outlet_shard",
    "resolve_config",
    "verify_commit",
]
