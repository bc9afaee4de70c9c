"""extract: clean article text and trustworthy metadata from a fetched news page.

trafilatura does the main-content extraction; this package adds what it misses, as rules kept
as data (:mod:`extract.rules`) with per-outlet overrides from the registry::

    from extract import extract_article
    ex = extract_article(body_bytes, url, outlet=outlet, known_headlines=archive_headlines)
    ex.title, ex.published, ex.text, ex.markdown

Modules: ``encoding`` (bytes to text), ``dom`` (parse, pre-clean), ``selectors`` (CSS selector lists, fast), ``metadata`` / ``jsonld`` /
``language`` (fields), ``authors`` (who wrote it), ``published`` (when: structured data, htmldate, the URL),
``textdates`` (htmldate's dateparser, asking only the languages a string can be written in), ``content`` (blocks
and renderings), ``paragraphs`` (post-extraction filter), ``templates`` (per-outlet learned lines), ``article``
(one page in, one extraction out: the steps in order), ``evaluation`` (precision/recall/F1 and leakage, shared
with bench/).
"""

from __future__ import annotations

from extract.article import EXTRACTOR_VERSION, ParsedPage, extract_article, parse_page
from extract.dom import PageTooDeep
from extract.encoding import DecodedPage, decode_html
from extract.result import Extraction
from extract.templates import TemplateLearner, strip_template_lines

__all__ = [
    "EXTRACTOR_VERSION",
    "DecodedPage",
    "Extraction",
    "PageTooDeep",
    "ParsedPage",
    "TemplateLearner",
    "decode_html",
    "extract_article",
    "parse_page",
    "strip_template_lines",
]
