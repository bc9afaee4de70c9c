"""The identity of a request's URL: one request, one capture and one outcome per identity.

The spider puts the identity (:func:`core.urls.canonical_url`) of every URL it requests in the
request's meta; the dupe filter, the archived-article middleware and the captured pages read it
back with :func:`request_identity`.
"""

from __future__ import annotations

from scrapy import Request

from core.urls import canonical_url

__all__ = ["request_identity"]


def request_identity(request: Request) -> str:
    """The identity of the request's URL: the one the spider put in its meta, unless a redirect moved it."""
    identity = request.meta.get("identity")
    if identity is None or request.meta.get("redirect_urls"):
        return canonical_url(request.url)
    return str(identity)
