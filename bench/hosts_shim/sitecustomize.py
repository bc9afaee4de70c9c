"""A hosts file for the peers bench, loaded by every Python process started with this directory on PYTHONPATH.

trafilatura and news-please refuse loopback URLs (courlan rejects IP hosts and ``localhost``), so
the peers bench serves the demo outlet under a made-up name and maps that name to the server here:
``NEWSARCHIVE_BENCH_HOSTS="levant-dispatch.test=127.0.0.1"`` makes ``socket.getaddrinfo`` and
``socket.gethostbyname`` (Twisted's resolver, so Scrapy's) answer 127.0.0.1 for it, in this process and in any child it starts (news-please starts one per site).
"""

from __future__ import annotations

import os
import socket

_MAP = dict(
    item.split("=", 1) for item in os.environ.get("NEWSARCHIVE_BENCH_HOSTS", "").split(",") if "=" in item
)

if _MAP:
    _getaddrinfo = socket.getaddrinfo

    def _mapped_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(host, bytes):
            host = host.decode()
        return _getaddrinfo(_MAP.get(host, host), *args, **kwargs)

    _gethostbyname = socket.gethostbyname

    def _mapped_gethostbyname(host):  # type: ignore[no-untyped-def]
        return _gethostbyname(_MAP.get(host, host))

    socket.getaddrinfo = _mapped_getaddrinfo  # type: ignore[assignment]
    socket.gethostbyname = _mapped_gethostbyname  # type: ignore[assignment]
