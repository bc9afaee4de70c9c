"""Ghost (Casper theme): the outlet's non-WordPress CMS.

The body is ``section.gh-content`` inside ``article.article``; teasers are Ghost
bookmark cards (``figure.kg-bookmark-card``) or "Read also:" paragraphs; around it
the byline, the "Sign up" call to action, Casper's "Read more" block of related
posts and the "Powered by Ghost" footer. Metadata: only Ghost's JSON-LD Article
(times in UTC), ``<time datetime>`` with the date alone, canonical link and
``<html lang>`` — no Open Graph.
"""

from __future__ import annotations

from datetime import UTC, datetime

from outlet_server.corpus import ArticleSpec, author_slug, tag_slug
from outlet_server.themes.base import PageContext, esc, jsonld, related_articles, stable_number

__all__ = ["render"]

TEASER_MARKUP: tuple[str, ...] = (
    '<figure class="kg-card kg-bookmark-card"><a class="kg-bookmark-container" href="{href}">'
    '<div class="kg-bookmark-content"><div class="kg-bookmark-title">{headline}</div>'
    '<div class="kg-bookmark-description">{label}</div><div class="kg-bookmark-metadata">'
    '<span class="kg-bookmark-author">{site}</span></div></div></a></figure>',
    '<p><em>{label}</em> <a href="{href}">{headline}</a></p>',
)


def _utc(moment: datetime) -> str:
    """Ghost writes times in UTC with milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _body(article: ArticleSpec, page: PageContext) -> str:
    parts: list[str] = []
    paragraphs, subheadings = article.body()
    for index, paragraph in enumerate(paragraphs):
        if article.teaser_headline and index == article.teaser_index:
            markup = TEASER_MARKUP[stable_number(article.path, len(TEASER_MARKUP))]
            parts.append(markup.format(label=esc(article.teaser_label or "Read also:"), site=esc(page.site_name),
                                       href=esc(page.link(article.teaser_path or "/")),
                                       headline=esc(article.teaser_headline)))
        if index in subheadings:
            parts.append(f'<h2 id="{esc(tag_slug(paragraph))}">{esc(paragraph)}</h2>')
        else:
            parts.append(f"<p>{esc(paragraph)}</p>")
    if page.extra_links:
        items = "".join(f'<a href="{esc(h)}" class="kg-btn">{esc(t)}</a> ' for h, t in page.extra_links)
        parts.append(f'<div class="kg-card kg-button-card kg-align-left">{items}</div>')
    return "\n".join(parts)


def _schema(article: ArticleSpec, page: PageContext) -> str:
    authors = [{"@type": "Person", "name": a, "url": page.author_url(author_slug(a)),
                "sameAs": []} for a in article.authors]
    return jsonld({
        "@context": "https://schema.org", "@type": "Article",
        "publisher": {"@type": "Organization", "name": page.site_name, "url": page.url("/"),
                      "logo": {"@type": "ImageObject", "url": page.url("/content/images/logo.png")}},
        "author": authors[0] if len(authors) == 1 else authors,
        "headline": article.title, "url": page.url(article.path),
        "datePublished": _utc(article.published),
        "dateModified": _utc(article.modified or article.published),
        "image": {"@type": "ImageObject", "url": page.url(article.image), "width": 1200, "height": 675},
        "keywords": ", ".join([article.section, *article.tags]), "description": article.description,
        "mainEntityOfPage": page.url(article.path),
    })


def _read_more(article: ArticleSpec, page: PageContext) -> str:
    cards = "".join(
        f'<article class="post-card post"><a class="post-card-image-link" href="{esc(page.link(a.path))}">'
        f'<img class="post-card-image" src="{esc(page.url(a.image))}" alt="" /></a><div class="post-card-content">'
        f'<a class="post-card-content-link" href="{esc(page.link(a.path))}"><header class="post-card-header">'
        f'<h2 class="post-card-title">{esc(a.title)}</h2></header><div class="post-card-excerpt">{esc(a.description)}'
        f"</div></a></div></article>"
        for a in related_articles(article, page.corpus)
    )
    return (f'<aside class="read-more-wrap outer"><div class="read-more inner"><div class="read-more-title">'
            f"Read more</div>{cards}</div></aside>")


def render(article: ArticleSpec, page: PageContext) -> str:
    """The full HTML of ``article`` as a Ghost site (Casper theme) serves it."""
    rtl = ' dir="rtl"' if article.language == "ar" else ""
    names = ", ".join(f'<a href="{esc(page.author_url(author_slug(a)))}">{esc(a)}</a>' for a in article.authors)
    avatars = "".join(f'<li class="author-list-item"><a href="{esc(page.author_url(author_slug(a)))}" '
                      f'class="author-avatar"><img class="author-profile-image" src="{esc(page.url("/content/images/avatar.jpg"))}" '
                      f'alt="{esc(a)}" /></a></li>' for a in article.authors)
    primary = f'<a href="{esc(page.url("/category/" + article.section_slug + "/"))}">{esc(article.section)}</a>'
    minutes = max(1, len(article.paragraphs) // 3)
    return f"""<!DOCTYPE html>
<html{rtl} lang="{article.language}">
<head>
    <meta charset="utf-8">
    <meta http-equiv="X-UA-Compatible" content="IE=edge">
    <title>{esc(article.title)}</title>
    <meta name="HandheldFriendly" content="True">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="stylesheet" type="text/css" href="{esc(page.url("/assets/built/screen.css?v=1a2b3c"))}">
    <link rel="icon" href="{esc(page.url("/favicon.png"))}" type="image/png">
    <link rel="canonical" href="{esc(page.url(article.path))}">
    <meta name="referrer" content="no-referrer-when-downgrade">
    {_schema(article, page)}
    <meta name="generator" content="Ghost 5.82">
    <link rel="alternate" type="application/rss+xml" title="{esc(page.site_name)}" href="{esc(page.url("/feed/"))}">
</head>
<body class="post-template tag-{article.section_slug} is-head-left-logo has-cover">
<div class="viewport">
    <header id="gh-head" class="gh-head outer">
        <div class="gh-head-inner inner">
            <div class="gh-head-brand"><a class="gh-head-logo" href="{esc(page.url("/"))}">{esc(page.site_name)}</a></div>
            <nav class="gh-head-menu"><ul class="nav"><li class="nav-home"><a href="{esc(page.url("/"))}">Home</a></li><li class="nav-about"><a href="{esc(page.url("/about/"))}">About</a></li></ul></nav>
            <div class="gh-head-actions"><a class="gh-head-button" href="#/portal/signup" data-portal="signup">Subscribe</a></div>
        </div>
    </header>
    <div class="site-content">
<main id="site-main" class="site-main">
<article class="article post tag-{article.section_slug} featured">
    <header class="article-header gh-canvas">
        <div class="article-tag post-card-tags"><span class="post-card-primary-tag">{primary}</span></div>
        <h1 class="article-title">{esc(article.title)}</h1>
        <div class="article-byline"><section class="article-byline-content">
            <ul class="author-list">{avatars}</ul>
            <div class="article-byline-meta"><h4 class="author-name">{names}</h4>
                <div class="byline-meta-content"><time class="byline-meta-date" datetime="{article.published:%Y-%m-%d}">{article.published:%b %d, %Y}</time>
                <span class="byline-reading-time"><span class="bull">&bull;</span> {minutes} min read</span></div>
            </div>
        </section></div>
        <figure class="article-image"><img src="{esc(page.url(article.image))}" alt="{esc(article.title)}"></figure>
    </header>
    <section class="gh-content gh-canvas">
{_body(article, page)}
    </section>
</article>
</main>
<section class="footer-cta outer"><div class="inner"><h2 class="footer-cta-title">Sign up for {esc(page.site_name)}</h2><a class="footer-cta-button" href="#/portal" data-portal="signup"><div class="footer-cta-input">Enter your email</div><span>Subscribe</span></a></div></section>
{_read_more(article, page)}
    </div>
    <footer class="site-footer outer"><div class="inner">
        <section class="copyright"><a href="{esc(page.url("/"))}">{esc(page.site_name)}</a> &copy; {article.published.year}</section>
        <nav class="site-footer-nav"><ul class="nav"><li class="nav-contact"><a href="{esc(page.url("/contact/"))}">Contact</a></li></ul></nav>
        <div class="gh-powered-by"><a href="https://ghost.org/" target="_blank" rel="noopener">Powered by Ghost</a></div>
    </div></footer>
</div>
</body>
</html>
"""
