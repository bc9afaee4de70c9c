"""Machine-readable surfaces of the outlet: robots.txt, sitemaps (index, monthly, Google News), RSS and Atom.

Each function returns the document text; :mod:`outlet_server.site` routes to them and
:mod:`outlet_server.faults` swaps in broken variants.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape as xml_escape

from outlet_server.corpus import ArticleSpec, Corpus
from outlet_server.themes.base import PageContext, iso

__all__ = [
    "DIRECT_MONTHS", "FEED_SIZE", "NEWS_WINDOW", "archive_sitemap_index", "atom_feed", "monthly_sitemap", "news_sitemap", "pages_sitemap", "robots_txt",
    "rss_feed", "sitemap_index",
]

FEED_SIZE = 20
#: Monthly sitemaps the root index lists itself; older months sit in a nested index.
DIRECT_MONTHS = 2
NEWS_WINDOW = timedelta(days=2)
_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _x(text: str) -> str:
    return xml_escape(text, {'"': "&quot;"})


def robots_txt(page: PageContext, *, sitemaps: bool = True, crawl_delay: float = 0.0) -> str:
    lines = ["User-agent: *", "Disallow: /private/", "Disallow: /wp-admin/", "Allow: /wp-admin/admin-ajax.php"]
    if crawl_delay:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    lines.append("")
    if sitemaps:
        lines += [f"Sitemap: {page.url('/sitemap_index.xml')}", f"Sitemap: {page.url('/news-sitemap.xml')}", ""]
    return "\n".join(lines)


def _month_entries(page: PageContext, months: Sequence[str]) -> list[str]:
    by_month = page.corpus.by_month
    return [
        f"<sitemap><loc>{_x(page.url(f'/sitemaps/posts-{month}.xml'))}</loc>"
        f"<lastmod>{iso(max(a.lastmod for a in by_month[month]))}</lastmod></sitemap>"
        for month in months
    ]


def sitemap_index(page: PageContext, extra_sitemaps: Sequence[str] = ()) -> str:
    """The root index: the :data:`DIRECT_MONTHS` newest monthly sitemaps, the static pages, and a nested
    index (``/sitemaps/archive-index.xml``) for the older months, as large WordPress sites split them."""
    months = sorted(page.corpus.by_month)
    entries = _month_entries(page, months[-DIRECT_MONTHS:])
    if len(months) > DIRECT_MONTHS:
        older = months[:-DIRECT_MONTHS]
        lastmod = max(a.lastmod for m in older for a in page.corpus.by_month[m])
        entries.append(f"<sitemap><loc>{_x(page.url('/sitemaps/archive-index.xml'))}</loc>"
                       f"<lastmod>{iso(lastmod)}</lastmod></sitemap>")
    entries.append(f"<sitemap><loc>{_x(page.url('/sitemaps/pages.xml'))}</loc></sitemap>")
    entries += [f"<sitemap><loc>{_x(page.url(path))}</loc></sitemap>" for path in extra_sitemaps]
    return f"{_XML}<sitemapindex {_SITEMAP_NS}>\n" + "\n".join(entries) + "\n</sitemapindex>\n"


def archive_sitemap_index(page: PageContext) -> str | None:
    """The nested index of the months older than the :data:`DIRECT_MONTHS` newest (None if there are none)."""
    older = sorted(page.corpus.by_month)[:-DIRECT_MONTHS]
    if not older:
        return None
    return f"{_XML}<sitemapindex {_SITEMAP_NS}>\n" + "\n".join(_month_entries(page, older)) + "\n</sitemapindex>\n"


def monthly_sitemap(page: PageContext, month: str) -> str | None:
    articles = page.corpus.by_month.get(month)
    if articles is None:
        return None
    entries = [
        f"<url><loc>{_x(page.url(a.path))}</loc><lastmod>{iso(a.lastmod)}</lastmod>"
        f'<image:image><image:loc>{_x(page.url(a.image))}</image:loc></image:image></url>'
        for a in articles
    ]
    return (f'{_XML}<urlset {_SITEMAP_NS} xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n'
            + "\n".join(entries) + "\n</urlset>\n")


def pages_sitemap(page: PageContext) -> str:
    """The static pages (WordPress lists them beside the posts): none of them is an article. A draft preview
    under the robots.txt Disallow slipped in too, as it does on real sites."""
    preview = f"/private/preview/{page.corpus.articles[-1].post_id}/"
    entries = [f"<url><loc>{_x(page.url(path))}</loc></url>" for path in ("/", "/about/", "/contact/", preview)]
    return f"{_XML}<urlset {_SITEMAP_NS}>\n" + "\n".join(entries) + "\n</urlset>\n"


def news_articles(corpus: Corpus) -> list[ArticleSpec]:
    """Articles published within :data:`NEWS_WINDOW` of the newest one (what a Google News sitemap lists)."""
    newest = corpus.newest_first[0].published
    return [a for a in corpus.newest_first if a.published > newest - NEWS_WINDOW]


def news_sitemap(page: PageContext) -> str:
    entries = [
        f"<url><loc>{_x(page.url(a.path))}</loc><news:news><news:publication><news:name>{_x(page.site_name)}"
        f"</news:name><news:language>{a.language}</news:language></news:publication>"
        f"<news:publication_date>{iso(a.published)}</news:publication_date><news:title>{_x(a.title)}</news:title>"
        f"</news:news></url>"
        for a in news_articles(page.corpus)
    ]
    return (f'{_XML}<urlset {_SITEMAP_NS} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            + "\n".join(entries) + "\n</urlset>\n")


def rss_feed(page: PageContext, *, link_suffix: str = "") -> str:
    """RSS 2.0 as WordPress writes it, the newest :data:`FEED_SIZE` articles."""
    articles = page.corpus.newest_first[:FEED_SIZE]
    items = "\n".join(
        f"<item><title>{_x(a.title)}</title><link>{_x(page.url(a.path) + link_suffix)}</link>"
        f"<dc:creator><![CDATA[{a.authors[0]}]]></dc:creator><pubDate>{format_datetime(a.published)}</pubDate>"
        + "".join(f"<category><![CDATA[{c}]]></category>" for c in a.categories)
        + f'<guid isPermaLink="false">{_x(page.url(f"/?p={a.post_id}"))}</guid>'
        f"<description><![CDATA[{a.description}]]></description></item>"
        for a in articles
    )
    built = format_datetime(max(a.lastmod for a in articles))
    return (f'{_XML}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>'
            f"<title>{_x(page.site_name)}</title>"
            f'<atom:link href="{_x(page.url("/feed/"))}" rel="self" type="application/rss+xml" />'
            f"<link>{_x(page.url('/'))}</link><description>News from the Levant</description>"
            f"<lastBuildDate>{built}</lastBuildDate><language>en-US</language>\n{items}\n</channel></rss>\n")


def atom_feed(page: PageContext) -> str:
    articles = page.corpus.newest_first[:FEED_SIZE]
    entries = "\n".join(
        f"<entry><author><name>{_x(a.authors[0])}</name></author><title type=\"html\">{_x(a.title)}</title>"
        f'<link rel="alternate" type="text/html" href="{_x(page.url(a.path))}" />'
        f"<id>{_x(page.url(f'/?p={a.post_id}'))}</id><updated>{iso(a.lastmod)}</updated>"
        f"<published>{iso(a.published)}</published><summary type=\"html\">{_x(a.description)}</summary></entry>"
        for a in articles
    )
    return (f'{_XML}<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-US">\n<title type="text">'
            f"{_x(page.site_name)}</title><updated>{iso(max(a.lastmod for a in articles))}</updated>"
            f'<link rel="alternate" type="text/html" href="{_x(page.url("/"))}" />'
            f"<id>{_x(page.url('/feed/atom/'))}</id>"
            f'<link rel="self" type="application/atom+xml" href="{_x(page.url("/feed/atom/"))}" />\n{entries}\n</feed>\n')
