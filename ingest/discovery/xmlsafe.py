"""Hostile-input-safe XML parsing for sitemaps and feeds.

Sitemaps and feeds come from the open web: they can be truncated, mis-encoded,
huge, gzip-bombed or carry entity-expansion bombs ("billion laughs"). Everything
XML the crawler reads goes through :func:`parse_xml`, which:

- refuses documents larger than ``max_bytes`` (after gunzip, which is itself capped);
- never resolves entities, never loads a DTD, never touches the network;
- keeps ``huge_tree`` off, so libxml2's own depth and text-size limits hold;
- recovers what it can from malformed markup instead of failing.

It returns ``None`` when nothing usable is left; callers count that as a malformed
document and go on.
"""

from __future__ import annotations

import gzip
import io
import zlib
from urllib.parse import urljoin

from lxml import etree

__all__ = ["MAX_XML_BYTES", "XmlTooLarge", "absolute_url", "local_name", "maybe_gunzip", "parse_xml"]

#: Default cap on one XML document (a sitemap may hold 50,000 URLs, ~10 MB).
MAX_XML_BYTES = 50 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
#: Decompressed bytes read from a gzip file at a time (a bomb grows by at most this past the cap).
_GUNZIP_CHUNK_BYTES = 64 * 1024


class XmlTooLarge(ValueError):
    """A document (or its decompressed form) is above the size cap."""


def maybe_gunzip(body: bytes, *, max_bytes: int = MAX_XML_BYTES) -> bytes:
    """``body`` gunzipped when it is a gzip file (``sitemap.xml.gz``), capped at ``max_bytes``.

    Decompressed a chunk at a time, so a gzip bomb stops at the cap (:class:`XmlTooLarge`) instead of
    filling memory. Every member of a multi-member file is read; a damaged or truncated file gives
    what was decompressed before the damage (nothing when that is nothing).
    """
    if not body.startswith(_GZIP_MAGIC):
        return body
    out = bytearray()
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
        while True:
            try:
                chunk = stream.read1(_GUNZIP_CHUNK_BYTES)
            except (OSError, EOFError, zlib.error):
                break  # damaged from here on: keep what came before
            if not chunk:
                break
            out += chunk
            if len(out) > max_bytes:
                raise XmlTooLarge(f"gzip document expands beyond {max_bytes} bytes")
    return bytes(out)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(
    body: bytes, *, max_bytes: int = MAX_XML_BYTES, problems: list[str] | None = None
) -> etree._Element | None:
    """Root element of ``body`` parsed safely, or ``None`` when nothing could be recovered.

    Raises :class:`XmlTooLarge` when the document is above ``max_bytes``. When given,
    ``problems`` receives what was wrong with a document that was (partly) recovered:
    syntax errors, or a DTD declaring entities (no sitemap or feed needs one).
    """
    body = maybe_gunzip(body, max_bytes=max_bytes)
    if len(body) > max_bytes:
        raise XmlTooLarge(f"XML document of {len(body)} bytes is above the {max_bytes}-byte cap")
    body = body.lstrip()
    if not body:
        return None
    parser = _parser()
    try:
        root = etree.fromstring(body, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        if problems is not None:
            problems.append(f"unparseable: {exc}")
        return None
    if problems is not None:
        problems.extend(f"line {e.line}: {e.message}" for e in parser.error_log)
        if root is not None and root.getroottree().docinfo.internalDTD is not None:
            problems.append("declares a DTD (entities are never expanded)")
    return root


def absolute_url(base_url: str, ref: str) -> str | None:
    """``ref`` made absolute against ``base_url``; ``None`` when it is no usable URL (e.g. ``http://[::1``)."""
    try:
        return urljoin(base_url, ref)
    except ValueError:
        return None


def local_name(element: etree._Element) -> str:
    """Tag name without namespace, lower-cased ("" for comments and entities)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()
