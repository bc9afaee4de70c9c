"""The date window: what is kept, what is skipped before fetching, and the scheduled default."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.dates import DateWindow, default_since

TZ = ZoneInfo("Asia/Damascus")  # UTC+3


def test_window_days_are_outlet_calendar_days() -> None:
    window = DateWindow(date(2026, 10, 1), date(2026, 10, 31), TZ)
    assert window.contains(datetime(2026, 10, 1, 0, 0, tzinfo=TZ))
    assert not window.contains(datetime(2026, 9, 30, 20, 59, tzinfo=UTC))  # 23:59 in Damascus
    assert window.contains(datetime(2026, 9, 30, 21, 0, tzinfo=UTC))  # 00:00 in Damascus
    assert window.contains(datetime(2026, 10, 31, 23, 59, tzinfo=TZ))
    assert not window.contains(datetime(2026, 11, 1, 0, 0, tzinfo=TZ))
    assert window.contains(None), "an unknown date cannot prove the page out of the window"


def test_lastmod_only_skips_before_since() -> None:
    window = DateWindow(date(2026, 10, 1), date(2026, 10, 31), TZ)
    assert window.skip_by_lastmod(datetime(2026, 9, 15, tzinfo=TZ))
    assert not window.skip_by_lastmod(datetime(2026, 12, 1, tzinfo=TZ)), "an old page edited later may be in"
    assert not window.skip_by_lastmod(None)
    assert window.skip_by_published(datetime(2026, 12, 1, tzinfo=TZ))
    assert window.skip_by_published(datetime(2026, 9, 1, tzinfo=TZ))
    assert not window.skip_by_published(None)


def test_open_window_keeps_everything() -> None:
    window = DateWindow()
    assert window.is_open and window.contains(datetime(1999, 1, 1, tzinfo=UTC))
    assert not window.skip_by_lastmod(datetime(1999, 1, 1, tzinfo=UTC))


def test_inverted_window_is_an_error() -> None:
    with pytest.raises(ValueError, match="after"):
        DateWindow(date(2026, 10, 2), date(2026, 10, 1))


def test_default_since_is_last_success_minus_overlap() -> None:
    now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    last = datetime(2026, 11, 19, 2, 0, tzinfo=UTC)
    assert default_since(last, overlap_days=2, default_days=7, now=now) == date(2026, 11, 17)
    assert default_since(None, overlap_days=2, default_days=7, now=now) == (now - timedelta(days=7)).date()
