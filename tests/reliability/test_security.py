"""Security (issue 9, point 5): the SSRF guard, credentials in no output, safe archive keys for any URL,
entity and gzip bombs stopped within set limits.

- **SSRF**: a small outlet of the test's own on 127.0.0.1 redirects its article URLs to private, loopback
  and link-local targets — many of them *other spellings of the test server itself* (decimal, hex and
  octal IPv4, IPv4-mapped IPv6, ``localhost``, ``0.0.0.0``), so a guard that let one through would be
  caught red-handed in the server's own request log (by its ``Host`` header). The outlet allows
  private addresses for ``127.0.0.1`` only, as the tests' outlets do; without that allowance nothing
  at all is fetched.
- **Credentials**: a crawl into S3 whose secret is scanned for in every output it made (stdout, stderr
  with INFO logs, the manifest and stats, every object in the bucket, the local spool and index cache),
  and a crawl with a planted wrong secret whose error output and in-process exceptions are scanned too.
- **Keys**: hypothesis over arbitrary URLs (unicode, ``..``, slashes, very long): every key the layout
  builds is a valid store key, short, and lands inside a local store's root.
- **Bombs**: the billion-laughs sitemap and a gzip bomb, each parsed in a forked child whose time and
  peak memory are measured against the configured caps.
"""

from __future__ import annotations

import os
import re
import threading
import traceback
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import Archive, LocalStore, layout
from archive.stores.base import validate_key
from core.errors import ArchiveLayoutError, NewsarchiveError, StoreAccessError
from core.registry import Outlet
from core.settings import Settings
from core.urls import canonical_url
from ingest.discovery import XmlTooLarge, parse_sitemap
from ingest.discovery.xmlsafe import MAX_XML_BYTES
from loopback_servers.seaweedfs import S3Server
from outlet_server import OutletServer
from outlet_server.faults import ENTITY_BOMB, gzip_bomb
from tests.reliability.fault_proxy import S3FaultProxy
from tests.reliability.harness import FIGURES, CrawlChild, crawl
from tests.reliability.isolation import run_isolated

WINDOW = (date(2026, 1, 1), date(2026, 12, 31))


# -- SSRF -------------------------------------------------------------------------------------------


class _TrapHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _TrapServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the server keeps its own log."""

    def do_GET(self) -> None:
        self.server.seen.append((self.headers.get("Host", ""), self.path))
        port = self.server.server_address[1]
        if self.path == "/robots.txt":
            self._send(200, f"User-agent: *\nAllow: /\nSitemap: http://127.0.0.1:{port}/sitemap.xml\n", "text/plain")
        elif self.path == "/sitemap.xml":
            urls = "".join(f"<url><loc>http://127.0.0.1:{port}/2026/10/{n + 1:02d}/trap-{n}/</loc></url>"
                           for n in range(len(self.server.targets)))
            self._send(200, f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
                       "application/xml")
        elif self.path.startswith("/2026/10/"):
            number = int(self.path.rstrip("/").rsplit("-", 1)[1])
            self.send_response(302)
            self.send_header("Location", self.server.targets[number].format(port=port))
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(404, "not here", "text/plain")

    def _send(self, status: int, body: str, content_type: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _TrapServer(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[tuple[str, str]]
    targets: list[str]


#: Where the outlet's article URLs redirect: private, loopback and link-local, most of them this very server.
SSRF_TARGETS: list[str] = [
    "http://localhost:{port}/secret/",
    "http://2130706433:{port}/secret/",  # 127.0.0.1 as one decimal number
    "http://0x7f000001:{port}/secret/",  # ... in hex
    "http://0177.0.0.1:{port}/secret/",  # ... in octal
    "http://127.1:{port}/secret/",  # ... abbreviated
    "http://[::ffff:127.0.0.1]:{port}/secret/",  # IPv4-mapped IPv6
    "http://0.0.0.0:{port}/secret/",
    "http://127.0.0.2:{port}/secret/",
    "http://[::1]:{port}/secret/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "http://[fe80::1]/",
    "http://10.0.0.1/admin/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # carrier-grade NAT: not global either
]


@pytest.fixture
def trap_server() -> Iterator[_TrapServer]:
    server = _TrapServer(("127.0.0.1", 0), _TrapHandler)
    server.seen, server.targets = [], SSRF_TARGETS
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _trap_outlet(server: _TrapServer, *, allow: bool) -> Outlet:
    port = server.server_address[1]
    return Outlet.model_validate({
        "id": "trap", "name": "Trap", "base_url": f"http://127.0.0.1:{port}/", "language": "en",
        "timezone": "UTC", "rate": {"concurrency": 4, "delay_s": 0}, "allow_private_addresses": allow,
    })


def test_redirects_to_private_addresses_are_refused_however_spelled(trap_server: _TrapServer,
                                                                    tmp_path: Path) -> None:
    port = trap_server.server_address[1]
    summary = crawl(_trap_outlet(trap_server, allow=True), str(tmp_path / "archive"), window=WINDOW,
                    settings=Settings(spool_dir=tmp_path / "spool"), env={}, logs=tmp_path / "logs")
    hosts = {host for host, _path in trap_server.seen}
    assert hosts == {f"127.0.0.1:{port}"}, f"a redirect reached this server under another name: {hosts}"
    assert not [path for _host, path in trap_server.seen if path.startswith("/secret/")]
    assert summary.skipped.get("private_address") == len(SSRF_TARGETS), summary.skipped
    FIGURES.faults_injected["ssrf redirect"] += len(SSRF_TARGETS)
    assert summary.archived == 0


def test_private_outlet_is_not_fetched_at_all_unless_allowed(trap_server: _TrapServer, tmp_path: Path) -> None:
    summary = crawl(_trap_outlet(trap_server, allow=False), str(tmp_path / "archive"), window=WINDOW,
                    settings=Settings(spool_dir=tmp_path / "spool"), env={}, logs=tmp_path / "logs")
    assert trap_server.seen == [], "not even robots.txt is fetched from a loopback outlet that does not allow it"
    assert summary.skipped.get("private_address", 0) >= 1 and summary.stats["requests"] == 0


# -- credentials ------------------------------------------------------------------------------------


def _files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.exists():
            yield from (path for path in root.rglob("*") if path.is_file())


def _leaks(secret: str, blobs: dict[str, bytes]) -> list[str]:
    needle = secret.encode()
    return [name for name, blob in blobs.items() if needle in blob]


@pytest.mark.s3
def test_the_secret_key_appears_in_no_output_of_a_crawl(s3_server: S3Server, s3_bucket: str,
                                                        outlet_server: OutletServer, fault_proxy: S3FaultProxy,
                                                        proxied_env: dict[str, str], tmp_path: Path) -> None:
    """Two crawls through the fault proxy: the first meets 500s and, at its manifest, an outage (so S3 error
    messages are logged and the run spools), the second flushes the spool and commits. Every output of both
    is scanned for the secret key."""
    secret = s3_server.secret_key
    outlet = Outlet.model_validate(outlet_server.outlet_yaml())
    config = Settings(spool_dir=tmp_path / "cache" / "spool", s3_max_attempts=2, s3_connect_timeout_s=1)
    uri = f"s3://{s3_bucket}/news"
    fault_proxy.fail("error500", times=3, every=4)
    hold = fault_proxy.hold(r"/manifest\.json")
    failing = CrawlChild(outlet, uri, window=WINDOW, settings=config, env=proxied_env, logs=tmp_path / "logs")
    failing.wait_until(hold.reached.is_set)
    fault_proxy.outage = True
    hold.release()
    first = failing.result()
    assert not first.committed and first.stats["spooled"] > 0
    assert b"not committed" in failing.outputs(), "the S3 failure was logged"
    spooled = {f"first run: {path}": path.read_bytes() for path in _files_under(tmp_path / "cache")}
    assert any("/spool/" in name for name in spooled), "the run's objects were spooled"
    fault_proxy.outage = False
    second = crawl(outlet, uri, window=WINDOW, settings=config, env=proxied_env, logs=tmp_path / "logs")
    assert second.committed

    blobs = {**spooled, **{str(path): path.read_bytes() for path in _files_under(tmp_path)}}
    blobs["summaries"] = repr([first.to_dict(), second.to_dict()]).encode()
    client = s3_server.client()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=s3_bucket):
        for item in page.get("Contents", []):
            response = client.get_object(Bucket=s3_bucket, Key=item["Key"])
            blobs[f"s3:{item['Key']}"] = response["Body"].read() + repr(response.get("Metadata")).encode()
    assert any(name.startswith("s3:news/runs/") and name.endswith("manifest.json") for name in blobs)
    assert _leaks(secret, blobs) == [], "the secret key leaked"


@pytest.mark.s3
def test_a_wrong_secret_fails_clearly_without_echoing_it(s3_server: S3Server, s3_bucket: str,
                                                         outlet_server: OutletServer, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    canary = "CANARY-" + os.urandom(12).hex() + "-secret"
    env = {**s3_server.env(), "AWS_SECRET_ACCESS_KEY": canary}
    outlet = Outlet.model_validate(outlet_server.outlet_yaml())
    uri = f"s3://{s3_bucket}/news"
    child = CrawlChild(outlet, uri, window=WINDOW, settings=Settings(spool_dir=tmp_path / "spool"), env=env,
                       logs=tmp_path / "logs")
    child.process.wait(timeout=120)
    assert child.process.returncode == 1
    output = child.outputs()
    assert b"SignatureDoesNotMatch" in output and b"AWS_SECRET_ACCESS_KEY" in output, "a clear error"

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    archive = Archive.open(uri, Settings(spool_dir=tmp_path / "spool"))
    blobs = {str(path): path.read_bytes() for path in _files_under(tmp_path)}
    for number, attempt in enumerate((lambda: archive.index.known_canonical_urls("demo"),
                                      lambda: archive.store.put("probe/key", b"data"),
                                      lambda: archive.store.get("probe/key"))):
        with pytest.raises(StoreAccessError) as refused:
            attempt()
        assert isinstance(refused.value, NewsarchiveError)
        blobs[f"exception-{number}"] = ("".join(traceback.format_exception(refused.value)) + repr(refused.value)).encode()
    assert _leaks(canary, blobs) == [], "the planted secret leaked"


# -- keys -------------------------------------------------------------------------------------------

ANY_URL = st.one_of(
    st.text(max_size=3000),
    st.builds(lambda host, segments: f"https://{host}/" + "/".join(segments),
              st.sampled_from(["news.example", "XN--MGBH0FB.example", "127.0.0.1:8000", "[::1]", "例え.テスト"]),
              st.lists(st.sampled_from(["..", ".", "", "%2e%2e", "..%2f", "ñ", "😀", "a" * 300, "?q=..", "#x", "\x00",
                                        "C:\\", "~root", "%00"]), max_size=12)),
)
SHA = st.binary(min_size=32, max_size=32).map(bytes.hex)
RECORD_KEY = re.compile(r"records/demo/(undated|\d{4}/\d{2}/\d{2})/[0-9a-f]{24}-v\d{4,}-[0-9a-f]{16}\.json")


@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(url=ANY_URL, day=st.none() | st.dates(), version=st.integers(1, 9999), sha=SHA)
def test_archive_keys_are_safe_for_any_url(url: str, day: date | None, version: int, sha: str,
                                           tmp_path: Path) -> None:
    try:
        identity = canonical_url(url)
    except ValueError:
        identity = url  # not even a URL: the key must be safe all the same
    keys = [layout.record_key("demo", day, url, version, sha), layout.record_key("demo", day, identity, version, sha)]
    keys.append(layout.sibling_version_key(keys[0], version + 1, sha))
    store = LocalStore(tmp_path / "store")
    for key in keys:
        assert validate_key(key) == key and RECORD_KEY.fullmatch(key), key  # hashed: no part of the URL in it
        assert len(key.encode()) < 100, "far below S3's 1,024-byte limit"
        path = store.path_of(key).resolve()
        assert path.is_relative_to((tmp_path / "store").resolve())
    assert layout.record_key("demo", day, url, version, sha) == keys[0], "deterministic"


@pytest.mark.parametrize("outlet_id", ["..", "../etc", "a/b", "Demo", "démo", "a b", ".hidden", "x\x00"])
def test_unsafe_outlet_ids_never_reach_a_key(outlet_id: str) -> None:
    with pytest.raises(ArchiveLayoutError):
        layout.record_key(outlet_id, None, "https://news.example/a", 1, "0" * 64)


# -- bombs ------------------------------------------------------------------------------------------


def test_entity_bomb_is_parsed_in_bounded_time_and_memory() -> None:
    outcome = run_isolated(lambda: [e.loc for e in parse_sitemap(ENTITY_BOMB.encode(), "https://news.example/").entries],
                           timeout_s=10)
    assert outcome.ok, outcome.error
    assert outcome.seconds < 5 and outcome.peak_rss_growth < 20 * 2**20
    assert all(len(loc) < 1000 for loc in outcome.result), "entities never expanded"
    FIGURES.faults_injected["xml entity bomb"] += 1


@pytest.mark.parametrize("cap", [1 * 2**20, MAX_XML_BYTES])
def test_gzip_bomb_sitemap_is_refused_at_the_cap(cap: int) -> None:
    bomb = gzip_bomb()  # ~130 KB that would inflate to 128 MiB
    outcome = run_isolated(lambda: parse_sitemap(bomb, "https://news.example/", max_bytes=cap), timeout_s=20)
    assert outcome.error is not None and outcome.error.startswith(XmlTooLarge.__name__), outcome
    assert outcome.peak_rss_growth < 2 * cap + 20 * 2**20, f"grew {outcome.peak_rss_growth / 2**20:.0f} MiB"
    FIGURES.faults_injected["gzip bomb"] += 1
