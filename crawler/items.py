"""The item of the crawl (like a Scrapy ``Item``): one fetched response, as the archive pipeline needs it.

The spider yields a :class:`FetchedPage` for every response it handles; the archive pipeline
(:class:`crawler.pipelines.ArchivePipeline`) also builds one for every response a middleware
consumed (:data:`crawler.signals.response_consumed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crawler.identity import request_identity
from ingest.pages import FetchedResponse

if TYPE_CHECKING:
    from scrapy.http import Request, Response

__all__ = ["FetchedPage"]


@dataclass(slots=True)
class FetchedPage:
    """One response (:class:`ingest.pages.FetchedResponse`), with what the crawl knows of it.

    ``role``: robots, document, listing, page or failed (yielded by the spider), retried or redirect
    (announced by a middleware, :data:`crawler.signals.ConsumedKind`; robots.txt of other hosts as robots).
    """

    response: FetchedResponse
    identity: str
    role: str
    #: The outcome already decided by the spider (documents, listings, failures).
    outcome: str | None = None

    @classmethod
    def from_response(
        cls, response: Response, role: str, outcome: str | None = None, *, request: Request | None = None
    ) -> FetchedPage:
        request = request or response.request
        assert request is not None
        fetched = FetchedResponse(
            url=response.url,
            status=response.status,
            headers=_pairs(response.headers),
            body=response.body,
            fetched_at=datetime.now(UTC),
            request_headers=_pairs(request.headers),
        )
        return cls(fetched, identity=request_identity(request), role=role, outcome=outcome)


def _pairs(headers: Any) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]
