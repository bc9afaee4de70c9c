"""The date window of a crawl: which publication dates are kept, and what can be skipped unfetched.

Dates of the window are calendar days in the outlet's time zone: ``since`` from
its first instant, ``until`` to its last. Discovery dates prune requests before
they are sent (each pruned request is counted as saved):

- a publication date (news sitemap, feed entry, a /YYYY/MM/DD/ path) outside the
  window skips the page;
- a ``lastmod`` before ``since`` skips the page or child sitemap (a page modified
  before the window was published before it); a ``lastmod`` after ``until``
  proves nothing — old pages get edited — so it never skips.

The extracted publication date decides at the end (:meth:`DateWindow.contains`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

__all__ = ["DateWindow", "default_since"]

_UTC: Final = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class DateWindow:
    since: date | None = None
    until: date | None = None
    tz: ZoneInfo = _UTC

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"window since {self.since} is after until {self.until}")

    @property
    def start(self) -> datetime | None:
        return datetime.combine(self.since, time.min, tzinfo=self.tz) if self.since else None

    @property
    def end(self) -> datetime | None:
        """First instant after the window."""
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=self.tz) if self.until else None

    @property
    def is_open(self) -> bool:
        return self.since is None and self.until is None

    def _aware(self, moment: datetime) -> datetime:
        return moment if moment.tzinfo else moment.replace(tzinfo=self.tz)

    def contains(self, published: datetime | None) -> bool:
        """Is a page published at ``published`` kept? An unknown date is kept (cannot prove otherwise)."""
        if published is None:
            return True
        moment = self._aware(published)
        start, end = self.start, self.end
        return not ((start and moment < start) or (end and moment >= end))

    def contains_day(self, day: date) -> bool:
        """Is a page published on calendar ``day`` (outlet time) possibly in the window?"""
        return not ((self.since and day < self.since) or (self.until and day > self.until))

    def skip_by_published(self, published: datetime | None) -> bool:
        """True when a discovery-time publication date proves the page is out of the window."""
        return published is not None and not self.contains(published)

    def skip_by_lastmod(self, lastmod: datetime | None) -> bool:
        """True when a modification date proves the page (or child sitemap) predates the window."""
        start = self.start
        return lastmod is not None and start is not None and self._aware(lastmod) < start

    def as_tuple(self) -> tuple[date | None, date | None]:
        return self.since, self.until


def default_since(last_success: datetime | None, *, overlap_days: int, default_days: int,
                  now: datetime | None = None) -> date:
    """Since-date of a scheduled run: the last successful run minus the overlap, else ``default_days`` ago."""
    now = now or datetime.now(UTC)
    if last_success is not None:
        return (last_success - timedelta(days=overlap_days)).date()
    return (now - timedelta(days=default_days)).date()
