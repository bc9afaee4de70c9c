"""``extract_article``: one page in, one :class:`~extract.result.Extraction` out.

The steps, each in its own module::

    bytes ──decode (encoding)──► text ──parse (dom)──► tree ──metadata──► title, dates, ...
                                                        │
                                     pre-clean: drop furniture selectors (dom, rules)
                                                        │
                 trafilatura's extraction sequence, as bare_extraction(include_comments=False)
                                                        │
                              blocks (content) ──paragraph filter (paragraphs, rules)──►
                                        text / html / markdown, language check (language)

trafilatura runs once, on the already-parsed tree itself, not a copy (:func:`_trafilatura_body`);
the renderings come from the same filtered tree, so text, HTML and markdown always agree (HTML
and markdown are rendered when first read).
A caller that reads the page first (the crawler decides whether it is an article) parses it once
with :func:`parse_page` and passes the :class:`ParsedPage` to :func:`extract_article`.
"""

from __future__ import annotations

from collections.abc import Collection
from copy import deepcopy
from dataclasses import dataclass
from importlib.metadata import version

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.core import trafilatura_sequence
from trafilatura.settings import Extractor

from core.errors import ExtractionError
from core.registry import Outlet
from extract.content import Content, blocks_of, body_from_html
from extract.dom import parse_html, preclean
from extract.encoding import DecodedPage, decode_html
from extract.language import check_language
from extract.metadata import extract_metadata
from extract.paragraphs import ParagraphFilter, ParagraphRules
from extract.result import Extraction
from extract.rules import ARTICLE_OG_TYPES, MIN_ARTICLE_TEXT_CHARS
from extract.selectors import page_tokens

__all__ = ["EXTRACTOR_VERSION", "TRAFILATURA_OPTIONS", "ParsedPage", "extract_article", "parse_page"]

#: How trafilatura is called. ``include_comments=False`` scores higher on news pages (comments
#: are not the article); links are kept for the HTML/markdown renderings and to recognise
#: link-only teaser lines. Formatting (bold, italics) is not: with it trafilatura loses
#: paragraphs on real pages (body recall 0.9413 without it, 0.9395 with it, on trafilatura's own set).
TRAFILATURA_OPTIONS: dict[str, object] = {
    "include_comments": False,
    "include_links": True,
    "include_formatting": False,
    "include_tables": True,
    "include_images": False,
    "output_format": "xml",
    "with_metadata": False,
}
#: bare_extraction's keyword -> Extractor's, for :func:`_trafilatura_body`.
_EXTRACTOR_NAMES = {
    "include_comments": "comments", "include_links": "links", "include_formatting": "formatting",
    "include_tables": "tables", "include_images": "images", "output_format": "output_format",
    "with_metadata": "with_metadata",
}
#: :data:`TRAFILATURA_OPTIONS` as trafilatura's settings object, built once: building one reads
#: trafilatura's configuration (0.14 ms, every page), and its extraction never changes the one it
#: is given (its recall retry sets the "recall" focus on a copy).
_EXTRACTOR = Extractor(**{_EXTRACTOR_NAMES[key]: value for key, value in TRAFILATURA_OPTIONS.items()})  # type: ignore[arg-type]
#: The short-page rebuild replaces trafilatura's one block only when it keeps this share of its words.
_FALLBACK_MIN_SHARE = 0.8


#: This extractor's version: raise it whenever a change alters what pages give (rules, metadata,
#: rendering). Each record names it; ``newsarchive reextract`` re-reads captures extracted by another.
EXTRACTOR_VERSION = "2026.12.5"


def _versions() -> dict[str, str]:
    return {"trafilatura": trafilatura.__version__, "lxml": etree.__version__, "htmldate": version("htmldate")}


_VERSIONS = _versions()


def _short_page_fallback(tree: HtmlElement, body: etree._Element) -> etree._Element:
    """trafilatura's baseline returns a short article as one paragraph: rebuild it block by block.

    Only when the result is one block (a single wrapper holding many blocks is no such case), and
    only if the rebuilt body keeps nearly all its words (:data:`_FALLBACK_MIN_SHARE`; the one block
    often holds the headline too, which the rebuild leaves to the title field).
    """
    if len(blocks_of(deepcopy(body))) > 1:
        return body
    container = tree.find(".//article")
    if container is None:
        return body
    rebuilt = body_from_html(container)
    kept = len("".join(body.itertext()).split())
    rebuilt_words = len("".join(rebuilt.itertext()).split())
    return rebuilt if len(rebuilt) > 1 and rebuilt_words >= _FALLBACK_MIN_SHARE * kept else body


def _trafilatura_body(tree: HtmlElement) -> etree._Element | None:
    """``trafilatura.bare_extraction(tree, **TRAFILATURA_OPTIONS).body``, without its copy of ``tree``.

    bare_extraction copies a tree it is handed, for a caller that still needs it (0.5 to 1 ms a page,
    the whole page); :func:`_extract` does not (the short-page fallback parses the page again, see
    :func:`_precleaned_again`), so trafilatura's own sequence runs on the tree, with the checks
    bare_extraction makes around it for these options (no language, metadata, dedup or prune rules).
    trafilatura is pinned; tests/extract/test_trafilatura_body.py checks the two agree.
    """
    options = _EXTRACTOR
    try:
        body, text, _, comments = trafilatura_sequence(tree, options, None)
        if options.max_tree_size and len(body) > options.max_tree_size:
            etree.strip_tags(body, "hi")
            if len(body) > options.max_tree_size:
                return None
        if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
            return None
    except (TypeError, ValueError):  # as bare_extraction: the page is discarded
        return None
    return body


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """A page decoded and parsed once. Read its tree before :func:`extract_article`, which consumes it."""

    decoded: DecodedPage
    tree: HtmlElement


def parse_page(html: bytes | str, encoding: str | None = None) -> ParsedPage:
    """Decode (``encoding``: the HTTP header charset, if known) and parse a page; ExtractionError if unreadable."""
    try:
        decoded = decode_html(html, encoding)
        return ParsedPage(decoded, parse_html(decoded.text))
    except (ValueError, TypeError, LookupError, etree.LxmlError) as exc:
        raise ExtractionError(f"cannot parse: {type(exc).__name__}: {exc}") from exc


def extract_article(
    html: bytes | str | ParsedPage,
    url: str,
    *,
    outlet: Outlet | None = None,
    known_headlines: Collection[str] = (),
    template_lines: Collection[str] = (),
    encoding: str | None = None,
) -> Extraction:
    """Extract clean text and metadata from one fetched page.

    ``encoding`` is the HTTP header charset when known; ``known_headlines`` are headlines of other
    articles of the outlet (a paragraph equal to one is a teaser); ``template_lines`` come from
    :class:`extract.TemplateLearner`. ``html`` may be a :class:`ParsedPage` (its tree is consumed;
    ``encoding`` is then unused). Bad input raises :class:`ExtractionError`, nothing else.
    """
    if html is None or (isinstance(html, bytes | str) and not html.strip()):
        raise ExtractionError(f"{url}: empty page")
    try:
        return _extract(html, url, outlet, known_headlines, template_lines, encoding)
    except ExtractionError as exc:
        raise ExtractionError(f"{url}: {exc}") from None
    except (ValueError, TypeError, LookupError, etree.LxmlError, RecursionError) as exc:
        raise ExtractionError(f"{url}: cannot extract: {type(exc).__name__}: {exc}") from exc


def _precleaned_again(page: DecodedPage, selectors: tuple[str, ...], tokens: frozenset[str]) -> HtmlElement:
    """The tree trafilatura was given, before it pruned it: the page parsed and pre-cleaned again.

    Only the short-page fallback needs it (a few pages in a hundred); keeping a copy of every
    page for them would cost more. Parsing and pre-cleaning are deterministic, and the metadata
    step between them reads the tree without changing it.
    """
    tree = parse_html(page.text)
    preclean(tree, selectors, tokens)
    return tree


def _extract(
    raw: bytes | str | ParsedPage,
    url: str,
    outlet: Outlet | None,
    known_headlines: Collection[str],
    template_lines: Collection[str],
    encoding: str | None,
) -> Extraction:
    if isinstance(raw, ParsedPage):
        page, tree = raw.decoded, raw.tree
    else:
        page = decode_html(raw, encoding)
        tree = parse_html(page.text)
    tokens = page_tokens(tree)
    meta = extract_metadata(
        tree, url, tz=outlet.tz if outlet else None, site_name=outlet.name if outlet else None, tokens=tokens,
        raw_html=page.text,
    )
    has_article_element = tree.find(".//article") is not None
    selectors = tuple(outlet.boilerplate.drop_selectors) if outlet else ()
    removed_elements = preclean(tree, selectors, tokens)

    # Without the URL: trafilatura would make every link target of the page absolute, several
    # times over; Content resolves the kept ones, the same way, when a rendering is read.
    body = _trafilatura_body(tree)  # trafilatura prunes ``tree`` in place: not read after this
    if body is None:
        body = etree.Element("body")
    if len(body) <= 1 and has_article_element:  # the rebuild reads an <article>: none, nothing to rebuild
        body = _short_page_fallback(_precleaned_again(page, selectors, tokens), body)
    rules = ParagraphRules.for_patterns(tuple(outlet.boilerplate.drop_paragraphs) if outlet else ())
    paragraph_filter = ParagraphFilter(
        rules, title=meta.title, known_headlines=known_headlines, template_lines=template_lines
    )
    kept, dropped, template_hits = paragraph_filter.apply(blocks_of(body))
    content = Content(body, kept, base_url=url)
    text = content.text

    language, detected = check_language(meta.language_declared, text, outlet.language if outlet else None)
    is_article = bool(
        (meta.og_type or "").strip().lower() in ARTICLE_OG_TYPES
        or meta.jsonld_article
        or (has_article_element and len(text) >= MIN_ARTICLE_TEXT_CHARS)
    )
    return Extraction(
        url=url,
        text=text,
        title=meta.title,
        authors=meta.authors,
        published=meta.published,
        modified=meta.modified,
        language=language,
        section=meta.section,
        tags=meta.tags,
        canonical_url=meta.canonical_url,
        description=meta.description,
        image=meta.image,
        is_article=is_article,
        content=content,
        details={
            "extractor": EXTRACTOR_VERSION,
            "versions": _VERSIONS,
            "encoding": page.encoding,
            "encoding_declared": page.declared,
            "encoding_detected": page.detected,
            "published_source": meta.published_source,
            "published_confidence": meta.published_confidence,
            "authors_source": meta.authors_source,
            "language_declared": meta.language_declared,
            "language_detected": detected,
            "removed_elements": removed_elements,
            "dropped_blocks": dict(dropped),
            "template_lines_removed": template_hits,
            "paragraphs": len(kept),
        },
    )
