"""stats: articles per outlet per day, gap days, last successful run, and the coverage heatmap PNG."""

from __future__ import annotations

import struct
import zlib
from datetime import date
from pathlib import Path

from archive import Archive, write_heatmap
from archive.stats import GAP_RATIO
from tests.archive.conftest import make_record


def fill(archive: Archive, outlet: str, per_day: dict[int, int]) -> None:
    run = archive.begin_run(outlet)
    n = 0
    for day, count in per_day.items():
        for _ in range(count):
            record = make_record(outlet, n, published=f"2026-10-{day:02d}T08:00:00+00:00")
            record.canonical_url += f"-{outlet}-{n}"
            run.add_article(record)
            n += 1
    run.commit({})


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + 3 * width
    return width, height, [raw[i * stride + 1 : (i + 1) * stride] for i in range(height)]


def test_counts_gaps_and_last_runs(local_archive: Archive, tmp_path: Path) -> None:
    fill(local_archive, "alpha", {1: 8, 2: 9, 3: 8, 4: 1, 6: 10, 7: 8})  # 5th: none, 4th: far below
    fill(local_archive, "beta", {2: 2, 3: 2})
    stats = local_archive.stats()
    assert stats.outlets == ["alpha", "beta"]
    assert stats.per_day["alpha"][date(2026, 10, 2)] == 9 and stats.total("alpha") == 44
    assert stats.norm["alpha"] == 8  # median of 8, 9, 8, 1, 0, 10, 8: a day at or below 2 is a gap
    assert GAP_RATIO * stats.norm["alpha"] == 2
    assert stats.gaps["alpha"] == [date(2026, 10, 4), date(2026, 10, 5)]
    assert stats.gaps["beta"] == []  # two days: too few for a norm
    assert all(stats.last_successful_run[o] is not None for o in ("alpha", "beta"))
    summary = stats.to_dict()
    assert summary["alpha"]["gap_days"] == ["2026-10-04", "2026-10-05"] and summary["beta"]["articles"] == 4

    layout = write_heatmap(stats, tmp_path / "coverage.png")
    width, height, rows = decode_png((tmp_path / "coverage.png").read_bytes())
    assert (width, height) == (layout.width, layout.height)
    assert width >= 760 and height >= 100, "sized for a screen, not a strip"
    assert layout.peak == 10

    def pixel(outlet_row: int, day_col: int) -> tuple[int, ...]:
        x, y = layout.cell_center(outlet_row, day_col)
        return tuple(rows[y][3 * x : 3 * x + 3])

    assert pixel(0, 3) == (214, 39, 40) and pixel(0, 4) == (214, 39, 40)  # gap days are red
    assert pixel(0, 5) == (8, 48, 107)  # the busiest day is darkest
    assert pixel(1, 0) == (245, 245, 245)  # beta has nothing on the 1st
    # Labels are drawn: dark pixels left of the cells (outlet ids) and above them (title, dates).
    assert any(tuple(rows[y][3 * x : 3 * x + 3]) == (40, 40, 40) for y in range(layout.top, layout.top + 20)
               for x in range(layout.left))
    assert any(tuple(rows[y][3 * x : 3 * x + 3]) == (40, 40, 40) for y in range(layout.top - 10) for x in range(width))


def test_gaps_are_judged_against_the_outlets_weekday_cadence(local_archive: Archive) -> None:
    """An outlet that publishes on weekdays only has no weekend gaps; a missing weekday is one."""
    from datetime import timedelta

    first = date(2026, 9, 7)  # a Monday; five weeks
    days = [first + timedelta(days=i) for i in range(35)]
    missing = date(2026, 9, 23)  # a Wednesday
    run = local_archive.begin_run("weekdays")
    n = 0
    for day in days:
        if day.weekday() < 5 and day != missing:
            for _ in range(6):
                record = make_record("weekdays", n, published=f"{day.isoformat()}T08:00:00+00:00")
                record.canonical_url += f"-{n}"
                run.add_article(record)
                n += 1
    run.commit({})
    stats = local_archive.stats()
    assert stats.gaps["weekdays"] == [missing]  # 10 weekend days without articles are not gaps
    assert stats.usual["weekdays"] == [6, 6, 6, 6, 6, 0, 0]
    assert "weekday cadence over 4 weeks" in stats.cadence["weekdays"]  # Mon 7 Sep to Fri 9 Oct: 33 days
    assert "Mon, Tue, Wed, Thu, Fri" in stats.cadence["weekdays"] and "Sat" not in stats.cadence["weekdays"]
    assert stats.to_dict()["weekdays"]["gaps_judged_by"] == stats.cadence["weekdays"]


def test_stats_of_an_empty_archive(local_archive: Archive, tmp_path: Path) -> None:
    stats = local_archive.stats()
    assert stats.outlets == [] and stats.to_dict() == {}
    layout = write_heatmap(stats, tmp_path / "empty.png")
    assert decode_png((tmp_path / "empty.png").read_bytes())[:2] == (layout.width, layout.height)


def test_print_stats_shows_outlets_gaps_and_writes_the_plot(local_archive: Archive, tmp_path: Path) -> None:
    from rich.console import Console

    from archive.stats import print_stats

    fill(local_archive, "alpha", {1: 4, 2: 4, 3: 0, 4: 4})
    console = Console(record=True, width=160)
    print_stats(local_archive.stats(), local_archive.uri, gaps=True, plot=tmp_path / "c.png", console=console)
    text = console.export_text()
    assert "alpha" in text and "12" in text
    assert "alpha: 1 gap day(s): 2026-10-03" in text
    assert "judged against the median day" in text
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")
