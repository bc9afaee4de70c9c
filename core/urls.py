"""URL identity: the one place that decides when two URLs name the same article.

``canonical_url()`` is used by discovery, deduplication, archive keys, the
archive index and ``download`` alike. It is written on :mod:`urllib.parse` alone:
tracking parameters (this module's list) and fragments dropped, host case,
scheme, default ports, ``index.html`` and trailing-slash variants unified. Its
result keys the archive (record keys, index, deduplication): changing a rule re-keys articles.
Only ``http`` and ``https`` URLs are pages of a site: :func:`is_web_url` says which are, and
:func:`same_site` never places another scheme (``ftp:``, ``s3:``, ``file:``, ``data:``...) on an outlet.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMS", "WEB_SCHEMES", "canonical_url", "is_web_url", "registered_host", "same_site"]

#: Query parameters that never change what a page is (exact names, lower case).
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid",
        "igshid", "_ga", "_gl", "ref", "ref_src", "ref_url", "cmpid", "ncid", "ocid", "spm",
        "share", "amp", "output", "s_cid", "__twitter_impression", "mkt_tok", "oly_anon_id",
        "oly_enc_id", "vero_id", "hsctatracking", "_hsenc", "_hsmi", "rss", "from", "partner",
    }
)
#: Query parameter prefixes that mark tracking (utm_source, utm_medium, ...).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "mtm_", "hsa_", "at_", "itm_")

#: The only schemes ever requested; a URL without one is taken as ``https`` (relative to a site).
WEB_SCHEMES: tuple[str, ...] = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_INDEX_FILE = re.compile(r"/(index|default)\.(html?|php|aspx?)$", re.IGNORECASE)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def is_web_url(url: str) -> bool:
    """True for an ``http``/``https`` URL (or one without a scheme): the only URLs a fetcher requests."""
    scheme = urlsplit(url.strip()).scheme.lower()
    return not scheme or scheme in WEB_SCHEMES


def canonical_url(url: str, *, keep_scheme: bool = False) -> str:
    """Return the identity of ``url``.

    - scheme and host lower-cased; ``http`` and ``https`` unified to ``https``
      unless ``keep_scheme`` (an outlet serving both serves the same page);
    - default ports, userinfo, fragments and tracking parameters dropped;
      remaining query parameters sorted;
    - percent-encoding normalised; ``/index.html`` and a trailing slash dropped
      (except for the root path ``/``).

    The result is stable: ``canonical_url(canonical_url(u)) == canonical_url(u)``. A URL of another
    scheme is no page of a site: it is returned stripped, unchanged (see :func:`is_web_url`).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "https"
    if scheme not in ("http", "https"):
        return url.strip()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    if not keep_scheme:
        scheme = "https"
    path = quote(unquote(parts.path or "/"), safe="/:@!$&'()*+,;=-._~%")
    path = re.sub(r"/{2,}", "/", path)
    path = _INDEX_FILE.sub("/", path)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query_items = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    query = urlencode(sorted(query_items), doseq=True)
    return urlunsplit((scheme, host, path, query, ""))


def registered_host(url: str) -> str:
    """The host of ``url`` without ``www.``, lower-cased, port kept when it is not default."""
    parts = urlsplit(canonical_url(url))
    host = parts.netloc
    return host[4:] if host.startswith("www.") else host


def same_site(url: str, domains: tuple[str, ...] | list[str] | frozenset[str]) -> bool:
    """True when ``url`` is an http(s) URL on one of ``domains`` (or a subdomain of one)."""
    if not is_web_url(url):
        return False
    host = registered_host(url)
    bare = host.split(":")[0]
    for domain in domains:
        domain = domain.lower()
        domain = domain[4:] if domain.startswith("www.") else domain
        if host == domain or bare == domain or bare.endswith("." + domain.split(":")[0]):
            if ":" in domain and host != domain:
                continue
            return True
    return False
