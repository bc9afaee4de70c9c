"""How a job process is asked to stop: SIGINT and SIGTERM mean "stop gracefully", once, however many copies arrive.

A stopped run commits what it fetched and records ``stopped="interrupted"`` (a partial run): a crawl
through Scrapy's graceful close (:mod:`crawler.shutdown`), a backfill by leaving its loops as on a spent
budget (:class:`ingest.budgets.Budgets` sees :func:`stop_requested`).

A job child (:mod:`newsarchive.jobs`) often gets one stop request as two signals: one sent to its whole
process group (a terminal's Ctrl-C, systemd's control-group kill, Airflow's ``killpg``) and the copy its
parent forwards (the parent alone got ``docker stop``'s or ``kill``'s SIGTERM, and cannot tell whether the
child got it too). So :class:`StopSignals` takes a signal repeated within :data:`SAME_REQUEST_S` of the
first as that same request; one after it forces the stop (as Scrapy's second Ctrl-C does): what the run
had not committed then may stay uncommitted (a rerun fetches it again).

A backfill's waits (a retry's backoff, up to minutes; a rate limit's) are :func:`sleep_unless_stopped`: a stop
request ends them within :data:`WAKE_EVERY_S`, so a stopped backfill does not first sit out a five-minute backoff.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from types import FrameType

__all__ = [
    "INTERRUPTED",
    "SAME_REQUEST_S",
    "StopSignals",
    "request_stop",
    "sleep_unless_stopped",
    "stop_backfills_on_signals",
    "stop_requested",
]

#: What ``stopped`` records of a run stopped on request (and of a crawl closed by Scrapy's ``shutdown``).
INTERRUPTED = "interrupted"
#: Seconds after a first stop signal within which another is the same request, not "force it".
SAME_REQUEST_S = 2.0
#: The signals that ask a job to stop.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: Seconds between two looks at :func:`stop_requested` while :func:`sleep_unless_stopped` waits.
WAKE_EVERY_S = 0.25

_requested: list[bool] = [False]  # set from a signal handler: a plain store, no lock


def request_stop() -> None:
    """Ask every run of this process to stop gracefully (see :func:`stop_requested`)."""
    _requested[0] = True


def stop_requested() -> bool:
    """Has this process been asked to stop (by :func:`request_stop`)?"""
    return _requested[0]


def sleep_unless_stopped(seconds: float) -> None:
    """Sleep ``seconds``, or less once a stop is requested (the caller then sees :func:`stop_requested`).

    It looks every :data:`WAKE_EVERY_S` rather than waiting on an event a signal handler would set: a handler
    runs in the main thread, maybe inside this very wait, where taking the event's lock could deadlock.
    """
    deadline = time.monotonic() + seconds
    while not stop_requested():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(WAKE_EVERY_S, left))


class StopSignals:
    """The SIGINT/SIGTERM handler of a job process: ``on_stop(signum)`` on the first signal, nothing on a
    repeat within :data:`SAME_REQUEST_S`, ``on_force(signum)`` on one after it.

    Both callbacks run inside the signal handler: they only set a flag or hand the work to an event loop.
    """

    def __init__(self, on_stop: Callable[[int], None], on_force: Callable[[int], None]) -> None:
        self.on_stop = on_stop
        self.on_force = on_force
        self.first_at: float | None = None

    def install(self) -> None:
        """Handle the stop signals from now on (call it from the main thread)."""
        for signum in STOP_SIGNALS:
            signal.signal(signum, self.handle)

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        now = time.monotonic()
        if self.first_at is None:
            self.first_at = now
            self.on_stop(signum)
        elif now - self.first_at > SAME_REQUEST_S:
            for stop_signal in STOP_SIGNALS:  # forced once; what follows is ignored
                signal.signal(stop_signal, signal.SIG_IGN)
            self.on_force(signum)


def stop_backfills_on_signals() -> None:
    """In a process that runs backfills (a job child, ``backfill --fill-gaps``): the first stop signal asks them
    to stop (:func:`request_stop`); a later one raises :class:`KeyboardInterrupt` where the process is."""
    StopSignals(on_stop=lambda _signum: request_stop(), on_force=_interrupt).install()


def _interrupt(_signum: int) -> None:
    raise KeyboardInterrupt
