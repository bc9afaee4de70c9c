"""The outlet's URL space: which path answers what, with which status, headers and faults.

:class:`Site` is independent of the HTTP server: ``Site.respond(Request)`` returns a
:class:`Response`; :mod:`outlet_server.server` only moves bytes. Routes are a table of
regular expressions (:data:`ROUTES`) mapped to handler methods.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs, quote, unquote, urlsplit

from outlet_server import feeds
from outlet_server.corpus import ArticleSpec, Corpus
from outlet_server.faults import (
    BROKEN_FEED,
    BROKEN_SITEMAP,
    ENTITY_BOMB,
    JPEG_BYTES,
    LEGACY_CHARSETS,
    PDF_BYTES,
    PRIVATE_TARGETS,
    Faults,
    FaultState,
    gzip_body,
    gzip_bomb,
    huge_page_chunks,
)
from outlet_server.themes import THEME_RENDERERS, render_article
from outlet_server.themes.base import PageContext
from outlet_server.themes.listing import archive_page, calendar_page, home_page, search_page, static_page

__all__ = ["ROUTES", "Request", "Response", "Site"]

_HTML = "text/html; charset=UTF-8"
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_XML = "application/xml; charset=UTF-8"


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # path with query, as sent
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names

    @property
    def path(self) -> str:
        """The path with percent-encoding normalised (``%d8%a5``, ``%D8%A5`` and raw UTF-8 are one path)."""
        return quote(unquote(urlsplit(self.target).path or "/"), safe=_PATH_SAFE)

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query)


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    chunks: Iterable[bytes] | None = None  # streamed instead of body when set (Content-Length given in headers)
    delay_s: float = 0.0

    @classmethod
    def text(cls, status: int, text: str, content_type: str = _HTML, *, delay_s: float = 0.0) -> Response:
        return cls(status, [("Content-Type", content_type)], text.encode("utf-8"), delay_s=delay_s)

    def set_header(self, name: str, value: str) -> None:
        """Replace every ``name`` header by one with ``value``."""
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()] + [(name, value)]

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Response:
        return cls(status, [("Location", location), ("Content-Type", _HTML)], b"")


#: (pattern on the path, handler method name). First match wins; groups are passed to the handler.
ROUTES: tuple[tuple[str, str], ...] = (
    (r"/robots\.txt", "robots"),
    (r"/sitemap\.xml", "sitemap_alias"),
    (r"/sitemap_index\.xml", "sitemap_index"),
    (r"/sitemaps/posts-(\d{4}-\d{2})\.xml", "monthly_sitemap"),
    (r"/sitemaps/(pages|archive-index|broken|lol|bomb)\.xml", "special_sitemap"),
    (r"/news-sitemap\.xml", "news_sitemap"),
    (r"/feed/(atom/|broken/)?", "feed"),
    (r"/(?:page/(\d+)/)?", "home"),
    (r"/(category|tag|author)/([^/]+)/(?:page/(\d+)/)?", "archive"),
    (r"/calendar/(\d{4})/(\d{2})/", "calendar"),
    (r"/(about|contact)/", "static"),
    (r"/\d{4}/\d{2}/\d{2}/[^/]+/", "article"),
    (r"/\d{4}/\d{2}/\d{2}/[^/]+", "article_without_slash"),
    (r"/private/preview/(\d+)/", "private_preview"),
    (r"/wp-content/uploads/.+\.(jpg|png|pdf)", "upload"),
    (r"/loop/(\d+)/(next/)?", "loop"),
    (r"/out/(\d+)/", "out"),
    (r"/offsite/.*", "offsite"),
    (r"/special/(huge|bomb)/", "special_page"),
)
_COMPILED = tuple((re.compile(pattern), name) for pattern, name in ROUTES)
#: Routes whose 200 answers carry an ``ETag`` (a hash of the body) and honour ``If-None-Match`` with a 304:
#: the sitemaps, the feeds and the listings, as caching servers and CDNs serve them.
VALIDATED_ROUTES = frozenset({"sitemap_index", "monthly_sitemap", "special_sitemap", "news_sitemap", "feed", "home",
                              "archive"})
#: Of those, the ones that also state ``Last-Modified`` (the newest ``lastmod`` of what they list).
DATED_ROUTES = frozenset({"sitemap_index", "monthly_sitemap", "special_sitemap", "news_sitemap", "feed"})


class Site:
    """Answers requests for one corpus under one set of faults."""

    def __init__(self, corpus: Corpus, base_url: str, faults: Faults | None = None) -> None:
        self.corpus = corpus
        self.base_url = base_url
        self.faults = faults or Faults()
        self.state = FaultState()
        self._by_post_id = {a.post_id: a for a in corpus.articles}

    # -- plumbing -------------------------------------------------------------------------------
    def respond(self, request: Request) -> Response:
        response = self._route(request)
        if self._not_modified(request, response):
            return Response(304, [(k, v) for k, v in response.headers if k in ("ETag", "Last-Modified", "Link")])
        if request.method == "HEAD":
            response.chunks = None
        elif response.chunks is None and response.body and self._wants_gzip(request, response):
            response.body = gzip_body(response.body)
            response.headers.append(("Content-Encoding", "gzip"))
            response.headers.append(("Vary", "Accept-Encoding"))
        return response

    def _route(self, request: Request) -> Response:
        path = request.path
        if path == "/" and "s" in request.query:
            return Response.text(200, search_page(self.page(), request.query["s"][0]))
        if path == "/" and "p" in request.query:
            article = self._by_post_id.get(_int(request.query["p"][0]))
            return Response.redirect(self.page().url(article.path)) if article else self.not_found()
        for pattern, name in _COMPILED:
            match = pattern.fullmatch(path)
            if match:
                handler: Callable[..., Response] = getattr(self, name)
                response = handler(request, *match.groups())
                if name in VALIDATED_ROUTES:
                    self._validate(response, name, match.groups())
                return response
        return self.not_found()

    def _validate(self, response: Response, route: str, groups: tuple[str | None, ...]) -> None:
        """Add ``ETag`` (and ``Last-Modified`` to sitemaps and feeds) to a plain 200 answer."""
        if response.status != 200 or response.chunks is not None or not response.body:
            return
        if any(k.lower() == "content-encoding" for k, _ in response.headers):
            return  # served pre-compressed (the gzip bomb): no validator
        response.headers.append(("ETag", f'"{hashlib.sha1(response.body).hexdigest()[:20]}"'))
        if route in DATED_ROUTES:
            articles = self.corpus.by_month.get(groups[0] or "", []) if route == "monthly_sitemap" else []
            newest = max(a.lastmod for a in (articles or self.corpus.articles))
            response.headers.append(("Last-Modified", format_datetime(newest.astimezone(UTC), usegmt=True)))

    @staticmethod
    def _not_modified(request: Request, response: Response) -> bool:
        """A conditional GET of a page that has not changed: ``If-None-Match`` (which wins when sent, as
        RFC 9110 says) or ``If-Modified-Since``."""
        if response.status != 200:
            return False
        tags = request.headers.get("if-none-match")
        if tags is not None:
            etag = next((v for k, v in response.headers if k == "ETag"), None)
            sent = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
            return etag is not None and ("*" in sent or etag in sent)
        since = request.headers.get("if-modified-since")
        modified = next((v for k, v in response.headers if k == "Last-Modified"), None)
        if not since or not modified:
            return False
        try:
            return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False

    @staticmethod
    def _wants_gzip(request: Request, response: Response) -> bool:
        encoded = any(k.lower() == "content-encoding" for k, _ in response.headers)
        return not encoded and len(response.body) > 1024 and "gzip" in request.headers.get("accept-encoding", "")

    def page(self, extra_links: list[tuple[str, str]] | None = None) -> PageContext:
        return PageContext(self.base_url, self.corpus, extra_links or [], self.faults.tracking_variants)

    def not_found(self) -> Response:
        return Response.text(404, "<!DOCTYPE html><html><head><title>Page not found</title></head>"
                                  "<body><h1>Oops! Page not found</h1></body></html>")

    # -- machine-readable surfaces --------------------------------------------------------------
    def robots(self, request: Request) -> Response:
        text = feeds.robots_txt(self.page(), sitemaps=not self.faults.no_sitemaps_no_feeds,
                                crawl_delay=self.faults.crawl_delay)
        return Response.text(200, text, "text/plain; charset=utf-8")

    def sitemap_alias(self, request: Request) -> Response:
        if self.faults.no_sitemaps_no_feeds:
            return self.not_found()
        return Response.redirect(self.page().url("/sitemap_index.xml"))

    def sitemap_index(self, request: Request) -> Response:
        if self.faults.no_sitemaps_no_feeds:
            return self.not_found()
        extra = [path for on, path in ((self.faults.malformed_sitemap, "/sitemaps/broken.xml"),
                                       (self.faults.entity_bomb_sitemap, "/sitemaps/lol.xml"),
                                       (self.faults.gzip_bomb, "/sitemaps/bomb.xml")) if on]
        return Response.text(200, feeds.sitemap_index(self.page(), extra), _XML)

    def monthly_sitemap(self, request: Request, month: str) -> Response:
        text = None if self.faults.no_sitemaps_no_feeds else feeds.monthly_sitemap(self.page(), month)
        if text is None:
            return self.not_found()
        if self.faults.redirect_loop and month == self.corpus.articles[-1].month:
            text = text.replace("</urlset>", f"<url><loc>{self.page().url('/loop/1/')}</loc></url>\n</urlset>")
        return Response.text(200, text, _XML)

    def special_sitemap(self, request: Request, name: str) -> Response:
        faults = self.faults
        if faults.no_sitemaps_no_feeds:
            return self.not_found()
        if name == "pages":
            return Response.text(200, feeds.pages_sitemap(self.page()), _XML)
        if name == "archive-index":
            text = feeds.archive_sitemap_index(self.page())
            return Response.text(200, text, _XML) if text else self.not_found()
        if name == "broken" and faults.malformed_sitemap:
            return Response.text(200, BROKEN_SITEMAP.format(base=self.base_url), _XML)
        if name == "lol" and faults.entity_bomb_sitemap:
            return Response.text(200, ENTITY_BOMB, _XML)
        if name == "bomb" and faults.gzip_bomb:
            return Response(200, [("Content-Type", _XML), ("Content-Encoding", "gzip")], gzip_bomb())
        return self.not_found()

    def news_sitemap(self, request: Request) -> Response:
        if self.faults.no_sitemaps_no_feeds:
            return self.not_found()
        return Response.text(200, feeds.news_sitemap(self.page()), _XML)

    def feed(self, request: Request, kind: str | None) -> Response:
        if self.faults.no_sitemaps_no_feeds:
            return self.not_found()
        if kind == "atom/":
            return Response.text(200, feeds.atom_feed(self.page()), "application/atom+xml; charset=UTF-8")
        if kind == "broken/":
            if not self.faults.malformed_sitemap:
                return self.not_found()
            return Response.text(200, BROKEN_FEED.format(base=self.base_url), "application/rss+xml; charset=UTF-8")
        suffix = "?utm_source=rss&utm_medium=rss&utm_campaign=feed" if self.faults.tracking_variants else ""
        return Response.text(200, feeds.rss_feed(self.page(), link_suffix=suffix), "application/rss+xml; charset=UTF-8")

    # -- pages that are not articles ------------------------------------------------------------
    def home(self, request: Request, number: str | None) -> Response:
        html = home_page(self.page(self._home_links()), _int(number or "1"))
        return Response.text(200, html) if html else self.not_found()

    def archive(self, request: Request, kind: str, slug: str, number: str | None) -> Response:
        groups = {"category": self.corpus.by_section, "tag": self.corpus.by_tag, "author": self.corpus.by_author}[kind]
        articles = groups.get(slug)
        if not articles:
            return self.not_found()
        title = {"category": articles[0].section, "tag": unquote(slug), "author": self.corpus.author_names.get(slug, slug)}
        html = archive_page(self.page(), f"/{kind}/{slug}/", title[kind], articles, _int(number or "1"))
        return Response.text(200, html) if html else self.not_found()

    def calendar(self, request: Request, year: str, month: str) -> Response:
        if not 1 <= int(month) <= 12:
            return self.not_found()
        return Response.text(200, calendar_page(self.page(), int(year), int(month)))

    def static(self, request: Request, name: str) -> Response:
        html = static_page(self.page(), f"/{name}/")
        return Response.text(200, html) if html else self.not_found()

    def private_preview(self, request: Request, post_id: str) -> Response:
        article = self._by_post_id.get(_int(post_id))
        if article is None:
            return self.not_found()
        html = THEME_RENDERERS["jannah"](article, self.page())  # drafts are previewed in the WordPress theme
        return Response.text(200, html.replace("<head>", '<head>\n<meta name="robots" content="noindex" />', 1))

    def upload(self, request: Request, ext: str) -> Response:
        if ext == "pdf":
            return Response(200, [("Content-Type", "application/pdf")], PDF_BYTES)
        return Response(200, [("Content-Type", "image/jpeg" if ext == "jpg" else "image/png")], JPEG_BYTES)

    # -- articles -------------------------------------------------------------------------------
    def article(self, request: Request) -> Response:
        article = self.corpus.by_path.get(request.path)
        if article is None:
            return self.not_found()
        faults = self.faults
        if faults.affects("gone", article):
            return Response.text(410 if article.post_id % 2 == 0 else 404, "<html><body><h1>Gone</h1></body></html>")
        retry = [("Retry-After", str(faults.retry_after_s))]
        if faults.affects("rate_limit_429", article) and self.state.hit(f"429 {article.path}") == 1:
            return Response(429, [("Content-Type", _HTML), *retry], b"<h1>Too Many Requests</h1>")
        if faults.affects("flaky_5xx", article) and self.state.hit(f"503 {article.path}") <= faults.flaky_5xx:
            return Response(503, [("Content-Type", _HTML), *retry], b"<h1>Service Unavailable</h1>")
        html = render_article(article, self.page(self._article_links(article)))
        response = Response.text(200, html, delay_s=faults.slow if faults.affects("slow", article) else 0.0)
        response.headers += [("Last-Modified", format_datetime(article.lastmod.astimezone(UTC), usegmt=True)),
                             ("Link", f'<{self.page().url(f"/?p={article.post_id}")}>; rel=shortlink')]
        if faults.affects("wrong_charset", article):
            self._legacy_charset(article, response, html)
        return response

    def article_without_slash(self, request: Request) -> Response:
        if request.path + "/" in self.corpus.by_path:
            return Response.redirect(self.page().url(request.path + "/"))
        return self.not_found()

    def _legacy_charset(self, article: ArticleSpec, response: Response, html: str) -> None:
        """Re-encode in the language's legacy code page; declare UTF-8 or nothing (``Faults.declares_utf8``)."""
        codec = LEGACY_CHARSETS[article.language]
        declared = self.faults.declares_utf8(article)
        if not declared:
            html = html.replace('<meta charset="UTF-8" />', "").replace('<meta charset="utf-8">', "")
        response.body = html.encode(codec, errors="xmlcharrefreplace")
        response.set_header("Content-Type", _HTML if declared else "text/html")

    def _article_links(self, article: ArticleSpec) -> list[tuple[str, str]]:
        faults, links = self.faults, []
        page = self.page()
        if faults.binary_links:
            links += [(page.url(f"/wp-content/uploads/{article.published:%Y/%m}/report-{article.post_id}.pdf"),
                       "Full report (PDF)"),
                      (page.url(f"/wp-content/uploads/{article.published:%Y/%m}/photo-{article.post_id}.jpg"),
                       "Photo gallery")]
        if faults.offsite_links:
            local = self.base_url.replace("127.0.0.1", "localhost", 1)
            links += [(f"{local}offsite/{article.post_id}/", "Mirror"), ("https://example.com/news/", "Partner site")]
        if faults.private_redirect:
            links += [(page.url(f"/out/{i}/"), "External resource") for i in range(len(PRIVATE_TARGETS))]
        if faults.redirect_loop:
            links.append((page.url(f"/loop/{article.post_id % 5}/"), "Archive"))
        return links

    def _home_links(self) -> list[tuple[str, str]]:
        faults, page = self.faults, self.page()
        links = [(page.url(f"/private/preview/{self.corpus.articles[-1].post_id}/"), "Preview")]
        if faults.huge_page:
            links.append((page.url("/special/huge/"), "Special report"))
        if faults.gzip_bomb:
            links.append((page.url("/special/bomb/"), "Live blog"))
        if faults.redirect_loop:
            links.append((page.url("/loop/0/"), "Archive"))
        if faults.private_redirect:
            links.append((page.url("/out/0/"), "Partner"))
        return links

    # -- traps ----------------------------------------------------------------------------------
    def loop(self, request: Request, number: str, second: str | None) -> Response:
        if not self.faults.redirect_loop:
            return self.not_found()
        target = f"/loop/{number}/" if second else f"/loop/{number}/next/"
        return Response.redirect(self.page().url(target), 302)

    def out(self, request: Request, number: str) -> Response:
        index = _int(number)
        if not self.faults.private_redirect or not 0 <= index < len(PRIVATE_TARGETS):
            return self.not_found()
        return Response.redirect(PRIVATE_TARGETS[index], 302)

    def offsite(self, request: Request) -> Response:
        return Response.text(200, "<html><body><p>Mirror page served under another host name.</p></body></html>")

    def special_page(self, request: Request, name: str) -> Response:
        if name == "huge" and self.faults.huge_page:
            size = self.faults.huge_page
            return Response(200, [("Content-Type", _HTML), ("Content-Length", str(size))],
                            chunks=huge_page_chunks(size))
        if name == "bomb" and self.faults.gzip_bomb:
            return Response(200, [("Content-Type", _HTML), ("Content-Encoding", "gzip")], gzip_bomb())
        return self.not_found()


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1

