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
