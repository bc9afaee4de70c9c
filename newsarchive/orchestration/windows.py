"""Crawl windows: which publication dates a DAG run covers.

A window is a pair of *inclusive* publication dates, as ``crawler.run_crawl`` takes
them. Airflow hands a run its data interval ``[start, end)``; the interval's window is
every calendar day that the interval touches, read in UTC:

- nightly: ``since=None`` lets the crawler resume from the outlet's last successful
  run minus the overlap (``Settings.overlap_days``), ``until`` is the interval's last day;
- backfill: the interval's own days, or the ``since``/``until`` params, cut into calendar
  months so that each mapped task is bounded and can be retried on its own.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from core.errors import ConfigError

__all__ = ["CrawlWindow", "interval_window", "month_chunks", "nightly_window", "parse_day"]


@dataclass(frozen=True)
class CrawlWindow:
    """Inclusive publication-date bounds; ``None`` leaves a side open for the crawler to decide."""

    since: date | None
    until: date | None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ConfigError(f"window starts after it ends: since {self.since} > until {self.until}")

    def to_dict(self) -> dict[str, str | None]:
        """JSON-safe form, for XCom."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str | None]) -> CrawlWindow:
        return cls(since=parse_day(data.get("since")), until=parse_day(data.get("until")))

    def __str__(self) -> str:
        return f"{self.since or '…'}..{self.until or '…'}"


def parse_day(value: str | date | None) -> date | None:
    """``YYYY-MM-DD`` (or a date, or a datetime) → date; empty → ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ConfigError(f"{value!r} is not a date (expected YYYY-MM-DD)") from None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def interval_window(start: datetime, end: datetime) -> CrawlWindow:
    """The calendar days (UTC) that the data interval ``[start, end)`` touches.

    ``[2026-11-19 00:00, 2026-11-20 00:00)`` is the single day 2026-11-19; an interval of
    zero length (a trigger timetable's run) is the day it points at.
    """
    start, end = _utc(start), _utc(end)
    if end < start:
        raise ConfigError(f"data interval ends before it starts: {start} > {end}")
    last = end - timedelta(microseconds=1) if end > start else end
    return CrawlWindow(since=start.date(), until=last.date())


def nightly_window(start: datetime, end: datetime) -> CrawlWindow:
    """The nightly window: open start (the crawler resumes), the interval's last day as end."""
    return CrawlWindow(since=None, until=interval_window(start, end).until)


def month_chunks(window: CrawlWindow) -> list[CrawlWindow]:
    """``window`` cut at calendar-month boundaries, oldest first (both ends required)."""
    if window.since is None or window.until is None:
        raise ConfigError(f"a backfill needs both since and until, got {window}")
    chunks: list[CrawlWindow] = []
    cursor = window.since
    while cursor <= window.until:
        month_end = cursor.replace(day=calendar.monthrange(cursor.year, cursor.month)[1])
        chunks.append(CrawlWindow(since=cursor, until=min(month_end, window.until)))
        cursor = month_end + timedelta(days=1)
    return chunks
