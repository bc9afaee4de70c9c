"""Baseline (b) of the crawl bench: ``trafilatura.extract`` alone on the article pages a crawl fetched.

``python -m bench.trafilatura_alone PAGES_FILE [--pace-s S]`` reads pages written by :func:`write_pages`
and runs ``trafilatura.extract(html, url=url, include_comments=False, with_metadata=True)`` on each
(metadata on, because the pipeline extracts metadata too). Prints ``{"pages": N, "chars": C}`` last.

``--pace-s`` sleeps that long after each page: trafilatura given the pages at the pace a polite crawl
fetches them, so that the baseline of a polite crawl does the same work under the same waits (the
polite area: work done after a wait costs more CPU than the same work back to back, on any program).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["read_pages", "write_pages"]


def write_pages(out: BinaryIO, pages: Iterable[tuple[str, bytes]]) -> int:
    """Write ``(url, html)`` pages as a JSON header line then the raw bytes; returns the count."""
    n = 0
    for url, body in pages:
        out.write(json.dumps({"url": url, "length": len(body)}).encode() + b"\n")
        out.write(body)
        n += 1
    return n


def read_pages(path: Path) -> Iterator[tuple[str, bytes]]:
    with path.open("rb") as stream:
        while header := stream.readline():
            meta = json.loads(header)
            yield meta["url"], stream.read(meta["length"])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.trafilatura_alone")
    parser.add_argument("pages_file", type=Path)
    parser.add_argument("--pace-s", type=float, default=0.0, help="seconds to sleep after each page")
    args = parser.parse_args(argv)
    import trafilatura

    pages = chars = 0
    for url, body in read_pages(args.pages_file):
        text = trafilatura.extract(body, url=url, include_comments=False, with_metadata=True)
        pages += 1
        chars += len(text or "")
        if args.pace_s:
            time.sleep(args.pace_s)
    print(json.dumps({"pages": pages, "chars": chars}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
