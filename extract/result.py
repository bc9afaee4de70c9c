"""The result of extracting one page: :class:`Extraction`."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol

from extract.published import WINDOW_UNTRUSTED_SOURCES

__all__ = ["Extraction", "Rendering"]


class Rendering(Protocol):
    """What renders the kept blocks (``extract.content.Content``)."""

    def html(self) -> str: ...

    def markdown(self) -> str: ...


@dataclass
class Extraction:
    """Clean text, renderings and metadata of one page.

    ``text`` holds the paragraphs (subheadings included) separated by one blank line; ``html``
    and ``markdown`` render the same blocks, on first use (most callers archive only the text).
    ``details`` says how the result was obtained: extractor versions, encoding, metadata sources
    and dropped block counts by reason.
    """

    url: str
    text: str = ""
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None
    language: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    description: str | None = None
    image: str | None = None
    is_article: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    content: Rendering | None = field(default=None, repr=False, compare=False)

    @cached_property
    def html(self) -> str:
        """Clean main-content HTML (``<h2>``, ``<p>``, ``<ul>``, ``<blockquote>``, links kept)."""
        return self.content.html() if self.content is not None else ""

    @cached_property
    def markdown(self) -> str:
        """The main content as markdown (trafilatura's formatter)."""
        return self.content.markdown() if self.content is not None else ""

    @property
    def window_date(self) -> datetime | None:
        """The date a crawl's window judges the page by: :attr:`published`, unless its source is too weak to
        leave the page out (:data:`extract.published.WINDOW_UNTRUSTED_SOURCES`): then None, an undated page."""
        return None if self.details.get("published_source") in WINDOW_UNTRUSTED_SOURCES else self.published

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (renderings included): datetimes as ISO 8601 strings."""
        data: dict[str, Any] = {}
        for item in fields(self):
            if item.name == "content":
                continue
            value = getattr(self, item.name)
            data[item.name] = value.isoformat() if isinstance(value, datetime) else deepcopy(value)
            if item.name == "text":
                data["html"], data["markdown"] = self.html, self.markdown
        return data

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the renderings as strings (the lxml tree behind them does not pickle)."""
        state = dict(self.__dict__, html=self.html, markdown=self.markdown)
        state["content"] = None
        return state
