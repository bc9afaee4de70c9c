"""A search exported as WACZ by `newsarchive serve` opens in pywb: its captures replay (issue 17)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from newsarchive.serve import create_app
from tests.history.wayback.test_pywb_replay import free_port, pywb_bin
from tests.newsarchive.serve.conftest import BrowseArchive


@pytest.mark.slow
def test_pywb_replays_a_wacz_export(browse_archive: BrowseArchive, tmp_path: Path) -> None:
    bindir = pywb_bin()
    index = browse_archive.index()
    index.update()
    with TestClient(create_app(browse_archive.open(), index), base_url="http://127.0.0.1") as client:
        response = client.get("/export", params={"q": "harbour OR bridge", "format": "wacz"})
    assert response.status_code == 200
    wacz = tmp_path / "search.wacz"
    wacz.write_bytes(response.content)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        pages = [json.loads(line) for line in archive.read("pages/pages.jsonl").decode().splitlines()[1:]]
    page = next(p for p in pages if "harbour" in p["url"])
    timestamp = "".join(ch for ch in page["ts"] if ch.isdigit())[:14]

    subprocess.run([str(bindir / "wb-manager"), "init", "news"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run([str(bindir / "wb-manager"), "add", "--unpack-wacz", "news", str(wacz)], cwd=tmp_path, check=True,
                   capture_output=True)  # pywb 2.10 reads a WACZ by unpacking it (its own check of the zip)
    port = free_port()
    server = subprocess.Popen([str(bindir / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "pywb did not start"
                time.sleep(0.5)
        replay = httpx.get(f"http://127.0.0.1:{port}/news/{timestamp}id_/{page['url']}", timeout=30)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert replay.status_code == 200
    assert b"planted report on the harbour fire" in replay.content
