"""The post-extraction paragraph filter: teasers and furniture go, real prose stays."""

from __future__ import annotations

import pytest
from lxml import etree

from core.registry import Boilerplate, Outlet
from extract import extract_article
from extract.content import Block
from extract.paragraphs import ParagraphFilter, ParagraphRules
from extract.rules import TEASER_LABELS
from tests.extract.helpers import FILLER, article_page, paragraphs

URL = "https://test.example/2025/01/02/story/"


def _text(*blocks: str, **kwargs: object) -> list[str]:
    return extract_article(article_page(*paragraphs(FILLER), *blocks, *paragraphs(FILLER + " End.")), URL, **kwargs).paragraphs  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "teaser",
    [
        "<p><strong>ALSO READ</strong>&nbsp; Russian reconciliation center says 17 shellings registered</p>",
        "<p>READ ALSO Ministers meet in Geneva for a third round</p>",
        '<p>Read also: <a href="/x/">Ministers meet in Geneva for a third round</a></p>',
        '<p>READ MORE: <a href="/x/">Ships queue offshore as strike enters second week</a></p>',
        "<p>See also — Flood defences to be raised along the estuary</p>",
        '<p>Related: <a href="/x/">Port automation plans put on hold</a></p>',
        '<p>Recommended <a href="/x/">Port automation plans put on hold</a></p>',
        "<p>اقرأ أيضا: استمرار عمليات الإجلاء من شرق حلب لليوم الثالث</p>",
        "<p>اقرأ أيضاً استمرار عمليات الإجلاء من شرق حلب</p>",
        "<p>Читайте также: Учителям сельских школ повысят надбавки с сентября</p>",
        "<p>Читайте также Учителям сельских школ повысят надбавки</p>",
    ],
)
def test_inline_teasers_are_removed(teaser: str) -> None:
    assert _text(teaser) == [FILLER, FILLER + " End."]


@pytest.mark.parametrize(
    ("label", "headline"),
    [
        ("<p><b>ALSO READ</b></p>", '<p><a href="/x/">Russian reconciliation center says 17 shellings registered</a></p>'),
        ("<p>Read more</p>", "<p>Ministers meet in Geneva for a third round</p>"),
        ("<h4>Читайте также</h4>", '<p><a href="/x/">Вторую линию метро продлят до аэропорта</a></p>'),
    ],
)
def test_label_alone_takes_the_following_headline_with_it(label: str, headline: str) -> None:
    assert _text(label, headline) == [FILLER, FILLER + " End."]


@pytest.mark.parametrize(
    "prose",
    [
        "Related to the dispute, the minister said he had read the reply twice before answering.",
        "Readers reply to each other across weeks, sometimes months, in the letters page.",
        "See also the way the page is edited: every letter is read by two people.",
        "Recommended reading lists sent in by readers now fill a whole page every December.",
        "Read more slowly, and the report reads like a confession, the lawyer said.",
        "Also read by the clerk was a statement from the defence, which the judge accepted.",
        "Leave a reply, the spokesman wrote, was all the ministry ever said to their letters.",
        "Comments on the plan are welcome until March, the council said.",
    ],
)
def test_real_paragraphs_mentioning_related_read_reply_stay(prose: str) -> None:
    assert prose in _text(*paragraphs(prose))


@pytest.mark.parametrize("heading", ["Leave a Reply", "Back to top button", "Share this:", "زر الذهاب إلى الأعلى", "Кнопка «Наверх»"])
def test_furniture_headings_are_removed(heading: str) -> None:
    assert _text(f"<h3>{heading}</h3>") == [FILLER, FILLER + " End."]


def test_related_heading_takes_its_headline_list_but_not_later_prose() -> None:
    blocks = [
        "<h3>Related Articles</h3>",
        '<p><a href="/a/">Evacuation of east Aleppo continues for the third day</a></p>',
        "<p>Aleppo evacuation talks resume in Ankara</p>",
    ]
    assert _text(*blocks) == [FILLER, FILLER + " End."]


def test_subheadings_stay_as_their_own_paragraphs() -> None:
    assert _text("<h2>Militants leave Aleppo</h2>")[1] == "Militants leave Aleppo"


def test_paragraph_equal_to_a_known_headline_is_removed_but_own_title_is_not_a_teaser() -> None:
    got = _text("<p>Harbour pilots to get new training centre</p>", known_headlines=["Harbour pilots to get new training centre"])
    assert got == [FILLER, FILLER + " End."]


def test_outlet_drop_paragraphs_and_drop_selectors_apply() -> None:
    outlet = Outlet(
        id="t", name="Test Times", base_url="https://test.example/",
        boilerplate=Boilerplate(drop_paragraphs=[r"^Test Times is funded by"], drop_selectors=[".promo"]),
    )
    got = _text(
        "<p>Test Times is funded by readers like you, every single month of the year.</p>",
        '<div class="promo"><p>Become a member today and get unlimited access to every story we publish.</p></div>',
        outlet=outlet,
    )
    assert got == [FILLER, FILLER + " End."]


def test_dropped_blocks_are_counted_by_reason() -> None:
    page = article_page(*paragraphs(FILLER), "<p>ALSO READ  Ministers meet in Geneva</p>", "<h3>Leave a Reply</h3>")
    details = extract_article(page, URL).details
    assert details["dropped_blocks"]["teaser"] == 1
    assert details["dropped_blocks"]["block_heading"] == 1


def _block(text: str) -> Block:
    element = etree.Element("p")
    element.text = text
    return Block(element, "paragraph", text, "", 0)


@pytest.mark.parametrize("label", sorted({label for group in TEASER_LABELS.values() for label in group}))
def test_every_teaser_label_is_recognised_in_any_case(label: str) -> None:
    judge = ParagraphFilter(ParagraphRules.for_patterns())
    assert judge.teaser_label(_block(label.upper() + ": The other story")) == "teaser"
    assert judge.teaser_label(_block(label.lower())) == "label_only"


def test_a_block_opening_with_no_label_is_no_teaser_even_where_case_folding_lengthens_it() -> None:
    judge = ParagraphFilter(ParagraphRules.for_patterns())
    assert judge.teaser_label(_block("Straße closed: the council says why")) is None
    assert judge.teaser_label(_block("ß" * 40 + " read more")) is None


@pytest.mark.parametrize(
    "line",
    [
        "All rights reserved.", "© 2024 Example Media", "By Jane Doe", "By Jane Doe and Tom Roe, staff writer",
        "Автор: Ирина Соколова", "Thursday, December 22 2016", "19.07.2024 12:40", "2024-07-19", "5 min read",
        "Back to news", "A paragraph of article prose that names no rule at all.", "by jane doe", "",
    ],
)
def test_the_joined_line_patterns_match_where_one_of_them_does(line: str) -> None:
    import re

    from extract.rules import BOILERPLATE_LINES, BYLINE_LINES, DATE_LINES

    rules = ParagraphRules.for_patterns(())
    single = [re.compile(p, re.IGNORECASE | re.DOTALL) for p in (*BOILERPLATE_LINES, *DATE_LINES)]
    assert bool(rules.lines.fullmatch(line)) == any(p.fullmatch(line) for p in single)
    assert bool(rules.bylines.fullmatch(line)) == any(re.compile(p).fullmatch(line) for p in BYLINE_LINES)
    # joined, a pattern's groups are numbered after another's: none may refer to its own by number
    assert not any(re.search(r"\\[1-9]|\(\?P=|\(\?[aiLmsux]+\)", p) for p in (*BOILERPLATE_LINES, *DATE_LINES, *BYLINE_LINES))
