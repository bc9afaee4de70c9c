"""``python -m outlet_server`` prints its base URL and serves until interrupted."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from outlet_server import build_corpus
from tests.outlet_server.client import fetch


def test_module_serves_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "outlet_server", "--seed", "7", "--articles", "12", "--port", "0", "--fault", "gone"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/")
        status, _, body = fetch(base_url + "robots.txt")
        assert status == 200 and b"Disallow: /private/" in body
        seed = build_corpus(seed=7, n_articles=12).seed_article
        assert fetch(base_url + seed.path.lstrip("/"))[0] == 200
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


def test_module_stops_on_ctrl_c_even_when_started_with_it_ignored() -> None:
    """A parent that ignores SIGINT while a child runs (newsarchive.jobs does) passes the ignoring on to what it
    starts meanwhile; the server must still stop on Ctrl-C."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process = subprocess.Popen([sys.executable, "-m", "outlet_server", "--articles", "4", "--port", "0"],
                                   stdout=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert fetch(base_url + "robots.txt")[0] == 200  # serving: past the point where Ctrl-C is handled
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_module_rejects_too_few_articles() -> None:
    result = subprocess.run([sys.executable, "-m", "outlet_server", "--articles", "1"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "at least 2" in result.stderr


def test_build_corpus_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        build_corpus(n_articles=1)
    from datetime import date

    with pytest.raises(ValueError, match="before start"):
        build_corpus(start=date(2026, 2, 1), end=date(2026, 1, 1))
