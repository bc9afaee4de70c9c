"""Peer: trafilatura's own sitemap crawler, downloader and extractor over the outlet.

``python -m bench.peer_trafilatura BASE_URL OUT.jsonl`` runs ``trafilatura.sitemaps.sitemap_search``
on the outlet, downloads what it found with ``trafilatura.downloads.buffered_downloads`` (4 threads,
as the CLI's ``--parallel`` default) and extracts each page with ``trafilatura.extract``
(``include_comments=False``), writing ``{"url", "text"}`` lines. No sleep between requests (the
outlet is ours); SSRF protection off because the outlet's name maps to 127.0.0.1 (bench.hosts_shim).
Prints ``{"urls": N, "pages": P}`` last.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

THREADS = 4


def main(argv: list[str]) -> int:
    from trafilatura import extract
    from trafilatura.downloads import buffered_downloads
    from trafilatura.settings import Extractor, use_config
    from trafilatura.sitemaps import sitemap_search

    base_url, out = argv[0], Path(argv[1])
    config = use_config()
    config["DEFAULT"]["SLEEP_TIME"] = "0"
    config["DEFAULT"]["SSRF_PROTECTION"] = "False"
    urls = sitemap_search(base_url, sleep_time=0, config=config)
    pages = 0
    with out.open("w", encoding="utf-8") as stream:
        for url, html in buffered_downloads(urls, THREADS, options=Extractor(config=config)):
            if not isinstance(html, str) or not html:
                continue
            text = extract(html, url=url, include_comments=False, config=config) or ""
            stream.write(json.dumps({"url": url, "text": text}, ensure_ascii=False) + "\n")
            pages += 1
    print(json.dumps({"urls": len(urls), "pages": pages}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
