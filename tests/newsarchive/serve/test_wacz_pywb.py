"""A search exported as WACZ by `newsarchive serve` opens in pywb: its captures replay (issue 17)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from newsarchive.serve import create_app
from tests.fixtures.pywb import pywb_bin, replay_in_pywb
from tests.newsarchive.serve.conftest import BrowseArchive


@pytest.mark.slow
def test_pywb_replays_a_wacz_export(browse_archive: BrowseArchive, tmp_path: Path) -> None:
    pywb_bin()  # fails first, and says how to install it, when pywb is missing
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

    # pywb 2.10 reads a WACZ by unpacking it (its own check of the zip)
    replay = replay_in_pywb(tmp_path, ["--unpack-wacz", str(wacz)], timestamp, page["url"])
    assert replay.status_code == 200
    assert b"planted report on the harbour fire" in replay.content
