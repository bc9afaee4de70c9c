"""The page as an lxml tree, and the pre-clean that runs on it before trafilatura.

Pre-cleaning removes furniture that sits inside article containers (share bars, author boxes,
category strips, respond forms ...) by CSS selector: the built-in selectors of
:mod:`extract.rules` plus an outlet's ``boilerplate.drop_selectors``.

There are some 150 built-in selectors and a page matches a handful: :func:`extract.selectors.select`
evaluates them without scanning the page once per selector, with the same result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree, html

from core.errors import ExtractionError
from extract.rules import DROP_SELECTORS, THEME_SELECTORS
from extract.selectors import select

__all__ = ["PageTooDeep", "builtin_selectors", "parse_html", "preclean", "text_of"]


class PageTooDeep(ExtractionError):
    """A page nested deeper than the HTML parser keeps (libxml2 stops at 256 levels): what lies
    deeper, the article text with it, is lost, so the page is refused rather than read as empty."""

#: Elements never worth keeping; trafilatura drops them too, but removing them first is cheaper.
#: Scripts holding JSON-LD (:data:`_KEPT_SCRIPT_TYPE`) stay.
_NOISE_TAGS = ("script", "style", "template")
_KEPT_SCRIPT_TYPE = "application/ld+json"
#: Elements whose tag goes but whose content stays, as in trafilatura: some sites (Blogger, for one)
#: put the article text inside ``<noscript>``.
_UNWRAPPED_TAGS = ("noscript",)


_DOCTYPE = re.compile(r"^\s*<!DOCTYPE[^>]*>", re.IGNORECASE)
#: Characters an XML tree cannot hold (C0 controls but tab, newline and carriage return; U+FFFE, U+FFFF).
_NOT_XML_CHARS = "".join(map(chr, (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)))
_NOT_XML = re.compile(f"[{re.escape(_NOT_XML_CHARS)}]")


def _without_xml_invalid(text: str) -> str:
    """``text`` without :data:`_NOT_XML_CHARS`. Few pages hold one: a substring test per character
    (a memchr each) tells, at a quarter of the cost of the regex pass that removes them."""
    return _NOT_XML.sub("", text) if any(char in text for char in _NOT_XML_CHARS) else text


#: Every element of a parsed page is an :class:`lxml.html.HtmlElement`, chosen in C. lxml.html's own parser
#: picks a class per element in Python (``HtmlElementClassLookup.lookup``, for its form-field classes, which
#: nothing here uses) each time lxml makes a Python object of an element: ~0.3 µs each, some 800 times a page
#: in a crawl's extraction. Comments and processing instructions are removed by the parser.
_ELEMENT_CLASSES = etree.ElementDefaultClassLookup(element=html.HtmlElement)


def _parser() -> html.HTMLParser:
    """A parser for one page (its error log tells whether a parser limit cut the page)."""
    parser = html.HTMLParser(remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(_ELEMENT_CLASSES)
    return parser


def builtin_selectors() -> tuple[str, ...]:
    """All built-in selectors: generic ones, then every theme's, without duplicates."""
    theme = [selector for selectors in THEME_SELECTORS.values() for selector in selectors]
    return tuple(dict.fromkeys([*DROP_SELECTORS, *theme]))


def parse_html(text: str) -> html.HtmlElement:
    """Parse ``text`` into an lxml HTML tree; empty or unparseable input is an ExtractionError."""
    if not text or not text.strip():
        raise ExtractionError("empty page")
    # lxml refuses str input that carries an XML encoding declaration
    if text.lstrip().startswith("<?xml"):
        text = text.split("?>", 1)[-1]
    # libxml2 mis-parses some pages after their doctype (lxml bug 1955915), and an XML tree cannot
    # hold control characters: trafilatura's own loader repairs both, so its extraction sees the same tree
    text = _DOCTYPE.sub("", _without_xml_invalid(text), count=1)
    parser = _parser()
    try:
        tree = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"cannot parse HTML: {exc}") from None
    for entry in parser.error_log.filter_types(etree.ErrorTypes.ERR_RESOURCE_LIMIT):
        if "depth" in entry.message.lower():
            raise PageTooDeep(f"page too deep to parse: {entry.message.strip()}")
        raise ExtractionError(f"page over a parser limit: {entry.message.strip()}")
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


def preclean(
    tree: html.HtmlElement, extra_selectors: Iterable[str] = (), tokens: frozenset[str] | None = None
) -> int:
    """Remove built-in and ``extra_selectors`` furniture from ``tree`` in place; returns the count.

    ``tokens`` are the page's class/id tokens (:func:`extract.selectors.page_tokens`) when
    already collected.
    ``<html>``, ``<body>`` and any element containing an ``<article>`` are never removed, so an
    over-broad outlet selector cannot empty the page.
    """
    removed = 0
    # one walk for the three tags (an XPath union of them scans the page three times), then removal
    noise = [e for e in tree.iter(*_NOISE_TAGS) if e.tag != "script" or e.get("type") != _KEPT_SCRIPT_TYPE]
    for element in noise:
        _remove(element)
    etree.strip_tags(tree, *_UNWRAPPED_TAGS)
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
