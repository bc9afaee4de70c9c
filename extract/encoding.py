"""Bytes to text: honour the declared charset, but notice when it lies.

Order of evidence: a byte-order mark, then the HTTP header charset, then the ``<meta>`` charset,
then detection. A declared charset is trusted only when the bytes decode under it *and* the
result looks like text: Arabic windows-1256 or Russian cp1251 pages labelled UTF-8 fail to
decode (the usual case) and fall through to detection; a UTF-8 page labelled windows-1252 decodes
but turns into mojibake, which :func:`looks_like_mojibake` recognises.

Detection tries UTF-8 first, then the single-byte code pages named in :data:`CANDIDATES`, scoring
each by how much of the result is letters of one script; charset_normalizer (a trafilatura
dependency) breaks ties when no candidate is clearly right.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["CANDIDATES", "DecodedPage", "declared_charset", "decode_html", "looks_like_mojibake", "plausibility"]

#: Single-byte code pages tried when a page's declared charset is missing or wrong, in order.
CANDIDATES: tuple[str, ...] = ("windows-1256", "windows-1251", "koi8-r", "iso-8859-6", "windows-1252")

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
#: Sequences that UTF-8 text shows when decoded as a Latin or Cyrillic code page ("Ã©", "Ø§", "Ð°").
_WORD = re.compile(r"[^\W\d_]{2,}")
_MIN_PLAUSIBILITY = 0.6
#: Arabic letters written only at the end of a word (teh marbuta).
_ARABIC_WORD_FINAL = "\u0629"
#: The characters every :data:`_MOJIBAKE` match starts with.
_MOJIBAKE_LEADS = "ÃÂØÙÐÑâ"
_MOJIBAKE = re.compile(r"[ÃÂ][\x80-\xbf\u0152-\u0178\u2013-\u2122]|[ØÙ][\x80-\xbf\u0152-\u2122]|[ÐÑ][\x80-\xbf\u0152-\u2122]|â€")


@dataclass(frozen=True)
class DecodedPage:
    """The text of a page and how it was obtained."""

    text: str
    encoding: str
    declared: str | None
    detected: bool  # True when the declared charset was missing or wrong


def _normalise(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def _codec_name(name: str) -> str:
    return codecs.lookup(name).name


def declared_charset(body: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (``<meta charset>`` or http-equiv)."""
    match = _META_CHARSET.search(body[:4096])
    return _normalise(match.group(1).decode("ascii", "replace")) if match else None


def looks_like_mojibake(text: str) -> bool:
    """True when ``text`` shows UTF-8 bytes read through a single-byte code page."""
    sample = text[:20000]
    if not any(lead in sample for lead in _MOJIBAKE_LEADS):  # the usual case, found without the regex
        return False
    return len(_MOJIBAKE.findall(sample)) >= 3


@lru_cache(maxsize=4096)
def _script(char: str) -> str | None:
    """The script of a character, as the first word of its Unicode name ("LATIN", "ARABIC" ...)."""
    try:
        return unicodedata.name(char).split(" ")[0]
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def _word_is_coherent(word: str) -> bool:
    """A word with non-ASCII letters reads as real text: one script, sane case, few accents.

    Arabic letters that only end a word (teh marbuta) must not occur inside one: Russian KOI8-R
    read as windows-1256 is all Arabic letters, but its "и" becomes a mid-word teh marbuta.

    Cached: a page repeats its words, and the candidates of one page share their ASCII parts.
    """
    scripts = {_script(char) for char in word}
    if None in scripts or len(scripts) != 1:
        return False
    caseless = word.lower() == word.upper()
    sane_case = word.islower() or word.isupper() or (word[:1].isupper() and word[1:].islower())
    if not (caseless or sane_case or not word.isalpha()):
        return False
    if "LATIN" in scripts:
        return sum(ord(c) >= 0x80 for c in word) * 2 <= len(word)
    if "ARABIC" in scripts:
        return not any(char in word[:-1] for char in _ARABIC_WORD_FINAL)
    return True


def plausibility(text: str) -> float:
    """Share of non-ASCII words in ``text`` that read as real words (0 when there are none).

    Wrong single-byte code pages produce words mixing scripts ("ÏðèâåÒ"), case in the middle of a
    word (Arabic windows-1256 read as cp1251 gives "Зблгн") or runs of accented Latin letters.
    """
    words = [w for w in _WORD.findall(text[:50000]) if not w.isascii()]
    if not words:
        return 0.0
    return sum(_word_is_coherent(w) for w in words) / len(words)


def _try(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _charset_normalizer_guess(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - trafilatura depends on it
        return None
    best = from_bytes(body[:200_000], cp_isolation=[*CANDIDATES, "utf_8"]).best()
    return _normalise(best.encoding) if best is not None else None


def _choose(body: bytes, declared: str | None) -> tuple[str, str]:
    utf8 = _try(body, "utf-8")
    if utf8 is not None and not looks_like_mojibake(utf8):
        return utf8, "utf-8"
    scored: list[tuple[float, int, str, str]] = []
    for rank, encoding in enumerate(dict.fromkeys([*([declared] if declared else []), *map(_codec_name, CANDIDATES)])):
        text = _try(body, encoding)
        if text is not None and not looks_like_mojibake(text):
            score = round(plausibility(text), 2)
            if score >= 1.0:
                return text, encoding  # no later candidate can beat it: earlier ranks win ties
            # the declared charset wins ties (rank 0 sorts first among equals)
            scored.append((score, -rank, encoding, text))
    scored.sort(reverse=True)
    if scored and scored[0][0] >= _MIN_PLAUSIBILITY:
        return scored[0][3], scored[0][2]
    encoding = _charset_normalizer_guess(body) or declared or "utf-8"
    return body.decode(encoding, errors="replace"), encoding


def decode_html(body: bytes | str, header_charset: str | None = None) -> DecodedPage:
    """Decode a fetched page. ``header_charset`` is the HTTP ``Content-Type`` charset, if any."""
    if isinstance(body, str):
        return DecodedPage(body, "unicode", None, False)
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return DecodedPage(body[len(bom):].decode(encoding, errors="replace"), encoding, encoding, False)
    declared = _normalise(header_charset) or declared_charset(body)
    if body.isascii():
        return DecodedPage(body.decode("ascii"), declared or "ascii", declared, False)
    text, encoding = _choose(body, declared)
    return DecodedPage(text, encoding, declared, encoding != declared)
