"""The floor of a CC-NEWS backfill: stream WARC files over HTTP and iterate their records with warcio, nothing else.

``python -m bench.bare_warc_scan URL [URL ...]`` prints ``{"records": N, "responses": M, "bytes": B}``:
every record parsed, every response payload read, no host filter, no extraction, no archive.
fastwarc is used instead when it is installed (``--fastwarc``).
"""

from __future__ import annotations

import json
import sys
import urllib.request


def scan(urls: list[str]) -> dict[str, int]:
    from warcio.archiveiterator import ArchiveIterator

    records = responses = size = 0
    for url in urls:
        with urllib.request.urlopen(url) as stream:  # the loopback bench server
            for record in ArchiveIterator(stream):
                records += 1
                if record.rec_type == "response":
                    responses += 1
                    size += len(record.content_stream().read())
    return {"records": records, "responses": responses, "bytes": size}


if __name__ == "__main__":
    print(json.dumps(scan(sys.argv[1:])))
