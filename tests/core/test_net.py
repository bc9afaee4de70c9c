"""core.net: which addresses are public, and the guarded opener of ``newsarchive extract URL`` (issue 20)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from core.net import PrivateAddressError, is_public_address, public_opener


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fe80::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "::127.0.0.1",  # IPv4-compatible
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1 (obfuscated)
    "224.0.0.1", "ff02::1",
])
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


class _Redirecting(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Silent."""

    def do_GET(self) -> None:
        self.server.seen.append((self.headers["Host"], self.path))  # type: ignore[attr-defined]
        port = self.server.server_address[1]
        targets = {"/to-loopback": f"http://localhost:{port}/secret", "/to-ftp": "ftp://127.0.0.1/secret"}
        if self.path in targets:
            self.send_response(302)
            self.send_header("Location", targets[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def _refused(error: OSError) -> bool:
    """A PrivateAddressError, raised as is or wrapped by urllib (URLError.reason)."""
    return isinstance(error, PrivateAddressError) or isinstance(getattr(error, "reason", None), PrivateAddressError)


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    httpd.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_the_host_named_is_fetched_but_no_redirect_reaches_a_private_address(server: ThreadingHTTPServer) -> None:
    port = server.server_address[1]
    opener = public_opener(allowed_host="127.0.0.1")
    with opener.open(f"http://127.0.0.1:{port}/page", timeout=5) as response:
        assert response.read() == b"ok"
    for path in ("/to-loopback", "/to-ftp"):
        with pytest.raises(OSError) as refused:
            opener.open(f"http://127.0.0.1:{port}{path}", timeout=5)
        assert _refused(refused.value), refused.value
    assert [path for _host, path in server.seen] == ["/page", "/to-loopback", "/to-ftp"], "no /secret request"


def test_without_an_allowed_host_loopback_is_refused(server: ThreadingHTTPServer) -> None:
    with pytest.raises(OSError) as refused:
        public_opener().open(f"http://127.0.0.1:{server.server_address[1]}/page", timeout=5)
    assert _refused(refused.value), refused.value
    assert server.seen == []
