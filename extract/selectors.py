"""CSS selector lists evaluated fast: :func:`select` gives what one XPath union of them would.

The pre-clean holds some 150 selectors and a page matches a handful; evaluating each as XPath
costs a scan of the page with string functions on every element. Two shortcuts, neither of which
changes the result:

- each selector knows the ``.class`` / ``#id`` tokens it cannot match without
  (:attr:`SelectorRule.tokens`); the page's tokens are collected once (:func:`page_tokens`) and a
  selector whose tokens do not all occur is not evaluated at all;
- a *simple* selector — a tag and/or classes and/or an id, nothing else — is matched in Python in
  one walk over the elements (:class:`SimpleSelector`); only the others (combinators, attribute
  tests, pseudo-classes) run as XPath, united into one expression cached per distinct subset.

Class tokens are split on XML whitespace exactly as the XPath that ``cssselect`` writes does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cssselect
from lxml import etree, html
from lxml.etree import XPath

from core.errors import ExtractionError

__all__ = ["SelectorRule", "SimpleSelector", "compile_rules", "page_tokens", "select"]

_CLASSES = XPath("//@class", smart_strings=False)
_IDS = XPath("//@id", smart_strings=False)
_TRANSLATOR = cssselect.GenericTranslator()
#: What XPath's ``normalize-space`` splits on (``str.split`` would also split on NBSP and others).
_XML_SPACE = re.compile(r"[ \t\r\n]+")


@dataclass(frozen=True)
class SimpleSelector:
    """``tag.class1.class2#id`` (each part optional): matched against an element's own tokens."""

    tag: str | None  # None for ``*``
    tokens: frozenset[str]  # ".class" and "#id"

    def matches(self, tag: str, tokens: set[str]) -> bool:
        return (self.tag is None or self.tag == tag) and self.tokens <= tokens


@dataclass(frozen=True)
class SelectorRule:
    """One CSS selector as XPath, with the ``.class`` / ``#id`` tokens a match requires."""

    css: str
    xpath: str
    tokens: frozenset[str]
    simple: SimpleSelector | None = None  # set when the selector can be matched without XPath

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


def _simple(selector: cssselect.parser.Selector) -> SimpleSelector | None:
    """The selector as tag + tokens when it is nothing more (no pseudo-element either)."""
    if selector.pseudo_element is not None:
        return None
    node = selector.parsed_tree
    tokens: set[str] = set()
    while isinstance(node, cssselect.parser.Class | cssselect.parser.Hash):
        tokens.add("." + node.class_name if isinstance(node, cssselect.parser.Class) else "#" + node.id)
        node = node.selector
    if type(node) is not cssselect.parser.Element or node.namespace is not None:
        return None
    return SimpleSelector(None if node.element in (None, "*") else node.element, frozenset(tokens))


@lru_cache(maxsize=256)
def compile_rules(selectors: tuple[str, ...]) -> tuple[SelectorRule, ...]:
    """``selectors`` as :class:`SelectorRule` (one per group member); a bad one raises ExtractionError."""
    rules: list[SelectorRule] = []
    for css in selectors:
        try:
            rules.extend(
                SelectorRule(css, _TRANSLATOR.selector_to_xpath(p), frozenset(_required_tokens(p)), _simple(p))
                for p in cssselect.parse(css)
            )
        except Exception as exc:  # cssselect raises several unrelated types
            raise ExtractionError(f"invalid CSS selector in {selectors!r}: {css!r}: {exc}") from None
    return tuple(rules)


@lru_cache(maxsize=512)
def _union(xpaths: tuple[str, ...]) -> XPath:
    return XPath(" | ".join(xpaths) if xpaths else "/..")


def page_tokens(tree: html.HtmlElement) -> frozenset[str]:
    """Every ``.class`` and ``#id`` token used on the page (a superset of what XPath sees)."""
    classes = " ".join(_CLASSES(tree)).split()  # type: ignore[arg-type]
    return frozenset({*("." + c for c in classes), *("#" + str(i) for i in _IDS(tree))})  # type: ignore[union-attr]


def _own_tokens(element: etree._Element) -> set[str]:
    classes, element_id = element.get("class"), element.get("id")
    tokens = {"." + c for c in _XML_SPACE.split(classes) if c} if classes else set()
    if element_id is not None:
        tokens.add("#" + element_id)
    return tokens


def select(
    tree: html.HtmlElement, selectors: tuple[str, ...], tokens: frozenset[str] | None = None
) -> list[html.HtmlElement]:
    """Elements of ``tree`` matching any of ``selectors``, in document order.

    ``tokens`` are the page's (:func:`page_tokens`), collected when not given; tokens collected
    before elements were removed are a superset, so still right.
    """
    tokens = page_tokens(tree) if tokens is None else tokens
    active = [rule for rule in compile_rules(selectors) if rule.may_match(tokens)]
    by_token: dict[str, list[SimpleSelector]] = {}
    by_tag: dict[str | None, list[SimpleSelector]] = {}
    for rule in active:
        if rule.simple is not None and rule.simple.tokens:
            by_token.setdefault(min(rule.simple.tokens), []).append(rule.simple)
        elif rule.simple is not None:
            by_tag.setdefault(rule.simple.tag, []).append(rule.simple)
    xpath = _union(tuple(rule.xpath for rule in active if rule.simple is None))
    if not by_token and not by_tag:
        return xpath(tree)  # type: ignore[return-value]
    matched = set(xpath(tree))  # type: ignore[arg-type]
    candidates = _candidates(tuple(sorted(by_token)), tuple(sorted(by_tag, key=str)))
    elements = list(tree.iter(etree.Element)) if candidates is None else candidates(tree)
    found = matched.copy()
    for element in elements:  # type: ignore[union-attr]
        tag = element.tag
        if by_tag and (None in by_tag or tag in by_tag):
            found.add(element)
            continue
        own = _own_tokens(element)
        if any(s.matches(tag, own) for token in own for s in by_token.get(token, ())):  # type: ignore[arg-type]
            found.add(element)
    if candidates is None or not matched:
        return [element for element in elements if element in found]  # type: ignore[union-attr]
    return sorted(found, key=_document_position)


_TAG_NAME = re.compile(r"[A-Za-z_][\w.-]*")
#: Above this many tests the candidate XPath costs more than checking every element in Python. Its
#: class and id tests run on those attributes only, not on every element (the elements without one
#: are most): on the real-page sets the most a page needs, 26, still costs less than the walk.
_MAX_CANDIDATE_TESTS = 30


def _literal(value: str) -> str | None:
    if "'" not in value:
        return f"'{value}'"
    return f'"{value}"' if '"' not in value else None


@lru_cache(maxsize=512)
def _candidates(keys: tuple[str, ...], tags: tuple[str | None, ...]) -> XPath | None:
    """The elements that may match simple selectors indexed by ``keys`` (".class", "#id") or of ``tags``.

    A class test is a substring test (``contains``), so every element holding the token is among
    them; the exact test stays in Python. The tests are made on the ``class`` and ``id`` attributes,
    then their elements taken: the union gives them in document order, once each (0.55 -> 0.3 ms a
    page against testing every element). None when every element is a candidate (``*``), a token
    cannot be written as an XPath literal, or there are too many tests to be worth it.
    """
    classes, ids = [], []
    for key in keys:
        literal = _literal(key[1:])
        if literal is None:
            return None
        if key.startswith("."):
            classes.append(f"contains(.,{literal})")
        else:
            ids.append(f".={literal}")
    names = []
    for tag in tags:
        if tag is None or not _TAG_NAME.fullmatch(tag):
            return None
        names.append(f"self::{tag}")
    if not (classes or ids or names) or len(classes) + len(ids) + len(names) > _MAX_CANDIDATE_TESTS:
        return None
    parts = [
        f"descendant-or-self::*/@{attribute}[{' or '.join(tests)}]/parent::*"
        for attribute, tests in (("class", classes), ("id", ids))
        if tests
    ]
    if names:
        parts.append(f"descendant-or-self::*[{' or '.join(names)}]")
    return XPath(" | ".join(parts))


def _document_position(element: etree._Element) -> list[int]:
    """The child indexes from the root down to ``element``: sorted, they give document order."""
    path = []
    node, parent = element, element.getparent()
    while parent is not None:
        path.append(parent.index(node))
        node, parent = parent, parent.getparent()
    path.reverse()
    return path
