"""History: backfill an outlet's past from the Wayback Machine.

- :mod:`~history.wayback.cdx` — the CDX API (which captures exist), paged with resume keys;
- :mod:`~history.wayback.snapshots` — one snapshot per article by the live crawler's rules;
- :mod:`~history.wayback.replay` — raw captures in the ``id_`` form;
- :mod:`~history.wayback.discover` — archived sitemaps, feeds and sections name lost articles;
- :mod:`~history.wayback.backfill` — all of it, through the live ingest path, resumable;
- :mod:`~history.wayback.gaps` — gap days of the archive's stats as backfill ranges.

The DAGs run a backfill in a child process through :mod:`newsarchive.jobs`.
"""

from history.wayback.backfill import WaybackBackfill, backfill_from_wayback
from history.wayback.cdx import CdxClient, CdxPage, CdxQuery, CdxRow, CdxTruncated, cdx_scopes, parse_cdx_json
from history.wayback.checkpoint import BackfillCheckpoint, checkpointed_rows, default_state_dir
from history.wayback.gaps import fill_gaps, gap_days, gap_ranges
from history.wayback.replay import Capture, ReplayClient, ReplayError
from history.wayback.snapshots import Snapshot, SnapshotPlan, SnapshotSelector
from history.wayback.transport import (
    ResponseTooLarge,
    RetryPolicy,
    TokenBucket,
    WaybackHttp,
    WaybackUnavailable,
    WaybackUnreachable,
    is_archived_response,
)

__all__ = [
    "BackfillCheckpoint",
    "Capture",
    "CdxClient",
    "CdxPage",
    "CdxQuery",
    "CdxRow",
    "CdxTruncated",
    "ReplayClient",
    "ReplayError",
    "ResponseTooLarge",
    "RetryPolicy",
    "Snapshot",
    "SnapshotPlan",
    "SnapshotSelector",
    "TokenBucket",
    "WaybackBackfill",
    "WaybackHttp",
    "WaybackUnavailable",
    "WaybackUnreachable",
    "backfill_from_wayback",
    "cdx_scopes",
    "checkpointed_rows",
    "default_state_dir",
    "fill_gaps",
    "gap_days",
    "gap_ranges",
    "is_archived_response",
    "parse_cdx_json",
]
