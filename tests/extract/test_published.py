"""Publication dates: structured data first, then htmldate's search, the URL's date as a bound."""

from __future__ import annotations

from extract import extract_article
from tests.extract.helpers import FILLER, article_page, paragraphs


def test_a_date_only_the_served_page_shows_is_kept_with_low_confidence() -> None:
    # The parser drops HTML comments; a CMS that prints its only date there still dates the page.
    page = article_page(*paragraphs(FILLER, FILLER + " End.")).replace(
        "</body>", "<!-- page generated, last published 2021-03-04 14:20 --></body>"
    )
    ex = extract_article(page, "https://t.example/story")
    assert ex.published is not None and ex.published.date().isoformat() == "2021-03-04"
    assert ex.details["published_source"] == "htmldate-raw"
    assert ex.details["published_confidence"] == "low"


def test_the_urls_date_overrules_the_served_page_search() -> None:
    page = article_page(*paragraphs(FILLER, FILLER + " End.")).replace(
        "</body>", "<!-- last published 2021-03-04 14:20 --></body>"
    )
    ex = extract_article(page, "https://t.example/2022/07/09/story")
    assert ex.published is not None and ex.published.date().isoformat() == "2022-07-09"
    assert ex.details["published_source"] != "htmldate-raw"  # the bound: htmldate reads the URL too
