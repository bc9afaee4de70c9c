"""Replay in the ``id_`` form: nearest captures, archived redirects, error pages — against the local Archive."""

from __future__ import annotations

import pytest

from core.urls import same_site
from history.wayback.replay import ReplayClient, ReplayError
from tests.fixtures.wayback import fast_http, html_capture
from tests.fixtures.wayback_server import ArchivedCapture, WaybackServer

SITE = "https://news.example"
ARTICLE = f"{SITE}/2026/10/03/story/"


def client(server: WaybackServer) -> ReplayClient:
    return ReplayClient(fast_http(server), max_redirects=3, allow_url=lambda url: same_site(url, ("news.example",)))


def test_exact_capture_with_original_headers(wayback_server: WaybackServer) -> None:
    wayback_server.add(html_capture(ARTICLE, "20261003120000", "story", headers=[
        ("Content-Type", "text/html; charset=windows-1256"), ("Last-Modified", "Sat, 03 Oct 2026 10:00:00 GMT"),
    ]))
    capture = client(wayback_server).fetch("20261003120000", ARTICLE)
    assert (capture.url, capture.timestamp, capture.status, capture.requested_url) == (
        ARTICLE, "20261003120000", 200, ARTICLE,
    )
    assert b"<p>story</p>" in capture.body
    headers = dict(capture.headers)
    assert headers["Content-Type"] == "text/html; charset=windows-1256"  # the outlet's charset, as archived
    assert headers["Last-Modified"] == "Sat, 03 Oct 2026 10:00:00 GMT"  # X-Archive-Orig- prefix removed
    assert not any(k.lower().startswith(("x-archive", "memento")) for k in headers)
    path = wayback_server.requests[-1][2]
    assert path == f"/web/20261003120000id_/{ARTICLE}"


def test_nearest_capture_is_followed(wayback_server: WaybackServer) -> None:
    wayback_server.add(html_capture(ARTICLE, "20261005000000", "later"))
    wayback_server.add(html_capture(ARTICLE, "20261003130000", "first"))
    capture = client(wayback_server).fetch("20261003", ARTICLE)
    assert capture.timestamp == "20261003130000" and b"first" in capture.body
    assert [status for *_rest, status in wayback_server.requests] == [302, 200]


def test_archived_redirect_leads_to_the_moved_article(wayback_server: WaybackServer) -> None:
    moved = f"{SITE}/2026/10/03/story-renamed/"
    wayback_server.add(ArchivedCapture(ARTICLE, "20261004000000", b"", status=301,
                                       headers=[("Content-Type", "text/html")], location="/2026/10/03/story-renamed/"))
    wayback_server.add(html_capture(moved, "20261004000005", "renamed"))
    capture = client(wayback_server).fetch("20261004000000", ARTICLE)
    assert capture.url == moved and capture.requested_url == ARTICLE and capture.redirects == [moved]
    assert b"renamed" in capture.body


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("offsite", "redirect_offsite"),
        ("loop", "redirect_loop"),
        ("missing", "not_archived"),
        ("excluded", "excluded"),
        ("error_page", "error_page"),
        ("archived_404", "archived_404"),
    ],
)
def test_failures_have_a_reason(wayback_server: WaybackServer, setup: str, reason: str) -> None:
    if setup == "offsite":
        wayback_server.add(ArchivedCapture(ARTICLE, "20261004000000", status=302, location="https://evil.example/x"))
    elif setup == "loop":
        other = f"{SITE}/2026/10/03/other/"
        wayback_server.add(ArchivedCapture(ARTICLE, "20261004000000", status=301, location=other))
        wayback_server.add(ArchivedCapture(other, "20261004000000", status=301, location=ARTICLE))
    elif setup == "excluded":
        wayback_server.add(html_capture(ARTICLE, "20261004000000", "hidden"))
        wayback_server.faults.excluded_urls.add(ARTICLE)
    elif setup == "error_page":
        wayback_server.add(html_capture(ARTICLE, "20261004000000", "x"))
        wayback_server.faults.error_page_urls.add(ARTICLE)
    elif setup == "archived_404":
        wayback_server.add(ArchivedCapture(ARTICLE, "20261004000000", b"<html>Not Found</html>", status=404))
    with pytest.raises(ReplayError) as caught:
        client(wayback_server).fetch("20261004000000", ARTICLE)
    assert caught.value.reason == reason


def test_replay_retries_resets_and_5xx(wayback_server: WaybackServer) -> None:
    wayback_server.add(html_capture(ARTICLE, "20261003120000", "story"))
    wayback_server.faults.replay_reset, wayback_server.faults.replay_503 = 1, 2
    replay = client(wayback_server)
    assert b"story" in replay.fetch("20261003120000", ARTICLE).body
    assert sum(replay.http.stats.retries.values()) == 3
