"""Data intervals → date windows: which publication dates a DAG run covers.

A window is a :class:`core.dates.DateWindow` of *inclusive* publication dates, as
``crawler.run_crawl`` takes them. Airflow hands a run its data interval ``[start, end)``;
the interval's window is every calendar day that the interval touches, read in UTC:

- nightly: ``since=None`` lets the crawler resume from the outlet's last successful
  run minus the overlap (``Settings.overlap_days``), ``until`` is the interval's last day;
- backfill: the interval's own days, or the ``since``/``until`` params, cut into calendar
  months so that each mapped task is bounded and can be retried on its own.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

from core.dates import DateWindow
from core.errors import ConfigError

__all__ = ["interval_window", "month_chunks", "nightly_window"]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def interval_window(start: datetime, end: datetime) -> DateWindow:
    """The calendar days (UTC) that the data interval ``[start, end)`` touches.

    ``[2026-11-19 00:00, 2026-11-20 00:00)`` is the single day 2026-11-19; an interval of
    zero length (a trigger timetable's run) is the day it points at.
    """
    start, end = _utc(start), _utc(end)
    if end < start:
        raise ConfigError(f"data interval ends before it starts: {start} > {end}")
    last = end - timedelta(microseconds=1) if end > start else end
    return DateWindow(since=start.date(), until=last.date())


def nightly_window(start: datetime, end: datetime) -> DateWindow:
    """The nightly window: open start (the crawler resumes), the interval's last day as end."""
    return DateWindow(since=None, until=interval_window(start, end).until)


def month_chunks(window: DateWindow) -> list[DateWindow]:
    """``window`` cut at calendar-month boundaries, oldest first (a backfill: both ends required)."""
    if window.since is None or window.until is None:
        raise ConfigError(f"a backfill needs both since and until, got {window}")
    chunks: list[DateWindow] = []
    cursor = window.since
    while cursor <= window.until:
        month_end = cursor.replace(day=calendar.monthrange(cursor.year, cursor.month)[1])
        chunks.append(DateWindow(since=cursor, until=min(month_end, window.until), tz=window.tz))
        cursor = month_end + timedelta(days=1)
    return chunks
