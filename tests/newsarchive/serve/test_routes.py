"""Route tests of `newsarchive serve` (Starlette's test client) against a crawled archive with planted payloads."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape

import pyarrow.parquet as pq
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from archive.search import Query, QueryError, fts_expression
from core.errors import ExitCode
from newsarchive.cli import app as cli
from newsarchive.serve import create_app
from newsarchive.serve.replay import CAPTURE_CSP, collapse_unchanged, word_diff
from tests.newsarchive.serve.conftest import CORRECTION, PLANTED_OUTLET, XSS_TEXT, XSS_TITLE, BrowseArchive

PAYLOAD_MARKERS = ("<script>document.title", "<img src=x onerror", "<img src=\"x\" onerror")


@pytest.fixture(scope="module")
def client(browse_archive: BrowseArchive) -> Iterator[TestClient]:
    index = browse_archive.index()
    index.update()
    with TestClient(create_app(browse_archive.open(), index), base_url="http://127.0.0.1") as test_client:
        yield test_client


def keys_in(html: str) -> list[str]:
    return [unescape(k) for k in re.findall(r'href="/article\?key=([^"&]+)"', html)]


def article_key(client: TestClient, path: str) -> str:
    """The key of the latest version of the article at ``path`` (found by a date-sorted search of everything)."""
    page = 1
    while True:
        html = client.get("/search", params={"sort": "date", "page": page}).text
        for block in re.findall(r'<li class="hit">(.*?)</li>', html, re.S):
            if path in block:
                return unescape(re.search(r'/article\?key=([^"&]+)"', block).group(1)).replace("%2F", "/")
        if 'rel="next"' not in html:
            raise AssertionError(f"{path} not found")
        page += 1


def assert_no_live_payload(html: str) -> None:
    for marker in PAYLOAD_MARKERS:
        assert marker not in html


def test_every_page_answers_with_the_page_policy(client: TestClient, browse_archive: BrowseArchive) -> None:
    key = article_key(client, browse_archive.edited_path)
    for url in ["/", "/search", "/search?q=bridge", "/runs", f"/article?key={key}", f"/raw?key={key}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "cdn" not in response.text.lower() and "https://unpkg" not in response.text


def test_overview_lists_outlets_runs_and_a_linked_heatmap(client: TestClient) -> None:
    html = client.get("/").text
    table = html.split('id="outlets"')[1].split("</table>")[0]
    assert ">demo</a>" in table and ">planted</a>" in table
    assert "planted" in table and "committed" in table
    assert "2026-09" in table  # first day of the crawled outlet
    svg = html.split("<svg")[1].split("</svg>")[0]
    cells = re.findall(r'<a href="/search\?outlet=([a-z0-9_-]+)&amp;since=(\d{4}-\d\d-\d\d)&amp;until=(\d{4}-\d\d-\d\d)', svg)
    assert cells and all(since == until for _, since, until in cells)
    (day, _) = re.findall(rf"<title>{PLANTED_OUTLET} (\d{{4}}-\d\d-\d\d): 1</title>", svg)
    hits = client.get("/search", params={"outlet": PLANTED_OUTLET, "since": day, "until": day}).text
    assert day == "2026-10-02" and "Harbour fire" in hits


def test_search_syntax_filters_counts_sort_and_pages(client: TestClient, browse_archive: BrowseArchive) -> None:
    index = browse_archive.index()
    everything = index.search(Query())
    assert everything.total == 62  # 60 crawled articles (one with two versions: counted once) and the 2 planted
    assert [c for _, c in everything.per_outlet] and sum(c for _, c in everything.per_month) == everything.total
    corrected = index.search(Query('"reopens on Monday"'))
    assert corrected.total == 1 and any(marked for text, marked in corrected.hits[0].snippet if "Monday" in text)
    assert index.search(Query("harbour AND firefighters")).total == 1
    assert index.search(Query("harbour NOT firefighters")).total == 0
    assert index.search(Query('harbour OR "reopens on Monday"')).total == 2
    assert index.search(Query("firefight*")).total == 1
    assert index.search(Query("harbour", outlet="demo")).total == 0
    assert index.search(Query("harbour", source="wayback")).total == 0
    dated = index.search(Query("", sort="date"))
    days = [hit.day for hit in dated.hits]
    assert days == sorted(days, reverse=True)
    second = index.search(Query("", sort="date", page=2))
    assert second.hits and {h.key for h in second.hits}.isdisjoint(h.key for h in dated.hits)
    with pytest.raises(QueryError):
        index.search(Query("NOT"))
    assert fts_expression('title:bridge "a b" x* or -y') == 'title : "bridge" "a b" "x"* OR "-y"'
    # the URL holds the whole query: a page's links carry the filters on
    html = client.get("/search", params={"q": "the", "outlet": "demo", "sort": "date", "language": "en"}).text
    nxt = re.search(r'rel="next" href="/search\?([^"]+)"', html).group(1)
    assert all(part in unescape(nxt) for part in ("q=the", "outlet=demo", "sort=date", "language=en", "page=2"))
    assert 'id="per-outlet"' in html and 'id="per-month"' in html


def test_search_parameters_are_validated(client: TestClient) -> None:
    for params in ({"since": "yesterday"}, {"outlet": "../../etc"}, {"source": "ftp"}, {"page": "0"},
                   {"page": "x"}, {"sort": "random"}, {"q": "x" * 600}, {"page": "100000"}):  # fmt: skip
        assert client.get("/search", params=params).status_code == 400, params
    response = client.get("/search", params={"q": "NOT"})
    assert response.status_code == 400 and "cannot read the query" in response.text


def test_query_cost_is_bounded(browse_archive: BrowseArchive, monkeypatch: pytest.MonkeyPatch) -> None:
    """A search past its deadline is interrupted by SQLite and said so. The small archive's searches end within
    the 1,000 steps between two looks at the deadline, so here SQLite looks at every step (the only change)."""
    from dataclasses import replace

    from archive import search as search_module
    from archive.search import SearchIndex

    monkeypatch.setattr(search_module, "PROGRESS_STEPS", 1)
    archive = browse_archive.open()
    archive.settings = replace(archive.settings, search_timeout_s=-1.0)

    with pytest.raises(QueryError, match="longer than"):
        SearchIndex(archive).search(Query("the OR a OR of"))


def test_article_shows_every_field_provenance_and_versions(client: TestClient, browse_archive: BrowseArchive) -> None:
    key = article_key(client, browse_archive.edited_path)
    html = client.get("/article", params={"key": key}).text
    for name in ("outlet", "url", "canonical_url", "title", "authors", "published", "language", "section", "tags",
                 "fetched_at", "source", "snapshot_timestamp", "sha256", "raw", "version", "versions", "extraction"):
        assert f"<th>{name}</th>" in html, name
    for label in ("fetched at", "snapshot time", "text SHA-256", "WARC file", "WARC offset, length"):
        assert label in html
    assert re.search(r"<code>warc/demo/\d{4}/\d\d/\d\d/[^<]+\.warc\.gz</code>", html)
    versions = re.findall(r">v(\d+)<", html.split('id="versions"')[1].split("</ol>")[0])
    assert versions == ["1", "2"]
    assert CORRECTION.strip() in unescape(html)


def test_word_level_diff_of_two_versions(client: TestClient, browse_archive: BrowseArchive) -> None:
    key = article_key(client, browse_archive.edited_path)
    versions = browse_archive.index().versions(*[browse_archive.index().document(key)[k] for k in ("outlet", "canonical_url")])
    old, new = versions[0]["key"], versions[1]["key"]
    response = client.get("/diff", params={"a": old, "b": new})
    assert response.status_code == 200
    diff = response.text.split('class="difftext"')[1]
    assert re.findall(r"<ins>(.*?)</ins>", diff, re.S) == [CORRECTION]
    assert "<del>" not in diff
    assert word_diff("a b c", "a x c") == [("=", "a "), ("-", "b"), ("+", "x"), ("=", " c")]
    long = " ".join(f"w{i}" for i in range(500))
    collapsed = collapse_unchanged(word_diff(long + " old", long + " new"), keep=10)
    assert collapsed[0] == ("=", " … " + " ".join(f"w{i}" for i in range(490, 500)) + " ")
    assert collapsed[1:] == [("-", "old"), ("+", "new")]
    other = article_key(client, browse_archive.xss_path)
    assert client.get("/diff", params={"a": old, "b": other}).status_code == 400


def test_xss_payloads_are_escaped_everywhere(client: TestClient, browse_archive: BrowseArchive) -> None:
    key = article_key(client, browse_archive.xss_path)
    pages = {
        "search": client.get("/search", params={"q": "resigns"}).text,
        "article": client.get("/article", params={"key": key}).text,
        "raw": client.get("/raw", params={"key": key}).text,
        "search-echo": client.get("/search", params={"q": '<script>alert(1)</script>"><img src=x onerror=alert(1)>'}).text,
        "error-echo": client.get("/article", params={"key": "<script>alert(1)</script>"}).text,
    }
    for name, html in pages.items():
        assert_no_live_payload(html)
        assert "<script>alert" not in html, name
    assert "&lt;script&gt;document.title=&#39;PWNED-TITLE&#39;&lt;/script&gt;" in pages["article"]
    assert "&lt;img src=x onerror=" in pages["article"]
    assert unescape(XSS_TITLE).removesuffix("resigns") in unescape(pages["search"]) and XSS_TEXT.split(">")[1].strip() in unescape(pages["article"])


def test_a_script_url_is_never_a_link(client: TestClient) -> None:
    search = client.get("/search", params={"q": "evil link"}).text
    (key,) = keys_in(search)
    article = client.get("/article", params={"key": key.replace("%2F", "/")}).text
    for html in (search, article):
        assert 'href="javascript:' not in html.lower() and "<script>document.title='PWNED-URL'" not in html
        assert "javascript:alert(document.domain)//&#34;&gt;&lt;script&gt;" in html
    assert client.get("/export", params={"q": "evil link", "format": "warc"}).status_code == 200  # no capture: none


def test_raw_capture_is_served_only_under_the_sandbox(client: TestClient, browse_archive: BrowseArchive) -> None:
    key = next(k for k in browse_archive.index().keys(Query("harbour")))
    raw = client.get("/raw", params={"key": key}).text
    assert re.search(r'<iframe id="capture" [^>]*sandbox=""', raw)
    response = client.get("/capture", params={"key": key})
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CAPTURE_CSP
    assert CAPTURE_CSP.startswith("sandbox; default-src 'none'") and "script" not in CAPTURE_CSP
    assert "set-cookie" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    assert b"<script>document.title = 'PWNED-SCRIPT'" in response.content  # replayed as captured, never run


def test_keys_are_validated_against_traversal_and_the_index(client: TestClient) -> None:
    for bad in ("../../etc/passwd", "records/demo/../../runs/x.json", "/etc/passwd", "index/demo/x.parquet",
                "records/demo/2026/01/01/" + "0" * 24 + "-v0001-" + "0" * 16 + ".json/../x"):  # fmt: skip
        for route in ("/article", "/raw", "/capture"):
            assert client.get(route, params={"key": bad}).status_code == 400, (route, bad)
    unknown = "records/demo/2026/01/01/" + "0" * 24 + "-v0001-" + "0" * 16 + ".json"
    assert client.get("/article", params={"key": unknown}).status_code == 404


def test_runs_page_shows_windows_stats_and_failures(client: TestClient, browse_archive: BrowseArchive) -> None:
    html = client.get("/runs").text
    rows = re.findall(r'<tr id="(\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{6})"', html)
    assert len(rows) == 3
    assert "2026-01-01 – 2026-12-31" in html and "requests" in html
    assert client.get("/runs", params={"outlet": PLANTED_OUTLET}).text.count("<tr id=") == 1


def test_exports_go_through_the_download_code(client: TestClient) -> None:
    params = {"q": "bridge OR harbour"}
    expected = sorted(unescape(k).replace("%2F", "/") for k in keys_in(client.get("/search", params=params).text))
    jsonl = client.get("/export", params={**params, "format": "jsonl"})
    assert jsonl.status_code == 200 and "attachment" in jsonl.headers["content-disposition"]
    records = [json.loads(line) for line in jsonl.text.splitlines()]
    assert len(records) == len(expected) and all("bridge" in (r["text"] + r["title"]).lower()
                                                  or "harbour" in (r["text"] + r["title"]).lower() for r in records)  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(client.get("/export", params={**params, "format": "csv"}).text)))
    assert len(rows) == len(records)
    table = pq.read_table(io.BytesIO(client.get("/export", params={**params, "format": "parquet"}).content))
    assert table.num_rows == len(records)
    warc = client.get("/export", params={**params, "format": "warc"}).content
    responses = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(io.BytesIO(warc)) if r.rec_type == "response"]
    assert sorted(responses) == sorted(r["url"] for r in records)
    assert client.get("/export", params={**params, "format": "exe"}).status_code == 400


def test_wacz_export_holds_warc_cdxj_pages_and_datapackage(client: TestClient) -> None:
    import hashlib

    data = client.get("/export", params={"q": "harbour OR bridge", "format": "wacz"}).content
    with zipfile.ZipFile(io.BytesIO(data)) as wacz:
        names = set(wacz.namelist())
        assert names == {"archive/data.warc.gz", "indexes/index.cdx", "pages/pages.jsonl", "datapackage.json"}
        assert wacz.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
        package = json.loads(wacz.read("datapackage.json"))
        for resource in package["resources"]:
            assert resource["hash"] == "sha256:" + hashlib.sha256(wacz.read(resource["path"])).hexdigest()
        cdxj = wacz.read("indexes/index.cdx").decode().splitlines()
        warc = wacz.read("archive/data.warc.gz")
        for line in cdxj:
            block = json.loads(line.split(" ", 2)[2])
            (record,) = list(ArchiveIterator(io.BytesIO(warc[block["offset"]: block["offset"] + block["length"]])))
            assert record.rec_headers.get_header("WARC-Target-URI") == block["url"]
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode().splitlines()]
        assert pages[0]["format"] == "json-pages-1.0" and pages[0]["hasText"]
        assert len(pages) - 1 == len(cdxj) and all(p["text"] and p["ts"] for p in pages[1:])


def test_token_gate_and_host_check(browse_archive: BrowseArchive) -> None:
    token = "s3cret-token-of-some-length"
    app = create_app(browse_archive.open(), browse_archive.index(), token=token, allowed_hosts=("*",))
    with TestClient(app, base_url="http://192.0.2.10") as remote:
        assert remote.get("/").status_code == 401
        assert remote.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert remote.get("/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        first = remote.get("/search", params={"q": "bridge", "token": token}, follow_redirects=False)
        assert first.status_code == 303 and "token" not in first.headers["location"]
        assert remote.get(first.headers["location"]).status_code == 200  # the cookie carries it on
    with TestClient(create_app(browse_archive.open(), browse_archive.index()), base_url="http://evil.example") as rebound:
        assert rebound.get("/").status_code == 400


def test_serve_refuses_other_hosts_without_allow_remote_and_token(browse_archive: BrowseArchive,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.delenv("NEWSARCHIVE_SERVE_TOKEN", raising=False)
    runner = CliRunner()
    refused = runner.invoke(cli, ["serve", "--archive", str(browse_archive.root), "--host", "0.0.0.0"])
    assert refused.exit_code == ExitCode.USAGE and "--allow-remote" in refused.output
    from core.settings import get_settings

    get_settings.cache_clear()
    no_token = runner.invoke(cli, ["serve", "--archive", str(browse_archive.root), "--host", "0.0.0.0", "--allow-remote"])
    assert no_token.exit_code == ExitCode.USAGE and "NEWSARCHIVE_SERVE_TOKEN" in no_token.output


def test_index_command_and_a_lost_index_is_rebuilt(browse_archive: BrowseArchive, monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    from core.settings import get_settings

    monkeypatch.setenv("NEWSARCHIVE_SEARCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NEWSARCHIVE_SPOOL_DIR", str(tmp_path / "spool"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["index", "--archive", str(browse_archive.root)])
        assert result.exit_code == 0, result.output
        assert "3 run(s) indexed now, 63 article versions" in result.output
        again = CliRunner().invoke(cli, ["index", "--archive", str(browse_archive.root)])
        assert "0 run(s) indexed now, 63 article versions" in again.output  # each run is indexed once
        for path in (tmp_path / "cache").iterdir():
            path.unlink()
        rebuilt = CliRunner().invoke(cli, ["index", "--archive", str(browse_archive.root)])
        assert "3 run(s) indexed now, 63 article versions" in rebuilt.output
    finally:
        get_settings.cache_clear()


def test_a_run_committed_while_serving_appears(browse_archive: BrowseArchive, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from archive import Archive, ArticleRecord

    archive = Archive.open(str(browse_archive.root), replace(browse_archive.settings, search_refresh_s=0.2,
                                                              search_cache_dir=tmp_path / "search"))  # fmt: skip
    from archive.search import SearchIndex

    index = SearchIndex(archive)
    index.update()
    with TestClient(create_app(archive, index, refresh=True), base_url="http://127.0.0.1") as live:
        assert 'id="summary">0 results' in live.get("/search", params={"q": "zeppelin"}).text
        writer = Archive.open(str(browse_archive.root), replace(browse_archive.settings, spool_dir=tmp_path / "spool"))
        run = writer.begin_run("latecomer")
        run.add_article(ArticleRecord(outlet="latecomer", url="https://late.example/a", canonical_url="https://late.example/a",
                                      text="A zeppelin landed in the square this morning.", title="Zeppelin lands",
                                      fetched_at=datetime(2026, 11, 1, tzinfo=UTC).isoformat()))  # fmt: skip
        run.commit({})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if "<mark>Zeppelin</mark> lands" in live.get("/search", params={"q": "zeppelin"}).text:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the committed run did not appear")
    # the shared archive has a fourth run now: later tests of this module must not count runs


def test_cdxj_keys_are_the_surt_packages() -> None:
    from archive.wacz import surt

    assert surt("http://127.0.0.1:33871/2026/10/02/harbour-fire/") == "1,0,0,127:33871)/2026/10/02/harbour-fire"
    assert surt("https://www.Example.com:443/A/b?x=1&a=2") == "com,example)/a/b?a=2&x=1"
    assert surt("http://example.com/") == "com,example)/"


def test_snippets_mark_the_query_words_where_they_are_densest() -> None:
    from archive.search import mark, query_terms, snippet

    terms = query_terms('"reopens on Monday" OR Damas* AND title:Café NOT x')
    assert ("reopens", False) in terms and ("damas", True) in terms and ("cafe", False) in terms
    text = "on " * 50 + "the bridge reopens on Monday, not Sunday. " + "filler " * 50
    marked = [word for word, flagged in snippet(text, terms) if flagged]
    assert marked[-3:] == ["reopens", "on", "Monday"]
    assert mark("In Damascus, a café", terms) == [("In ", False), ("Damascus", True), (", a ", False), ("café", True)]
