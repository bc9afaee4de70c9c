"""newsarchive: the application — the ``newsarchive`` command line, the demo, jobs and orchestration.

This package is the top layer; the packages below it do the work (arrows point down only):

- :mod:`core` — settings, the outlet registry, URL identity, dates, errors;
- :mod:`extract` — clean text and metadata from a page;
- :mod:`archive` — stores (local directory, S3), WARC, records, manifests, index, download;
- :mod:`ingest` — what every fetcher shares: article decision, templates, discovery parsers, tally;
- :mod:`crawler` — the Scrapy news spider; :mod:`history` — the Wayback Machine;
- :mod:`outlet_server` — the demo outlet served on loopback for ``newsarchive demo`` and the tests;
- ``dags/`` — Airflow DAGs wiring :mod:`newsarchive.orchestration`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError, NewsarchiveError

if TYPE_CHECKING:
    from core.registry import Outlet, load_outlets
    from core.settings import Settings, get_settings
    from core.urls import canonical_url

__version__ = "0.1.0"

#: Imported on first use (PEP 562): the registry's pydantic models cost half a second of start-up,
#: which every ``newsarchive --help`` and every one-line CLI error would otherwise pay.
_LAZY = {
    "Outlet": "core.registry",
    "load_outlets": "core.registry",
    "Settings": "core.settings",
    "get_settings": "core.settings",
    "canonical_url": "core.urls",
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
