"""Fetch raw captures from the Wayback Machine in the ``id_`` form: ``/web/<timestamp>id_/<url>``.

The ``id_`` flag asks for the capture as archived — no toolbar, no rewritten
links — with the original response headers passed back as ``X-Archive-Orig-*``.
What comes back is not always the capture asked for:

- **the nearest capture**: a timestamp with no capture of the URL redirects to
  the nearest one (same URL, another timestamp); followed;
- **a redirect that was archived**: the capture is the outlet's own 3xx (a moved
  article); followed to the target's capture when the target stays on the
  outlet's domains, and the article keeps the URL it was asked for as
  ``original_url``;
- **an error page**: 404 ("not archived"), 403/451 (excluded), or a 200 without
  ``Memento-Datetime`` (a page of the Wayback Machine itself, not a memento);
- **an archived error**: a memento whose archived status is not 200 (the outlet
  answered 503 or 404 when the Archive came by), or whose body is empty: that
  capture's outcome (``archived_<status>``, ``archived_empty``), and the backfill
  tries the URL's next-best capture;
- **too large**: a body above ``download_maxsize`` once decompressed (``too_large``).

Each such case becomes a :class:`ReplayError` with a short ``reason`` that the
backfill counts; nothing is raised past it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

from core.dates import format_wayback_timestamp, parse_datetime, parse_wayback_timestamp
from core.errors import CrawlError
from history.wayback.transport import ResponseTooLarge, WaybackHttp, is_archived_response

__all__ = ["REPLAY_SKIP_REASONS", "Capture", "ReplayClient", "ReplayError", "replay_path", "skip_reason"]

#: ``/web/<timestamp><flags>_/<url>`` in a Location header or a request path.
_WEB_PATH = re.compile(r"/web/(\d{1,14})(?:[a-z]{2}_)?/(.+)$")
#: Proxies and servers collapse ``http://`` inside a path to ``http:/``.
_SCHEME_SLASHES = re.compile(r"^(https?):/+")
ORIGINAL_HEADER_PREFIX = "x-archive-orig-"
#: Headers of the replay response that describe the transfer, not the archived page.
DROPPED_HEADERS: frozenset[str] = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive", "link",
     "memento-datetime", "server-timing", "set-cookie"}
)


class ReplayError(CrawlError):
    """A capture that could not be replayed; ``reason`` is the counted stats key."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


#: Replay failure reason → the crawler's skip reason (the detail stays in stats["wayback"]).
REPLAY_SKIP_REASONS: dict[str, str] = {
    "not_archived": "gone",
    "excluded": "http_error",
    "error_page": "http_error",
    "redirect_loop": "redirect_loop",
    "redirect_offsite": "offsite",
    "bad_redirect": "error",
    "too_large": "too_large",
    "archived_empty": "error",
}


def skip_reason(replay_reason: str) -> str:
    """The crawler's skip reason for a replay failure (an archived 404/410 page is "gone")."""
    if replay_reason.startswith("archived_"):
        return "gone" if replay_reason in ("archived_404", "archived_410") else "http_error"
    return REPLAY_SKIP_REASONS.get(replay_reason, "error")


def replay_path(timestamp: str, url: str) -> str:
    """The ``id_`` path of the capture of ``url`` at ``timestamp``."""
    return f"/web/{timestamp}id_/{url}"


@dataclass(frozen=True)
class Capture:
    """One archived response, as the outlet sent it when the Archive captured it."""

    url: str  # the URL whose capture this is (after archived redirects)
    timestamp: str  # 14 digits: when the Archive captured it
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime  # when we fetched it from the Archive
    requested_url: str  # the URL asked for (the original URL of the article)
    redirects: list[str] = field(default_factory=list)

    @property
    def captured_at(self) -> datetime:
        return parse_wayback_timestamp(self.timestamp)

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.headers if k.lower() == "content-type"), "")


def original_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The archived response's own headers: ``X-Archive-Orig-*`` unprefixed, else the replay's minus transport."""
    prefixed = [(k[len(ORIGINAL_HEADER_PREFIX) :], v) for k, v in headers if k.lower().startswith(ORIGINAL_HEADER_PREFIX)]
    names = {k.lower() for k, _ in prefixed}
    passthrough = [
        (k, v)
        for k, v in headers
        if not k.lower().startswith("x-archive") and k.lower() not in DROPPED_HEADERS and k.lower() not in names
    ]
    source = prefixed + [(k, v) for k, v in passthrough if k.lower() == "content-type"] if prefixed else passthrough
    return [(k, v) for k, v in source if k.lower() not in DROPPED_HEADERS]


class ReplayClient:
    """Fetches captures through the shared :class:`WaybackHttp` (rate limited, retried)."""

    def __init__(
        self, http: WaybackHttp, *, max_redirects: int = 5, allow_url: Callable[[str], bool] | None = None
    ) -> None:
        self.http = http
        self.max_redirects = max_redirects
        self.allow_url = allow_url or (lambda _url: True)

    def fetch(self, timestamp: str, url: str) -> Capture:
        """The capture of ``url`` at (or nearest) ``timestamp``; :class:`ReplayError` when there is none."""
        current_ts, current_url = timestamp, url
        redirects: list[str] = []
        seen: set[tuple[str, str]] = set()
        while True:
            if (current_ts, current_url) in seen or len(redirects) > self.max_redirects:
                raise ReplayError("redirect_loop", f"{url} at {timestamp}: redirect loop via {redirects}")
            seen.add((current_ts, current_url))
            try:
                response = self.http.get(replay_path(current_ts, current_url), kind="replay")
            except ResponseTooLarge as exc:
                raise ReplayError("too_large", f"{url} at {timestamp}: {exc}") from None
            status = response.status_code
            if status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location", "")
                target_ts, target_url = self._redirect_target(location, current_ts, current_url)
                if target_url is None:
                    raise ReplayError("bad_redirect", f"{url} at {timestamp}: redirect without a target")
                if target_url != current_url:
                    if not self.allow_url(target_url):
                        raise ReplayError("redirect_offsite", f"{url} at {timestamp}: archived redirect to {target_url}")
                    redirects.append(target_url)
                current_ts, current_url = target_ts, target_url
                continue
            memento_at = parse_datetime(response.headers.get("Memento-Datetime"))
            memento = format_wayback_timestamp(memento_at) if memento_at else None
            if memento is None and is_archived_response(response.headers):
                memento = current_ts.ljust(14, "0")[:14]  # archived headers without a Memento-Datetime
            if memento is None:  # a page of the Wayback Machine itself, not a capture
                if status == 404:
                    raise ReplayError("not_archived", f"{url} at {timestamp}: not in the Wayback Machine")
                if status in (403, 451):
                    raise ReplayError("excluded", f"{url} at {timestamp}: excluded from the Wayback Machine")
                raise ReplayError("error_page", f"{url} at {timestamp}: HTTP {status} without Memento-Datetime")
            if status != 200:
                raise ReplayError(f"archived_{status}", f"{url} at {timestamp}: the capture is an HTTP {status} page")
            if not response.content.strip():
                raise ReplayError("archived_empty", f"{url} at {memento}: the capture has an empty body")
            return Capture(
                url=current_url,
                timestamp=memento,
                status=status,
                headers=original_headers([(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]),
                body=response.content,
                fetched_at=datetime.now(UTC),
                requested_url=url,
                redirects=redirects,
            )

    def _redirect_target(self, location: str, timestamp: str, url: str) -> tuple[str, str | None]:
        """(timestamp, URL) a Location header points to: a ``/web/`` path, or the outlet's raw target."""
        if not location:
            return timestamp, None
        absolute = urljoin(self.http.url(replay_path(timestamp, url)), location)
        match = _WEB_PATH.search(absolute)
        if match and absolute.startswith(self.http.base_url):
            return match.group(1), _SCHEME_SLASHES.sub(r"\1://", match.group(2))
        return timestamp, urljoin(url, location)
