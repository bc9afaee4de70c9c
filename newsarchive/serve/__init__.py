"""``newsarchive serve``: the archive browser — overview, search, articles and their versions, raw captures, runs, exports.

:func:`create_app` builds the Starlette application over one :class:`archive.Archive` and its
:class:`archive.search.SearchIndex`; :func:`serve` runs it with uvicorn and keeps the index current.
"""

from newsarchive.serve.app import create_app, serve

__all__ = ["create_app", "serve"]
