"""core.dates: date-time parsing, Wayback timestamps, calendar days, the date window, Retry-After."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from core.dates import (
    DateWindow,
    default_since,
    format_wayback_timestamp,
    parse_datetime,
    parse_day,
    parse_wayback_timestamp,
    retry_after_seconds,
)
from core.errors import ConfigError

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
    with pytest.raises(ConfigError, match="starts after it ends"):
        DateWindow(date(2026, 10, 2), date(2026, 10, 1))


def test_default_since_is_last_success_minus_overlap() -> None:
    now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    last = datetime(2026, 11, 19, 2, 0, tzinfo=UTC)
    assert default_since(last, overlap_days=2, default_days=7, now=now) == date(2026, 11, 17)
    assert default_since(None, overlap_days=2, default_days=7, now=now) == (now - timedelta(days=7)).date()


def test_window_dict_and_text_forms() -> None:
    window = DateWindow(date(2026, 10, 1), None)
    assert window.to_dict() == {"since": "2026-10-01", "until": None}
    assert DateWindow.from_dict(window.to_dict()) == window
    assert DateWindow.from_dict({"since": "2026-10-01", "until": "2026-10-31"}, TZ).tz == TZ
    assert str(window) == "2026-10-01..…" and str(DateWindow()) == "…..…"
    assert str(DateWindow(date(2026, 10, 1), date(2026, 10, 31))) == "2026-10-01..2026-10-31"
    with pytest.raises(ConfigError, match="until: 'soon' is not a date"):
        DateWindow.from_dict({"since": None, "until": "soon"})


def test_naive_times_take_the_outlet_time_zone() -> None:
    tz = ZoneInfo("Asia/Damascus")
    assert parse_datetime("2026-10-03T09:30:00", tz) == datetime(2026, 10, 3, 9, 30, tzinfo=tz)
    assert parse_datetime("2026-10-03T09:30:00Z", tz) == datetime(2026, 10, 3, 9, 30, tzinfo=ZoneInfo("UTC"))
    assert parse_datetime("Thu, 22 Dec 2016 14:05:31 +0000").isoformat() == "2016-12-22T14:05:31+00:00"  # type: ignore[union-attr]
    assert parse_datetime("not a date") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-03T09:30:00Z", datetime(2026, 10, 3, 9, 30, tzinfo=UTC)),
        ("2026-10-03T09:30:00+03:00", datetime(2026, 10, 3, 9, 30, tzinfo=timezone(timedelta(hours=3)))),
        ("2026-10-03T09:30:00", datetime(2026, 10, 3, 9, 30, tzinfo=TZ)),  # naive: the given zone
        ("2026-10-03 09:30:00", datetime(2026, 10, 3, 9, 30, tzinfo=TZ)),  # a space instead of the T
        ("  2026-10-03T09:30:00.250+00:00 ", datetime(2026, 10, 3, 9, 30, 0, 250000, tzinfo=UTC)),
        ("2026-10-03", datetime(2026, 10, 3, tzinfo=TZ)),
        ("Sat, 03 Oct 2026 09:30:00 GMT", datetime(2026, 10, 3, 9, 30, tzinfo=UTC)),  # RFC 2822 / HTTP date
        ("Sat, 03 Oct 2026 09:30:00 -0000", datetime(2026, 10, 3, 9, 30, tzinfo=TZ)),  # "-0000": no zone known
        ("2026/10/03", datetime(2026, 10, 3, tzinfo=TZ)),  # a leading date, other separators
        ("2026-10-03 (Saturday)", datetime(2026, 10, 3, tzinfo=TZ)),
    ],
)
def test_parse_datetime_reads_iso_rfc_2822_and_leading_dates(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text, TZ)
    assert parsed == expected and parsed is not None and parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", [None, "", "   ", "not a date", "2026-13-45", "yesterday", "2026-02-30T10:00"])
def test_parse_datetime_gives_none_for_garbage(text: str | None) -> None:
    assert parse_datetime(text) is None


def test_parse_datetime_defaults_naive_values_to_utc() -> None:
    assert parse_datetime("2026-10-03T09:30:00") == datetime(2026, 10, 3, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2026", datetime(2026, 1, 1, tzinfo=UTC)),
        ("202610", datetime(2026, 10, 1, tzinfo=UTC)),
        ("20261003", datetime(2026, 10, 3, tzinfo=UTC)),
        ("2026100309", datetime(2026, 10, 3, 9, tzinfo=UTC)),
        ("202610030930", datetime(2026, 10, 3, 9, 30, tzinfo=UTC)),
        ("20261003093015", datetime(2026, 10, 3, 9, 30, 15, tzinfo=UTC)),
        ("2026100309301599", datetime(2026, 10, 3, 9, 30, 15, tzinfo=UTC)),  # past 14 digits: ignored
    ],
)
def test_wayback_timestamps_are_padded_to_their_first_second(stamp: str, expected: datetime) -> None:
    assert parse_wayback_timestamp(stamp) == expected


@pytest.mark.parametrize("stamp", ["", "202", "abc", "20261399000000"])
def test_bad_wayback_timestamps_raise(stamp: str) -> None:
    with pytest.raises(ValueError, match="not a Wayback timestamp"):
        parse_wayback_timestamp(stamp)


def test_format_wayback_timestamp() -> None:
    assert format_wayback_timestamp(date(2026, 10, 3)) == "20261003000000"
    assert format_wayback_timestamp(date(2026, 10, 3), end=True) == "20261003235959"
    assert format_wayback_timestamp(datetime(2026, 10, 3, 9, 30, 15, tzinfo=TZ)) == "20261003063015"  # as UTC
    assert format_wayback_timestamp(datetime(2026, 10, 3, 9, 30, 15)) == "20261003093015"  # naive: UTC
    moment = datetime(2026, 10, 3, 9, 30, 15, tzinfo=UTC)
    assert parse_wayback_timestamp(format_wayback_timestamp(moment)) == moment


def test_parse_day() -> None:
    assert parse_day("2026-10-03") == date(2026, 10, 3)
    assert parse_day(" 2026-10-03 ", "--since") == date(2026, 10, 3)
    assert parse_day("2026-10-03T23:30:00-05:00") == date(2026, 10, 3)  # the day as written
    assert parse_day(date(2026, 10, 3)) == date(2026, 10, 3)
    assert parse_day(datetime(2026, 10, 3, 23, 30, tzinfo=UTC)) == date(2026, 10, 3)
    assert parse_day(None) is None and parse_day("") is None


@pytest.mark.parametrize("text", ["October", "2026-13-01", "2026-10-03 and more", "03/10/2026"])
def test_bad_day_names_its_field(text: str) -> None:
    with pytest.raises(ConfigError, match=f"^--since: '{text}' is not a date \\(expected YYYY-MM-DD\\)$"):
        parse_day(text, "--since")
    with pytest.raises(ConfigError, match="is not a date"):
        parse_day(text)


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(" 120 ") == 120.0
    assert retry_after_seconds("Fri, 20 Nov 2026 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Fri, 20 Nov 2026 11:00:00 GMT", now=now) == 0.0  # in the past: no wait
    assert retry_after_seconds("Fri, 20 Nov 2026 12:00:30 -0000", now=now) == 30.0  # no zone: UTC


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5", "Fri, 32 Nov 2026 12:00:30 GMT"])
def test_retry_after_garbage_and_negative_are_none(value: str | None) -> None:
    assert retry_after_seconds(value) is None
