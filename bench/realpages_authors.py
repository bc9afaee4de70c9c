"""Authors on the real-page development set, page by page: gold, ours (and its source), trafilatura's.

For finding classes of author errors (issue 16). Reads the trafilatura set the way
:mod:`bench.realpages` does (same cache, same scoring by :func:`bench.realpages.name_keys`), but
runs only the metadata step of ``extract_article`` (decode, parse, class tokens, page_authors), a
few milliseconds a page. Trafilatura's authors come from the last full run's per-page records
(``<cache>/last-run.json``, written by ``bench.realpages``) when present.

``python -m bench.realpages_authors --trafilatura-repo DIR [--only wrong,missing,invented] [--grep TEXT]``
prints one block per page and a count per outcome; ``--json FILE`` writes the rows.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from bench.realpages import DEFAULT_CACHE, Sets, author_outcome
from extract import parse_page
from extract.metadata import extract_metadata
from extract.selectors import page_tokens

__all__ = ["rows"]


def _ours(page_html: bytes, url: str) -> tuple[list[str], str | None]:
    page = parse_page(page_html)  # as extract_article reads it, up to its metadata
    meta = extract_metadata(page.tree, url, tokens=page_tokens(page.tree), raw_html=page.decoded.text)
    return meta.authors, meta.authors_source


def rows(sets: Sets, cache: Path) -> list[dict[str, Any]]:
    """One row per trafilatura-set page whose gold has an ``author`` key (empty or not)."""
    theirs: dict[str, list[str]] = {}
    last = cache / "last-run.json"
    if last.exists():
        for record in json.loads(last.read_text())["records"]:
            theirs[record["id"]] = record["trafilatura_meta"]["authors"]
    result = []
    for page in sets.trafilatura:
        if "author" not in page.gold:
            continue
        ours, source = _ours(page.html, page.url)
        gold = page.gold.get("author")
        row = {"id": page.id, "url": page.url, "gold": gold, "ours": ours, "source": source,
               "outcome": author_outcome(gold, ours)}
        if page.id in theirs:
            row["trafilatura"] = theirs[page.id]
            row["trafilatura_outcome"] = author_outcome(gold, theirs[page.id])
        result.append(row)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trafilatura-repo", type=Path, default=os.environ.get("REALPAGES_TRAFILATURA"))
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--only", default="", help="comma list of outcomes to print (right,missing,wrong,none,invented)")
    parser.add_argument("--grep", default="", help="print only rows whose text holds this (case-insensitive)")
    parser.add_argument("--json", type=Path, help="write the rows here")
    args = parser.parse_args(argv)
    if not args.trafilatura_repo:
        parser.error("--trafilatura-repo (or REALPAGES_TRAFILATURA) is needed")
    found = rows(Sets.load(args.trafilatura_repo, None, args.cache), args.cache)
    only = {o for o in args.only.split(",") if o}
    counts: dict[str, int] = {}
    for row in found:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
        if (only and row["outcome"] not in only) or args.grep.casefold() not in json.dumps(row, ensure_ascii=False).casefold():
            continue
        print(f"{row['outcome']:9} {row['id']}  {row['url']}")
        print(f"    gold: {row['gold']!r}")
        print(f"    ours: {row['ours']!r} ({row['source']})")
        if "trafilatura" in row:
            print(f"    traf: {row['trafilatura']!r} ({row['trafilatura_outcome']})")
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    if args.json:
        args.json.write_text(json.dumps(found, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
