"""Faults the outlet can be told to commit, one switch each, for crawler tests.

All faults are off by default. Per-article faults hit a deterministic subset of the
articles (``Faults.affects``): one article in ``every``, each fault with its own
offset, never the seed article. The byte payloads of the traps (entity bomb, gzip
bomb, broken sitemap, tiny PDF and JPEG) live here too.
"""

from __future__ import annotations

import gzip
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, fields
from functools import cache
from typing import Any

from outlet_server.corpus import ArticleSpec

__all__ = ["LEGACY_CHARSETS", "PER_ARTICLE_FAULTS", "FaultState", "Faults"]

#: Faults that hit a subset of the articles, with the offset that spreads them apart.
PER_ARTICLE_FAULTS: dict[str, int] = {"gone": 0, "flaky_5xx": 1, "slow": 2, "rate_limit_429": 3, "wrong_charset": 4}

#: The legacy code page of each language the wrong_charset fault re-encodes.
LEGACY_CHARSETS: dict[str, str] = {"ar": "windows-1256", "ru": "cp1251"}

#: Where redirect traps point: private and link-local addresses a crawler must refuse.
PRIVATE_TARGETS: tuple[str, ...] = ("http://10.0.0.1/admin/", "http://169.254.169.254/latest/meta-data/",
                                    "http://192.168.1.1/")


@dataclass(frozen=True)
class Faults:
    """Which faults an :class:`~outlet_server.server.OutletServer` commits (all off by default)."""

    redirect_loop: bool = False          # /loop/N/ <-> /loop/N/next/ linked from pages and the sitemap
    gone: bool = False                   # affected articles answer 410 (even post id) or 404 (odd)
    flaky_5xx: int = 0                   # the first N hits of an affected article answer 503
    slow: float = 0.0                    # seconds an affected article waits before answering
    wrong_charset: bool = False          # every ar/ru article in windows-1256/cp1251, declared utf-8 or not at all
    binary_links: bool = False           # articles link PDFs and images
    huge_page: int = 0                   # bytes of /special/huge/ (linked from the home page); 0 = off
    gzip_bomb: bool = False              # /special/bomb/ and /sitemaps/bomb.xml: small gzip, huge when inflated
    malformed_sitemap: bool = False      # /sitemaps/broken.xml in the index, /feed/broken/ advertised
    entity_bomb_sitemap: bool = False    # /sitemaps/lol.xml (billion laughs) in the index
    tracking_variants: bool = False      # links carry utm_*/fbclid/fragments, upper-case scheme, no trailing slash
    rate_limit_429: bool = False         # the first hit of an affected article answers 429 with Retry-After
    no_sitemaps_no_feeds: bool = False   # no Sitemap lines in robots.txt; sitemaps and feeds answer 404
    offsite_links: bool = False          # articles link other hosts (incl. this server under the name localhost)
    private_redirect: bool = False       # /out/N/ redirects to private and link-local addresses
    crawl_delay: float = 0.0            # robots.txt Crawl-delay (seconds); 0 = no such line
    every: int = 7                       # one article in `every` suffers each per-article fault
    retry_after_s: int = 1               # Retry-After on 429 and 503

    @classmethod
    def all(cls, **overrides: Any) -> Faults:
        """Every fault on (huge page 25 MB, 2 flaky hits, 0.2 s slow), ``overrides`` applied."""
        values: dict[str, Any] = {f.name: True for f in fields(cls) if f.type in (bool, "bool")}
        values.update(huge_page=25 * 1024 * 1024, flaky_5xx=2, slow=0.2)  # crawl_delay stays 0: it only slows
        values.update(overrides)
        return cls(**values)

    def affects(self, kind: str, article: ArticleSpec) -> bool:
        """Whether the per-article fault ``kind`` is on and hits ``article``."""
        if not getattr(self, kind) or article.is_seed:
            return False
        if kind == "wrong_charset":
            return article.language in LEGACY_CHARSETS
        return (article.post_id + PER_ARTICLE_FAULTS[kind]) % self.every == 0

    @staticmethod
    def declares_utf8(article: ArticleSpec) -> bool:
        """Under wrong_charset: True if the page claims UTF-8 (header and meta), False if it declares nothing."""
        return (article.post_id // 10) % 2 == 0

    def is_live(self, article: ArticleSpec) -> bool:
        """Whether ``article`` can be fetched at all (not gone)."""
        return not self.affects("gone", article)


class FaultState:
    """Hit counters behind the faults that change over time (flaky, rate limited); thread-safe."""

    def __init__(self) -> None:
        self._hits: Counter[str] = Counter()
        self._lock = threading.Lock()

    def hit(self, key: str) -> int:
        """Count one more hit of ``key``; returns the count including this one."""
        with self._lock:
            self._hits[key] += 1
            return self._hits[key]

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


ENTITY_BOMB = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url></urlset>
"""

BROKEN_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}2026/01/01/this-entry-is-not-closed/<lastmod>2026-01-01T00:00:00+00:00</lastmod>
<url><loc>{base}2026/01/02/broken & unescaped</loc></url
"""

BROKEN_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Broken & unescaped feed</title>
<item><title>Unclosed item<link>{base}2026/01/03/unclosed/</link>
"""

#: Smallest well-formed payloads for the binary files articles link to.
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
             b"trailer<</Root 1 0 R>>\n%%EOF\n")
JPEG_BYTES = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a"
    "1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f"
    "0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d010203"
    "00041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a343536373839"
    "3a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4"
    "a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa"
    "ffda0008010100003f00fbd3ffd9"
)


@cache
def gzip_bomb(inflated_bytes: int = 128 * 1024 * 1024) -> bytes:
    """A gzip stream of a few hundred KB that inflates to ``inflated_bytes`` of zeros (built once)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    chunk = b"\0" * (1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(inflated_bytes // len(chunk))]
    parts.append(compressor.flush())
    return b"".join(parts)


def huge_page_chunks(total_bytes: int, chunk_size: int = 256 * 1024) -> list[bytes] | Any:
    """The huge page as a generator of chunks (an article-looking page padded with paragraphs)."""
    head = b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Huge page</title></head><body><article>"
    tail = b"</article></body></html>"
    filler = b"<p>" + b"All work and no play makes a very large page. " * 40 + b"</p>\n"

    def generate() -> Any:
        yield head
        sent = len(head) + len(tail)
        block = filler * max(1, chunk_size // len(filler))
        while sent + len(block) <= total_bytes:
            yield block
            sent += len(block)
        if total_bytes > sent:
            yield b" " * (total_bytes - sent)
        yield tail

    return generate()


def gzip_body(data: bytes) -> bytes:
    """Deterministic gzip (no timestamp) of a response body."""
    return gzip.compress(data, compresslevel=5, mtime=0)
