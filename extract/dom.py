"""The page as an lxml tree, and the pre-clean that runs on it before trafilatura.

Pre-cleaning removes furniture that sits inside article containers (share bars, author boxes,
category strips, respond forms ...) by CSS selector: the built-in selectors of
:mod:`extract.rules` plus an outlet's ``boilerplate.drop_selectors``.

There are some 150 built-in selectors and a page matches a handful. Each selector knows the
class and id tokens it cannot match without (:class:`SelectorRule`); the page's tokens are
collected once, and only the selectors whose tokens all occur are evaluated, as one XPath union
compiled per distinct subset and cached. The result is the same as evaluating every selector.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import cssselect
from lxml import etree, html
from lxml.etree import XPath

from extract.rules import DROP_SELECTORS, THEME_SELECTORS
from newsarchive.errors import ExtractionError

__all__ = ["SelectorRule", "builtin_selectors", "compile_rules", "page_tokens", "parse_html", "preclean", "select", "text_of"]

#: Elements never worth keeping; trafilatura drops them too, but removing them first is cheaper.
_NOISE_TAGS = XPath("//script[not(@type='application/ld+json')]|//style|//noscript|//template")


def builtin_selectors() -> tuple[str, ...]:
    """All built-in selectors: generic ones, then every theme's, without duplicates."""
    theme = [selector for selectors in THEME_SELECTORS.values() for selector in selectors]
    return tuple(dict.fromkeys([*DROP_SELECTORS, *theme]))


_CLASSES = XPath("//@class", smart_strings=False)
_IDS = XPath("//@id", smart_strings=False)
_TRANSLATOR = cssselect.GenericTranslator()


@dataclass(frozen=True)
class SelectorRule:
    """One CSS selector as XPath, with the ``.class`` / ``#id`` tokens a match requires."""

    css: str
    xpath: str
    tokens: frozenset[str]

    def may_match(self, tokens: frozenset[str]) -> bool:
        """False when the page (its ``tokens``) lacks a class or id this selector needs."""
        return self.tokens <= tokens


def _required_tokens(node: object) -> set[str]:
    """The ``.class`` and ``#id`` tokens a parsed selector cannot match without."""
    if isinstance(node, cssselect.parser.Selector):
        return _required_tokens(node.parsed_tree)
    tokens: set[str] = set()
    if isinstance(node, cssselect.parser.Class):
        tokens.add("." + node.class_name)
    elif isinstance(node, cssselect.parser.Hash):
        tokens.add("#" + node.id)
    elif isinstance(node, cssselect.parser.CombinedSelector):
        tokens |= _required_tokens(node.subselector)
    # negations, pseudo-classes and attribute tests constrain only what they wrap (``.selector``)
    inner = getattr(node, "selector", None)
    return tokens | _required_tokens(inner) if inner is not None else tokens


@lru_cache(maxsize=256)
def compile_rules(selectors: tuple[str, ...]) -> tuple[SelectorRule, ...]:
    """``selectors`` as :class:`SelectorRule` (one per group member); a bad one raises ExtractionError."""
    rules: list[SelectorRule] = []
    for css in selectors:
        try:
            parsed = cssselect.parse(css)
            rules.extend(
                SelectorRule(css, _TRANSLATOR.selector_to_xpath(p), frozenset(_required_tokens(p))) for p in parsed
            )
        except Exception as exc:  # cssselect raises several unrelated types
            raise ExtractionError(f"invalid CSS selector in {selectors!r}: {css!r}: {exc}") from None
    return tuple(rules)


@lru_cache(maxsize=512)
def _union(xpaths: tuple[str, ...]) -> XPath:
    return XPath(" | ".join(xpaths) if xpaths else "/..")


def page_tokens(tree: html.HtmlElement) -> frozenset[str]:
    """Every ``.class`` and ``#id`` token used on the page."""
    classes = " ".join(_CLASSES(tree)).split()  # type: ignore[arg-type]
    return frozenset({*("." + c for c in classes), *("#" + str(i) for i in _IDS(tree))})  # type: ignore[union-attr]


def parse_html(text: str) -> html.HtmlElement:
    """Parse ``text`` into an lxml HTML tree; empty or unparseable input is an ExtractionError."""
    if not text or not text.strip():
        raise ExtractionError("empty page")
    # lxml refuses str input that carries an XML encoding declaration
    if text.lstrip().startswith("<?xml"):
        text = text.split("?>", 1)[-1]
    try:
        tree = html.document_fromstring(text, parser=html.HTMLParser(remove_comments=True, remove_pis=True))
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"cannot parse HTML: {exc}") from None
    return tree


def _remove(element: html.HtmlElement) -> None:
    """Drop ``element`` but keep its tail text in place."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def select(
    tree: html.HtmlElement, selectors: tuple[str, ...], tokens: frozenset[str] | None = None
) -> list[html.HtmlElement]:
    """Elements of ``tree`` matching any of ``selectors``, in document order.

    Only the selectors whose class/id tokens all occur on the page (``tokens``, collected when not
    given) are evaluated: the others cannot match, so the result is what evaluating every selector
    would give. Tokens collected before elements were removed are a superset, so still right.
    """
    tokens = page_tokens(tree) if tokens is None else tokens
    xpath = _union(tuple(rule.xpath for rule in compile_rules(selectors) if rule.may_match(tokens)))
    return xpath(tree)  # type: ignore[return-value]


def preclean(
    tree: html.HtmlElement, extra_selectors: Iterable[str] = (), tokens: frozenset[str] | None = None
) -> int:
    """Remove built-in and ``extra_selectors`` furniture from ``tree`` in place; returns the count.

    ``tokens`` are the page's class/id tokens (:func:`page_tokens`) when already collected.
    ``<html>``, ``<body>`` and any element containing an ``<article>`` are never removed, so an
    over-broad outlet selector cannot empty the page.
    """
    removed = 0
    for element in _NOISE_TAGS(tree):
        _remove(element)
    for element in select(tree, (*builtin_selectors(), *extra_selectors), tokens):
        if element.tag in ("html", "body") or element.find(".//article") is not None:
            continue
        if element.getparent() is not None and _still_attached(element, tree):
            _remove(element)
            removed += 1
    return removed


def _still_attached(element: html.HtmlElement, root: html.HtmlElement) -> bool:
    """False when an ancestor of ``element`` was removed already."""
    node = element
    while node.getparent() is not None:
        node = node.getparent()
    return node is root


def text_of(element: html.HtmlElement | None) -> str:
    """The whitespace-normalised text content of ``element`` ('' for None)."""
    if element is None:
        return ""
    return " ".join(element.text_content().split())
