"""``stats``: coverage of the archive — articles per outlet per day, gap days, last successful runs.

Everything comes from the index (latest version of each article, counted on its
publication day, or the fetch day when undated). A *gap* is judged against the
outlet's own cadence, learned from its history in the archive: with at least
``MIN_WEEKS_FOR_CADENCE`` weeks covered, each weekday has its usual count (the
median over that weekday's dates) and a day is a gap when its weekday is one the
outlet usually publishes on (usual count at least 1) and it has at most
``GAP_RATIO`` × that usual count — so an outlet that never publishes on Sundays
has no Sunday gaps. With fewer weeks, every day is judged against the median day.
The report says which way each outlet was judged (``ArchiveStats.cadence``).

``write_heatmap`` draws the outlets × days coverage as a PNG without a plotting
library (the PNG is encoded here with ``zlib``, the labels drawn with
:mod:`archive.pixelfont`): a title with the window, one labelled row per outlet,
one column per day with dates on the axis, a colour scale with counts, gap days
in red.
"""

from __future__ import annotations

import statistics
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.compute as pc

from archive.download import Selection, plan_selection
from archive.index import ArchiveIndex

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["GAP_RATIO", "ArchiveStats", "HeatmapLayout", "compute_stats", "print_stats", "write_heatmap"]

#: A day with at most this share of the outlet's usual count (for its weekday, or the median day) is a gap.
GAP_RATIO = 0.25
#: Outlets with fewer covered days than this have no meaningful norm: no gaps reported.
MIN_DAYS_FOR_NORM = 3
#: Weeks of history from which the weekday cadence is learned (with fewer: the median day).
MIN_WEEKS_FOR_CADENCE = 3
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class ArchiveStats:
    per_day: dict[str, dict[date, int]] = field(default_factory=dict)
    gaps: dict[str, list[date]] = field(default_factory=dict)
    norm: dict[str, float] = field(default_factory=dict)
    last_successful_run: dict[str, datetime | None] = field(default_factory=dict)
    #: Per outlet: its usual count per weekday (Monday first), when learned from enough weeks.
    usual: dict[str, list[float]] = field(default_factory=dict)
    #: Per outlet: how its gaps were judged, in words.
    cadence: dict[str, str] = field(default_factory=dict)

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
                "gaps_judged_by": self.cadence.get(outlet),
                "usual_per_weekday": dict(zip(WEEKDAYS, self.usual[outlet], strict=True)) if outlet in self.usual else None,
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
        _judge_gaps(stats, outlet_id, per_day)
    return stats


def _judge_gaps(stats: ArchiveStats, outlet_id: str, per_day: dict[date, int]) -> None:
    """The outlet's norm, cadence and gap days (see the module docstring)."""
    first, last = min(per_day), max(per_day)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    daily = [per_day.get(day, 0) for day in days]
    norm = statistics.median(daily)
    stats.norm[outlet_id] = norm
    if len(days) >= 7 * MIN_WEEKS_FOR_CADENCE:
        usual = [statistics.median(n for day, n in zip(days, daily, strict=True) if day.weekday() == wd)
                 for wd in range(7)]  # fmt: skip
        stats.usual[outlet_id] = usual
        publishing = [WEEKDAYS[wd] for wd in range(7) if usual[wd] >= 1]
        stats.cadence[outlet_id] = (
            f"against its weekday cadence over {len(days) // 7} weeks: usually publishes on "
            f"{', '.join(publishing) or 'no weekday'}; a gap has at most {GAP_RATIO:.0%} of that weekday's usual count"
        )
        stats.gaps[outlet_id] = [day for day, n in zip(days, daily, strict=True)
                                 if usual[day.weekday()] >= 1 and n <= GAP_RATIO * usual[day.weekday()]]  # fmt: skip
        return
    if len(days) < MIN_DAYS_FOR_NORM or norm == 0:
        stats.cadence[outlet_id] = f"not judged: {len(days)} day(s) covered, too few for a norm"
        stats.gaps[outlet_id] = []
        return
    stats.cadence[outlet_id] = (f"against the median day ({norm:g} articles; under {MIN_WEEKS_FOR_CADENCE} weeks "
                                f"covered, too few for a weekday cadence)")  # fmt: skip
    stats.gaps[outlet_id] = [day for day, n in zip(days, daily, strict=True) if n <= GAP_RATIO * norm]


def print_stats(
    stats: ArchiveStats, uri: str, *, gaps: bool = False, plot: Path | None = None, console: Console | None = None
) -> None:
    """``newsarchive stats``: a table per outlet of the archive at ``uri``; gap days with ``gaps``; the heatmap with ``plot``."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    console.print(f"archive {uri}", soft_wrap=True)  # never wrapped: a path to copy
    from rich import box

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("outlet", no_wrap=True, min_width=max((len(o) for o in stats.outlets), default=6))  # never cut
    for column in ("articles", "first", "last", "per day", "gaps"):
        table.add_column(column, justify="left" if column in ("first", "last") else "right", overflow="fold")
    table.add_column("last ok run (UTC)", overflow="fold")
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
            console.print(f"{outlet}: {len(found)} gap day(s)" + (": " + ", ".join(d.isoformat() for d in found) if found else ""),
                          soft_wrap=True)
            if outlet in stats.cadence:
                console.print(f"  judged {stats.cadence[outlet]}", soft_wrap=True)
    if plot is not None:
        write_heatmap(stats, plot)
        console.print(f"coverage heatmap written to {plot}: {len(stats.outlets)} outlet(s) x {len(stats.days())} day(s)",
                      soft_wrap=True)


# -- heatmap ----------------------------------------------------------------------------------

_WHITE = (255, 255, 255)
_INK = (40, 40, 40)
_GRIDLINE = (225, 225, 225)
_GAP = (214, 39, 40)
_EMPTY = (245, 245, 245)
_LOW, _HIGH = (198, 219, 239), (8, 48, 107)
#: Heatmap geometry in pixels: the plot aims at ``_TARGET_W`` wide (a laptop screen), cells stay legible.
_TARGET_W, _MIN_CELL_W, _MAX_CELL_W, _CELL_H, _GRID = 1200, 4, 28, 22, 1
_SCALE, _PAD = 2, 16  # label font scale (5x7 glyphs drawn at 2x), margins


def _shade(value: int, peak: int) -> tuple[int, int, int]:
    """Light to dark blue by share of the peak count."""
    share = min(1.0, value / peak) if peak else 0.0
    return tuple(round(lo + (hi - lo) * share) for lo, hi in zip(_LOW, _HIGH, strict=True))  # type: ignore[return-value]


@dataclass(frozen=True)
class HeatmapLayout:
    """Where everything of a heatmap is: what tests and readers of the PNG need."""

    width: int
    height: int
    left: int  # x of the first cell column
    top: int  # y of the first cell row
    cell_w: int
    cell_h: int
    peak: int  # the count of the darkest colour

    def cell_center(self, row: int, col: int) -> tuple[int, int]:
        return (self.left + col * (self.cell_w + _GRID) + self.cell_w // 2,
                self.top + row * (self.cell_h + _GRID) + self.cell_h // 2)  # fmt: skip


def write_heatmap(stats: ArchiveStats, path: Path) -> HeatmapLayout:
    """Draw outlets (rows) × days (columns) as a PNG at ``path``, with title, axes and colour scale."""
    from archive.pixelfont import GLYPH_H, draw_text, text_width

    outlets = stats.outlets or ["(no outlet)"]
    days = stats.days() or [date.today()]
    peak = max((n for counts in stats.per_day.values() for n in counts.values()), default=0)
    cell_w = max(_MIN_CELL_W, min(_MAX_CELL_W, _TARGET_W // len(days) - _GRID))
    text_h = GLYPH_H * _SCALE
    left = _PAD + max(text_width(o, _SCALE) for o in outlets) + _PAD // 2
    top = _PAD + text_h + _PAD + text_h + 8  # title, then the date axis
    grid_w = len(days) * (cell_w + _GRID) + _GRID
    grid_h = len(outlets) * (_CELL_H + _GRID) + _GRID
    title = (f"articles per day, {days[0].isoformat()} to {days[-1].isoformat()}"
             f" ({len(days)} days, {len(stats.outlets)} outlets)")  # fmt: skip
    legend_y = top + grid_h + _PAD
    width = max(left + grid_w + _PAD, _PAD + text_width(title, _SCALE) + _PAD, 760)
    height = legend_y + 2 * text_h + 3 * _PAD
    pixels = [[_WHITE] * width for _ in range(height)]

    def fill(x0: int, y0: int, w: int, h: int, color: tuple[int, int, int]) -> None:
        for y in range(max(y0, 0), min(y0 + h, height)):
            pixels[y][max(x0, 0) : min(x0 + w, width)] = [color] * (min(x0 + w, width) - max(x0, 0))

    def ink(color: tuple[int, int, int] = _INK) -> Callable[[int, int], None]:
        def put(x: int, y: int) -> None:
            if 0 <= x < width and 0 <= y < height:
                pixels[y][x] = color
        return put

    draw_text(ink(), _PAD, _PAD, title, _SCALE)
    # The date axis: a label (MM-DD, and the year at the first) every few columns, with a tick.
    every = max(1, -(-(text_width("00-00", _SCALE) + 8) // (cell_w + _GRID)))
    label_y = _PAD + text_h + _PAD
    draw_text(ink(), _PAD, label_y, "outlet / day", _SCALE)
    free_x = left
    for col in range(0, len(days), every):
        x = left + col * (cell_w + _GRID)
        label = days[col].strftime("%m-%d") if col else days[col].isoformat()
        if x < free_x:
            continue  # the first label (with the year) is wider
        if col and x + text_width(label, _SCALE) > left + grid_w + _PAD:
            break
        free_x = draw_text(ink(), x, label_y, label, _SCALE) + 8
        fill(x, top - 6, 1, 6, _INK)
    fill(left, top, grid_w, grid_h, _GRIDLINE)
    for row, outlet in enumerate(outlets):
        y = top + _GRID + row * (_CELL_H + _GRID)
        draw_text(ink(), _PAD, y + (_CELL_H - text_h) // 2, outlet, _SCALE)
        counts = stats.per_day.get(outlet, {})
        gaps = set(stats.gaps.get(outlet, []))
        for col, day in enumerate(days):
            value = counts.get(day, 0)
            color = _GAP if day in gaps else (_shade(value, peak) if value else _EMPTY)
            fill(left + _GRID + col * (cell_w + _GRID), y, cell_w, _CELL_H, color)
    # The legend: the colour scale with counts, "none" and "gap day".
    x = _PAD
    y = legend_y
    x = draw_text(ink(), x, y + 4, "articles:", _SCALE) + 8
    fill(x, y, 24, text_h + 8, _EMPTY)
    x = draw_text(ink(), x + 30, y + 4, "0", _SCALE) + 16
    ramp = 200
    for i in range(ramp):
        fill(x + i, y, 1, text_h + 8, _shade(1 + (max(peak, 1) - 1) * i // (ramp - 1), max(peak, 1)))
    draw_text(ink(), x, y + text_h + 12, "1", _SCALE)
    draw_text(ink(), x + ramp - text_width(str(max(peak, 1)), _SCALE), y + text_h + 12, str(max(peak, 1)), _SCALE)
    x += ramp + 24
    fill(x, y, 24, text_h + 8, _GAP)
    draw_text(ink(), x + 30, y + 4, "gap day (below the outlet's cadence)", _SCALE)

    raw = b"".join(b"\x00" + bytes(channel for pixel in line for channel in pixel) for line in pixels)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_png(width, height, raw))
    return HeatmapLayout(width, height, left + _GRID, top + _GRID, cell_w, _CELL_H, peak)


def _png(width: int, height: int, raw_rgb_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw_rgb_rows, 9)) + chunk(b"IEND", b"")
