"""Declared charsets that cannot decode text: :class:`DeclaredCharsetMiddleware` reads such a response anyway.

A ``Content-Type`` may declare any codec name Python knows, and some are no text encoding
(``zlib``, ``rot13``, ``hex``, ``base64``) or cannot decode at all (``idna`` with replacement,
``undefined``, ``punycode`` on non-ASCII). Scrapy's :class:`~scrapy.http.TextResponse` raises on
``.text`` for those, and every reader after it (the meta-refresh redirect, robots.txt, the spider's
selectors) would fail with it — the page counted as an error and missing from the WARC. This
middleware (after decompression, before the redirects in the response order) gives such a response
an encoding that decodes: the one its body declares when that one works, else UTF-8 with
replacement characters. Headers and body are untouched, so the WARC keeps the response as served
and the extractor reads the declared charset its own way (:func:`extract.parse_page`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy.http import Response, TextResponse
from w3lib.encoding import html_body_declared_encoding

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["DeclaredCharsetMiddleware", "decodable"]

#: Bytes decoded to check that an encoding is a text encoding that works on this body.
PROBE_BYTES = 4096


def _works(encoding: str | None, body: bytes) -> bool:
    if not encoding:
        return False
    try:
        body[:PROBE_BYTES].decode(encoding, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        return False
    return True


def decodable(response: Response) -> Response:
    """``response``, or a copy with an encoding that decodes when its declared one cannot."""
    if not isinstance(response, TextResponse):
        return response
    try:
        response.text  # noqa: B018 - decoded once here, cached for every later reader
    except (LookupError, UnicodeError, ValueError, TypeError):
        declared = html_body_declared_encoding(response.body)
        encoding = declared if _works(declared, response.body) else "utf-8"
        return response.replace(encoding=encoding)
    return response


class DeclaredCharsetMiddleware:
    """Responses whose declared charset cannot decode text get one that can (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        readable = decodable(response)
        if readable is not response:
            self.crawler.stats.inc_value("newsarchive/undecodable_charset")  # type: ignore[union-attr]
        return readable
