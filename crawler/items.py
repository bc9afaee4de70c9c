"""The item of the crawl (like a Scrapy ``Item``): one fetched response, as the archive pipeline needs it.

The spider yields a :class:`FetchedPage` for every response it handles; the archive pipeline
(:class:`crawler.pipelines.ArchivePipeline`) also builds one for every response a middleware
consumed (:data:`crawler.signals.response_consumed`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crawler.identity import request_identity

if TYPE_CHECKING:
    from scrapy.http import Request, Response

__all__ = ["FetchedPage"]


@dataclass(slots=True)
class FetchedPage:
    """One response, as the pipeline needs it.

    ``role``: robots, document, listing, page or failed (yielded by the spider), retried or redirect
    (announced by a middleware, :data:`crawler.signals.ConsumedKind`; robots.txt of other hosts as robots).
    """

    url: str
    identity: str
    role: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    #: The outcome already decided by the spider (documents, listings, failures).
    outcome: str | None = None

    @classmethod
    def from_response(
        cls, response: Response, role: str, outcome: str | None = None, *, request: Request | None = None
    ) -> FetchedPage:
        request = request or response.request
        assert request is not None
        return cls(
            url=response.url,
            identity=request_identity(request),
            role=role,
            status=response.status,
            headers=_pairs(response.headers),
            body=response.body,
            fetched_at=datetime.now(UTC),
            request_headers=_pairs(request.headers),
            outcome=outcome,
        )


def _pairs(headers: Any) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]
