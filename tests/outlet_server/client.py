"""A tiny HTTP client for the outlet tests (stdlib only: redirects are not followed, errors are returned)."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
          timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """(status, lower-cased headers, raw body) of one request, redirects not followed."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target or "/", headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()
