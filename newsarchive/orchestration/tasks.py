"""What the DAG tasks do, as plain functions: the DAG files only wire these together.

Each crawl and backfill runs in a subprocess (:mod:`newsarchive.jobs`: Scrapy's reactor cannot
restart inside one process, and an Airflow worker runs many tasks), with the S3 credentials of the
Airflow connection in its environment only; the verification, in the task's own process, hands
them to its S3 store (the process environment is never changed). Everything returned here is JSON-safe, because it
travels through XCom, and free of credentials.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from core.dates import DateWindow
from core.errors import ConfigError, CrawlError, NewsarchiveError
from core.settings import redact
from core.vocabulary import RecordSource
from ingest.summary import RunOutcome
from newsarchive.orchestration.config import OrchestrationConfig, aws_env_from_connection
from newsarchive.orchestration.intervals import month_chunks
from newsarchive.orchestration.report import OutletResult

__all__ = [
    "MAX_MAP_LENGTH",
    "OUTLET_SHARDS",
    "SOURCES",
    "archive_window",
    "assert_site_answered",
    "asset_uri",
    "backfill_plan",
    "crawl_outlet",
    "ingest_snapshots",
    "list_outlet_ids",
    "outlet_shard",
    "verify_commit",
]

log = logging.getLogger(__name__)

#: Status classes that prove the site answered (a 404 is an answer; a refused connection is not).
_ANSWERED = range(200, 500)


def asset_uri(outlet_id: str) -> str:
    """The Asset an outlet's new articles update, for downstream DAGs to schedule on."""
    return f"newsarchive://outlets/{outlet_id}"


def list_outlet_ids(config: OrchestrationConfig, selected: Sequence[str] = ()) -> list[str]:
    """Ids of the registry's outlets (those in ``selected`` only, when given)."""
    from core.registry import select_outlets

    return [o.id for o in select_outlets(config.load_outlets(), selected)]


#: Airflow's ``[core] max_map_length``, left at its default: the most task instances one mapped task may have.
MAX_MAP_LENGTH = 1024
#: Shards of the nightly DAG's outlets, each mapped on its own: up to 4 × 1,024 = 4,096 outlets a night.
OUTLET_SHARDS = 4


def outlet_shard(outlet_ids: Sequence[str], number: int) -> list[str]:
    """The ``number``-th slice of :data:`MAX_MAP_LENGTH` outlets (empty past the last outlet).

    Raises :class:`ConfigError` for the last shard when the outlets do not fit in :data:`OUTLET_SHARDS`
    shards, so that a registry too big for the nightly DAG fails loudly instead of losing outlets.
    """
    if number == OUTLET_SHARDS - 1 and len(outlet_ids) > OUTLET_SHARDS * MAX_MAP_LENGTH:
        raise ConfigError(
            f"{len(outlet_ids)} outlets: the nightly DAG maps at most {OUTLET_SHARDS} × {MAX_MAP_LENGTH} "
            "(raise OUTLET_SHARDS in newsarchive/orchestration/tasks.py)"
        )
    return list(outlet_ids[number * MAX_MAP_LENGTH : (number + 1) * MAX_MAP_LENGTH])


def backfill_plan(
    config: OrchestrationConfig, outlet_ids: Sequence[str], window: DateWindow
) -> list[dict[str, Any]]:
    """One ``{"outlet_id", "window"}`` work item per outlet and calendar month of ``window``.

    Each item is one bounded mapped task: a failed month is retried (or cleared and rerun)
    on its own, and rerunning a month that already succeeded adds nothing to the archive.
    """
    chunks = month_chunks(window)
    return [
        {"outlet_id": outlet_id, "window": chunk.to_dict()}
        for outlet_id in list_outlet_ids(config, outlet_ids)
        for chunk in chunks
    ]


def _secret_values(aws: Mapping[str, str]) -> tuple[str, ...]:
    """The values of ``aws`` (``AWS_*`` variables) that must never reach a log or an error."""
    return tuple(v for k, v in aws.items() if k in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"))


def assert_site_answered(outlet_id: str, stats: Mapping[str, Any]) -> None:
    """A crawl in which the site never answered is a failed crawl, not an empty one."""
    statuses = stats.get("responses_by_status") or {}
    if not statuses and not stats.get("requests"):
        return  # the crawler decided nothing was worth a request (all known): not a failure
    if not any(int(status) in _ANSWERED for status in statuses):
        raise CrawlError(
            f"outlet {outlet_id!r}: the site never answered "
            f"(requests: {stats.get('requests', 0)}, statuses: {dict(statuses) or 'none'})"
        )


def _result(summary: Mapping[str, Any], window: DateWindow) -> dict[str, Any]:
    """The XCom form of a crawl summary: counts only (the full stats are in the run manifest)."""
    skipped = {str(k): int(v) for k, v in (summary.get("skipped") or {}).items()}
    return {
        "outlet_id": summary["outlet_id"],
        "run_id": summary["run_id"],
        "window": str(window),
        "archived": int(summary.get("archived", 0)),
        "versions": int(summary.get("versions", 0)),
        # Already archived articles met again: skipped before the request ("known") or after it.
        "duplicates": skipped.get("known", 0) + skipped.get("duplicate", 0),
        "failed": int(summary.get("failed", 0)),
        "skipped": skipped,
        "seconds": round(float(summary.get("seconds", 0.0)), 3),
        # How the run ended (ingest.summary.RunOutcome): a partial run is done, with a warning in the report.
        "outcome": str(summary.get("outcome", "ok")),
        "stopped": summary.get("stopped"),
        "spooled": int(summary.get("spooled", 0)),
        # Sitemaps, feeds and listings that answered 304: exactly as the outlet's last run saw them.
        "unchanged": int((summary.get("stats") or {}).get("responses_by_status", {}).get("304", 0)),
    }


def _run_job(config: OrchestrationConfig, kind: str, outlet_id: str, window: DateWindow,
             timeout_s: float | None) -> dict[str, Any]:  # fmt: skip
    """Run one job of one outlet in a subprocess; its summary, for XCom."""
    from newsarchive.jobs import JobRequest, run_job

    outlet = config.outlet(outlet_id)
    aws = aws_env_from_connection(config.aws_conn_id)  # the child's environment only, never the request
    secrets = _secret_values(aws)
    request = JobRequest.build(kind, [outlet], config.archive_uri, since=window.since, until=window.until,
                               settings=config.settings)  # fmt: skip
    try:
        summaries = run_job(request, env=aws, timeout_s=timeout_s)
    except NewsarchiveError as exc:
        raise CrawlError(redact(f"outlet {outlet_id!r}: {exc}", secrets)) from None
    if len(summaries) != 1:
        raise CrawlError(f"outlet {outlet_id!r}: expected one {kind} summary, got {len(summaries)}")
    # The CLI's exit codes and the task's state agree: failed fails the task, partial is done with a warning.
    (summary,) = summaries
    if summary.outcome is RunOutcome.FAILED:
        raise CrawlError(redact(summary.outcome_line(), secrets))
    if summary.outcome is RunOutcome.PARTIAL:
        log.warning("%s", summary.outcome_line())
    return {**summary.to_dict(), "outcome": summary.outcome.value}


def crawl_outlet(
    config: OrchestrationConfig, outlet_id: str, window: DateWindow, *, timeout_s: float | None = None
) -> dict[str, Any]:
    """Crawl one outlet for ``window`` in a subprocess; the summary as a JSON-safe dict.

    Raises :class:`CrawlError` (redacted) when the crawl could not run or the site never answered.
    """
    outlet = config.outlet(outlet_id)
    log.info("crawling %s (%s) for %s into %s", outlet.id, outlet.base_url, window, redact(config.archive_uri))
    summary = _run_job(config, "crawl", outlet_id, window, timeout_s)
    assert_site_answered(outlet_id, summary["stats"])
    return _result(summary, window)


def ingest_snapshots(
    config: OrchestrationConfig, outlet_id: str, window: DateWindow, *, timeout_s: float | None = None
) -> dict[str, Any]:
    """Ingest archived (Wayback) snapshots of one outlet for ``window`` in a subprocess.

    A backfill job (the ``wayback_url`` setting names the Archive); returns the same shape as :func:`crawl_outlet`.
    """
    log.info("ingesting Wayback snapshots of %s for %s into %s", outlet_id, window, redact(config.archive_uri))
    return _result(_run_job(config, "backfill", outlet_id, window, timeout_s), window)


#: Where a task archives an outlet's window from: the live site, or its snapshots in the Wayback Machine.
SOURCES: Mapping[str, Callable[..., dict[str, Any]]] = {
    RecordSource.LIVE: crawl_outlet,
    RecordSource.WAYBACK: ingest_snapshots,
}


def archive_window(
    config: OrchestrationConfig,
    outlet_id: str,
    window: DateWindow,
    *,
    source: str = RecordSource.LIVE,
    timeout_s: float | None = None,
) -> dict[str, Any]:
    """Archive one outlet's ``window`` from ``source`` (a key of :data:`SOURCES`); the crawl summary."""
    try:
        archive = SOURCES[source]
    except KeyError:
        raise ConfigError(f"unknown source {source!r}: expected one of {sorted(map(str, SOURCES))}") from None
    return archive(config, outlet_id, window, timeout_s=timeout_s)


def verify_commit(config: OrchestrationConfig, crawl: Mapping[str, Any]) -> OutletResult:
    """Check that the crawl's run is committed in the archive: marker, manifest, every object and its index.

    Raises :class:`CrawlError` when the run left no commit (its articles are not part of
    the archive, and the next run will fetch them again) or an object is missing.
    """
    from archive import Archive

    outlet_id, run_id = crawl["outlet_id"], crawl["run_id"]
    aws = aws_env_from_connection(config.aws_conn_id)
    secrets = _secret_values(aws)
    try:
        with Archive.open(config.archive_uri, config.settings, aws=aws) as archive:
            # No run id: the ingestion found its range already done (a resumed, finished
            # backfill) and opened no run, so there is nothing to verify.
            report = archive.verify(outlet_id, run_id=run_id) if run_id else None
            known = len(archive.index.known_canonical_urls(outlet_id))
    except NewsarchiveError as exc:
        raise CrawlError(redact(f"outlet {outlet_id!r}: cannot verify run {run_id}: {exc}", secrets)) from None
    spooled = int(crawl.get("spooled", 0))
    if report is not None and not (spooled and not report.committed_runs):
        if not report.committed_runs:
            raise CrawlError(f"outlet {outlet_id!r}: run {run_id} has no commit marker in the archive")
        if report.damaged:
            raise CrawlError(redact(f"outlet {outlet_id!r}: run {run_id} is damaged: {report.problems[0]}", secrets))
        log.info("run %s of %s committed: %d objects verified", run_id, outlet_id, report.objects)
    elif spooled:  # the store was down: the run is spooled, the next run stores it (a partial run)
        log.warning("run %s of %s spooled (%d objects), not committed yet", run_id, outlet_id, spooled)
    archived = int(crawl.get("archived", 0))
    return OutletResult(
        outlet_id=outlet_id,
        run_id=run_id,
        window=str(crawl.get("window", "")),
        archived=archived,
        versions=int(crawl.get("versions", 0)),
        duplicates=int(crawl.get("duplicates", 0)),
        failed=int(crawl.get("failed", 0)),
        skipped=dict(crawl.get("skipped", {})),
        committed=not (spooled and report is not None and not report.committed_runs),
        history=max(known - archived, 0),
        seconds=float(crawl.get("seconds", 0.0)),
        outcome=str(crawl.get("outcome", "ok")),
        stopped=crawl.get("stopped"),
        unchanged=int(crawl.get("unchanged", 0)),
    )
