"""The summary of one outlet's run — a live crawl or a backfill — as the CLI, the DAGs and the job runner read it.

The full stats (:meth:`ingest.tally.CrawlTally.snapshot`) are in ``stats`` and in the run's manifest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from core.errors import ExitCode
from ingest.tally import FAILED_OUTCOMES

__all__ = ["RunOutcome", "RunSummary"]


class RunOutcome(StrEnum):
    """How a run ended, for the exit code and the run report."""

    OK = "ok"  # finished and committed
    PARTIAL = "partial"  # ended early (``stopped``) or part of its output spooled; nothing fetched was lost
    FAILED = "failed"  # nothing fetched, or nothing committed or spooled

    @property
    def exit_code(self) -> ExitCode:
        return {RunOutcome.OK: ExitCode.OK, RunOutcome.PARTIAL: ExitCode.PARTIAL}.get(self, ExitCode.FAILED)


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
    #: Why the run ended before its work was done ("interrupted", "budget:<name>"), or None when it ran to the end.
    stopped: str | None = None
    #: Objects of the run that could only be spooled locally (the store was down); the next run stores them.
    spooled: int = 0
    #: The run fetched nothing at all: the site (or web archive) never answered.
    unreachable: bool = False

    @property
    def outcome(self) -> RunOutcome:
        if self.unreachable or not (self.committed or self.spooled):
            return RunOutcome.FAILED
        if self.stopped or self.spooled or not self.committed:
            return RunOutcome.PARTIAL
        return RunOutcome.OK

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
            stopped=summary.get("stopped"),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSummary:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})
