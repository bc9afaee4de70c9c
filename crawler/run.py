"""``python -m crawler.run REQUEST``: run one crawl in this process and print its summary as JSON.

``REQUEST`` is a :class:`crawler.runner.CrawlRequest` as JSON, or ``-`` to read it
from stdin. The last line of stdout is ``{"summaries": [...]}`` on success or
``{"error": "..."}`` (exit code 1) on failure; logs go to stderr.
"""

from __future__ import annotations

import json
import sys

from core.errors import NewsarchiveError
from core.settings import redact
from crawler.runner import CrawlRequest


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(json.dumps({"error": "usage: python -m crawler.run REQUEST_JSON|-"}))
        return 2
    try:
        text = sys.stdin.read() if args[0] == "-" else args[0]
        summaries = CrawlRequest.from_json(text).run()
    except (NewsarchiveError, ValueError, TypeError, KeyError) as exc:
        print(json.dumps({"error": redact(f"{type(exc).__name__}: {exc}")}), flush=True)
        return 1
    print(json.dumps({"summaries": [s.to_dict() for s in summaries]}, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
