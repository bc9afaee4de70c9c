"""DNS rebinding on demand for the hostile-outlet tests (loaded by a crawl child with this directory on PYTHONPATH).

For each host of ``HOSTILE_REBIND_HOSTS`` (comma-separated), ``socket.getaddrinfo`` — the lookup of the
crawl's request middleware — answers a public address (TEST-NET-free 93.184.216.34, never connected to),
and ``socket.gethostbyname`` — the lookup of Twisted's resolver, the one the connection uses — answers
127.0.0.1: the rebinding a real DNS server can do between two lookups, without one.
"""

from __future__ import annotations

import os
import socket

_HOSTS = {host for host in os.environ.get("HOSTILE_REBIND_HOSTS", "").split(",") if host}

if _HOSTS:
    _getaddrinfo = socket.getaddrinfo
    _gethostbyname = socket.gethostbyname

    def _public_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = host.decode() if isinstance(host, bytes) else host
        return _getaddrinfo("93.184.216.34" if name in _HOSTS else host, *args, **kwargs)

    def _loopback_gethostbyname(host):  # type: ignore[no-untyped-def]
        return "127.0.0.1" if host in _HOSTS else _gethostbyname(host)

    socket.getaddrinfo = _public_getaddrinfo  # type: ignore[assignment]
    socket.gethostbyname = _loopback_gethostbyname  # type: ignore[assignment]
