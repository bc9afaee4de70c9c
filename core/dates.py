"""Dates and times, one home for each: parsing, Wayback timestamps, calendar days, the date window, Retry-After.

- :func:`parse_datetime`: an ISO 8601 or RFC 2822 date-time (or a bare date) read from a
  page, a feed, a sitemap or a stored record, as an aware datetime (naive values take a zone);
- :func:`parse_wayback_timestamp` / :func:`format_wayback_timestamp`: the Wayback
  Machine's ``YYYYMMDDhhmmss`` (UTC), shorter forms padded to their first second;
- :func:`parse_day`: a ``YYYY-MM-DD`` calendar day given by a user (an option, a DAG
  param, a request field), with an error that names where it came from;
- :class:`DateWindow`: which publication dates a run keeps, and what can be skipped unfetched;
- :func:`retry_after_seconds`: the wait a ``Retry-After`` header asks for.

Dates of a window are calendar days in the outlet's time zone: ``since`` from
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

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from typing import Final
from zoneinfo import ZoneInfo

from core.errors import ConfigError

__all__ = [
    "DateWindow",
    "default_since",
    "format_wayback_timestamp",
    "parse_datetime",
    "parse_day",
    "parse_wayback_timestamp",
    "retry_after_seconds",
]

_UTC: Final = ZoneInfo("UTC")
#: A date at the start of a value that is no ISO or RFC 2822 date-time: ``2026/10/03``, ``2026-10-03 (Sat)``.
_LEADING_DATE: Final = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
#: What pads a Wayback timestamp of 4 to 13 digits: the first month, day and second.
_WAYBACK_PADDING: Final = "0101000000"


def parse_datetime(value: str | None, tz: tzinfo | None = None) -> datetime | None:
    """An aware datetime from ISO 8601, RFC 2822 or a leading ``YYYY-MM-DD``; naive values take ``tz`` (UTC).

    ISO 8601 takes a ``Z`` suffix, an offset, or a space instead of the ``T``.
    Returns ``None`` for anything unparsable: a bad date never stops discovery,
    extraction or reading the archive.
    """
    text = value.strip() if value else ""
    if not text:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            match = _LEADING_DATE.match(text)
            if match is None:
                return None
            try:
                parsed = datetime.combine(date(*map(int, match.groups())), time())
            except ValueError:
                return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz or _UTC)


def parse_wayback_timestamp(value: str) -> datetime:
    """A Wayback timestamp (4 to 14 digits, UTC; missing parts are their minimum) as an aware datetime.

    ``2026`` is 2026-01-01 00:00:00, ``202610`` is 2026-10-01 00:00:00; digits past
    the 14th are ignored. Raises :class:`ValueError` for anything else.
    """
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) < 4:
        raise ValueError(f"not a Wayback timestamp: {value!r}")
    padded = (digits + _WAYBACK_PADDING[len(digits) - 4 :])[:14] if len(digits) < 14 else digits[:14]
    try:
        return datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"not a Wayback timestamp: {value!r}") from None


def format_wayback_timestamp(value: date | datetime, *, end: bool = False) -> str:
    """A 14-digit Wayback timestamp; a bare date is its first second (last second with ``end``).

    An aware datetime is converted to UTC; a naive one is taken as UTC.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y%m%d%H%M%S")
    return value.strftime("%Y%m%d") + ("235959" if end else "000000")


def parse_day(value: str | date | None, field: str | None = None) -> date | None:
    """A calendar day from ``YYYY-MM-DD`` (or an ISO date-time, a date, a datetime); empty is ``None``.

    Raises :class:`ConfigError` naming ``field`` (``--since``, a DAG param, a request
    field) when ``value`` is not a date.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        where = f"{field}: " if field else ""
        raise ConfigError(f"{where}{value!r} is not a date (expected YYYY-MM-DD)") from None


@dataclass(frozen=True, slots=True)
class DateWindow:
    """Inclusive publication-date bounds, calendar days in ``tz``; ``None`` leaves a side open."""

    since: date | None = None
    until: date | None = None
    tz: ZoneInfo = _UTC

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ConfigError(f"window starts after it ends: since {self.since} > until {self.until}")

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

    def to_dict(self) -> dict[str, str | None]:
        """JSON-safe form (XCom, stats): ``{"since": "YYYY-MM-DD" | None, "until": ...}``; the zone is not kept."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str | None], tz: ZoneInfo = _UTC) -> DateWindow:
        return cls(parse_day(data.get("since"), "since"), parse_day(data.get("until"), "until"), tz)

    def __str__(self) -> str:
        return f"{self.since or '…'}..{self.until or '…'}"


def default_since(last_success: datetime | None, *, overlap_days: int, default_days: int,
                  now: datetime | None = None) -> date:
    """Since-date of a scheduled run: the last successful run minus the overlap, else ``default_days`` ago."""
    now = now or datetime.now(UTC)
    if last_success is not None:
        return (last_success - timedelta(days=overlap_days)).date()
    return (now - timedelta(days=default_days)).date()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date); ``None`` when absent or bad.

    A date in the past is 0 seconds; a date without a zone is UTC.
    """
    text = value.strip() if value else ""
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
