"""The archive browser's web application: Starlette routes over an :class:`archive.Archive` and its search index.

Pages (Jinja2, autoescaped; htmx swaps search results, pages and diffs in place, and every page
works without JavaScript as plain links and GET forms):

- ``/`` overview: outlets, first/last day, last run and its outcome, failed runs, coverage heatmap;
- ``/search``: full text and filters; the URL holds the whole query;
- ``/article?key=``: clean text, every metadata field, provenance, versions, word-level diff;
- ``/diff?a=&b=``: the diff of two versions of one article;
- ``/raw?key=``: the raw capture in a sandboxed iframe beside the clean text;
  ``/capture?key=``: the capture itself, served only under :data:`replay.CAPTURE_CSP`;
- ``/runs``: every run with its window, stats and failures;
- ``/export?…&format=``: a search's results as JSONL, CSV, Parquet, WARC (``download``'s code) or WACZ.

Read-only: no route writes to the archive. A record key from a request is used only when the
search index knows it (so no request names an arbitrary object of the store); every other
parameter is validated. Off the loopback interface a token is required (:class:`TokenGate`).
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import logging
import re
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from archive import Archive, ArticleRecord
from archive.download import Selection
from archive.packs import RecordReader
from archive.search import SOURCES, Query, QueryError, SearchIndex
from archive.wacz import export_wacz
from core.errors import NewsarchiveError
from core.settings import Settings
from core.vocabulary import ExportFormat
from newsarchive.serve.replay import CAPTURE_CSP, collapse_unchanged, read_capture, word_diff

__all__ = ["LOOPBACK_HOSTS", "PAGE_CSP", "TokenGate", "create_app", "is_loopback", "serve"]

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
#: The app's own pages: scripts, styles and frames from this origin only; no inline script or style.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'")  # fmt: skip
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
EXPORT_FORMATS = (*(str(fmt) for fmt in ExportFormat), "wacz")
_MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv", "parquet": "application/vnd.apache.parquet",
                "warc": "application/warc", "wacz": "application/wacz"}  # fmt: skip
_SUFFIXES = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet", "warc": ".warc.gz", "wacz": ".wacz"}
#: A record key as the archive writes them (:mod:`archive.layout`): no ``..``, no other prefix.
_RECORD_KEY = re.compile(r"^records/[a-z0-9_-]+/(?:\d{4}/\d{2}/\d{2}|undated)/[0-9a-f]{24}[-/]v\d{4,}-[0-9a-f]{16}\.json$")
_OUTLET = re.compile(r"^[a-z0-9_-]{1,64}$")
_MAX_PARAM = 500
TOKEN_COOKIE = "newsarchive_token"


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class TokenGate:
    """Every request must carry the token: ``Authorization: Bearer``, the cookie, or ``?token=`` once
    (answered by a redirect that sets the cookie and drops the token from the URL)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        given = request.query_params.get("token")
        if given is not None and self._valid(given):
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.path + (f"?{QueryParams(rest)}" if rest else "")
            response: Response = RedirectResponse(target, status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if self._valid(bearer) or self._valid(request.cookies.get(TOKEN_COOKIE, "")):
            await self.app(scope, receive, send)
            return
        await Response("a token is required: NEWSARCHIVE_SERVE_TOKEN of the server, as ?token=… once or "
                       "Authorization: Bearer …\n", status_code=401, media_type="text/plain")(scope, receive, send)

    def _valid(self, given: str) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), self.token.encode())


class SecurityHeaders:
    """The app's CSP and hardening headers on every response that sets none of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [(b"content-security-policy", PAGE_CSP.encode()), (b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"no-referrer"), (b"cross-origin-opener-policy", b"same-origin")]  # fmt: skip
                headers += [(name, value) for name, value in extra if name not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)  # type: ignore[arg-type]


def _text(params: Mapping[str, str], name: str) -> str | None:
    value = (params.get(name) or "").strip()
    if len(value) > _MAX_PARAM:
        raise HTTPException(400, f"{name}: longer than {_MAX_PARAM} characters")
    return value or None


def _date(params: Mapping[str, str], name: str) -> date | None:
    value = _text(params, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def parse_query(params: Mapping[str, str]) -> Query:
    """The search of a URL's parameters (400 on anything malformed)."""
    outlet = _text(params, "outlet")
    if outlet and not _OUTLET.match(outlet):
        raise HTTPException(400, "outlet: not an outlet id")
    source = _text(params, "source")
    if source and source not in SOURCES:
        raise HTTPException(400, f"source: one of {', '.join(SOURCES)}")
    sort = _text(params, "sort") or "relevance"
    if sort not in ("relevance", "date"):
        raise HTTPException(400, "sort: relevance or date")
    try:
        page = int(_text(params, "page") or 1)
    except ValueError:
        raise HTTPException(400, "page: not a number") from None
    if page < 1:
        raise HTTPException(400, "page: from 1")
    return Query(text=_text(params, "q") or "", outlet=outlet, since=_date(params, "since"), until=_date(params, "until"),
                 language=_text(params, "language"), section=_text(params, "section"), author=_text(params, "author"),
                 source=source, sort=sort, page=page)  # type: ignore[arg-type]  # fmt: skip


def query_params(query: Query, **changes: Any) -> str:
    """The URL query string of a search (``changes`` applied), empty values left out."""
    values = {"q": query.text, "outlet": query.outlet, "since": query.since, "until": query.until,
              "language": query.language, "section": query.section, "author": query.author, "source": query.source,
              "sort": None if query.sort == "relevance" else query.sort, "page": None if query.page == 1 else query.page}
    values.update(changes)
    return str(QueryParams([(k, str(v)) for k, v in values.items() if v not in (None, "")]))  # fmt: skip


class Browser:
    """The routes' shared state: the archive, its search index, the templates."""

    def __init__(self, archive: Archive, index: SearchIndex) -> None:
        self.archive = archive
        self.index = index
        self.settings: Settings = archive.settings
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(default=True, default_for_string=True))  # fmt: skip
        self.templates.globals.update(query_params=query_params, archive_uri=archive.uri)

    def render(self, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = self.templates.get_template(name).render(request=request, **context)
        return HTMLResponse(html, status_code=status_code, headers={"Vary": "HX-Request"})

    def record_row(self, request: Request, name: str = "key") -> dict[str, Any]:
        key = _text(request.query_params, name) or ""
        if not _RECORD_KEY.match(key):
            raise HTTPException(400, f"{name}: not a record key")
        row = self.index.document(key)
        if row is None:
            raise HTTPException(404, f"no archived record {key}")
        return row

    def record(self, row: dict[str, Any]) -> ArticleRecord:
        with RecordReader(self.archive.store, self.archive.index.cache_dir) as reader:
            data = reader.read(row["key"], row["object_sha256"], row["pack"], row["pack_offset"], row["size"])
        return ArticleRecord.from_json_bytes(data)

    # -- pages ------------------------------------------------------------------------------------

    def overview(self, request: Request) -> Response:
        coverage = self.index.coverage()
        totals = self.index.totals()
        runs = self.index.runs()
        outlets = []
        for outlet in sorted(set(totals) | {run.outlet for run in runs}):
            days = sorted(coverage.get(outlet, {}))
            outlet_runs = [run for run in runs if run.outlet == outlet]
            last = next((run for run in outlet_runs if run.committed), None)
            failed = [run for run in outlet_runs if not run.committed or run.failures]
            outlets.append({"id": outlet, "articles": totals.get(outlet, 0), "first": days[0] if days else None,
                            "last": days[-1] if days else None, "last_run": last, "failed": failed,
                            "latest_run": outlet_runs[0] if outlet_runs else None})  # fmt: skip
        return self.render(request, "overview.html", outlets=outlets, heatmap=heatmap(coverage),
                           documents=sum(totals.values()))  # fmt: skip

    def search(self, request: Request) -> Response:
        query = parse_query(request.query_params)
        error, result = None, None
        try:
            result = self.index.search(query)
        except QueryError as exc:
            error = str(exc)
        return self.render(request, "search.html", query=query, result=result, error=error,
                           facets=self.index.facet_values(), formats=EXPORT_FORMATS,
                           status_code=400 if error else 200)  # fmt: skip

    def article(self, request: Request) -> Response:
        row = self.record_row(request)
        record = self.record(row)
        versions = self.index.versions(row["outlet"], row["canonical_url"])
        return self.render(request, "article.html", row=row, record=record, versions=versions,
                           fields=record.to_dict())  # fmt: skip

    def diff(self, request: Request) -> Response:
        old, new = self.record_row(request, "a"), self.record_row(request, "b")
        if (old["outlet"], old["canonical_url"]) != (new["outlet"], new["canonical_url"]):
            raise HTTPException(400, "a and b are not versions of one article")
        pieces = collapse_unchanged(word_diff(self.record(old).text, self.record(new).text))
        return self.render(request, "diff.html", old=old, new=new, pieces=pieces,
                           versions=self.index.versions(old["outlet"], old["canonical_url"]))  # fmt: skip

    def raw(self, request: Request) -> Response:
        row = self.record_row(request)
        return self.render(request, "raw.html", row=row, record=self.record(row))

    def capture(self, request: Request) -> Response:
        row = self.record_row(request)
        if not row["warc_file"] or row["raw_offset"] is None or not row["raw_length"]:
            raise HTTPException(404, "this record has no raw capture")
        try:
            found = read_capture(self.archive.store, row["warc_file"], row["raw_offset"], row["raw_length"], row["record_id"])
        except (NewsarchiveError, LookupError) as exc:
            raise HTTPException(502, f"the raw capture cannot be read: {exc}") from exc
        return Response(found.body, media_type=None, headers={
            "Content-Type": found.content_type, "Content-Security-Policy": CAPTURE_CSP,
            "X-Archive-Status": str(found.status), "X-Archive-Date": found.date,
            "Cache-Control": "private, max-age=3600", "Cross-Origin-Resource-Policy": "same-origin",
        })  # fmt: skip

    def runs(self, request: Request) -> Response:
        outlet = _text(request.query_params, "outlet")
        if outlet and not _OUTLET.match(outlet):
            raise HTTPException(400, "outlet: not an outlet id")
        return self.render(request, "runs.html", runs=self.index.runs(outlet), outlet=outlet)

    def export(self, request: Request) -> Response:
        fmt = _text(request.query_params, "format") or "jsonl"
        if fmt not in EXPORT_FORMATS:
            raise HTTPException(400, f"format: one of {', '.join(EXPORT_FORMATS)}")
        query = parse_query(request.query_params)
        try:
            keys = self.index.keys(query)
        except QueryError as exc:
            raise HTTPException(400, str(exc)) from exc
        tmp = Path(tempfile.mkdtemp(prefix="newsarchive-export-"))
        out = tmp / f"newsarchive-search{_SUFFIXES[fmt]}"
        selection = Selection(keys=frozenset(keys))
        try:
            if fmt == "wacz":
                export_wacz(self.archive, selection, out, title=f"newsarchive search: {query.text or 'all'}")
            else:
                self.archive.export(fmt, out, keys=selection.keys)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return FileResponse(out, media_type=_MEDIA_TYPES[fmt], filename=out.name,
                            background=BackgroundTask(shutil.rmtree, tmp, ignore_errors=True))  # fmt: skip


def heatmap(coverage: dict[str, dict[str, int]], max_days: int = 730) -> dict[str, Any] | None:
    """The coverage heatmap's cells: one row per outlet, one column per day (the last ``max_days``)."""
    covered = [day for per_day in coverage.values() for day in per_day]
    if not covered:
        return None
    last = date.fromisoformat(max(covered))
    first = max(date.fromisoformat(min(covered)), last - timedelta(days=max_days - 1))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    cell = max(2, min(14, 900 // len(days)))
    label = 90
    rows = []
    for number, outlet in enumerate(sorted(coverage)):
        per_day = coverage[outlet]
        peak = max(per_day.values())
        cells = []
        for column, day in enumerate(days):
            count = per_day.get(day.isoformat(), 0)
            shade = 0 if not count else 1 + int(4 * count / peak - 1e-9)
            cells.append({"x": label + column * cell, "day": day.isoformat(), "count": count,
                          "fill": ("#eee", "#c6dbef", "#6baed6", "#2171b5", "#08306b")[shade]})  # fmt: skip
        rows.append({"outlet": outlet, "y": 18 + number * (cell + 2), "cells": cells})
    months = [{"x": label + i * cell, "label": day.strftime("%Y-%m")} for i, day in enumerate(days) if day.day == 1]
    return {"rows": rows, "cell": cell, "width": label + len(days) * cell + 10,
            "height": 24 + len(rows) * (cell + 2), "months": months, "first": days[0], "last": days[-1]}  # fmt: skip


def _errors(browser: Browser) -> dict[Any, Callable[[Request, Exception], Awaitable[Response]]]:
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return browser.render(request, "error.html", status_code=exc.status_code, status=exc.status_code,
                              detail=exc.detail)

    return {HTTPException: http_error}


def create_app(
    archive: Archive,
    index: SearchIndex | None = None,
    *,
    token: str | None = None,
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS,
    refresh: bool = False,
) -> Starlette:
    """The browser over ``archive``. ``token``: required on every request (remote use);
    ``allowed_hosts``: the Host headers answered (DNS rebinding); ``refresh``: index newly
    committed runs every ``Settings.search_refresh_s`` while the app runs."""
    index = index or SearchIndex(archive)
    browser = Browser(archive, index)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = threading.Event()
        worker = None
        if refresh:
            worker = threading.Thread(target=_keep_current, args=(index, stop), name="search-index-refresh", daemon=True)
            worker.start()
        yield
        stop.set()
        if worker is not None:
            worker.join(timeout=10)

    routes = [
        Route("/", browser.overview), Route("/search", browser.search), Route("/article", browser.article),
        Route("/diff", browser.diff), Route("/raw", browser.raw), Route("/capture", browser.capture),
        Route("/runs", browser.runs), Route("/export", browser.export),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]  # fmt: skip
    middleware = [Middleware(SecurityHeaders), Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))]
    if token:
        middleware.append(Middleware(TokenGate, token=token))
    return Starlette(routes=routes, middleware=middleware, exception_handlers=_errors(browser), lifespan=lifespan)


def _keep_current(index: SearchIndex, stop: threading.Event) -> None:
    while not stop.wait(index.settings.search_refresh_s):
        try:
            if added := index.update():
                logger.info("search index: %d newly committed run(s) indexed", added)
        except Exception:  # the server keeps serving what is indexed; the next round tries again
            logger.exception("search index update failed")


def serve(archive: Archive, *, host: str, port: int, token: str | None) -> None:
    """Run the browser with uvicorn until interrupted (the index is brought up to date first)."""
    import uvicorn

    index = SearchIndex(archive)
    index.update()
    hosts = LOOPBACK_HOSTS if is_loopback(host) else ("*",)
    app = create_app(archive, index, token=token, allowed_hosts=hosts, refresh=True)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
