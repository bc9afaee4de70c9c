"""Shared helpers of the benchmarks: child processes measured by the kernel, the outlet in its own process,
medians of interleaved runs, machine facts, and the :class:`Figure` every area reports.

Measuring rules (the machine is shared and noisy):

- every subject and baseline runs in a child process; its CPU seconds and peak RSS are the kernel's
  figures for that child alone (``os.wait4``), so neither the bench driver nor the outlet server is
  counted;
- the outlet server runs in a process of its own (:class:`bench.outlet.OutletProcess`), never inside a
  measured one;
- subject and baseline alternate round by round and the medians are compared (:func:`interleave`),
  so a burst of load from a neighbour hits both sides alike;
- children whose rates are not compared may run at the same time (:func:`together`): their CPU
  seconds and peak RSS are still their own.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "PYTHON",
    "REPO_ROOT",
    "ChildResult",
    "Figure",
    "Usage",
    "bench_settings",
    "child_env",
    "interleave",
    "machine",
    "median",
    "run_child",
    "scratch_dir",
    "together",
    "warm_up",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MB = 1024 * 1024


# -- measured child processes --------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """What one child process cost: wall time, CPU seconds (user + system) and peak RSS."""

    wall_s: float
    user_s: float
    sys_s: float
    max_rss_mb: float

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s

    def to_dict(self) -> dict[str, float]:
        return {**{k: round(v, 3) for k, v in asdict(self).items()}, "cpu_s": round(self.cpu_s, 3)}


@dataclass(frozen=True)
class ChildResult:
    returncode: int
    stdout: str
    stderr: str
    usage: Usage

    def check(self, what: str) -> ChildResult:
        if self.returncode != 0:
            raise RuntimeError(f"{what} exited with {self.returncode}:\n{self.stderr[-3000:]}")
        return self

    def last_json(self) -> Any:
        """The JSON document on the last line of stdout (how children report their results)."""
        lines = self.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines else None


#: Byte-code cache of the measured children. Without one (``PYTHONDONTWRITEBYTECODE`` set, as on CI
#: runners), every child compiles every module it imports — seconds of CPU that say nothing about the
#: code measured and weigh most on the subject with the most imports.
PYCACHE = Path(tempfile.gettempdir()) / "newsarchive-bench-pycache"


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured child: this one with a byte-code cache, the repository importable,
    plus ``extra``."""
    env = {**os.environ, **(extra or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", str(PYCACHE))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def run_child(
    argv: Sequence[str],
    *,
    input_text: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout_s: float | None = None,
) -> ChildResult:
    """Run ``argv`` to completion; its usage comes from ``wait4`` (this child and its reaped descendants only)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO_ROOT,
        env=child_env(env),
        text=True,
    )
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda: out.append(process.stdout.read()), daemon=True),  # type: ignore[union-attr]
        threading.Thread(target=lambda: err.append(process.stderr.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    if input_text is not None:
        assert process.stdin is not None
        process.stdin.write(input_text)
        process.stdin.close()
    killer = threading.Timer(timeout_s, process.kill) if timeout_s else None
    if killer:
        killer.start()
    peak = _PeakRss(process.pid)
    try:
        _, status, rusage = os.wait4(process.pid, 0)
    finally:
        if killer:
            killer.cancel()
        peak.stop()
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    usage = Usage(wall, rusage.ru_utime, rusage.ru_stime, peak.mb)
    return ChildResult(process.returncode, "".join(out), "".join(err), usage)


class _PeakRss:
    """The child's own peak RSS (``VmHWM``), polled from /proc while it runs.

    Not ``ru_maxrss``: Linux folds the RSS of the memory image a child had *before* ``exec`` —
    a (v)fork of this bench driver — into it, so every child would look as large as the driver.
    ``VmHWM`` belongs to the image after ``exec``; it only grows, so the last reading is the peak
    up to the last poll (growth in the final few milliseconds before exit can be missed).
    """

    INTERVAL_S = 0.02

    def __init__(self, pid: int) -> None:
        self._status = Path(f"/proc/{pid}/status")
        self._kib = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._done.is_set():
            self._read()
            self._done.wait(self.INTERVAL_S)

    def _read(self) -> None:
        try:
            for line in self._status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self._kib = max(self._kib, int(line.split()[1]))
                    return
        except (OSError, ValueError):
            pass

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    @property
    def mb(self) -> float:
        return self._kib / 1024


# -- interleaved rounds --------------------------------------------------------------------------


def warm_up(modules: Sequence[str]) -> Usage:
    """Import ``modules`` once in a child so the byte-code cache is filled before anything is measured."""
    code = "".join(f"import {m}\n" for m in modules)
    return run_child([PYTHON, "-c", code]).check("warm-up").usage


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def interleave(subjects: Mapping[str, Callable[[int], Usage]], rounds: int) -> dict[str, list[Usage]]:
    """Run each subject once per round, in turn (round ``r`` gets ``r`` as argument); all usages by name.

    The order rotates every round so neither side always runs first (caches, neighbours' bursts).
    """
    names = list(subjects)
    usages: dict[str, list[Usage]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            usages[name].append(subjects[name](r))
    return usages


def together(calls: Mapping[str, Callable[[], Usage]]) -> dict[str, Usage]:
    """Run measured children at the same time (one thread waits on each); their usages by name.

    CPU seconds and peak RSS stay each child's own (``wait4`` and ``VmHWM`` are per process); only
    wall times — and so rates — reflect the sharing of the cores.
    """
    results: dict[str, Usage] = {}
    errors: list[BaseException] = []

    def call(name: str) -> None:
        try:
            results[name] = calls[name]()
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(name,), name=f"bench-{name}") for name in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return {name: results[name] for name in calls}


def median_usage(usages: Sequence[Usage]) -> Usage:
    return Usage(
        median([u.wall_s for u in usages]),
        median([u.user_s for u in usages]),
        median([u.sys_s for u in usages]),
        median([u.max_rss_mb for u in usages]),
    )


# -- scratch space and settings ------------------------------------------------------------------


@contextmanager
def scratch_dir(name: str) -> Iterator[Path]:
    """A fresh temporary directory (removed afterwards)."""
    import shutil

    path = Path(tempfile.mkdtemp(prefix=f"newsarchive-bench-{name}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def bench_settings(root: Path, **overrides: Any) -> Any:
    """Project settings whose spool (and index cache) live under ``root``, not in the user's cache."""
    from core.settings import Settings

    return Settings.from_env(spool_dir=root / "spool", **overrides)


# -- the machine and the figures -----------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return float("nan")


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, Any]:
    """Facts about the machine a figure was measured on (printed and saved with every run)."""
    return {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
        "git_commit": _git_commit(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


@dataclass
class Figure:
    """One reported number: what it is, its value, its target, and the command that reproduces it."""

    area: str
    name: str
    value: float | int | str | None
    unit: str = ""
    target: str | None = None
    met: bool | None = None
    baseline: str | None = None  # what the value was measured beside
    command: str = ""
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def formatted(self) -> str:
        if isinstance(self.value, float):
            value = f"{self.value:,.3f}" if abs(self.value) < 10 else f"{self.value:,.1f}"
        elif isinstance(self.value, int):
            value = f"{self.value:,}"
        else:
            value = "n/a" if self.value is None else str(self.value)
        return f"{value} {self.unit}".strip()

    def verdict(self) -> str:
        if self.target is None:
            return ""
        return {True: "met", False: "MISSED", None: "not measured"}[self.met]

    def line(self) -> str:
        target = f"  [target {self.target}: {self.verdict()}]" if self.target else ""
        beside = f"  (beside {self.baseline})" if self.baseline else ""
        return f"  {self.name}: {self.formatted()}{target}{beside}\n      reproduce: {self.command}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
