"""The redirect middlewares announce every response they consume, and only those.

The end-to-end check (3xx hops of a real crawl in the WARC) is in ``test_faults.py``; the outlet
server has no meta-refresh page, so that redirect is checked here, on Scrapy's own middlewares
driven by hand with real responses.
"""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from core.registry import Outlet
from core.settings import Settings
from crawler.middlewares.redirect import CapturingMetaRefreshMiddleware, CapturingRedirectMiddleware
from crawler.settings import scrapy_settings
from crawler.signals import response_consumed

OUTLET = Outlet(id="news", name="News", base_url="https://news.example/")


@pytest.fixture
def announced() -> list[tuple[str, int, str]]:
    return []


def middleware(kind: type[Any], announced: list[tuple[str, int, str]]) -> Any:
    crawler = get_crawler(settings_dict=scrapy_settings(OUTLET, Settings(max_redirects=2), throttle=False))

    def consumed(request: Request, response: Response, kind: str) -> None:
        announced.append((request.url, response.status, kind))

    crawler.signals.connect(consumed, signal=response_consumed, weak=False)
    return kind.from_crawler(crawler)


def test_each_followed_3xx_is_announced(announced: list[tuple[str, int, str]]) -> None:
    redirects = middleware(CapturingRedirectMiddleware, announced)
    request = Request("https://news.example/a")
    hop = Response(request.url, status=301, headers={"Location": "/a/"}, request=request)
    followed = redirects.process_response(request, hop)
    assert isinstance(followed, Request) and followed.url == "https://news.example/a/"
    assert announced == [("https://news.example/a", 301, "redirect")]

    landed = Response(followed.url, status=200, request=followed)
    no_location = Response("https://news.example/b", status=302, request=Request("https://news.example/b"))
    assert redirects.process_response(followed, landed) is landed
    assert redirects.process_response(no_location.request, no_location) is no_location
    assert len(announced) == 1, "responses passed on to the spider are archived there, not announced"


def test_the_hop_a_loop_is_given_up_on_is_announced(announced: list[tuple[str, int, str]]) -> None:
    redirects = middleware(CapturingRedirectMiddleware, announced)
    request = Request("https://news.example/loop/", meta={"redirect_times": 2})
    hop = Response(request.url, status=302, headers={"Location": "/loop/next/"}, request=request)
    with pytest.raises(IgnoreRequest, match="max redirections"):
        redirects.process_response(request, hop)
    assert announced == [("https://news.example/loop/", 302, "redirect")]


def test_a_followed_meta_refresh_is_announced(announced: list[tuple[str, int, str]]) -> None:
    refreshes = middleware(CapturingMetaRefreshMiddleware, announced)
    request = Request("https://news.example/old/")
    page = HtmlResponse(request.url, body=b'<html><head><meta http-equiv="refresh" content="0;url=/new/"></head></html>',
                        request=request)
    followed = refreshes.process_response(request, page)
    assert isinstance(followed, Request) and followed.url == "https://news.example/new/"
    plain = HtmlResponse("https://news.example/new/", body=b"<html><body>news</body></html>", request=followed)
    assert refreshes.process_response(followed, plain) is plain
    assert announced == [("https://news.example/old/", 200, "redirect")]


@pytest.mark.parametrize("charset", ["zlib", "rot13", "hex", "idna", "undefined", "base64", "punycode"])
def test_a_declared_charset_that_cannot_decode_text_is_read_all_the_same(charset: str) -> None:
    """Issue 20: Scrapy's TextResponse raises on .text for these; the page would miss the WARC."""
    from crawler.middlewares.charset import decodable

    body = '<html><head><meta http-equiv="refresh" content="0;url=/next"></head><body>héllo</body></html>'.encode()
    response = HtmlResponse("https://news.example/a", headers={"Content-Type": f"text/html; charset={charset}"},
                            body=body)
    readable = decodable(response)
    assert "héllo" in readable.text
    assert readable.body == body and readable.headers == response.headers, "stored as served"
