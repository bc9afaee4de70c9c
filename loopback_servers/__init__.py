"""Real servers on 127.0.0.1 for the tests and the benchmarks, never for production.

- :mod:`loopback_servers.seaweedfs` — an S3 server (SeaweedFS), every port free, credentials required.
- :mod:`loopback_servers.ccnews` — a CC-NEWS-shaped layout of WARC files (warcio) and a static HTTP server for it.

The demo outlet, a server of its own with a product role (``newsarchive demo``), is :mod:`outlet_server`.
Production code never imports this package; ``tests/`` and ``bench/`` do.
"""
