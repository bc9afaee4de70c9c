"""newsarchive: scheduled scraping and archiving of news outlets.

The public surface is small; the packages beside this one do the work:

- :mod:`crawler` — Scrapy spiders and the crawl runner;
- :mod:`extract` — clean text and metadata from a page;
- :mod:`archive` — stores (local directory, S3), WARC, records, manifests, index, download;
- :mod:`outlet_server` — the demo outlet served on loopback for ``newsarchive demo`` and the tests;
- ``dags/`` — Airflow DAGs wiring those together.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from newsarchive.errors import ConfigError, NewsarchiveError

if TYPE_CHECKING:
    from newsarchive.registry import Outlet, load_outlets
    from newsarchive.settings import Settings, get_settings
    from newsarchive.urls import canonical_url

__version__ = "0.1.0"

#: Imported on first use (PEP 562): the registry's pydantic models cost half a second of start-up,
#: which every ``newsarchive --help`` and every one-line CLI error would otherwise pay.
_LAZY = {
    "Outlet": "newsarchive.registry",
    "load_outlets": "newsarchive.registry",
    "Settings": "newsarchive.settings",
    "get_settings": "newsarchive.settings",
    "canonical_url": "newsarchive.urls",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'newsarchive' has no attribute {name!r}")

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
