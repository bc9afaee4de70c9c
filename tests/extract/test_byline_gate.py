"""The byline shortcuts of extract.authors: a selector skipped (or a term of one dropped) for want of a class/id
token is one that matches nothing."""

from __future__ import annotations

import pytest
from lxml import html

from extract.authors import (
    _byline_element_names,
    _joined_tokens,
    _may_match,
    _narrowed,
    _needs,
    _on_class_attribute,
    _split_filter,
)
from extract.rules import AUTHOR_SELECTORS
from extract.selectors import page_tokens

_PAGES = [
    "<p class='byline'>Jane Doe</p>",
    "<span class='post-author-name x'>Jane Doe</span>",
    "<div class='vcard'><span class='fn'>Jane Doe</span></div>",
    "<div class='fn'>Jane Doe</div>",
    "<a id='the-author'>Jane Doe</a>",
    "<div class='author-bio'>Jane Doe</div><p class='author'>John Roe</p>",
    "<p class='by\u00a0line'>Jane Doe</p>",
    "<p class='Byline'>Jane Doe</p><p class='authors'>John Roe</p>",
    "<p>Nothing here</p>",
    "<div class='tweet-embed'><b class='fullname'>Joe Public</b></div><p class='full-name x'>Jane Doe</p>",
    "<div class='embed'><b class='full_name'>Joe Public</b></div>",
]


@pytest.mark.parametrize("body", _PAGES)
def test_gated_selectors_find_what_every_selector_finds(body: str) -> None:
    tree = html.document_fromstring(f"<html><body><article>{body}</article></body></html>")
    tokens = page_tokens(tree)
    assert _byline_element_names(tree, tokens) == _byline_element_names(tree, None)
    for selector in AUTHOR_SELECTORS:
        if not _may_match(selector, tokens, _joined_tokens(tokens)):
            assert tree.xpath(selector) == []
        else:
            narrowed = _narrowed(selector, tokens, _joined_tokens(tokens))
            assert tree.xpath(narrowed) == tree.xpath(selector)
            assert tree.xpath(_on_class_attribute(narrowed)) == tree.xpath(selector)
        assert tree.xpath(_on_class_attribute(selector)) == tree.xpath(selector)


def test_narrowing_drops_the_terms_the_page_cannot_satisfy() -> None:
    tokens = page_tokens(html.document_fromstring("<html><body><p class='post-byline'>Jane Doe</p></body></html>"))
    joined = _joined_tokens(tokens)
    selector = "//*[contains(@class,'author-name') or contains(@class,'byline') or contains(@id,'author')]"
    assert _narrowed(selector, tokens, joined) == "//*[contains(@class,'byline')]"
    whole = "//*[contains(concat(' ',normalize-space(@class),' '),' byline ') or " \
        "contains(concat(' ',normalize-space(@class),' '),' post-byline ')]"
    assert _narrowed(whole, tokens, joined) == "//*[contains(concat(' ',normalize-space(@class),' '),' post-byline ')]"


@pytest.mark.parametrize(
    ("selector", "steps", "trailing"),
    [
        ("//*[contains(@class,'a')][not(ancestor::*[contains(@class,'b')])]", "//*[contains(@class,'a')]",
         "[not(ancestor::*[contains(@class,'b')])]"),
        ("//*[contains(@class,'a')]", "//*[contains(@class,'a')]", ""),
        ("//*[a][not(b)][c]", "//*[a][not(b)][c]", ""),  # more follows the predicate
        ("//*[a][not(b)]]", "//*[a][not(b)]]", ""),
    ],
)
def test_a_trailing_negated_predicate_is_split_off_only_when_it_closes_the_selector(
    selector: str, steps: str, trailing: str
) -> None:
    assert _split_filter(selector) == (steps, trailing)


def test_a_selector_with_a_trailing_negation_is_gated_by_its_steps_and_keeps_the_negation() -> None:
    selector = "//*[contains(@class,'full-name') or contains(@class,'fullname')][not(ancestor::*[@id='x'])]"
    assert _needs(selector) is not None
    tokens = page_tokens(html.document_fromstring("<html><body><p class='fullname'>Jane Doe</p></body></html>"))
    assert _narrowed(selector, tokens, _joined_tokens(tokens)) == "//*[contains(@class,'fullname')][not(ancestor::*[@id='x'])]"
    assert not _may_match(selector, frozenset({".name"}), _joined_tokens(frozenset({".name"})))


def test_a_step_with_a_negation_is_not_narrowed() -> None:
    # "A or B and not(N)" is "A or (B and not(N))": dropping B would leave "A and not(N)"
    tokens = page_tokens(html.document_fromstring("<html><body><p class='author'>Jane Doe</p></body></html>"))
    selector = "//*[contains(@class,'author') or contains(@class,'writer') and not(contains(@class,'bio'))]"
    assert _narrowed(selector, tokens, _joined_tokens(tokens)) == selector


def test_page_without_byline_tokens_skips_every_gated_selector() -> None:
    tokens = page_tokens(html.document_fromstring("<html><body><p class='lead'>Text</p></body></html>"))
    gated = [s for s in AUTHOR_SELECTORS if _needs(s) is not None]
    assert gated
    assert not any(_may_match(s, tokens, _joined_tokens(tokens)) for s in gated)


@pytest.mark.parametrize(
    "selector",
    [
        "//span[@itemprop='author']",
        "//*[contains(@class,'author') and not(contains(@class,'bio')) or not(@id)]",
        "//*[contains(@class,'author') or @id]",
        "//*[contains(@title,'author')]",
    ],
)
def test_selector_of_another_form_is_always_evaluated(selector: str) -> None:
    assert _needs(selector) is None
    assert _may_match(selector, frozenset(), _joined_tokens(frozenset()))


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("//*[contains(@class,'a') or contains(concat(' ',normalize-space(@class),' '),' b ')]",
         "//@class[contains(.,'a') or contains(concat(' ',normalize-space(.),' '),' b ')]/parent::*"),
        ("//*[contains(@class,'a') and not(contains(@class,'c'))]",
         "//@class[contains(.,'a') and not(contains(.,'c'))]/parent::*"),
        ("//*[contains(@class,'a')][not(ancestor::*[@id='x'])]",
         "//@class[contains(.,'a')]/parent::*[not(ancestor::*[@id='x'])]"),
        # not on the class attribute alone, or more than one step: as written
        ("//*[contains(@class,'a') or contains(@id,'a')]", None),
        ("//*[contains(@class,'a') and not(@id)]", None),
        ("//*[contains(@class,'a')]//*[contains(@class,'b')]", None),
        ("//span[@itemprop='author']", None),
    ],
)
def test_selectors_on_the_class_attribute_alone_visit_class_attributes(selector: str, expected: str | None) -> None:
    assert _on_class_attribute(selector) == (expected or selector)
