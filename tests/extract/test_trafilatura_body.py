"""extract.article._trafilatura_body gives what trafilatura.bare_extraction gives, without copying the tree first."""

from __future__ import annotations

import pytest
import trafilatura
from lxml import etree

from extract import extract_article
from extract.article import TRAFILATURA_OPTIONS, _trafilatura_body
from extract.dom import parse_html

_SENTENCE = "The council voted on Tuesday to extend the river path by two kilometres, said its chair. "
_PAGES = {
    "article": (
        "<html><head><title>Path</title></head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>River path</h1><p>{_SENTENCE * 3}</p><h2>Costs</h2><p>{_SENTENCE * 2}"
        f"<a href='/budget'>the budget</a></p><ul><li>{_SENTENCE}</li><li>{_SENTENCE}</li></ul>"
        "<table><tr><td>Phase</td><td>Cost</td></tr><tr><td>One</td><td>2m</td></tr></table></article>"
        f"<div class='comments'><p>{_SENTENCE}</p></div><footer>Contact us</footer></body></html>"
    ),
    "short": f"<html><body><article><p>{_SENTENCE}</p></article></body></html>",
    "divs only": f"<html><body><div><div>{_SENTENCE * 4}</div><div>{_SENTENCE}</div></div></body></html>",
    "almost empty": "<html><body><p>Hi</p></body></html>",
}


def _serialised(body: etree._Element | None) -> str | None:
    return None if body is None else etree.tostring(body, encoding="unicode")


@pytest.mark.parametrize("name", sorted(_PAGES))
def test_the_same_body_as_bare_extraction(name: str) -> None:
    document = trafilatura.bare_extraction(parse_html(_PAGES[name]), **TRAFILATURA_OPTIONS)  # type: ignore[arg-type]
    expected = _serialised(getattr(document, "body", None))
    assert _serialised(_trafilatura_body(parse_html(_PAGES[name]))) == expected
    if name != "almost empty":
        assert expected


def test_the_short_page_rebuild_reads_the_page_as_trafilatura_got_it_not_as_it_left_it() -> None:
    # trafilatura returns this page as one block and prunes its infinite-scroll box from the tree
    # it runs on; the rebuild reads the page again, as pre-cleaned, so the box's paragraph stays
    page = (
        "<html><body><nav>Home</nav><article><p>The pier is shut today.</p><p>Boats stay in the port.</p>"
        "<p>The ferry runs at noon.</p><div class='infinite-scroll'><p>Harbour dues rise in May.</p></div>"
        "</article></body></html>"
    )
    assert extract_article(page, "https://t.example/a").text.split("\n\n") == [
        "The pier is shut today.", "Boats stay in the port.", "The ferry runs at noon.", "Harbour dues rise in May.",
    ]


def test_the_settings_built_once_are_not_changed_by_extracting() -> None:
    # the settings object is shared by every page: trafilatura must not leave a page's state in it,
    # not even from its recall retry (a short article on a page of many links sets off the retry)
    from trafilatura.settings import Extractor

    from extract.article import _EXTRACTOR

    def state(options: Extractor) -> dict[str, object]:
        return {name: getattr(options, name, None) for name in Extractor.__slots__ if name != "config"}

    links = "".join(f"<li><a href='/n{i}'>Other story {i} about the town and its river path</a></li>" for i in range(60))
    retried = f"<html><body><div class='menu'><ul>{links}</ul></div><article><p>{_SENTENCE * 3}</p></article></body></html>"
    before = state(_EXTRACTOR)
    for page in (*_PAGES.values(), retried):
        assert _trafilatura_body(parse_html(page)) is not None or page == _PAGES["almost empty"]
    assert state(_EXTRACTOR) == before
