"""Helpers for tests that watch a running ``newsarchive`` process: its progress lines and its children."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

__all__ = ["child_pids", "read_stderr_until"]


def read_stderr_until(process: subprocess.Popen[str], pattern: str, at_least: int,
                      timeout_s: float = 90) -> tuple[re.Match[str] | None, list[str]]:  # fmt: skip
    """Read ``process``'s stderr line by line until ``pattern``'s first group counts ``at_least``: that match
    (None if the stream ended or the time ran out first) and the lines read."""
    assert process.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        match = re.search(pattern, line)
        if match and int(match.group(1)) >= at_least:
            return match, seen
    return None, seen


def child_pids(pid: int) -> list[int]:
    """The process ids of ``pid``'s children (Linux /proc)."""
    tasks = Path(f"/proc/{pid}/task")
    return [int(child) for task in tasks.iterdir() for child in (task / "children").read_text().split()]
