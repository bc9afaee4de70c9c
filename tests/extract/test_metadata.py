"""Metadata: title without site suffix, clean authors, aware dates, never the crawl date."""

from __future__ import annotations

import pickle

import pytest

from core.errors import ExtractionError
from core.registry import Outlet
from extract import extract_article
from extract.authors import clean_authors
from extract.metadata import strip_site_name
from tests.extract.helpers import FILLER, article_page, paragraphs


def test_title_loses_its_site_suffix_or_prefix() -> None:
    assert strip_site_name("Port strike ends | Coastline Times", ["Coastline Times"]) == "Port strike ends"
    assert strip_site_name("Coastline Times - Port strike ends", ["Coastline Times"]) == "Port strike ends"
    assert strip_site_name("Q&A - what the deal means", ["Coastline Times"]) == "Q&A - what the deal means"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (["By Jane Doe"], ["Jane Doe"]),
        (["By Jane Doe and Tom Roe, Staff Writer"], ["Jane Doe", "Tom Roe"]),
        (["Staff Writer"], []),
        (["Syria Truth Staff"], []),
        (["admin"], []),
        (["Jane Doe", "jane doe"], ["Jane Doe"]),
        (["Ирина Соколова"], ["Ирина Соколова"]),
    ],
)
def test_authors_are_a_clean_list(raw: list[str], clean: list[str]) -> None:
    assert clean_authors(raw) == clean


def test_page_without_a_date_gets_none_not_the_crawl_date() -> None:
    ex = extract_article(article_page(*paragraphs(FILLER, FILLER + " End.")), "https://t.example/story")
    assert ex.published is None


def test_time_element_with_outlet_timezone() -> None:
    outlet = Outlet(id="t", name="Test Times", base_url="https://t.example/", timezone="Europe/Moscow")
    page = article_page('<time datetime="2024-05-14 10:30:00">14 May</time>', *paragraphs(FILLER, FILLER + " End."))
    ex = extract_article(page, "https://t.example/story", outlet=outlet)
    assert ex.published is not None and ex.published.isoformat() == "2024-05-14T10:30:00+03:00"


def test_declared_language_is_checked_against_the_text() -> None:
    russian = "Сирийская армия выбила боевиков из всех кварталов Алеппо, заявил генерал в четверг вечером."
    ex = extract_article(article_page(*paragraphs(russian, russian + " Конец."), lang="en-US"), "https://t.example/r")
    assert ex.language == "ru"
    assert ex.details["language_declared"] == "en-US"


def test_is_article_and_html_markdown_renderings() -> None:
    page = article_page("<h2>Sub</h2>", *paragraphs(FILLER, FILLER + " End."))
    ex = extract_article(page, "https://t.example/story")
    assert ex.is_article
    assert "<h2>Sub</h2>" in ex.html and "## Sub" in ex.markdown
    assert ex.to_dict()["published"] is None


@pytest.mark.parametrize("bad", [b"", b"   ", "\n"])
def test_empty_input_is_an_extraction_error(bad: bytes | str) -> None:
    with pytest.raises(ExtractionError):
        extract_article(bad, "https://t.example/empty")


def test_garbage_does_not_crash() -> None:
    ex = extract_article(b"\x00\xff\xfe garbage <<<>>> \x01", "https://t.example/junk")
    assert ex.text == "" or isinstance(ex.text, str)
    assert not ex.is_article


def test_renderings_are_made_on_first_read_and_survive_pickling() -> None:
    page = article_page("<h2>Sub</h2>", *paragraphs(FILLER, FILLER + " End."))
    ex = extract_article(page, "https://t.example/story")
    assert "html" not in vars(ex) and "markdown" not in vars(ex)  # not rendered for text-only callers

    copy = pickle.loads(pickle.dumps(ex))
    assert copy.content is None
    assert copy.html == ex.html and "<h2>Sub</h2>" in copy.html
    assert copy.markdown == ex.markdown and copy.to_dict() == ex.to_dict()


def _meta_page(head: str = "", body: str = "") -> str:
    return (
        f'<html><head><meta charset="utf-8"><title>Depot plan approved | Valley Gazette</title>{head}</head>'
        f"<body>{body}<article><h1>Depot plan approved</h1><p>{FILLER}</p><p>{FILLER} End.</p></article></body></html>"
    )


def _meta(page: str) -> tuple[str | None, list[str]]:
    ex = extract_article(page, "https://valley.example/news/depot-plan-approved")
    return ex.section, ex.tags


def test_section_from_a_jsonld_breadcrumb_skips_home_and_the_page_itself() -> None:
    trail = (
        '{"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": ['
        '{"@type": "ListItem", "position": 3, "name": "Depot plan approved"},'
        '{"@type": "ListItem", "position": 1, "name": "Home", "item": "https://valley.example/"},'
        '{"@type": "ListItem", "position": 2, "name": "Local news", "item": {"@id": "https://valley.example/news/"}}]}'
    )
    assert _meta(_meta_page(f'<script type="application/ld+json">{trail}</script>')) == ("Local news", [])


def test_section_from_a_breadcrumb_trail_then_category_links_and_metadata_first() -> None:
    trail = '<nav class="breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ol></nav>'
    category = '<a rel="category tag" href="/category/business/">Business</a>'
    assert _meta(_meta_page(body=trail))[0] == "News"
    assert _meta(_meta_page(body=category))[0] == "Business"
    assert _meta(_meta_page('<meta property="article:section" content="Transport">', trail + category))[0] == "Transport"
    assert _meta(_meta_page(body='<nav class="breadcrumb"><a href="/">Home</a></nav>')) == (None, [])


def test_tags_from_tag_fields_without_category_links_or_the_section() -> None:
    drupal = (
        '<div class="field field--name-field-tags"><div class="field__label">Tags</div>'
        '<a href="/taxonomy/term/12">Transport</a><a href="/taxonomy/term/31">Planning</a></div>'
    )
    assert _meta(_meta_page(body=drupal)) == (None, ["Transport", "Planning"])
    ghost = '<meta property="article:tag" content="Local"><meta property="article:tag" content="Buses">'
    primary = '<span class="post-card-primary-tag"><a href="/tag/local/">Local</a></span>'
    assert _meta(_meta_page(ghost, primary)) == ("Local", ["Buses"])
    wordpress = '<article><a rel="category tag" href="/c/b/">Business</a> <a rel="tag" href="/t/d/">depots</a></article>'
    assert _meta(_meta_page(body=wordpress)) == ("Business", ["depots"])
