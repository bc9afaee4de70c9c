"""Link targets in the renderings: relative ones made absolute against the page URL, as trafilatura does."""

from __future__ import annotations

import trafilatura

from extract import extract_article
from tests.extract.helpers import FILLER, article_page


def test_relative_link_targets_are_absolute_in_html_and_markdown() -> None:
    link = '<p>The report <a href="/reports/2024/water.html">on water supplies</a> was published today. ' + FILLER + "</p>"
    page = article_page(link, f"<p>{FILLER} Second.</p>")
    ex = extract_article(page, "https://t.example/news/story")
    assert 'href="https://t.example/reports/2024/water.html"' in ex.html
    assert "(https://t.example/reports/2024/water.html)" in ex.markdown


def test_renderings_link_targets_match_trafilatura_called_with_the_url() -> None:
    link = '<p>See <a href="../other/page?id=3">the other page</a> and <a href="https://elsewhere.example/x">this</a>. ' + FILLER + "</p>"
    page = article_page(link, f"<p>{FILLER} Second.</p>")
    url = "https://t.example/section/news/story"
    theirs = trafilatura.extract(page, url=url, include_links=True, output_format="markdown", include_formatting=True)
    ours = extract_article(page, url).markdown
    for target in ("https://elsewhere.example/x", "(https://t.example/"):
        assert (target in ours) == (target in (theirs or ""))
    assert "(https://elsewhere.example/x)" in ours and "(https://t.example/other/page?id=3)" in ours
