"""Small page builders for the extract unit tests."""

from __future__ import annotations

from html import escape

FILLER = (
    "The council said the work would continue through the winter and that residents would be kept "
    "informed of any changes to the timetable as the project moved into its second phase."
)


def article_page(*blocks: str, title: str = "A headline for the test page", head: str = "", lang: str = "en") -> str:
    """A minimal article page; ``blocks`` are raw HTML elements placed in the article body."""
    body = "\n".join(blocks)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)} | Test Times</title>'
        f'<meta property="og:type" content="article"><meta property="og:site_name" content="Test Times">{head}</head>'
        f'<body><article><h1>{escape(title)}</h1><div class="entry-content">\n{body}\n</div></article></body></html>'
    )


def paragraphs(*texts: str) -> list[str]:
    return [f"<p>{escape(t)}</p>" for t in texts]
