"""What one outlet's crawl needs to know before it starts, read from the archive itself.

The archive's index — not a local file — says which articles are already archived
(so an incremental crawl on any Airflow worker skips them), which ones are recent
enough to refresh, which headlines the outlet has used (in-body teasers are
recognised by them), when the last successful run was (the default window) and which
template lines that run learned (:mod:`ingest.templates`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from core.dates import DateWindow, default_since
from core.errors import StoreAccessError, StoreError
from core.registry import Outlet
from core.settings import Settings, redact
from ingest.conditional import DiscoveryState, previous_state
from ingest.templates import saved_template_lines

if TYPE_CHECKING:
    from archive import Archive

__all__ = ["CrawlPlan", "build_plan"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlPlan:
    outlet: Outlet
    archive: Archive
    window: DateWindow
    settings: Settings
    known_urls: frozenset[str] = frozenset()
    refresh_urls: frozenset[str] = frozenset()
    known_headlines: frozenset[str] = frozenset()
    #: Template lines saved by the outlet's last run, by language (see :mod:`ingest.templates`).
    template_lines: dict[str, list[str]] = field(default_factory=dict)
    refresh_days: int | None = None
    throttle: bool = True
    #: Validators of the outlet's discovery documents from its last run (:mod:`ingest.conditional`).
    discovery: DiscoveryState = field(default_factory=DiscoveryState)
    extra: dict[str, object] = field(default_factory=dict)


def _recently_published(archive: Archive, outlet_id: str, days: int, today: date) -> frozenset[str]:
    import pyarrow.compute as pc

    cutoff = today - timedelta(days=days)
    table = archive.index.table(outlet_id, columns=["canonical_url"], filter=pc.field("day") >= cutoff)
    return frozenset(table.column("canonical_url").to_pylist())


def build_plan(
    archive: Archive,
    outlet: Outlet,
    *,
    since: date | None,
    until: date | None,
    refresh_days: int | None = None,
    settings: Settings,
    throttle: bool = True,
    now: datetime | None = None,
) -> CrawlPlan:
    """The plan of one outlet's crawl; ``since=None`` means "since the last successful run, minus the overlap"."""
    now = now or datetime.now(UTC)
    try:
        last_run = archive.index.last_successful_run(outlet.id)
        known = frozenset(archive.index.known_canonical_urls(outlet.id))
        headlines = frozenset(archive.index.headlines(outlet.id))
        template_lines = saved_template_lines(archive, outlet.id)
    except StoreAccessError:
        raise  # wrong credentials or bucket: a configuration error, not an outage
    except StoreError as exc:
        # The store is down: crawl as if the archive were empty; the run spools what it archives and
        # the run that flushes the spool deduplicates it against the index.
        logger.warning("archive index of %s unreadable, crawling as if empty: %s", outlet.id, redact(str(exc)))
        last_run, known, headlines, template_lines = None, frozenset(), frozenset(), {}
    if since is None:
        since = default_since(
            last_run,
            overlap_days=settings.overlap_days,
            default_days=settings.default_window_days,
            now=now,
        )
        if until is not None and since > until:
            since = until
    window = DateWindow(since, until, outlet.tz)
    refresh = (
        _recently_published(archive, outlet.id, refresh_days, now.astimezone(outlet.tz).date())
        if refresh_days is not None and known
        else frozenset()
    )
    try:
        discovery = (previous_state(archive, outlet.id, window, refresh_days=refresh_days)
                     if known and settings.conditional_discovery else DiscoveryState())
    except StoreAccessError:
        raise
    except StoreError as exc:
        logger.warning("run manifests of %s unreadable, discovery not conditional: %s", outlet.id, redact(str(exc)))
        discovery = DiscoveryState()
    return CrawlPlan(
        outlet=outlet,
        archive=archive,
        window=window,
        settings=settings,
        known_urls=known,
        refresh_urls=refresh,
        known_headlines=headlines,
        template_lines=template_lines,
        refresh_days=refresh_days,
        throttle=throttle,
        discovery=discovery,
    )
