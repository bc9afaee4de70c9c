"""How a crawl process answers SIGINT and SIGTERM: Scrapy's graceful stop, once, however many copies arrive.

Scrapy's own handlers close every spider on the first signal (reason ``shutdown``: what was fetched is
archived and committed, the run is ``interrupted``) and stop the reactor on the second, leaving the run
uncommitted. A crawl child takes one request as two signals more often than not (see
:mod:`ingest.stopping`), so the crawl uses :class:`~ingest.stopping.StopSignals` instead: a repeat
within two seconds is the same request.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.utils.ossignal import signal_names

from ingest.stopping import StopSignals

__all__ = ["StopOnSignal"]

logger = logging.getLogger(__name__)


class StopOnSignal:
    """The stop signals of a :class:`CrawlerProcess` started with ``install_signal_handlers=False``.

    ``StopOnSignal(process).install()`` before ``process.start(install_signal_handlers=False)``.
    """

    def __init__(self, process: CrawlerProcess) -> None:
        self.process = process
        # the handlers only hand the work to the reactor: logging in a handler could re-enter a stream
        self.signals = StopSignals(on_stop=lambda signum: _reactor().callFromThread(self._stop_gracefully, signum),
                                   on_force=lambda signum: _reactor().callFromThread(self._stop_now, signum))

    def install(self) -> None:
        """Handle the signals once the reactor runs (as Scrapy installs its own)."""
        _reactor().addSystemEventTrigger("after", "startup", self.signals.install)

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
