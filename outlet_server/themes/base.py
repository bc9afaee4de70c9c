"""What every theme shares: the page context, escaping, dates, metadata tags and related-post picking."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import urljoin

from outlet_server.corpus import ArticleSpec, Corpus, tag_slug

__all__ = ["PageContext", "esc", "iso", "jsonld", "meta_property", "related_articles"]

_LOCALES = {"en": "en_US", "ar": "ar_AR", "ru": "ru_RU"}
_HTML_LANG = {"en": "en-US", "ar": "ar", "ru": "ru-RU"}
_TRACKING_SUFFIXES = ("?utm_source=twitter&utm_medium=social&utm_campaign=share", "?fbclid=IwAR0x7demo",
                      "#comments", "?utm_source=rss&utm_medium=rss", "")


def esc(text: str) -> str:
    return escape(text, quote=True)


def iso(moment: datetime, *, with_offset: bool = True) -> str:
    """ISO 8601 with seconds; without the offset (local wall time) when the page states no timezone."""
    return moment.isoformat(timespec="seconds") if with_offset else moment.replace(tzinfo=None).isoformat("T", "seconds")


def jsonld(data: dict[str, Any], *, attrs: str = "") -> str:
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json"{attrs}>{text}</script>'


def meta_property(prop: str, content: str) -> str:
    return f'<meta property="{prop}" content="{esc(content)}" />'


def stable_number(text: str, modulo: int) -> int:
    """A number derived from ``text`` that is the same in every process (unlike ``hash``)."""
    return zlib.crc32(text.encode("utf-8")) % modulo


def related_articles(article: ArticleSpec, corpus: Corpus, count: int = 3) -> list[ArticleSpec]:
    """Articles of the same section published just before this one (newest first), else the newest ones."""
    pool = corpus.by_section.get(article.section_slug, [])
    start = corpus.section_position[(article.section_slug, article.post_id)] + 1
    chosen = pool[start: start + count]
    if len(chosen) < count:
        chosen += [a for a in corpus.newest_first if a is not article and a not in chosen][: count - len(chosen)]
    return chosen


@dataclass
class PageContext:
    """Where and how a page is rendered: the outlet's origin, its corpus, and the links faults add."""

    base_url: str
    corpus: Corpus
    #: Extra (href, text) links a page carries: attachments, off-site links, redirect traps.
    extra_links: list[tuple[str, str]] = field(default_factory=list)
    #: Write links to other articles with tracking parameters, fragments and scheme/slash variants.
    tracking_variants: bool = False

    @property
    def site_name(self) -> str:
        return self.corpus.site_name

    def url(self, path: str) -> str:
        if path.startswith("/"):
            return self.base_url.rstrip("/") + path
        return urljoin(self.base_url, path)

    def link(self, path: str) -> str:
        """The URL a page writes when it links to another page of the outlet."""
        url = self.url(path)
        if not self.tracking_variants:
            return url
        variant = stable_number(path, 7)
        if variant < len(_TRACKING_SUFFIXES):
            return url + _TRACKING_SUFFIXES[variant]
        if variant == 5:
            return url.rstrip("/")
        return url.replace("http://", "HTTP://", 1)

    def html_lang(self, language: str) -> str:
        return _HTML_LANG.get(language, language)

    def locale(self, language: str) -> str:
        return _LOCALES.get(language, language)

    def tag_links(self, article: ArticleSpec, template: str) -> str:
        """``template`` filled with ``href`` and ``name`` for each tag."""
        return "".join(template.format(href=esc(self.url(f"/tag/{tag_slug(t)}/")), name=esc(t)) for t in article.tags)

    def author_url(self, slug: str) -> str:
        return self.url(f"/author/{slug}/")

    def open_graph(self, article: ArticleSpec, *, times: bool) -> str:
        """og:* (and article:* when ``times``) as Yoast SEO writes them."""
        tags = [
            meta_property("og:locale", self.locale(article.language)),
            meta_property("og:type", "article"),
            meta_property("og:title", article.title),
            meta_property("og:description", article.description),
            meta_property("og:url", self.url(article.path)),
            meta_property("og:site_name", self.site_name),
            meta_property("article:section", article.section),
        ]
        tags += [meta_property("article:tag", t) for t in article.tags]
        if times:
            tags.append(meta_property("article:published_time", iso(article.published)))
            if article.modified:
                tags.append(meta_property("article:modified_time", iso(article.modified)))
        tags.append(meta_property("og:image", self.url(article.image)))
        return "\n".join(tags)

    def person_list(self, names: Iterable[str]) -> list[dict[str, str]]:
        from outlet_server.corpus import author_slug

        return [{"@type": "Person", "name": n, "url": self.author_url(author_slug(n))} for n in names]
