"""The result of extracting one page: :class:`Extraction`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Extraction"]


@dataclass
class Extraction:
    """Clean text, renderings and metadata of one page.

    ``text`` holds the paragraphs (subheadings included) separated by one blank line; ``html``
    and ``markdown`` render the same blocks. ``details`` says how the result was obtained:
    extractor versions, encoding, metadata sources and dropped block counts by reason.
    """

    url: str
    text: str = ""
    html: str = ""
    markdown: str = ""
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

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: datetimes as ISO 8601 strings."""
        data = asdict(self)
        for key in ("published", "modified"):
            value = data[key]
            data[key] = value.isoformat() if isinstance(value, datetime) else None
        return data
