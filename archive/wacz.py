"""WACZ export: a selection's raw captures as one zip that ReplayWeb.page and pywb open.

A WACZ 1.1.1 file (https://specs.webrecorder.net/wacz/1.1.1/) holds:

- ``archive/data.warc.gz``: the captures, re-packed by ``download --format warc``
  (:class:`archive.formats.WarcRepacker`, digests checked), stored uncompressed in the zip so a
  replayer reads records by offset;
- ``indexes/index.cdx``: one CDXJ line per response record (SURT key, timestamp, and a JSON block
  with url, mime, status, digest, offset, length, filename), sorted — named ``.cdx`` as the
  ``wacz`` tool names its CDXJ index, the name pywb's ``wb-manager add --unpack-wacz`` looks for;
- ``pages/pages.jsonl``: one page per article with its title and clean text (``hasText``), from
  ``download --format jsonl`` of the same selection;
- ``datapackage.json``: every file above with its size and SHA-256.

Built with warcio and :mod:`zipfile`: the ``wacz`` package on PyPI would bring pywb and its
pinned dependency tree into the main environment (the project keeps pywb in its own environment,
``tools/pywb``), for what is a zip of three small generated files around the WARC.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from archive import download
from archive.download import ExportSummary, Selection

if TYPE_CHECKING:
    from archive.facade import Archive

__all__ = ["WACZ_VERSION", "export_wacz", "surt"]

WACZ_VERSION = "1.1.1"
_WARC_NAME = "data.warc.gz"


def surt(url: str) -> str:
    """The SURT key CDXJ indexes sort by, as the ``surt`` package (pywb, the ``wacz`` tool) writes it:
    host labels reversed (``www.`` dropped), default port dropped, path and query lower case, the
    path's trailing slash dropped, query parameters sorted — ``com,example)/a/b?a=2&x=1``."""
    parts = urlsplit(url)
    key = ",".join(reversed((parts.hostname or "").lower().removeprefix("www.").split(".")))
    if parts.port and (parts.scheme, parts.port) not in (("http", 80), ("https", 443)):
        key += f":{parts.port}"
    path = parts.path.lower() or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = "&".join(sorted(parts.query.lower().split("&"))) if parts.query else ""
    return f"{key}){path}" + (f"?{query}" if query else "")


def _timestamp(warc_date: str) -> str:
    return "".join(ch for ch in warc_date if ch.isdigit())[:14]


def _cdxj_and_pages(warc: Path) -> tuple[list[str], dict[str, str]]:
    """CDXJ lines of the response records, and the capture time of each URL (its first response)."""
    lines: list[str] = []
    times: dict[str, str] = {}
    with open(warc, "rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type != "response":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            date = record.rec_headers.get_header("WARC-Date") or ""
            headers = record.http_headers
            record.content_stream().read()
            block = {
                "url": url, "mime": (headers.get_header("Content-Type") or "").split(";")[0] if headers else "",
                "status": headers.get_statuscode() if headers else "",
                "digest": record.rec_headers.get_header("WARC-Payload-Digest") or "",
                "offset": records.get_record_offset(), "length": records.get_record_length(), "filename": _WARC_NAME,
            }  # fmt: skip
            lines.append(f"{surt(url)} {_timestamp(date)} {json.dumps(block)}")
            times.setdefault(url, date)
    return sorted(lines), times


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def export_wacz(archive: Archive, selection: Selection, out: Path, *, title: str = "newsarchive export") -> ExportSummary:
    """Write the selection's captures and texts to ``out`` as a WACZ file."""
    with tempfile.TemporaryDirectory(prefix="newsarchive-wacz-", dir=out.parent) as tmp:
        work = Path(tmp)
        (work / "archive").mkdir()
        (work / "indexes").mkdir()
        (work / "pages").mkdir()
        warc = work / "archive" / _WARC_NAME
        summary = download.export(archive.store, archive.index, "warc", warc, selection)
        download.export(archive.store, archive.index, "jsonl", work / "records.jsonl", selection)
        lines, times = _cdxj_and_pages(warc)
        (work / "indexes" / "index.cdx").write_text("".join(line + "\n" for line in lines), "utf-8")
        with open(work / "pages" / "pages.jsonl", "w", encoding="utf-8") as pages, \
                open(work / "records.jsonl", encoding="utf-8") as records:  # fmt: skip
            pages.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages", "hasText": True}) + "\n")
            for line in records:
                record: dict[str, Any] = json.loads(line)
                ts = times.get(record["url"]) or record.get("fetched_at") or ""
                pages.write(json.dumps({
                    "id": record["sha256"][:32], "url": record["url"], "ts": ts,
                    "title": record.get("title") or "", "text": record.get("text") or "",
                }, ensure_ascii=False) + "\n")  # fmt: skip
        files = ["archive/" + _WARC_NAME, "indexes/index.cdx", "pages/pages.jsonl"]
        package = {
            "profile": "data-package", "wacz_version": WACZ_VERSION, "title": title,
            "created": datetime.now(UTC).isoformat(), "software": "newsarchive",
            "resources": [{"name": Path(name).name, "path": name, "hash": f"sha256:{_sha256(work / name)}",
                           "bytes": (work / name).stat().st_size} for name in files],
        }  # fmt: skip
        (work / "datapackage.json").write_text(json.dumps(package, indent=1), "utf-8")
        partial = out.with_name(out.name + ".partial")
        with zipfile.ZipFile(partial, "w") as wacz:
            wacz.write(warc, files[0], compress_type=zipfile.ZIP_STORED)
            for name in [*files[1:], "datapackage.json"]:
                wacz.write(work / name, name, compress_type=zipfile.ZIP_DEFLATED)
        partial.replace(out)
    summary.format, summary.out, summary.bytes = "wacz", out, out.stat().st_size
    return summary
