"""Issue 7 point 5: ``download --format warc`` output replays in pywb, served on 127.0.0.1.

pywb is not in the project's lock: pywb 2.10 pins ``pyOpenSSL<26.2``, which downgrades
``cryptography`` 50 -> 47 for the whole environment, and pins ``redis==2.10.6`` and
``werkzeug==3.1.7``. So pywb has an environment of its own, pinned by ``tools/pywb/uv.lock``
and installed by ``make bootstrap`` (which ``make test`` runs). ``NEWSARCHIVE_PYWB_BIN``
points elsewhere if needed. Without pywb the test fails and says how to install it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from datetime import date
from pathlib import Path

import httpx
import pytest

from archive import Archive
from core.registry import Outlet
from core.settings import Settings
from history.wayback import RetryPolicy, backfill_from_wayback
from outlet_server import build_corpus
from tests.fixtures.wayback import record_history
from tests.fixtures.wayback_server import WaybackServer

PYWB_ENV_BIN = Path(__file__).resolve().parents[3] / "tools" / "pywb" / ".venv" / "bin"


def pywb_bin() -> Path:
    bindir = Path(os.environ.get("NEWSARCHIVE_PYWB_BIN") or PYWB_ENV_BIN)
    if not (bindir / "wayback").exists() or not (bindir / "wb-manager").exists():
        pytest.fail(f"pywb not found in {bindir}: run `make bootstrap` (uv sync --locked --project tools/pywb)")
    return bindir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_pywb_replays_a_downloaded_warc(tmp_path: Path) -> None:
    bindir = pywb_bin()
    corpus = build_corpus(seed=5, n_articles=8, start=date(2026, 10, 1), end=date(2026, 10, 6))
    outlet = Outlet(id="small", name="Small", base_url="https://small.example/", timezone=corpus.timezone)
    settings = Settings(spool_dir=tmp_path / "spool", wayback_cdx_per_minute=6000)
    archive_dir = str(tmp_path / "archive")
    with WaybackServer(record_history(corpus, outlet.base_url, since=date(2026, 10, 1), until=date(2026, 10, 6)).captures) as wb:
        summary = backfill_from_wayback(outlet, archive_dir, date(2026, 10, 1), date(2026, 10, 6), wayback_url=wb.base_url,
                                        settings=settings, state_dir=tmp_path / "state", retry=RetryPolicy(max_retries=1))
    assert summary.archived == len(corpus.articles)
    archive = Archive.open(archive_dir, settings)
    record = next(iter(archive.iter_records(outlet="small")))
    warc = tmp_path / "selection.warc.gz"
    assert archive.export("warc", warc, outlet="small").records == len(corpus.articles)

    subprocess.run([str(bindir / "wb-manager"), "init", "news"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run([str(bindir / "wb-manager"), "add", "news", str(warc)], cwd=tmp_path, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([str(bindir / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "pywb did not start"
                time.sleep(0.5)
        replay = httpx.get(f"http://127.0.0.1:{port}/news/{record.snapshot_timestamp}id_/{record.url}", timeout=30)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert replay.status_code == 200
    assert record.title and record.title in replay.text
    assert record.text.split("\n\n")[0][:80] in replay.text.replace("&#x27;", "'").replace("&#39;", "'")
