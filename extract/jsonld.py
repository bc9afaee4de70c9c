"""JSON-LD on a page: the article node and the nodes it references.

Handles what real sites emit: several ``<script type="application/ld+json">`` blocks, ``@graph``
lists (Yoast), ``@type`` as a string or a list, authors and publishers given as ``{"@id": ...}``
references to other nodes, and slightly broken JSON (control characters, trailing commas).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import html

from extract.rules import ARTICLE_JSONLD_TYPES

__all__ = ["JsonLd", "is_article_type"]

_ARTICLE_TYPES = frozenset(name.lower() for name in ARTICLE_JSONLD_TYPES)

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
#: Control characters, raw line breaks and tabs included: JSON forbids them inside strings, where
#: hand-written JSON-LD often has them (outside strings a space is the same whitespace).
_CONTROL = re.compile(r"[\x00-\x1f]")


def _load(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        try:
            return json.loads(_TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", raw)))
        except ValueError:
            return None


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _walk(graph)
        for key in ("mainEntity", "itemListElement"):
            if isinstance(data.get(key), dict | list):
                yield from _walk(data[key])


def is_article_type(name: str) -> bool:
    """Whether a JSON-LD ``@type`` (a schema.org name, or its full URL) is one of :data:`ARTICLE_JSONLD_TYPES`."""
    return name.rsplit("/", 1)[-1].lower() in _ARTICLE_TYPES


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


class JsonLd:
    """All JSON-LD nodes of a page, with the article node picked out."""

    def __init__(self, tree: html.HtmlElement) -> None:
        self.nodes: list[dict[str, Any]] = []
        for script in tree.xpath('//script[@type="application/ld+json"]'):
            self.nodes.extend(_walk(_load(script.text or "")))
        self.by_id = {node["@id"]: node for node in self.nodes if isinstance(node.get("@id"), str)}
        self.article: dict[str, Any] = next(
            (n for n in self.nodes if any(is_article_type(t) for t in _types(n))), {}
        )

    @property
    def is_article(self) -> bool:
        return bool(self.article)

    def resolve(self, value: Any) -> Any:
        """Follow an ``{"@id": ...}`` reference to its node (value itself when not a reference)."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in self.by_id:
            return self.by_id[value["@id"]]
        return value

    def get(self, key: str) -> Any:
        return self.resolve(self.article.get(key))

    def text(self, key: str) -> str | None:
        value = self.get(key)
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str) and v.strip()), None)
        return value.strip() if isinstance(value, str) and value.strip() else None

    def names(self, key: str) -> list[str]:
        """Names of the person/organisation nodes under ``key`` (author, publisher ...)."""
        return self._names_of(self.get(key))

    def _names_of(self, value: Any) -> list[str]:
        values = value if isinstance(value, list) else [value]
        names: list[str] = []
        for item in values:
            item = self.resolve(item)
            if isinstance(item, str):
                names.append(item)
            elif isinstance(item, dict):
                name = item.get("name")
                if isinstance(name, list):
                    name = next((n for n in name if isinstance(n, str)), None)
                if not isinstance(name, str) and isinstance(item.get("givenName"), str):
                    name = f"{item['givenName']} {item.get('familyName') or ''}"
                if isinstance(name, str):
                    names.append(name)
        return [n.strip() for n in names if n and n.strip()]

    def author_names(self) -> list[str]:
        """Names under the article's ``author`` (then ``creator``); without an article node, the first node naming one."""
        return self._author_value()[0]

    def author_types(self) -> set[str]:
        """The ``@type`` names of the author nodes :meth:`author_names` reads ("Person", "Organization"; none for strings)."""
        return self._author_value()[1]

    def _author_value(self) -> tuple[list[str], set[str]]:
        values: list[Any] = [self.get(key) for key in ("author", "creator")]
        if not self.article:
            values += [node[key] for node in self.nodes for key in ("author", "creator") if key in node]
        for value in values:
            if names := self._names_of(value):
                items = value if isinstance(value, list) else [value]
                types: set[str] = set()
                for item in items:
                    item = self.resolve(item)
                    if isinstance(item, dict):
                        types |= _types(item)
                return names, types
        return [], set()

    def strings(self, key: str) -> list[str]:
        """A string or list of strings (keywords, articleSection); comma lists are split."""
        value = self.get(key)
        values = value if isinstance(value, list) else [value]
        out: list[str] = []
        for item in values:
            if isinstance(item, str):
                out.extend(part.strip() for part in item.split(",") if part.strip())
        return out

    def url(self, key: str) -> str | None:
        """A URL under ``key``: a string, an ImageObject, or the first of a list."""
        value = self.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        value = self.resolve(value)
        if isinstance(value, dict):
            value = value.get("url") or value.get("contentUrl")
        return value.strip() if isinstance(value, str) and value.strip() else None

    def breadcrumb(self) -> list[tuple[str, str | None]]:
        """``(name, url)`` of each item of the page's first ``BreadcrumbList``, by position."""
        trail = next((n for n in self.nodes if "BreadcrumbList" in _types(n)), None)
        if trail is None:
            return []
        items = trail.get("itemListElement")
        entries = [self.resolve(item) for item in (items if isinstance(items, list) else [items])]
        entries = [e for e in entries if isinstance(e, dict)]
        entries.sort(key=lambda e: e.get("position") if isinstance(e.get("position"), int) else 0)
        result: list[tuple[str, str | None]] = []
        for entry in entries:
            item = self.resolve(entry.get("item"))
            name = entry.get("name") or (item.get("name") if isinstance(item, dict) else None)
            url = item.get("@id") or item.get("url") if isinstance(item, dict) else item
            if isinstance(name, str) and name.strip():
                result.append((" ".join(name.split()), url if isinstance(url, str) else None))
        return result

    def site_names(self) -> list[str]:
        """Names of the publisher and of site/organisation nodes; a node that is also a Person (a personal
        blog's owner, as Yoast marks it) names a person, not the site."""
        publisher = self.resolve(self.get("publisher"))
        names = [] if isinstance(publisher, dict) and "Person" in _types(publisher) else self.names("publisher")
        names += [n["name"] for n in self.nodes if _types(n) & {"WebSite", "Organization", "NewsMediaOrganization"}
                  and "Person" not in _types(n) and isinstance(n.get("name"), str)]
        return names
