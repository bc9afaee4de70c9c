"""Raw captures replayed from the WARC, and the word-level diff of two versions: what the article pages show.

A capture is read by its pointer (WARC file, offset, length: the request and response gzip
members), its WARC block digests checked, and only the response's status, content type and
body are kept: none of the archived response's other headers (cookies, CSP, redirects) ever
reaches the browser. The app serves the body under :data:`CAPTURE_CSP`.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass

from warcio.archiveiterator import ArchiveIterator

from archive.formats import verify_warc_members
from archive.stores.base import Store

__all__ = ["CAPTURE_CSP", "Capture", "collapse_unchanged", "read_capture", "word_diff"]

#: What a replayed capture may do: nothing but show itself with its inline styles and the images it
#: carries (``data:`` URLs). ``sandbox`` without tokens: an opaque origin, no script, no form, no
#: popup, no top navigation — also when the capture is opened outside its iframe. No image URL is
#: allowed, not even this origin's: the crawler archives pages, not their images, and a hostile
#: capture must not make the browser call the app (an export, say) on its own.
CAPTURE_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
               "font-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'")  # fmt: skip
#: A diff compares at most this many words of each text (beyond: the rest is shown as one change).
MAX_DIFF_WORDS = 50_000
_TEXT_TYPES = ("text/html", "text/plain", "application/xhtml+xml", "application/xml", "text/xml")


@dataclass
class Capture:
    url: str
    date: str
    status: int
    content_type: str
    body: bytes


def read_capture(store: Store, warc_file: str, offset: int, length: int, record_id: str | None) -> Capture:
    """The response record of one capture (digests checked)."""
    data = store.read_range(warc_file, offset, length)
    verify_warc_members(data, warc_file, record_id)
    for record in ArchiveIterator(io.BytesIO(data)):
        if record.rec_type != "response" or record.http_headers is None:
            continue
        content_type = record.http_headers.get_header("Content-Type") or "application/octet-stream"
        if content_type.split(";")[0].strip().lower() not in _TEXT_TYPES:
            content_type = "application/octet-stream"
        return Capture(
            url=record.rec_headers.get_header("WARC-Target-URI") or "",
            date=record.rec_headers.get_header("WARC-Date") or "",
            status=int(record.http_headers.get_statuscode() or 0),
            content_type=content_type,
            body=record.content_stream().read(),
        )
    raise LookupError(f"no response record at offset {offset} of {warc_file}")


_WORDS = re.compile(r"\S+|\s+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``(op, text)`` pieces turning ``old`` into ``new``, word by word: op is ``=``, ``-`` or ``+``."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    tail_a, tail_b = a[MAX_DIFF_WORDS:], b[MAX_DIFF_WORDS:]
    a, b = a[:MAX_DIFF_WORDS], b[:MAX_DIFF_WORDS]
    pieces: list[tuple[str, str]] = []

    def add(op: str, words: list[str]) -> None:
        if not words:
            return
        text = "".join(words)
        if pieces and pieces[-1][0] == op:
            pieces[-1] = (op, pieces[-1][1] + text)
        else:
            pieces.append((op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=len(a) + len(b) > 20_000)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("=", a[i1:i2])
        else:
            add("-", a[i1:i2])
            add("+", b[j1:j2])
    if tail_a != tail_b:
        add("-", tail_a)
        add("+", tail_b)
    else:
        add("=", tail_a)
    return pieces


def collapse_unchanged(pieces: list[tuple[str, str]], keep: int = 30) -> list[tuple[str, str]]:
    """``pieces`` with the middle of each long unchanged run cut to `` … ``: ``keep`` words stay on each side
    of a change (and at the start and end of the text)."""
    collapsed = []
    for number, (op, text) in enumerate(pieces):
        words = _WORDS.findall(text)
        if op != "=" or len(words) <= 2 * keep * 2:
            collapsed.append((op, text))
            continue
        head = "".join(words[: 2 * keep]) if number else ""
        tail = "".join(words[-2 * keep:]) if number < len(pieces) - 1 else ""
        collapsed.append((op, f"{head} … {tail}" if head or tail else text))
    return collapsed
