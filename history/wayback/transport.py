"""The HTTP layer of the Wayback client: rate limits, retries with backoff, one pluggable transport.

The Internet Archive asks for restraint (about 60 CDX requests a minute per IP,
on average) and answers abuse with 429s and, past that, with refused or reset
connections. Every request of :mod:`history.wayback` therefore goes through one
:class:`WaybackHttp`, which

- waits for a token of the :class:`TokenBucket` of its kind (``"cdx"`` or
  ``"replay"``) before each attempt, retries included;
- retries :data:`core.settings.RETRY_HTTP_STATUSES` (a 429 honouring ``Retry-After``),
  timeouts and connection resets with capped exponential backoff and jitter
  (:class:`RetryPolicy`);
- hands back every other response as is: a 404 from the replay server is an
  answer, not a fault;
- never retries an **archived** response: a replayed response carrying
  ``Memento-Datetime`` (or the replay's archived-response headers, ``X-Archive-Orig-*``
  or a ``Link`` naming the ``original``) is the page as the outlet served it when it
  was captured — an archived 503 or 429 is data, not the Wayback Machine failing
  (the bug EDGI's ``wayback`` fixed in its PR #159: mementos are returned before any
  status check);
- reads bodies streamed, decompressed, up to ``max_bytes`` (the live crawl's
  ``download_maxsize``): a larger body raises :class:`ResponseTooLarge`, a per-item
  ``too_large``, never a whole body in memory;
- fails fast on an unreachable host: a refused connection or a failed DNS lookup
  before any answer was ever received raises :class:`WaybackUnreachable` at once
  (later in a run, the same errors are a blip and retried);
- spends the run's ``requests`` budget (:class:`ingest.budgets.Budgets`), one per request sent:
  past its limit, :class:`~ingest.budgets.BudgetExhausted`.

The network part is an ``httpx`` transport, so another one (a test double, a
proxy, HTTP/2) can be plugged in without touching the client logic.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from core.dates import retry_after_seconds
from core.errors import CrawlError
from core.settings import RETRY_HTTP_STATUSES, Settings
from ingest.budgets import Budgets, StopRequested
from ingest.stopping import sleep_unless_stopped, stop_requested

__all__ = [
    "ResponseTooLarge",
    "RetryPolicy",
    "TokenBucket",
    "WaybackHttp",
    "WaybackUnavailable",
    "WaybackUnreachable",
    "is_archived_response",
]

logger = logging.getLogger(__name__)

#: Transport failures worth another attempt: resets, refused connections, timeouts, cut bodies.
RETRY_EXCEPTIONS: tuple[type[Exception], ...] = (httpx.TransportError,)


class WaybackUnavailable(CrawlError):
    """The Wayback Machine kept failing after every retry."""


class WaybackUnreachable(WaybackUnavailable):
    """The Wayback host never answered: connection refused or its name does not resolve."""


class ResponseTooLarge(CrawlError):
    """A response body above the size cap (counted as ``too_large``; the body was not kept)."""


#: Headers only a replayed capture carries (lower case): the response is the archived page.
ARCHIVED_HEADER_PREFIX = "x-archive-orig-"


def is_archived_response(headers: httpx.Headers) -> bool:
    """True for a replayed memento: ``Memento-Datetime``, an ``X-Archive-Orig-*`` header, or ``Link ... rel="original"``."""
    if headers.get("Memento-Datetime"):
        return True
    if any(name.lower().startswith(ARCHIVED_HEADER_PREFIX) for name in headers):
        return True
    link = headers.get("Link", "")
    return 'rel="original"' in link or "rel=original" in link


class TokenBucket:
    """A thread-safe token bucket: ``rate_per_minute`` on average, bursts up to ``capacity``.

    ``clock`` and ``sleep`` are injectable so the arithmetic can be tested without waiting.
    """

    def __init__(
        self,
        rate_per_minute: float,
        capacity: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = sleep_unless_stopped,
    ) -> None:
        if rate_per_minute <= 0:
            raise ValueError("rate_per_minute must be positive")
        self.rate = rate_per_minute / 60.0
        self.capacity = max(1.0, capacity)
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = threading.Lock()
        self.waited_s = 0.0

    def acquire(self) -> float:
        """Take one token, sleeping until one is available; return the time slept."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1.0
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
            self.waited_s += wait
        return wait


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before trying a failed request again."""

    max_retries: int = 6
    backoff_base_s: float = 2.0
    backoff_max_s: float = 300.0
    #: A ``Retry-After`` longer than this is capped (a day-long ban should fail the run, not hang it).
    retry_after_max_s: float = 600.0
    jitter: float = 0.25

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        backoff = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        backoff *= 1.0 + random.uniform(0.0, self.jitter)
        if retry_after is not None and retry_after > 0:
            return min(self.retry_after_max_s, retry_after)
        return backoff


@dataclass
class HttpStats:
    """What the HTTP layer did, for the run's stats."""

    requests: dict[str, int] = field(default_factory=lambda: {"cdx": 0, "replay": 0})
    retries: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    throttled_s: float = 0.0
    backoff_s: float = 0.0
    bytes: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "requests": dict(self.requests),
            "retries": dict(self.retries),
            "responses_by_status": dict(sorted(self.statuses.items())),
            "throttled_s": round(self.throttled_s, 3),
            "backoff_s": round(self.backoff_s, 3),
            "bytes": self.bytes,
        }


class WaybackHttp:
    """GETs against one Wayback Machine (``base_url``), rate limited and retried per request kind."""

    def __init__(
        self,
        base_url: str,
        *,
        user_agent: str,
        cdx_per_minute: float,
        replay_per_minute: float,
        timeout_s: float = 60.0,
        burst: float = 5.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = sleep_unless_stopped,
        max_bytes: int = 20 * 1024 * 1024,
        budgets: Budgets | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_bytes = max_bytes
        #: The run's budgets: every request sent spends one of ``requests``.
        self.budgets = budgets
        #: True once the host answered anything (then a refused connection is a blip, not "unreachable").
        self.reached = False
        self.retry = retry or RetryPolicy()
        self.stats = HttpStats()
        self._sleep = sleep
        self._buckets = {
            "cdx": TokenBucket(cdx_per_minute, capacity=burst, sleep=sleep),
            "replay": TokenBucket(replay_per_minute, capacity=burst, sleep=sleep),
        }
        self._client = httpx.Client(
            transport=transport,
            timeout=timeout_s,
            follow_redirects=False,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        wayback_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        budgets: Budgets | None = None,
    ) -> WaybackHttp:
        cdx_rate = float(settings.wayback_cdx_per_minute)
        replay_rate = float(settings.wayback_replay_per_minute)
        return cls(
            wayback_url or settings.wayback_url,
            user_agent=settings.user_agent,
            cdx_per_minute=cdx_rate,
            replay_per_minute=replay_rate,
            timeout_s=settings.download_timeout_s,
            retry=retry,
            transport=transport,
            max_bytes=settings.download_maxsize,
            budgets=budgets,
        )

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def get(self, path_or_url: str, *, kind: str, params: dict[str, str | list[str]] | None = None) -> httpx.Response:
        """GET with rate limit and retries; raise :class:`WaybackUnavailable` when retries run out.

        An archived response (:func:`is_archived_response`) is returned whatever its status.
        """
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.url(path_or_url)
        bucket = self._buckets[kind]
        attempt = 0
        while True:
            if self.budgets is not None and not self.budgets.take("requests"):
                self.budgets.check()  # raises BudgetExhausted
            self.stats.throttled_s += bucket.acquire()
            self._stop_if_requested()
            self.stats.requests[kind] = self.stats.requests.get(kind, 0) + 1
            problem: str
            retry_after: float | None = None
            try:
                response = self._read(url, params)
            except httpx.ConnectError as exc:
                if not self.reached:  # refused or unresolvable from the start: say so now, not after the retries
                    raise WaybackUnreachable(f"the Wayback Machine at {self.base_url} is unreachable: {exc}") from None
                problem = f"{type(exc).__name__}: {exc}"
            except RETRY_EXCEPTIONS as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                self.reached = True
                self.stats.bytes += len(response.content)
                status = str(response.status_code)
                self.stats.statuses[status] = self.stats.statuses.get(status, 0) + 1
                if response.status_code not in RETRY_HTTP_STATUSES or is_archived_response(response.headers):
                    return response
                problem = f"HTTP {response.status_code}"
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            attempt += 1
            reason = problem.split(":", 1)[0].replace(" ", "_")
            self.stats.retries[reason] = self.stats.retries.get(reason, 0) + 1
            if attempt > self.retry.max_retries:
                raise WaybackUnavailable(f"{kind} request to {url} failed {attempt} times; last: {problem}")
            delay = self.retry.delay(attempt, retry_after)
            logger.info("wayback %s: %s; retry %d in %.1fs", kind, problem, attempt, delay)
            self.stats.backoff_s += delay
            self._sleep(delay)  # a stop request ends it early (sleep_unless_stopped)
            self._stop_if_requested()

    def _stop_if_requested(self) -> None:
        """Raise :class:`StopRequested` once the process was asked to stop (after a wait it ended early)."""
        if stop_requested():
            if self.budgets is not None:
                self.budgets.check()  # records the stop in the run's budgets and raises StopRequested
            raise StopRequested()

    def _read(self, url: str, params: dict[str, str | list[str]] | None) -> httpx.Response:
        """One GET, its body read decompressed up to ``max_bytes`` (:class:`ResponseTooLarge` past it).

        gzip and deflate (what we accept) are inflated here with a bounded output per step, so a
        small compressed body that inflates to gigabytes never exists in memory beyond the cap.
        """
        with self._client.stream("GET", url, params=params) as response:
            encoding = response.headers.get("Content-Encoding", "").strip().lower()
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and not encoding and int(declared) > self.max_bytes:
                self.reached = True
                raise ResponseTooLarge(f"{url}: {declared} bytes declared, above the cap of {self.max_bytes}")
            body = bytearray()
            inflate = zlib.decompressobj(47) if encoding in ("gzip", "x-gzip", "deflate") else None
            chunks = response.iter_raw() if inflate is not None else response.iter_bytes()
            try:
                for chunk in chunks:
                    data = chunk
                    while data:
                        if inflate is None:
                            body += data
                            data = b""
                        else:
                            body += inflate.decompress(data, self.max_bytes + 1 - len(body))
                            data = inflate.unconsumed_tail
                        if len(body) > self.max_bytes:
                            self.reached = True
                            self.stats.bytes += len(body)
                            raise ResponseTooLarge(f"{url}: body above the cap of {self.max_bytes} bytes (decompressed)")
            except zlib.error as exc:
                raise httpx.DecodingError(f"{url}: {exc}") from None
        # The decoded body, as the caller reads it (``response.content``); headers stay the server's.
        return httpx.Response(
            response.status_code, headers=_without_encoding(response.headers), content=bytes(body),
            request=response.request,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> WaybackHttp:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _without_encoding(headers: httpx.Headers) -> httpx.Headers:
    """The headers of an already decoded body (no Content-Encoding or Content-Length to decode it again)."""
    kept = [(k, v) for k, v in headers.raw if k.lower() not in (b"content-encoding", b"content-length")]
    return httpx.Headers(kept)
