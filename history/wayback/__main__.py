"""``python -m history.wayback REQUEST``: one Wayback backfill in this process, its summary printed as JSON.

``REQUEST`` is JSON (or ``-`` to read it from stdin)::

    {"outlets": "outlets.yaml", "outlet": "demo",          # or "outlet_config": {...registry entry...}
     "archive": "s3://bucket/news", "since": "2026-10-01", "until": "2026-10-31",
     "wayback_url": null, "pick": "earliest", "state_dir": null, "batch_size": 100}

Settings come from the environment (``NEWSARCHIVE_*``; ``NEWSARCHIVE_WAYBACK_URL`` for
the Archive). The last line of stdout is the summary (the crawler's ``RunSummary``
fields) on success, or ``{"error": "..."}`` with exit code 1; logs go to stderr.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any

from core.errors import ConfigError, NewsarchiveError
from core.registry import Outlet, load_outlets, parse_outlets, select_outlets
from core.settings import Settings, redact
from core.vocabulary import SnapshotPick
from history.wayback.backfill import backfill_from_wayback

__all__ = ["main", "run_request"]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ConfigError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _outlet(request: dict[str, Any]) -> Outlet:
    if "outlet_config" in request:
        return parse_outlets({"outlets": [request["outlet_config"]]}, source="request")[0]
    return select_outlets(load_outlets(request["outlets"]), [request["outlet"]])[0]


def run_request(request: dict[str, Any]) -> dict[str, Any]:
    """Run the backfill a request describes; return its summary as a dict."""
    summary = backfill_from_wayback(
        _outlet(request),
        request["archive"],
        _day(request.get("since")),
        _day(request.get("until")),
        wayback_url=request.get("wayback_url"),
        pick=request.get("pick") or SnapshotPick.EARLIEST,
        settings=Settings.from_env(),
        state_dir=Path(request["state_dir"]) if request.get("state_dir") else None,
        batch_size=int(request.get("batch_size") or 100),
    )
    return summary.to_dict()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(json.dumps({"error": "usage: python -m history.wayback REQUEST_JSON|-"}))
        return 2
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        request = json.loads(sys.stdin.read() if args[0] == "-" else args[0])
        summary = run_request(request)
    except (NewsarchiveError, ValueError, TypeError, KeyError) as exc:
        print(json.dumps({"error": redact(f"{type(exc).__name__}: {exc}")}), flush=True)
        return 1
    print(json.dumps(summary, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
