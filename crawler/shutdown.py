"""How a crawl process answers SIGINT and SIGTERM: a graceful stop, once, however many copies arrive.

Scrapy's own handlers stop the crawl gracefully on the first signal (every spider closed with reason
``shutdown``: what was fetched is archived and committed, the run is ``interrupted``) and kill the
reactor on the second, leaving the run uncommitted. A crawl child (:mod:`newsarchive.jobs`) often gets
one stop request as two signals: one sent to its whole process group (a terminal's Ctrl-C, systemd's
control-group kill, Airflow's ``killpg``) and the copy its parent forwards (the parent alone got
``docker stop``'s or ``kill``'s SIGTERM, and cannot tell whether the child got it too). So here a
signal repeated within :data:`SAME_REQUEST_S` of the first is that same request; one after it still
forces the stop, as in Scrapy.
"""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.utils.ossignal import install_shutdown_handlers, signal_names

__all__ = ["SAME_REQUEST_S", "StopOnSignal"]

logger = logging.getLogger(__name__)

#: Seconds after a first stop signal within which another is the same request, not "force it".
SAME_REQUEST_S = 2.0


class StopOnSignal:
    """The SIGINT/SIGTERM handler of a :class:`CrawlerProcess` started with ``install_signal_handlers=False``.

    ``StopOnSignal(process).install()`` before ``process.start(install_signal_handlers=False)``.
    """

    def __init__(self, process: CrawlerProcess) -> None:
        self.process = process
        self.first_at: float | None = None

    def install(self) -> None:
        """Handle the signals once the reactor runs (as Scrapy installs its own)."""
        _reactor().addSystemEventTrigger("after", "startup", install_shutdown_handlers, self.handle)

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        """Runs in the signal handler: only schedules work on the reactor (logging here could re-enter a stream)."""
        now = time.monotonic()
        if self.first_at is None:
            self.first_at = now
            _reactor().callFromThread(self._stop_gracefully, signum)
        elif now - self.first_at > SAME_REQUEST_S:
            install_shutdown_handlers(signal.SIG_IGN)
            _reactor().callFromThread(self._stop_now, signum)

    def _stop_gracefully(self, signum: int) -> None:
        logger.warning("received %s: stopping gracefully (what was fetched is committed); send it again to force",
                       signal_names.get(signum, signum))
        self.process.stop()  # when every crawler has stopped, CrawlerProcess.start's join stops the reactor

    def _stop_now(self, signum: int) -> None:
        logger.warning("received %s again: stopping now (this run stays uncommitted)", signal_names.get(signum, signum))
        reactor = _reactor()
        if reactor.running:
            reactor.stop()


def _reactor() -> Any:
    """The installed Twisted reactor (Scrapy's asyncio reactor), imported when used: importing it installs one."""
    from twisted.internet import reactor

    return reactor
