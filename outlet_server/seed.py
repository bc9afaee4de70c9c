"""The seed article: a real Jannah-theme page whose text ships with the package.

``data/seed_article.txt`` is the page as a reader sees it: the category strip
(category names run together), the headline, the body with its inline "ALSO READ"
teaser, then "Related Articles", "Leave a Reply" and "Back to top button". This
module reads it back into its parts so the outlet can serve it in Jannah markup and
tests can compare an extraction with its 14 body paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["SEED_AUTHOR", "SEED_CATEGORIES", "SEED_SECTION", "SEED_TAGS", "SeedArticle", "load_seed"]

#: The names in the category strip, in page order (the strip runs them together).
SEED_CATEGORIES: tuple[str, ...] = (
    "Latest developments", "Middle East", "Multimedia", "Others", "Photos", "Syria Truths Exclusive", "World News",
)
#: The primary category (``article:section``); the strip lists all of them.
SEED_SECTION = "Middle East"
SEED_AUTHOR = "Sami Haddad"
SEED_TAGS: tuple[str, ...] = ("Aleppo", "Russia", "Syrian army")

_TEASER = re.compile(r"^ALSO READ\s+(?P<headline>.+)$")
_TRAILER = ("Related Articles", "Leave a Reply", "Back to top button")
_SENTENCE_END = (".", ":", "”", '"', "!", "?")


@dataclass(frozen=True)
class SeedArticle:
    """The seed page split into what the outlet renders and what a clean extraction must keep."""

    category_strip: str
    title: str
    paragraphs: tuple[str, ...]
    subheadings: frozenset[int]
    teaser_headline: str
    teaser_index: int  # the teaser is rendered just before paragraphs[teaser_index]


@cache
def load_seed() -> SeedArticle:
    """Parse the packaged seed text (cached; the file is read once per process)."""
    text = resources.files("outlet_server").joinpath("data/seed_article.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    strip, title, body = lines[0], lines[1], lines[2:]
    if strip != "".join(SEED_CATEGORIES):
        raise ValueError("seed_article.txt: the category strip does not match SEED_CATEGORIES")
    while body and body[-1] in _TRAILER:
        body.pop()
    paragraphs: list[str] = []
    teaser_headline, teaser_index = "", -1
    for line in body:
        match = _TEASER.match(line)
        if match:
            teaser_headline, teaser_index = match["headline"].strip(), len(paragraphs)
        else:
            paragraphs.append(line)
    if teaser_index < 0:
        raise ValueError("seed_article.txt: no ALSO READ teaser found")
    subheadings = frozenset(i for i, p in enumerate(paragraphs) if not p.endswith(_SENTENCE_END))
    return SeedArticle(strip, title, tuple(paragraphs), subheadings, teaser_headline, teaser_index)
