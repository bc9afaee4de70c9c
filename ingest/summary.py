"""The summary of one outlet's run — a live crawl or a backfill — as the CLI, the DAGs and the job runner read it.

The full stats (:meth:`ingest.tally.CrawlTally.snapshot`) are in ``stats`` and in the run's manifest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from core.errors import ExitCode
from ingest.stopping import INTERRUPTED
from ingest.tally import FAILED_OUTCOMES

__all__ = ["RunOutcome", "RunSummary", "judge_run", "stopped_reason", "worst_outcome"]

#: Scrapy close reasons and what ``stopped`` says of them (``finished``: the run ran to its end).
CLOSE_REASONS: dict[str, str | None] = {"finished": None, "shutdown": INTERRUPTED}


class RunOutcome(StrEnum):
    """How a run ended, for the exit code and the run report."""

    OK = "ok"  # finished and committed
    PARTIAL = "partial"  # ended early (``stopped``) or part of its output spooled; nothing fetched was lost
    FAILED = "failed"  # nothing fetched, or nothing committed or spooled

    @property
    def exit_code(self) -> ExitCode:
        return {RunOutcome.OK: ExitCode.OK, RunOutcome.PARTIAL: ExitCode.PARTIAL}.get(self, ExitCode.FAILED)

    @property
    def severity(self) -> int:
        return (RunOutcome.OK, RunOutcome.PARTIAL, RunOutcome.FAILED).index(self)


def judge_run(*, committed: bool, spooled: int, stopped: str | None, unreachable: bool) -> RunOutcome:
    """The one rule: failed when nothing was fetched or nothing kept; partial when ended early or spooled."""
    if unreachable or not (committed or spooled):
        return RunOutcome.FAILED
    if stopped or spooled or not committed:
        return RunOutcome.PARTIAL
    return RunOutcome.OK


def stopped_reason(close_reason: str) -> str | None:
    """What ``stopped`` records for a Scrapy close reason (``shutdown``: Ctrl-C or SIGTERM → ``interrupted``)."""
    return CLOSE_REASONS.get(close_reason, close_reason)


def worst_outcome(summaries: list[RunSummary]) -> RunOutcome:
    """The outcome of a job over several outlets: the worst one (no outlet at all: failed)."""
    if not summaries:
        return RunOutcome.FAILED
    return max((s.outcome for s in summaries), key=lambda outcome: outcome.severity)


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
        return judge_run(committed=self.committed, spooled=self.spooled, stopped=self.stopped,
                         unreachable=self.unreachable)

    def outcome_line(self) -> str:
        """One line saying how the run ended, for the end of a command's output."""
        outcome = self.outcome
        if self.unreachable:  # and the fetcher's own words when it has them (which host, what failed)
            error = self.stats.get("error")
            why = "the site never answered (nothing fetched)" + (f": {error}" if error else "")
        elif outcome is RunOutcome.FAILED:
            why = "nothing could be committed or spooled"
        elif self.stopped:
            why = f"stopped early ({self.stopped}); what was fetched is {'committed' if self.committed else 'spooled'}"
        elif self.spooled:
            why = f"{self.spooled} object(s) spooled locally (the store failed); the next run stores them"
        else:
            why = "finished and committed"
        return f"{self.outlet_id}: {outcome.value}: {why}"

    @classmethod
    def from_stats(cls, outlet_id: str, run_id: str, stats: dict[str, Any], *, committed: bool,
                   stopped: str | None = None, unreachable: bool = False, versions: int | None = None) -> RunSummary:
        """The summary of a run from its stats (:meth:`ingest.tally.CrawlTally.snapshot`), whichever fetcher ran it.

        ``versions`` overrides the tally's count where a fetcher counts new versions itself (a Wayback
        backfill storing several snapshots of one article).
        """
        return cls(
            outlet_id=outlet_id,
            run_id=run_id,
            archived=stats["articles_archived"],
            versions=stats["versions"] if versions is None else versions,
            skipped={reason: count for reason, count in stats["skipped"].items() if count},
            failed=sum(stats["skipped"].get(reason, 0) for reason in FAILED_OUTCOMES),
            stats=stats,
            seconds=stats["seconds"],
            committed=committed,
            stopped=stopped,
            spooled=int(stats.get("spooled", 0)),
            unreachable=unreachable,
        )

    @classmethod
    def from_spider_summary(cls, summary: dict[str, Any]) -> RunSummary:
        return cls.from_stats(summary["outlet_id"], summary["run_id"], summary["stats"], committed=summary["committed"],
                              stopped=summary.get("stopped"), unreachable=bool(summary.get("unreachable", False)))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSummary:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})
