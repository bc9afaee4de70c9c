"""The summary of one outlet's run — a live crawl or a backfill — as the CLI, the DAGs and the job runner read it.

The full stats (:meth:`ingest.tally.CrawlTally.snapshot`) are in ``stats`` and in the run's manifest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from ingest.tally import FAILED_OUTCOMES

__all__ = ["RunSummary"]


@dataclass
class RunSummary:
    """The outcome of one outlet's run: a crawl or a backfill."""

    outlet_id: str
    run_id: str
    archived: int
    versions: int
    skipped: dict[str, int]
    failed: int
    stats: dict[str, Any]
    seconds: float
    committed: bool = True

    @classmethod
    def from_spider_summary(cls, summary: dict[str, Any]) -> RunSummary:
        stats = summary["stats"]
        skipped = {reason: count for reason, count in stats["skipped"].items() if count}
        return cls(
            outlet_id=summary["outlet_id"],
            run_id=summary["run_id"],
            archived=stats["articles_archived"],
            versions=stats["versions"],
            skipped=skipped,
            failed=sum(stats["skipped"].get(reason, 0) for reason in FAILED_OUTCOMES),
            stats=stats,
            seconds=stats["seconds"],
            committed=summary["committed"],
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSummary:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})
