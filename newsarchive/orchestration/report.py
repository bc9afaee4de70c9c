"""The run report of a DAG run, and the rule that raises the alarm.

Each verified outlet crawl becomes an :class:`OutletResult`. The :class:`RunReport`
adds them up (articles per outlet, outlets whose crawl failed) and names the
*silent* outlets: an outlet that normally yields articles but whose crawl saw none —
the "site changed and the crawl silently returns nothing" case, which no HTTP error
reveals. What counts as silent is data (:class:`AlertPolicy`), not code:

- the crawl *saw* no article at all: nothing new, no new version, and no already
  archived article met again (the nightly window overlaps the previous one by
  ``overlap_days``, so a healthy outlet always meets some again); and
- the archive already held at least ``min_history`` articles of the outlet from
  earlier runs (a brand-new or tiny outlet yielding nothing is reported, not alarmed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from core.settings import Settings

__all__ = ["AlertPolicy", "OutletResult", "RunReport", "mapped_results"]


def mapped_results(value: Any) -> list[Any]:
    """The XComs of one mapped task as a list: Airflow hands over ``None`` when no task of the map
    succeeded (or the map was empty), the value itself for a map of one item, a sequence otherwise."""
    if value is None:
        return []
    if isinstance(value, Mapping | OutletResult):
        return [value]
    return [item for item in value if item is not None]


@dataclass(frozen=True)
class OutletResult:
    """One outlet's crawl in one DAG run, after its commit was verified."""

    outlet_id: str
    run_id: str
    window: str
    archived: int = 0
    versions: int = 0
    duplicates: int = 0  # already archived articles met again (known before the request, or same text)
    failed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    committed: bool = False
    history: int = 0  # articles of the outlet the archive held before this run
    seconds: float = 0.0
    #: How the run ended (``ingest.summary.RunOutcome``): ``partial`` is done, with a warning in the report.
    outcome: str = "ok"
    stopped: str | None = None
    #: Discovery documents that answered 304 Not Modified: the outlet's sitemaps and feeds are as the last
    #: run saw them (conditional discovery), so a run that met no article is a quiet night, not a redesign.
    unchanged: int = 0

    @property
    def done(self) -> bool:
        """Committed, or partial (ended early, or spooled for the next run): not a failed outlet."""
        return self.committed or self.outcome == "partial"

    @property
    def seen(self) -> int:
        """Article pages the crawl met: new, new versions and already archived ones."""
        return self.archived + self.versions + self.duplicates

    @property
    def label(self) -> str:
        return f"{self.outlet_id} {self.window}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OutletResult:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class AlertPolicy:
    """When an outlet's empty crawl is an alarm rather than a quiet day."""

    min_history: int = Settings.alert_min_history

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertPolicy:
        """The policy of ``settings.alert_min_history`` (``NEWSARCHIVE_ALERT_MIN_HISTORY``)."""
        return cls(min_history=settings.alert_min_history)

    def is_silent(self, result: OutletResult) -> bool:
        return result.seen == 0 and result.unchanged == 0 and result.history >= self.min_history


@dataclass(frozen=True)
class RunReport:
    """Articles per outlet, failed outlets and silent outlets of one DAG run."""

    results: tuple[OutletResult, ...]
    failed_outlets: tuple[str, ...]
    silent_outlets: tuple[str, ...]
    partial_outlets: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        expected: Iterable[str],
        results: Iterable[Mapping[str, Any] | OutletResult] | Mapping[str, Any] | OutletResult | None,
        policy: AlertPolicy | None = None,
        *,
        by_window: bool = False,
    ) -> RunReport:
        """Report on ``results``; an ``expected`` item without a committed result failed.

        ``results`` may miss items, be ``None`` (what Airflow passes when no mapped task succeeded)
        or be a single result (what it passes for a map of one item).

        ``expected`` holds outlet ids, or with ``by_window`` labels ``"<outlet_id> <window>"``
        (a backfill expects one result per outlet and month).
        """
        policy = policy or AlertPolicy()
        parsed = tuple(r if isinstance(r, OutletResult) else OutletResult.from_dict(r) for r in mapped_results(results))
        done = {r.label if by_window else r.outlet_id for r in parsed if r.done}
        failed = tuple(dict.fromkeys(o for o in expected if o not in done))
        silent = tuple(r.outlet_id for r in parsed if r.committed and policy.is_silent(r))
        partial = tuple(dict.fromkeys(r.label if by_window else r.outlet_id for r in parsed if r.outcome == "partial"))
        return cls(results=parsed, failed_outlets=failed, silent_outlets=silent, partial_outlets=partial)

    @property
    def articles(self) -> dict[str, int]:
        """New articles (and new versions) per outlet."""
        per_outlet: dict[str, int] = {}
        for r in self.results:
            per_outlet[r.outlet_id] = per_outlet.get(r.outlet_id, 0) + r.archived + r.versions
        return per_outlet

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "total_articles": sum(self.articles.values()),
            "failed_outlets": list(self.failed_outlets),
            "silent_outlets": list(self.silent_outlets),
            "partial_outlets": list(self.partial_outlets),
            "outlets": [r.to_dict() for r in self.results],
        }

    def render(self) -> str:
        """A plain-text table for the task log."""
        lines = [f"{'outlet':<24} {'window':<23} {'new':>5} {'versions':>8} {'seen':>5} {'failed':>6}"]
        for r in sorted(self.results, key=lambda r: (r.outlet_id, r.window)):
            lines.append(
                f"{r.outlet_id:<24} {r.window:<23} {r.archived:>5} {r.versions:>8} {r.seen:>5} {r.failed:>6}"
            )
        lines.append(f"total new articles: {sum(self.articles.values())}")
        if self.failed_outlets:
            lines.append("FAILED outlets (crawl or commit did not complete): " + ", ".join(self.failed_outlets))
        if self.partial_outlets:
            lines.append("PARTIAL outlets (ended early or spooled; done, what was fetched is kept): "
                         + ", ".join(self.partial_outlets))
        if self.silent_outlets:
            lines.append("SILENT outlets (normally yield articles, yielded none): " + ", ".join(self.silent_outlets))
        return "\n".join(lines)
