"""Article page renderers, one module per CMS theme; :func:`render_article` picks the article's theme."""

from __future__ import annotations

from collections.abc import Callable

from outlet_server.corpus import ArticleSpec
from outlet_server.themes import ghost, jannah, newspaper
from outlet_server.themes.base import PageContext

__all__ = ["THEME_RENDERERS", "PageContext", "render_article"]

#: Theme name -> renderer of a full article page.
THEME_RENDERERS: dict[str, Callable[[ArticleSpec, PageContext], str]] = {
    "jannah": jannah.render,
    "newspaper": newspaper.render,
    "ghost": ghost.render,
}


def render_article(article: ArticleSpec, page: PageContext) -> str:
    return THEME_RENDERERS[article.theme](article, page)
