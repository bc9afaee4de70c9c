"""Authors on the real-page development set, page by page: gold, ours (and its source), trafilatura's.

For finding classes of author errors (issue 16). Reads the trafilatura set the way
:mod:`bench.realpages` does (same cache, same scoring by :func:`bench.realpages.name_keys`), but
runs only the metadata step of ``extract_article`` (decode, parse, class tokens, page_authors), a
few milliseconds a page. Trafilatura's authors come from the last full run's per-page records
(``<cache>/last-run.json``, written by ``bench.realpages``) when present.

``python -m bench.realpages_authors --trafilatura-repo DIR [--only wrong,missing,invented] [--grep TEXT]``
prints one block per page and a count per outcome; ``--json FILE`` writes the rows.

It also sorts the gold authors by what issue 16's own rules make of them (:func:`gold_classes`): a
gold "Redaktion", "Staff Writer", "Unknown" or "Wikimedia Foundation" is a name those rules reject
(desks, placeholders, organisations), so no extractor that follows them can get that page right,
and the share of right pages has a ceiling below 100% on this set.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from bench.realpages import DEFAULT_CACHE, Sets, author_outcome, name_keys
from extract import parse_page
from extract.authors import clean_authors
from extract.metadata import extract_metadata
from extract.selectors import page_tokens

__all__ = ["gold_classes", "rows"]


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


def gold_class(gold: list[str] | str | None) -> str:
    """What the extraction rules make of a gold author: ``person`` (kept whole), ``partly`` (a desk or
    agency beside names: "FR mit dpa") or ``rejected`` (all of it a desk, placeholder or organisation)."""
    names = gold if isinstance(gold, list) else [gold or ""]
    kept = clean_authors(names, read_from="data")
    if not kept:
        return "rejected"
    return "person" if name_keys(kept) == name_keys(names) else "partly"


def gold_classes(found: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """For the pages whose gold names an author: outcomes counted by :func:`gold_class` of the gold."""
    table: dict[str, dict[str, int]] = {}
    for row in found:
        if row["outcome"] not in ("right", "wrong", "missing"):
            continue
        outcomes = table.setdefault(gold_class(row["gold"]), {})
        outcomes[row["outcome"]] = outcomes.get(row["outcome"], 0) + 1
    return table


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
    classes = gold_classes(found)
    named = sum(sum(outcomes.values()) for outcomes in classes.values())
    for name, outcomes in sorted(classes.items()):
        print(f"gold {name}: {sum(outcomes.values())} of {named} pages ("
              + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) + ")")
    ceiling = named - sum(classes.get("rejected", {}).values())
    print(f"right at most {ceiling} of {named} ({ceiling / named:.1%}) for an extractor that rejects what the rules reject")
    if args.json:
        args.json.write_text(json.dumps(found, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
