"""Pages read in worker processes, each within a time limit: one slow page cannot stall a crawl.

:func:`ingest.pages.read_page` is CPU work (lxml, trafilatura) that a hostile page can make take
minutes (200,000 short paragraphs: ~90 s and ~570 MB). Run in the crawl's reactor thread it would
stall every download of the crawl meanwhile; run in a thread it could not be stopped (lxml holds the
GIL for much of its work). :class:`PageReaders` runs it in ``workers`` processes of their own
(``spawn`` children of the crawl process: their CPU time and memory are the crawl's in its
``wait4`` figures, and nothing of the reactor's threads is forked), one page at a time each, and
awaits the answer on the event loop without blocking it. A page not read within ``timeout_s`` is
``extract_timeout``: its worker is killed (its memory with it) and replaced. A worker that dies on
a page (killed for memory, say) makes that page an ``error``; the next page gets a new worker.

Workers start as ``spawn`` children (a fresh interpreter that imports the extraction modules again: ~0.5
CPU-s each) unless :meth:`PageReaders.held` starts them first, while the process has no other thread: then
they are ``fork`` children that share the modules the crawl process has already imported and cost
next to nothing to start (:func:`crawler.runner.run_crawl` does this before Scrapy starts any thread;
a worker replaced later in the crawl is spawned).

A polite crawl fetches a page every second or so, and a page read by a worker that has just waited costs
more CPU than the same page read right after another (caches and the vCPU are cold again; bench/README.md,
polite: 1.24-1.37x for trafilatura alone, paced as a polite crawl is). :class:`PageBatches` holds a run's pages
until a batch has gathered (or the first has waited long enough) and lets them go together, so a worker reads
them back to back. Nothing waits on a page's outcome meanwhile: a crawl holds every record to its end.

The workers are shared by every run of the process (several outlets crawl in one process):
:meth:`PageReaders.acquire` and :meth:`PageReaders.release` count the runs using them, and the last
release stops them. A run's context (outlet, rules, window, headlines) goes to a worker with the
run's first page that worker reads. No template lines go with the pages: a crawl holds its records and
removes the lines once they are finally judged (:mod:`crawler.pipelines`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import signal
import threading
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from core.urls import canonical_url
from ingest.pages import FetchedResponse, IngestContext, IngestOutcome, read_page

if TYPE_CHECKING:
    from archive.record import RawPointer

__all__ = ["PageBatches", "PageReaders"]

logger = logging.getLogger(__name__)

#: What a worker sends once it can read pages.
READY = "ready"
#: Seconds a new worker may take to start (a fresh interpreter importing lxml, trafilatura, ...), not a page's.
START_TIMEOUT_S = 120.0
#: Seconds a worker is given to exit when the readers close, before it is killed.
CLOSE_GRACE_S = 2.0


def _serve(conn: Connection) -> None:
    """A worker: read pages until told to stop (None) or the parent is gone.

    It says "ready" once the extraction modules are imported: a page's time limit counts reading only.
    Ctrl-C (SIGINT to the process group) is the crawl's to handle: the crawl stops its workers itself.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker would inherit the crawl's own handler
    import archive.record  # noqa: F401 - what read_page imports on first use
    import extract  # noqa: F401

    conn.send(READY)
    runs: dict[str, IngestContext] = {}
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        run, new_context, response, pointer = job
        if run is None:  # the run ended: forget its context
            runs.pop(new_context, None)
            continue
        if new_context is not None:
            runs[run] = new_context
        context = runs[run]
        try:
            result = read_page(context, response, pointer)
        except Exception as exc:  # read_page raises for no bad page; this is a bug, reported as the page's error
            result = IngestOutcome("error", canonical_url(response.url), f"reading failed: {type(exc).__name__}: {exc}",
                                   pointer=pointer)
        if result.extraction is not None:
            # Its parsed tree is the page's, kept for renderings the crawl never asks for: not sent back.
            result.extraction.content = None
        conn.send(result)


class _Worker:
    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.started = False
        #: The runs whose context this worker has been sent.
        self.runs: set[str] = set()

    async def reply(self) -> Any:
        """The worker's next message, awaited without blocking the event loop."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fileno = self.conn.fileno()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fileno, readable)
        try:
            await ready
        finally:
            loop.remove_reader(fileno)
        return self.conn.recv()

    def stop(self, *, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                kill = True
        if not kill:
            self.process.join(CLOSE_GRACE_S)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(CLOSE_GRACE_S)
        self.conn.close()


class PageBatches:
    """A run's pages let through to the readers ``size`` at a time, or when the first has waited ``wait_s``.

    ``size`` 1 lets every page through at once (a crawl without delays: its pages come back to back anyway).
    """

    def __init__(self, size: int, wait_s: float) -> None:
        self.size = size
        self.wait_s = wait_s
        self._waiting: list[asyncio.Future[None]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def turn(self) -> None:
        """Return when this page's batch goes: it is full, or its first page has waited ``wait_s``."""
        if self.size <= 1:
            return
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[None] = loop.create_future()
        self._waiting.append(turn)
        if len(self._waiting) >= self.size:
            self._release()
        elif self._timer is None:
            self._timer = loop.call_later(self.wait_s, self._release)
        await turn

    def _release(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        waiting, self._waiting = self._waiting, []
        for turn in waiting:
            if not turn.done():  # a cancelled page (the crawl stopping) is skipped
                turn.set_result(None)


class PageReaders:
    """Worker processes reading pages with :func:`~ingest.pages.read_page`, at most ``timeout_s`` each.

    One set per process (:meth:`acquire`); each run reads through its own :meth:`read` calls, named by ``run``.
    """

    _shared: PageReaders | None = None

    def __init__(self, *, workers: int, timeout_s: float, fork: bool = False) -> None:
        self.timeout_s = timeout_s
        self._mp = multiprocessing.get_context("spawn")
        # fork is safe only while no other thread can hold a lock the child would inherit held
        forking = multiprocessing.get_context("fork") if fork and threading.active_count() == 1 else None
        if forking is not None:
            # What is alive now (modules, settings, the plan's objects) lives as long as the process: kept out of
            # the collector's passes, in this process and in the forked workers, whose pages the collector would
            # otherwise copy one by one (copy-on-write) as it marks them.
            gc.freeze()
        self._workers = [self._start(forking) for _ in range(max(workers, 1))]
        self._idle: asyncio.Queue[_Worker] | None = None
        self._users = 0
        self.timeouts = 0
        self.deaths = 0

    @classmethod
    @contextlib.contextmanager
    def held(cls, *, workers: int, timeout_s: float) -> Iterator[PageReaders]:
        """The process's readers, started now and kept until the block ends (runs acquire and release them
        meanwhile). Started before any other thread of the process, they are forked (see the module docstring)."""
        if cls._shared is None:
            cls._shared = cls(workers=workers, timeout_s=timeout_s, fork=True)
        readers = cls.acquire(workers=workers, timeout_s=timeout_s)
        try:
            yield readers
        finally:
            readers.release("")

    @classmethod
    def acquire(cls, *, workers: int, timeout_s: float) -> PageReaders:
        """The process's readers (started by the first run that asks), counted as used by one more run."""
        if cls._shared is None:
            cls._shared = cls(workers=workers, timeout_s=timeout_s)
        cls._shared._users += 1
        return cls._shared

    def release(self, run: str) -> None:
        """``run`` reads no more: its context is dropped by the workers; the last run's release stops them."""
        for worker in self._workers:
            if run in worker.runs:
                worker.runs.discard(run)
                with contextlib.suppress(OSError, ValueError):
                    worker.conn.send((None, run, None, None))
        self._users -= 1
        if self._users <= 0:
            self.close()
            if PageReaders._shared is self:
                PageReaders._shared = None

    def _start(self, context: ForkContext | SpawnContext | None = None) -> _Worker:
        mp = context or self._mp
        parent, child = mp.Pipe()
        process = mp.Process(target=_serve, args=(child,), name="newsarchive-reader", daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _queue(self) -> asyncio.Queue[_Worker]:
        if self._idle is None:  # made on the event loop that reads
            self._idle = asyncio.Queue()
            for worker in self._workers:
                self._idle.put_nowait(worker)
        return self._idle

    async def read(self, run: str, context: IngestContext, response: FetchedResponse, pointer: RawPointer) -> IngestOutcome:
        """:func:`~ingest.pages.read_page` of ``response`` in a worker: its outcome, or ``extract_timeout``."""
        idle = self._queue()
        worker = await idle.get()
        try:
            if not worker.started:
                if await asyncio.wait_for(worker.reply(), START_TIMEOUT_S) != READY:
                    raise EOFError("the worker did not start")
                worker.started = True
            worker.conn.send((run, None if run in worker.runs else context, response, pointer))
            worker.runs.add(run)
            result: IngestOutcome = await asyncio.wait_for(worker.reply(), self.timeout_s)
            return result
        except TimeoutError:
            if not worker.started:
                self.deaths += 1
                worker = self._replace(worker)
                return IngestOutcome("error", canonical_url(response.url), "extraction worker did not start",
                                     pointer=pointer)
            self.timeouts += 1
            worker = self._replace(worker)
            logger.warning("page %s not read within %g s: extraction stopped", response.url, self.timeout_s)
            return IngestOutcome("extract_timeout", canonical_url(response.url),
                                 f"extraction over {self.timeout_s:g} s", pointer=pointer)
        except (EOFError, OSError) as exc:
            self.deaths += 1
            worker = self._replace(worker)
            return IngestOutcome("error", canonical_url(response.url),
                                 f"extraction worker died: {type(exc).__name__}", pointer=pointer)
        finally:
            idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop(kill=True)
        fresh = self._start()
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._workers = []
