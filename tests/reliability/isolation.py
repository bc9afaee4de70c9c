"""Run one call in a forked child: a hang is killed at a time limit, and its peak memory is measured.

:func:`run_isolated` is how the fuzz and bomb tests prove "no hang, bounded memory" without trusting
the code under test to cooperate: the child runs the call, the parent waits at most ``timeout_s``
(then ``kill -9``) and reads the child's own peak RSS from ``wait4`` — every byte counted, libxml2's
and lxml's C allocations included (which ``tracemalloc`` cannot see). The child starts as a copy of
this process, so the peak is reported as the growth over the child's own RSS when the call began.
"""

from __future__ import annotations

import os
import pickle
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Isolated", "run_isolated"]

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _current_rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * _PAGE


@dataclass(frozen=True)
class Isolated:
    """How the call ended in the child."""

    seconds: float
    peak_rss_growth: int  # bytes above the parent's RSS when it forked
    hung: bool = False
    error: str | None = None  # "ExceptionType: message" of an exception the call raised
    result: Any = None

    @property
    def ok(self) -> bool:
        return not self.hung and self.error is None


def _child(call: Callable[[], Any], write_fd: int) -> None:
    try:
        start_rss = _current_rss()
        try:
            payload: tuple[str, Any, int] = ("ok", call(), start_rss)
        except BaseException as exc:  # the parent decides which exceptions are acceptable
            payload = ("error", f"{type(exc).__name__}: {exc}"[:2000], start_rss)
        try:
            data = pickle.dumps(payload)
        except Exception:
            data = pickle.dumps(("ok", None, start_rss))
        with os.fdopen(write_fd, "wb") as out:
            out.write(data)
    finally:
        os._exit(0)


def run_isolated(call: Callable[[], Any], *, timeout_s: float = 10.0) -> Isolated:
    """Run ``call()`` in a forked child; its result must be picklable (else None is returned)."""
    read_fd, write_fd = os.pipe()
    baseline = _current_rss()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_fd)
        _child(call, write_fd)
    os.close(write_fd)
    chunks: list[bytes] = []
    os.set_blocking(read_fd, False)
    hung = False
    while True:
        try:
            chunk = os.read(read_fd, 1 << 16)
            if chunk:
                chunks.append(chunk)
        except BlockingIOError:
            pass
        done, _status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - started > timeout_s:
            os.kill(pid, signal.SIGKILL)
            _done, _status, usage = os.wait4(pid, 0)
            hung = True
            break
        time.sleep(0.002)
    while not hung:
        try:
            chunk = os.read(read_fd, 1 << 16)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    seconds = time.monotonic() - started
    if hung or not chunks:
        growth = max(0, usage.ru_maxrss * 1024 - baseline)
        return Isolated(seconds, growth, hung=hung, error=None if hung else "child died without an answer")
    kind, value, start_rss = pickle.loads(b"".join(chunks))
    growth = max(0, usage.ru_maxrss * 1024 - start_rss)
    if kind == "error":
        return Isolated(seconds, growth, error=value)
    return Isolated(seconds, growth, result=value)
