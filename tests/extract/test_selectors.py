"""extract.selectors.select: simple selectors matched on candidate elements only, same result as XPath."""

from __future__ import annotations

import pytest
from lxml.cssselect import CSSSelector
from lxml.etree import XPath

from extract.dom import parse_html
from extract.selectors import select

PAGE = (
    "<html><body><div class=\"o'neil q\">a</div><div class='say\"hi\"'>b</div>"
    "<section id='s1' class='box'><p class='boxes'>c</p><aside>d</aside><p class='box'>e</p></section>"
    "<ul><li class='item'><span class='box item'>f</span></li></ul><p class='xbox'>g</p></body></html>"
)
SELECTORS = (".o\\'neil", '.say\\"hi\\"', ".box", "#s1", "p.box", "aside", "span.item.box", "ul > li", "*")


@pytest.mark.parametrize("count", range(1, len(SELECTORS) + 1))
def test_select_matches_the_xpath_union_in_document_order(count: int) -> None:
    tree = parse_html(PAGE)
    selectors = SELECTORS[:count]
    assert select(tree, selectors) == XPath(" | ".join(CSSSelector(s).path for s in selectors))(tree)


def test_a_class_substring_is_not_a_match() -> None:
    tree = parse_html(PAGE)
    assert [e.get("class") for e in select(tree, (".box",))] == ["box", "box", "box item"]


def test_many_classes_ids_and_tags_at_once_match_the_xpath_union() -> None:
    # more tests than the candidate expression once took (six): class, id and tag tests together
    page = "<html><body>" + "".join(
        f"<div id='d{i}' class='c{i} x{i}-wide'><span class='c{i + 1}'>{i}</span><em>{i}</em></div>" for i in range(12)
    ) + "</body></html>"
    selectors = (*(f".c{i}" for i in range(0, 12, 2)), *(f"#d{i}" for i in range(1, 12, 3)), "em", "div.x3-wide")
    tree = parse_html(page)
    expected = XPath(" | ".join(CSSSelector(s).path for s in selectors))(tree)
    assert len(expected) > 12
    assert select(tree, selectors) == expected
