"""The DOM pre-clean: selectors pre-filtered by the page's class/id tokens match what all of them would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml.cssselect import CSSSelector
from lxml.etree import XPath

from core.errors import ExtractionError
from extract.dom import builtin_selectors, parse_html, preclean
from extract.encoding import decode_html
from extract.selectors import compile_rules, page_tokens, select

GOLD = Path(__file__).parent / "gold"


@pytest.mark.parametrize(
    ("css", "tokens"),
    [
        (".share-buttons", {".share-buttons"}),
        ("#comments", {"#comments"}),
        ("ol.commentlist", {".commentlist"}),
        (".navigation.post-navigation", {".navigation", ".post-navigation"}),
        (".entry-header-outer .post-meta", {".entry-header-outer", ".post-meta"}),
        ("nav[aria-label=breadcrumb]", set()),
        ("div:not(.keep)", set()),
    ],
)
def test_selector_rules_know_the_tokens_they_need(css: str, tokens: set[str]) -> None:
    (rule,) = compile_rules((css,))
    assert rule.tokens == tokens


def test_selector_groups_become_one_rule_per_member() -> None:
    rules = compile_rules(("#respond, .comment-respond",))
    assert [r.tokens for r in rules] == [{"#respond"}, {".comment-respond"}]


def test_invalid_selector_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="invalid CSS selector"):
        compile_rules(("div[[",))


TRICKY_PAGE = (
    '<html><body><div id="main" class="wrap\tshare-buttons"><ol class="commentlist x"><li class="a\u00a0b">1</li>'
    '</ol><ul class="commentlist"><li id="b" class="a">2</li></ul><nav aria-label="breadcrumb"><a>Home</a></nav>'
    '<aside class="related y">r</aside><div class="navigation post-navigation">n</div>'
    '<header class="entry-header-outer"><div class="post-meta">m</div></header><div class="post-meta">kept</div>'
    "</div></body></html>"
)
TRICKY_SELECTORS = (
    ".share-buttons", "#main", "ol.commentlist", ".a", "#b.a", "li#b", "nav[aria-label=breadcrumb]", "aside",
    ".navigation.post-navigation", ".entry-header-outer .post-meta", "div:not(.wrap)", ".b", "section",
)


@pytest.mark.parametrize("css", TRICKY_SELECTORS)
def test_select_matches_what_xpath_matches_selector_by_selector(css: str) -> None:
    tree = parse_html(TRICKY_PAGE)
    assert select(tree, (css,)) == CSSSelector(css)(tree)


def test_select_matches_what_xpath_matches_for_a_list_in_document_order() -> None:
    tree = parse_html(TRICKY_PAGE)
    expected = XPath(" | ".join(CSSSelector(s).path for s in TRICKY_SELECTORS))(tree)
    assert select(tree, TRICKY_SELECTORS) == expected
    assert [r.simple is not None for r in compile_rules(("ol.commentlist", "#b.a", ".x .y", "a[href]"))] == [
        True, True, False, False,
    ]


def test_page_tokens_are_classes_and_ids() -> None:
    tree = parse_html('<html><body><div id="main" class="a  b\tc"><p class="a">x</p></div></body></html>')
    assert page_tokens(tree) == {"#main", ".a", ".b", ".c"}


@pytest.fixture(scope="module")
def every_selector() -> XPath:
    """All built-in selectors as one XPath, the way the pre-clean worked before the pre-filter."""
    return XPath(" | ".join(CSSSelector(s).path for s in builtin_selectors()))


@pytest.mark.parametrize("page", sorted(p.stem for p in GOLD.glob("*.json")))
def test_prefiltered_selectors_match_what_every_selector_matches(page: str, every_selector: XPath) -> None:
    gold = json.loads((GOLD / f"{page}.json").read_text(encoding="utf-8"))
    tree = parse_html(decode_html((GOLD / gold["html"]).read_bytes(), gold.get("encoding")).text)
    tokens = page_tokens(tree)

    assert select(tree, builtin_selectors()) == every_selector(tree)
    assert sum(r.may_match(tokens) for r in compile_rules(builtin_selectors())) < len(builtin_selectors()) / 4


def test_preclean_keeps_the_article_and_the_tails_of_what_it_removes() -> None:
    tree = parse_html(
        '<html><body><div class="share-buttons">Share</div><div class="wrap related-posts"><article><p>Body '
        'text.</p><div class="sharedaddy">X</div> tail stays</article></div></body></html>'
    )
    assert preclean(tree) == 2
    assert " ".join(tree.text_content().split()) == "Body text. tail stays"


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0b", "\x1f", "\ufffe", "\uffff"])
def test_characters_an_xml_tree_cannot_hold_are_dropped_before_parsing(char: str) -> None:
    tree = parse_html(f"<html><body><p>Jane{char} Doe</p><p>tab\tand\nnewline</p></body></html>")
    assert [p.text for p in tree.iter("p")] == ["Jane Doe", "tab\tand\nnewline"]


def test_preclean_drops_scripts_styles_and_templates_but_keeps_json_ld_and_tails() -> None:
    tree = parse_html(
        "<html><head><script type='application/ld+json'>{\"@type\": \"NewsArticle\"}</script><style>p{}</style>"
        "</head><body><p>One<script>track()</script> two</p><template><p>Hidden</p></template>"
        "<script type='text/javascript'>x()</script><p>Three</p></body></html>"
    )
    preclean(tree)
    assert [e.get("type") for e in tree.iter("script")] == ["application/ld+json"]
    assert next(tree.iter("style", "template"), None) is None
    assert [p.text_content() for p in tree.iter("p")] == ["One two", "Three"]
