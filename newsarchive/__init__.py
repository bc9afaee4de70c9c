"""newsarchive: scheduled scraping and archiving of news outlets.

The public surface is small; the packages beside this one do the work:

- :mod:`crawler` — Scrapy spiders and the crawl runner;
- :mod:`extract` — clean text and metadata from a page;
- :mod:`archive` — stores (local directory, S3), WARC, records, manifests, index, download;
- :mod:`outlet_server` — the demo outlet served on loopback for ``newsarchive demo`` and the tests;
- ``dags/`` — Airflow DAGs wiring those together.
"""

from __future__ import annotations

from newsarchive.errors import ConfigError, NewsarchiveError
from newsarchive.registry import Outlet, load_outlets
from newsarchive.settings import Settings, get_settings
from newsarchive.urls import canonical_url

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "NewsarchiveError",
    "Outlet",
    "Settings",
    "__version__",
    "canonical_url",
    "get_settings",
    "load_outlets",
]
