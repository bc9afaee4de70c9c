"""The extracted main content as blocks, and its renderings (text, HTML, markdown).

trafilatura returns the main content as an XML tree (``<p>``, ``<head rend="h2">``,
``<list><item>``, ``<quote>``, ``<hi>``, ``<ref>`` ...). :func:`blocks_of` flattens it into
:class:`Block` objects — one per paragraph, heading, list item, quote or table (a table's text keeps its
rows on lines of their own, cells separated) — that the paragraph filter judges; dropping a block removes its element from the tree, so the HTML and markdown
renderings (trafilatura's own serialisers) and the plain text always agree.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field

from lxml import etree
from trafilatura.htmlprocessing import convert_to_html
from trafilatura.utils import safe_base_url, safe_relative_url
from trafilatura.xml import xmltotxt

__all__ = ["Block", "Content", "alnum_key", "blocks_of"]

#: Elements that hold a paragraph of their own (trafilatura's XML names and HTML names).
_BLOCK_TAGS = frozenset(
    {"p", "head", "item", "quote", "code", "table", "list", "div", "section", "article",
     "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "pre", "main", "body"}
)
#: Blocks kept whole even when they contain other blocks.
_ATOMIC_TAGS = frozenset({"table", "code", "pre"})
_KINDS = {"head": "heading", "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading",
          "h5": "heading", "h6": "heading", "item": "item", "li": "item", "quote": "quote",
          "blockquote": "quote", "table": "table", "code": "code", "pre": "code"}


def _normalise_space(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Block:
    """One paragraph-like unit of the main content."""

    element: etree._Element
    kind: str  # "paragraph", "heading", "item", "quote", "table" or "code"
    text: str
    link_text: str = ""  # text inside links, whitespace-normalised
    links: int = 0

    @property
    def is_link_only(self) -> bool:
        """The block is nothing but one or more links."""
        return bool(self.link_text) and alnum_key(self.link_text) == alnum_key(self.text)

    @property
    def words(self) -> int:
        return len(self.text.split())


_NOT_ALNUM = re.compile(r"[\W_]+")


def alnum_key(text: str) -> str:
    r"""Letters and digits only, case-folded: the form in which two headlines or names are compared.

    (``\W`` is exactly "not ``str.isalnum()``, not underscore", so this is the character filter
    ``"".join(ch for ch in text if ch.isalnum())`` run in C.)
    """
    return _NOT_ALNUM.sub("", text).casefold()


#: Elements that make their parent a container of blocks: inline ``<code>`` (trafilatura's name for
#: both inline and block code) does not, so a paragraph or list item holding it stays one block.
_STRUCTURAL_TAGS = _BLOCK_TAGS - {"code"}


def _has_block_child(element: etree._Element) -> bool:
    return any(isinstance(child.tag, str) and child.tag in _STRUCTURAL_TAGS for child in element)


def _wrap_loose_text(container: etree._Element) -> None:
    """Put text lying between the blocks of ``container`` (its own text, tails, inline runs) into ``<p>`` blocks.

    trafilatura leaves such text beside its blocks ("<head>..</head>\"Quote\", said ..."): without
    a block of its own it would be judged by nothing and lost from every rendering. A ``<p>`` is
    made only for a run that holds something (most runs between blocks are empty).
    """
    children = list(container)
    result: list[etree._Element] = []
    text, inline = container.text, list[etree._Element]()
    container.text = None

    def flush() -> None:
        if (text or "").strip() or inline:
            loose = etree.Element("p")
            loose.text = text
            loose.extend(inline)
            result.append(loose)

    for child in children:
        tail, child.tail = child.tail, None
        if isinstance(child.tag, str) and child.tag in _STRUCTURAL_TAGS:
            flush()
            result.append(child)
            text, inline = tail, []
        else:
            inline.append(child)
            child.tail = tail
    flush()
    for child in list(container):
        container.remove(child)
    container.extend(result)


def unwrap_layout_tables(body: etree._Element) -> None:
    """Turn tables used for page layout (cells holding paragraphs) into plain containers."""
    for table in list(body.iter("table")):
        if table.find(".//p") is None and table.find(".//head") is None and table.find(".//list") is None:
            continue
        for element in table.iter("row", "cell"):
            element.tag = "div"
            element.attrib.clear()
        table.tag = "div"
        table.attrib.clear()


#: Between the cells of a table row in the plain text (rows go on lines of their own).
CELL_SEPARATOR = " | "


def table_text(table: etree._Element) -> str:
    """A data table as plain text: one line per row, cells separated by :data:`CELL_SEPARATOR`."""
    rows = []
    for row in table.iter("row", "tr"):
        cells = [_normalise_space("".join(cell.itertext())) for cell in row if cell.tag in ("cell", "td", "th")]
        if any(cells):
            rows.append(CELL_SEPARATOR.join(cells))
    return "\n".join(rows) if rows else _normalise_space("".join(table.itertext()))


def blocks_of(body: etree._Element) -> list[Block]:
    """The leaf blocks of ``body`` in document order (empty ones skipped).

    Layout tables are unwrapped first (:func:`unwrap_layout_tables`), so their cells are judged
    block by block like any other container.
    """
    unwrap_layout_tables(body)
    blocks: list[Block] = []

    def walk(element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag not in _ATOMIC_TAGS and _has_block_child(element):
            _wrap_loose_text(element)
            for child in element:
                if isinstance(child.tag, str):
                    walk(child)
            return
        text = table_text(element) if tag == "table" else _normalise_space("".join(element.itertext()))
        if not text:
            return
        refs = [_normalise_space("".join(ref.itertext())) for ref in element.iter("ref", "a")]
        blocks.append(Block(element, _KINDS.get(tag, "paragraph"), text, _normalise_space(" ".join(refs)), len(refs)))

    _wrap_loose_text(body)
    for child in body:
        if isinstance(child.tag, str):
            walk(child)
    return blocks


def remove_block(block: Block) -> None:
    """Take ``block`` out of its tree, then any container it leaves empty."""
    element = block.element
    parent = element.getparent()
    if parent is None:
        return
    parent.remove(element)
    while parent is not None and parent.getparent() is not None and not len(parent) and not (parent.text or "").strip():
        grand = parent.getparent()
        grand.remove(parent)
        parent = grand


_HTML_BLOCKS = {"p": "p", "h2": "head", "h3": "head", "h4": "head", "h5": "head", "h6": "head",
                "li": "item", "blockquote": "quote", "pre": "code"}


def body_from_html(container: etree._Element) -> etree._Element:
    """A trafilatura-style body built from the block elements of an HTML ``container``.

    The fallback for short pages, where trafilatura's baseline returns the whole container as one
    paragraph: each ``<p>``, ``<h2>``-``<h6>``, ``<li>``, ``<blockquote>`` becomes its own block.
    """
    body = etree.Element("body")
    for element in container.iter(*_HTML_BLOCKS):
        if any(ancestor.tag in _HTML_BLOCKS for ancestor in element.iterancestors()):
            continue
        text = _normalise_space(element.text_content())
        if not text:
            continue
        tag = _HTML_BLOCKS[element.tag]
        block = etree.SubElement(body, tag, rend=element.tag) if tag == "head" else etree.SubElement(body, tag)
        block.text = text
    return body


@dataclass
class Content:
    """The kept blocks and the tree they live in.

    ``base_url``: the page's URL when the link targets in ``body`` are still as the page wrote them
    (trafilatura was called without it); the renderings resolve them as trafilatura would have.
    """

    body: etree._Element
    blocks: list[Block] = field(default_factory=list)
    base_url: str | None = None

    @property
    def text(self) -> str:
        """Paragraphs (headings included) separated by one blank line."""
        return "\n\n".join(block.text for block in self.blocks)

    def html(self) -> str:
        """Clean main-content HTML (``<h2>``, ``<p>``, ``<ul>``, ``<blockquote>``, links kept)."""
        if not self.blocks:
            return ""
        tree = convert_to_html(_strip_containers(self._resolved()))
        body = tree.find("body")
        return "\n".join(etree.tostring(child, encoding="unicode", method="html").strip() for child in body)

    def markdown(self) -> str:
        """Markdown rendering of the main content (trafilatura's formatter)."""
        if not self.blocks:
            return ""
        return xmltotxt(_strip_containers(self._resolved()), include_formatting=True).strip()

    def _resolved(self) -> etree._Element:
        """A copy of the body with its link targets absolute (only the kept links, not every link of the page)."""
        body = deepcopy(self.body)
        base = safe_base_url(self.base_url) if self.base_url else ""
        if base:
            for ref in body.iter("ref"):
                target = ref.get("target")
                if target:  # as trafilatura's convert_link: a malformed target stays as written
                    ref.set("target", safe_relative_url(base, target) or target)
        return body


def _strip_containers(body: etree._Element) -> etree._Element:
    """Unwrap ``<div>``/``<section>`` wrappers that trafilatura's fallbacks sometimes leave."""
    etree.strip_tags(body, "div", "section", "article", "main", "span")
    return body
