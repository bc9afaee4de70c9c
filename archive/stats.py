"""``stats``: coverage of the archive — articles per outlet per day, gap days, last successful runs.

Everything comes from the index (latest version of each article, counted on its
publication day, or the fetch day when undated). A *gap* is a day inside an
outlet's covered range whose count is far below the outlet's norm: at most
``GAP_RATIO`` × the median of its daily counts. ``write_heatmap`` draws the
outlets × days coverage as a PNG without a plotting library (the PNG is encoded
here with ``zlib``): one row per outlet (sorted by id), one column per day,
darker = more articles, red = gap day.
"""

from __future__ import annotations

import statistics
import struct
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.compute as pc

from archive.download import Selection, plan_selection
from archive.index import ArchiveIndex

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["GAP_RATIO", "ArchiveStats", "compute_stats", "print_stats", "write_heatmap"]

#: A day with at most this share of the outlet's median daily count is a gap.
GAP_RATIO = 0.25
#: Outlets with fewer covered days than this have no meaningful norm: no gaps reported.
MIN_DAYS_FOR_NORM = 3


@dataclass
class ArchiveStats:
    per_day: dict[str, dict[date, int]] = field(default_factory=dict)
    gaps: dict[str, list[date]] = field(default_factory=dict)
    norm: dict[str, float] = field(default_factory=dict)
    last_successful_run: dict[str, datetime | None] = field(default_factory=dict)

    @property
    def outlets(self) -> list[str]:
        return sorted(set(self.per_day) | set(self.last_successful_run))

    def total(self, outlet: str) -> int:
        return sum(self.per_day.get(outlet, {}).values())

    def days(self) -> list[date]:
        """Every day from the first to the last covered day, across outlets."""
        covered = [d for counts in self.per_day.values() for d in counts]
        if not covered:
            return []
        first, last = min(covered), max(covered)
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def to_dict(self) -> dict[str, Any]:
        return {
            outlet: {
                "articles": self.total(outlet),
                "per_day": {d.isoformat(): n for d, n in sorted(self.per_day.get(outlet, {}).items())},
                "daily_median": self.norm.get(outlet),
                "gap_days": [d.isoformat() for d in self.gaps.get(outlet, [])],
                "last_successful_run": (run.isoformat() if (run := self.last_successful_run.get(outlet)) else None),
            }
            for outlet in self.outlets
        }


def compute_stats(index: ArchiveIndex, outlet: str | None = None) -> ArchiveStats:
    plan = plan_selection(index, Selection(outlet=outlet)).rows
    stats = ArchiveStats()
    if plan.num_rows:
        counts = plan.group_by(["outlet", "day"]).aggregate([("key", "count")])
        counts = counts.filter(pc.is_valid(counts["day"]))
        for row in counts.to_pylist():
            stats.per_day.setdefault(row["outlet"], {})[row["day"]] = row["key_count"]
    for outlet_id in sorted({outlet_id for outlet_id, _ in index.committed_runs(outlet)}):
        stats.last_successful_run[outlet_id] = index.last_successful_run(outlet_id)
    for outlet_id, per_day in stats.per_day.items():
        first, last = min(per_day), max(per_day)
        daily = [per_day.get(first + timedelta(days=i), 0) for i in range((last - first).days + 1)]
        norm = statistics.median(daily)
        stats.norm[outlet_id] = norm
        if len(daily) < MIN_DAYS_FOR_NORM or norm == 0:
            stats.gaps[outlet_id] = []
            continue
        stats.gaps[outlet_id] = [first + timedelta(days=i) for i, n in enumerate(daily) if n <= GAP_RATIO * norm]
    return stats


def print_stats(
    stats: ArchiveStats, uri: str, *, gaps: bool = False, plot: Path | None = None, console: Console | None = None
) -> None:
    """``newsarchive stats``: a table per outlet of the archive at ``uri``; gap days with ``gaps``; the heatmap with ``plot``."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title=f"archive {uri}")
    for column in ("outlet", "articles", "first", "last", "per day", "gaps", "last run (UTC)"):
        table.add_column(column, justify="right" if column in ("articles", "per day", "gaps") else "left", no_wrap=True)
    for outlet in stats.outlets:
        days = sorted(stats.per_day.get(outlet, {}))
        run = stats.last_successful_run.get(outlet)
        table.add_row(
            outlet,
            str(stats.total(outlet)),
            days[0].isoformat() if days else "-",
            days[-1].isoformat() if days else "-",
            f"{stats.norm.get(outlet, 0):g}",
            str(len(stats.gaps.get(outlet, []))),
            run.strftime("%Y-%m-%d %H:%M") if run else "never",
        )
    console.print(table)
    if gaps:
        for outlet in stats.outlets:
            found = stats.gaps.get(outlet, [])
            console.print(f"{outlet}: {len(found)} gap day(s)" + (": " + ", ".join(d.isoformat() for d in found) if found else ""))
    if plot is not None:
        write_heatmap(stats, plot)
        console.print(f"coverage heatmap written to {plot}: {len(stats.outlets)} outlet(s) x {len(stats.days())} day(s)")


# -- heatmap ----------------------------------------------------------------------------------

_CELL_W, _CELL_H, _GRID = 6, 14, 1
_GRIDLINE = (225, 225, 225)
_GAP = (214, 39, 40)
_EMPTY = (245, 245, 245)


def _shade(value: int, peak: int) -> tuple[int, int, int]:
    """Light to dark blue by share of the peak count."""
    share = min(1.0, value / peak) if peak else 0.0
    low, high = (198, 219, 239), (8, 48, 107)
    return tuple(round(lo + (hi - lo) * share) for lo, hi in zip(low, high, strict=True))  # type: ignore[return-value]


def write_heatmap(stats: ArchiveStats, path: Path) -> Path:
    """Draw outlets (rows) × days (columns) as a PNG at ``path``."""
    outlets = stats.outlets or ["(empty)"]
    days = stats.days() or [date.today()]
    width = len(days) * (_CELL_W + _GRID) + _GRID
    height = len(outlets) * (_CELL_H + _GRID) + _GRID
    pixels = [[_GRIDLINE] * width for _ in range(height)]
    for row, outlet in enumerate(outlets):
        counts = stats.per_day.get(outlet, {})
        gaps = set(stats.gaps.get(outlet, []))
        peak = max(counts.values(), default=0)
        for col, day in enumerate(days):
            value = counts.get(day, 0)
            color = _GAP if day in gaps else (_shade(value, peak) if value else _EMPTY)
            top = _GRID + row * (_CELL_H + _GRID)
            left = _GRID + col * (_CELL_W + _GRID)
            for y in range(top, top + _CELL_H):
                pixels[y][left : left + _CELL_W] = [color] * _CELL_W
    raw = b"".join(b"\x00" + bytes(channel for pixel in line for channel in pixel) for line in pixels)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_png(width, height, raw))
    return path


def _png(width: int, height: int, raw_rgb_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw_rgb_rows, 9)) + chunk(b"IEND", b"")
