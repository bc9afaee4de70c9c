"""Pages that are not articles: home, archives (section, tag, author), search, calendar, about and contact.

They use the Jannah frame of the site. Archives are paginated the WordPress way
(``/page/N/``, ``<link rel="next">``, an "Older posts" link); the calendar is an
endless trap (every month links to the one before and after, forever).
"""

from __future__ import annotations

from datetime import date

from outlet_server.corpus import ArticleSpec, author_slug
from outlet_server.themes.base import PageContext, esc, iso
from outlet_server.themes.jannah import COOKIE_NOTICE, NEWSLETTER, footer, header

__all__ = ["PER_PAGE", "archive_page", "calendar_page", "static_page"]

PER_PAGE = 10

STATIC_PAGES: dict[str, tuple[str, str]] = {
    "/about/": ("About us", "Levant Dispatch is an independent news site covering Syria, Lebanon, Iraq and Jordan. "
                            "Our correspondents report from the ground every day."),
    "/contact/": ("Contact us", "Write to the newsroom at newsroom@levant-dispatch.example. For advertising, "
                                "write to ads@levant-dispatch.example."),
}


def _frame(page: PageContext, title: str, body: str, *, head: str = "", body_class: str = "archive") -> str:
    year = page.corpus.end.year
    links = "".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>' for href, text in page.extra_links)
    links = f'<div class="widget widget_links"><ul>{links}</ul></div>' if links else ""
    return f"""<!DOCTYPE html>
<html lang="en-US" class="" data-skin="light">
<head>
<meta charset="UTF-8" />
<title>{esc(title)} | {esc(page.site_name)}</title>
<meta property="og:type" content="website" />
<meta property="og:site_name" content="{esc(page.site_name)}" />
<link rel="alternate" type="application/rss+xml" title="{esc(page.site_name)} &raquo; Feed" href="{esc(page.url("/feed/"))}" />
{head}
</head>
<body id="tie-body" class="{body_class} wrapper-has-shadow block-head-1 magazine1">
<div class="background-overlay"><div id="tie-container" class="site tie-container"><div id="tie-wrapper">
{header(page)}
<div id="content" class="site-content container"><div id="main-content-row" class="tie-row main-content-row">
<div class="main-content tie-col-md-8 tie-col-xs-12" role="main">
{body}
</div>
<aside class="sidebar tie-col-md-4 tie-col-xs-12 normal-side" aria-label="Primary Sidebar">{NEWSLETTER}
<div class="widget widget_calendar"><a href="{esc(page.url(f"/calendar/{page.corpus.end:%Y/%m}/"))}">Archive calendar</a></div>{links}</aside>
</div></div>
{footer(page, year)}
</div></div></div>
{COOKIE_NOTICE}
</body>
</html>
"""


def _item(page: PageContext, article: ArticleSpec) -> str:
    author = article.authors[0]
    return (f'<li class="post-item tie-standard"><a aria-label="{esc(article.title)}" href="{esc(page.link(article.path))}"'
            f' class="post-thumb"><img width="390" height="220" src="{esc(page.url(article.image))}" alt="" /></a>'
            f'<div class="post-details"><div class="post-meta clearfix"><span class="author-meta single-author">'
            f'<a href="{esc(page.author_url(author_slug(author)))}">{esc(author)}</a></span>'
            f'<span class="date meta-item tie-icon"><time datetime="{iso(article.published)}">'
            f"{article.published:%d %B %Y}</time></span></div>"
            f'<h2 class="post-title"><a href="{esc(page.link(article.path))}">{esc(article.title)}</a></h2>'
            f'<p class="post-excerpt">{esc(article.description)}</p></div></li>')


def archive_page(page: PageContext, base_path: str, title: str, articles: list[ArticleSpec], number: int) -> str | None:
    """Page ``number`` (from 1) of an archive listing ``articles`` newest first; None past the last page."""
    pages = max(1, -(-len(articles) // PER_PAGE))
    if number < 1 or number > pages:
        return None
    chunk = articles[(number - 1) * PER_PAGE: number * PER_PAGE]
    head, nav = [f'<link rel="canonical" href="{esc(page.url(_paged(base_path, number)))}" />'], []
    if number > 1:
        head.append(f'<link rel="prev" href="{esc(page.url(_paged(base_path, number - 1)))}" />')
        nav.append(f'<a class="prev page-numbers" href="{esc(page.url(_paged(base_path, number - 1)))}">Newer posts</a>')
    nav += [f'<span aria-current="page" class="page-numbers current">{number}</span>']
    if number < pages:
        head.append(f'<link rel="next" href="{esc(page.url(_paged(base_path, number + 1)))}" />')
        nav.append(f'<a class="next page-numbers" href="{esc(page.url(_paged(base_path, number + 1)))}">Older posts</a>')
    items = "".join(_item(page, a) for a in chunk)
    body = (f'<header class="entry-header-outer container-wrapper"><h1 class="page-title">{esc(title)}</h1></header>'
            f'<div class="mag-box wide-post-box"><div class="container-wrapper"><ul id="posts-container" '
            f'class="posts-items">{items}</ul></div></div><div class="pages-nav"><nav class="pagination">'
            f'{"".join(nav)}</nav></div>')
    return _frame(page, title if number == 1 else f"{title} - Page {number}", body, head="\n".join(head))


def _paged(base_path: str, number: int) -> str:
    return base_path if number == 1 else f"{base_path}page/{number}/"


def calendar_page(page: PageContext, year: int, month: int) -> str:
    """A month of the archive calendar; it links to the previous and next month without end."""
    prev_month = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
    next_month = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    days = [a for a in page.corpus.articles if a.published.year == year and a.published.month == month]
    items = "".join(_item(page, a) for a in days[:PER_PAGE])
    body = (f'<h1 class="page-title">Archive {year}-{month:02d}</h1><ul class="posts-items">{items}</ul>'
            f'<nav class="calendar-nav"><a href="{esc(page.url(f"/calendar/{prev_month:%Y/%m}/"))}">&laquo; '
            f'{prev_month:%B %Y}</a> <a href="{esc(page.url(f"/calendar/{next_month:%Y/%m}/"))}">{next_month:%B %Y} '
            f"&raquo;</a></nav>")
    return _frame(page, f"Archive {year}-{month:02d}", body, body_class="archive date")


def static_page(page: PageContext, path: str) -> str | None:
    if path not in STATIC_PAGES:
        return None
    title, text = STATIC_PAGES[path]
    body = (f'<article class="container-wrapper post-content"><h1 class="post-title entry-title">{esc(title)}</h1>'
            f'<div class="entry-content entry clearfix"><p>{esc(text)}</p></div></article>')
    return _frame(page, title, body, head=f'<link rel="canonical" href="{esc(page.url(path))}" />',
                  body_class="page-template-default page")


def search_page(page: PageContext, query: str) -> str:
    needle = query.casefold()
    found = [a for a in page.corpus.newest_first if needle and needle in a.title.casefold()][:PER_PAGE]
    items = "".join(_item(page, a) for a in found) or "<li>Nothing Found</li>"
    body = f'<h1 class="page-title">Search Results for: {esc(query)}</h1><ul class="posts-items">{items}</ul>'
    return _frame(page, f"You searched for {query}", body, head='<meta name="robots" content="noindex, follow" />',
                  body_class="search search-results")


def home_page(page: PageContext, number: int) -> str | None:
    return archive_page(page, "/", "News from the Levant", page.corpus.newest_first, number)
