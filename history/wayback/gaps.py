"""Fill the gaps: turn the archive's gap days into Wayback backfill ranges (``backfill --fill-gaps``).

Gap detection itself lives with the archive's statistics
(:func:`archive.stats.compute_stats`: a day far below the outlet's norm); this
module only groups those days into date ranges — consecutive days, and days
a short hop apart, become one range so one CDX walk covers them — and runs one
:func:`~history.wayback.backfill.backfill_from_wayback` per range.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from core.registry import Outlet
from core.settings import Settings, get_settings
from history.wayback.backfill import backfill_from_wayback
from ingest.stopping import INTERRUPTED
from ingest.summary import RunSummary

__all__ = ["fill_gaps", "gap_days", "gap_ranges", "pad"]


def gap_ranges(days: Iterable[date], *, join_within_days: int = 1) -> list[tuple[date, date]]:
    """Inclusive (since, until) ranges covering ``days``; days at most ``join_within_days`` apart share one.

    With the default, only consecutive days merge: a range never covers a day that is not a gap.
    """
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and (day - ranges[-1][1]).days <= join_within_days:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def gap_days(outlet: Outlet, archive_uri: str, settings: Settings | None = None) -> list[date]:
    """The outlet's gap days as the archive's stats report them (``newsarchive stats --gaps``)."""
    from archive import Archive

    with Archive.open(archive_uri, settings or get_settings()) as archive:
        return list(archive.stats(outlet.id).gaps.get(outlet.id, []))


def fill_gaps(
    outlet: Outlet,
    archive_uri: str,
    *,
    days: Iterable[date] | None = None,
    join_within_days: int = 1,
    settings: Settings | None = None,
    **backfill_options: Any,
) -> list[RunSummary]:
    """Backfill exactly the gap days of ``outlet`` (``days``, or the archive's stats) from the Wayback Machine."""
    settings = settings or get_settings()
    targets = gap_days(outlet, archive_uri, settings) if days is None else list(days)
    summaries = []
    for since, until in gap_ranges(targets, join_within_days=join_within_days):
        summaries.append(backfill_from_wayback(outlet, archive_uri, since, until, settings=settings, **backfill_options))
        if summaries[-1].stopped == INTERRUPTED:  # asked to stop: no further gap
            break
    return summaries


def pad(ranges: list[tuple[date, date]], days: int) -> list[tuple[date, date]]:
    """``ranges`` widened by ``days`` on each side (for outlets whose dates drift across midnight)."""
    return gap_ranges(
        (start + timedelta(days=offset) for start, end in ranges for offset in range(-days, (end - start).days + days + 1)),
        join_within_days=1,
    )
