"""Subprocess entry for snapshot ingestion: ``python -m newsarchive.orchestration.snapshots '<json>'``.

The request names the outlets file, one outlet, the archive URI and an inclusive
date window; the last line printed is the JSON summary (same keys as a crawl summary).
It calls ``crawler.wayback.backfill_from_wayback`` — the history logic lives there.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, is_dataclass
from typing import Any

from newsarchive.errors import NewsarchiveError
from newsarchive.orchestration.windows import parse_day
from newsarchive.registry import load_outlets, select_outlets
from newsarchive.settings import Settings, redact

__all__ = ["main"]


def _as_dict(summary: Any) -> dict[str, Any]:
    if is_dataclass(summary) and not isinstance(summary, type):
        return asdict(summary)
    if isinstance(summary, dict):
        return summary
    raise TypeError(f"unexpected summary type {type(summary).__name__}")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    request = json.loads(args[0])
    try:
        from crawler.wayback import backfill_from_wayback  # type: ignore[import-not-found,unused-ignore]

        outlet = select_outlets(load_outlets(request["outlets"]), [request["outlet"]])[0]
        summary = backfill_from_wayback(
            outlet,
            request["archive"],
            since=parse_day(request.get("since")),
            until=parse_day(request.get("until")),
            settings=Settings.from_env(),
        )
    except (NewsarchiveError, ImportError) as exc:
        print(redact(f"snapshot ingestion failed: {exc}"), file=sys.stderr)
        return 1
    print(json.dumps(_as_dict(summary), default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
