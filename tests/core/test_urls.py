"""URL identity: every variant of one article URL maps to one canonical URL."""

from __future__ import annotations

import pytest

from core.urls import canonical_url, is_web_url, registered_host, same_site

BASE = "https://www.example.com/2026/10/03/aleppo-quarters"


@pytest.mark.parametrize(
    "variant",
    [
        BASE,
        BASE + "/",
        BASE + "/#comments",
        BASE + "/?utm_source=twitter&utm_medium=social",
        BASE + "?fbclid=IwAR0abc",
        BASE + "/?gclid=xyz&utm_campaign=a",
        "HTTPS://WWW.EXAMPLE.COM/2026/10/03/aleppo-quarters/",
        "https://www.example.com:443/2026/10/03/aleppo-quarters",
        "http://www.example.com:80/2026/10/03/aleppo-quarters/",
        "https://www.example.com//2026/10/03/aleppo-quarters",
        BASE + "/index.html",
    ],
)
def test_variants_share_one_identity(variant: str) -> None:
    assert canonical_url(variant) == BASE


def test_meaningful_query_parameters_are_kept_and_sorted() -> None:
    assert canonical_url("https://example.com/story?id=42&page=2&utm_source=x") == "https://example.com/story?id=42&page=2"
    assert canonical_url("https://example.com/story?page=2&id=42") == canonical_url("https://example.com/story?id=42&page=2")


def test_distinct_articles_stay_distinct() -> None:
    assert canonical_url("https://example.com/story?id=41") != canonical_url("https://example.com/story?id=42")
    assert canonical_url("https://example.com/a") != canonical_url("https://example.com/b")


def test_non_default_port_is_part_of_identity() -> None:
    assert canonical_url("http://127.0.0.1:8123/a/") == "https://127.0.0.1:8123/a"
    assert canonical_url("http://127.0.0.1:8123/a/") != canonical_url("http://127.0.0.1:8124/a/")


def test_idempotent_and_unicode_safe() -> None:
    url = "https://ar.example.com/أخبار/2026/حلب?utm_source=x#top"
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "utm_source" not in once and "#" not in once


def test_root_path_kept() -> None:
    assert canonical_url("https://Example.com") == "https://example.com/"


def test_registered_host_and_same_site() -> None:
    assert registered_host("https://WWW.Example.com/x") == "example.com"
    assert same_site("https://news.example.com/a", ["example.com"])
    assert same_site("http://www.example.com/a", ["www.example.com"])
    assert not same_site("https://example.com.evil.net/a", ["example.com"])
    assert not same_site("https://notexample.com/a", ["example.com"])
    assert same_site("http://127.0.0.1:8123/a", ["127.0.0.1:8123"])
    assert not same_site("http://127.0.0.1:9999/a", ["127.0.0.1:8123"])


@pytest.mark.parametrize("url", ["ftp://news.example/2026/10/05/a/", "s3://news.example/a", "file:///etc/passwd",
                                 "data:text/html,hi", "javascript:alert(1)", "mailto:desk@news.example"])
def test_other_schemes_are_no_page_of_a_site(url: str) -> None:
    """Issue 20: an ftp:// (or s3://, file:) URL on the outlet's own host is not on the outlet."""
    assert not is_web_url(url)
    assert not same_site(url, ["news.example"])
    assert canonical_url(url) == url, "not canonicalised into an https identity"


def test_web_urls() -> None:
    assert is_web_url("https://news.example/a") and is_web_url("HTTP://news.example/") and is_web_url("/a")
