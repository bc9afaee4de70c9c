"""WordPress with the Jannah theme (TieLabs), the markup of the project's seed article.

What a Jannah single post carries around its ``div.entry-content``: breadcrumbs,
the category strip (``span.post-cat-wrap``, names run together in text), share
buttons top and bottom, an inline "ALSO READ" teaser inside the body, tags, the
author box, "Related Articles" (``div#related-posts``), reader comments and the
"Leave a Reply" form, a newsletter widget, the cookie notice and the "Back to top
button". Metadata: Yoast og:* and article:* tags and Jannah's own NewsArticle JSON-LD.
"""

from __future__ import annotations

from outlet_server.corpus import TEMPLATE_LINES, ArticleSpec, author_slug
from outlet_server.lexicon import LEXICONS
from outlet_server.themes.base import PageContext, esc, iso, jsonld, related_articles, stable_number

__all__ = ["render"]

#: How Jannah sites write an inline teaser (label, then another article's headline).
TEASER_MARKUP: tuple[str, ...] = (
    '<p><strong>{label}</strong>  <a href="{href}">{headline}</a></p>',
    '<p>{label}  <a href="{href}" target="_blank" rel="noopener">{headline}</a></p>',
    '<div class="tie-inline-related"><span class="related-label">{label}</span>  <a href="{href}">{headline}</a></div>',
)


def _body(article: ArticleSpec, page: PageContext) -> str:
    parts: list[str] = []
    paragraphs, subheadings = article.body()
    for index, paragraph in enumerate(paragraphs):
        if article.teaser_headline and index == article.teaser_index:
            markup = TEASER_MARKUP[0 if article.is_seed else stable_number(article.path, len(TEASER_MARKUP))]
            parts.append(markup.format(label=esc(article.teaser_label or "ALSO READ"),
                                       href=esc(page.link(article.teaser_path or "/")),
                                       headline=esc(article.teaser_headline)))
        parts.append(f"<h3>{esc(paragraph)}</h3>" if index in subheadings else f"<p>{esc(paragraph)}</p>")
    if not article.is_seed:
        parts.append(f"<p><em>{esc(TEMPLATE_LINES[article.language])}</em></p>")
    return "\n".join(parts)


def _schema(article: ArticleSpec, page: PageContext) -> str:
    data = {
        "@context": "http://schema.org", "@type": "NewsArticle",
        "dateCreated": iso(article.published), "datePublished": iso(article.published),
        "dateModified": iso(article.modified or article.published),
        "headline": article.title, "name": article.title, "keywords": ",".join(article.tags),
        "url": page.url(article.path), "description": article.description,
        "copyrightYear": str(article.published.year),
        "articleSection": ",".join([article.section, *(c for c in article.categories if c != article.section)]),
        "articleBody": "\n".join(article.paragraphs),
        "publisher": {"@id": "#Publisher", "@type": "Organization", "name": page.site_name,
                      "logo": {"@type": "ImageObject", "url": page.url("/wp-content/uploads/logo.png")}},
        "sourceOrganization": {"@id": "#Publisher"}, "copyrightHolder": {"@id": "#Publisher"},
        "mainEntityOfPage": {"@type": "WebPage", "@id": page.url(article.path)},
        "author": _one_or_list(page.person_list(article.authors)),
        "image": {"@type": "ImageObject", "url": page.url(article.image), "width": 1200, "height": 675},
    }
    return jsonld(data, attrs=' id="tie-schema-json"')


def _one_or_list(items: list[dict[str, str]]) -> dict[str, str] | list[dict[str, str]]:
    return items[0] if len(items) == 1 else items


def _byline(article: ArticleSpec, page: PageContext) -> str:
    """One ``meta-author`` link per author (Jannah with the Co-Authors Plus plugin)."""
    links = "".join(
        f'<span class="meta-item meta-author-wrapper"><span class="meta-author"><a href="'
        f'{esc(page.author_url(author_slug(name)))}" class="author-name tie-icon" title="{esc(name)}">{esc(name)}</a>'
        f"</span></span>"
        for name in article.authors
    )
    kind = "single-author" if len(article.authors) == 1 else "multiple-authors"
    return f'<span class="author-meta {kind} no-avatars">{links}</span>'


def _share(page: PageContext, article: ArticleSpec, where: str) -> str:
    url = esc(page.url(article.path))
    links = "".join(
        f'<a href="{href}" rel="external noopener nofollow" title="{name}" target="_blank" class="{cls}-share-btn '
        f'large-share-button"><span class="share-btn-icon tie-icon-{cls}"></span> <span class="social-text">{name}'
        f"</span></a>"
        for name, cls, href in (
            ("Facebook", "facebook", f"https://www.facebook.com/sharer.php?u={url}"),
            ("X", "twitter", f"https://twitter.com/intent/tweet?text={esc(article.title)}&amp;url={url}"),
            ("WhatsApp", "whatsapp", f"https://api.whatsapp.com/send?text={url}"),
            ("Telegram", "telegram", f"https://telegram.me/share/url?url={url}"),
            ("Share via Email", "email", f"mailto:?subject={esc(article.title)}&amp;body={url}"),
        )
    )
    return (f'<div id="share-buttons-{where}" class="share-buttons share-buttons-{where}"><div class="share-links">'
            f"{links}</div></div>")


def _comments(article: ArticleSpec) -> str:
    if not article.comments:
        return ""
    lex = LEXICONS[article.language]
    items = "".join(
        f'<li class="comment even thread-even depth-1" id="li-comment-{article.post_id * 10 + i}">'
        f'<article id="comment-{article.post_id * 10 + i}" class="comment-body"><footer class="comment-meta">'
        f'<div class="comment-author vcard"><b class="fn">{esc(lex.authors[-1 - i % len(lex.authors)])}</b> '
        f'<span class="says">says:</span></div><div class="comment-metadata"><a href="#comment-{i}">'
        f'<time datetime="{iso(article.published)}">{article.published:%d %B %Y}</time></a></div></footer>'
        f'<div class="comment-content"><p>{esc(lex.comments[i % len(lex.comments)])}</p></div>'
        f'<div class="reply"><a rel="nofollow" class="comment-reply-link" href="#respond">Reply</a></div>'
        f"</article></li>"
        for i in range(article.comments)
    )
    return (f'<div id="comments-box"><div class="block-head"><h3 id="comments-title" class="the-global-title">'
            f'{article.comments} Comments</h3></div><ol class="comment-list">{items}</ol></div>')


def _related(article: ArticleSpec, page: PageContext) -> str:
    items = "".join(
        f'<div class="related-item tie-standard"><a aria-label="{esc(a.title)}" href="{esc(page.link(a.path))}" '
        f'class="post-thumb"><img width="390" height="220" src="{esc(page.url(a.image))}" alt="" /></a>'
        f'<h3 class="post-title"><a href="{esc(page.link(a.path))}">{esc(a.title)}</a></h3>'
        f'<div class="post-meta clearfix"><span class="date meta-item tie-icon">{a.published:%d %B %Y}</span></div></div>'
        for a in related_articles(article, page.corpus)
    )
    return (f'<div id="related-posts-{article.post_id}" class="container-wrapper has-extra-post related-posts">'
            f'<div class="mag-box-title the-global-title"><h3>Related Articles</h3></div>'
            f'<div class="related-posts-list">{items}</div></div>')


RESPOND = """<div id="add-comment-block" class="container-wrapper"><div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title the-global-title">Leave a Reply <small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond" style="display:none;">Cancel reply</a></small></h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form" novalidate>
<p class="comment-notes"><span id="email-notes">Your email address will not be published.</span> <span class="required-field-message">Required fields are marked <span class="required">*</span></span></p>
<p class="comment-form-comment"><label for="comment">Comment <span class="required">*</span></label> <textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required></textarea></p>
<p class="comment-form-author"><label for="author">Name <span class="required">*</span></label> <input id="author" name="author" type="text" value="" size="30" maxlength="245" autocomplete="name" required /></p>
<p class="comment-form-email"><label for="email">Email <span class="required">*</span></label> <input id="email" name="email" type="email" value="" size="30" maxlength="100" autocomplete="email" required /></p>
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" name="wp-comment-cookies-consent" type="checkbox" value="yes" /> <label for="wp-comment-cookies-consent">Save my name, email, and website in this browser for the next time I comment.</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment" /></p>
</form></div></div>"""

FOOTER = """<footer id="footer" class="site-footer dark-skin dark-widgetized-area">
<div id="site-info" class="site-info"><div class="container"><div class="tie-row"><div class="tie-col-md-12">
<div class="copyright-text copyright-text-first">&copy; Copyright {year}, All Rights Reserved</div>
<div class="footer-menu"><ul class="menu"><li><a href="{about}">About us</a></li><li><a href="{contact}">Contact us</a></li><li><a href="{search}">Search</a></li></ul></div>
</div></div></div></div></footer>
<a id="go-to-top" class="go-to-top-button" href="#go-to-tie-body"><span class="tie-icon-angle-up"></span><span class="screen-reader-text">Back to top button</span></a>"""

COOKIE_NOTICE = ('<div id="cookie-notice" role="dialog" class="cookie-notice-hidden cookie-revoke-hidden cn-position-bottom">'
                 '<div class="cookie-notice-container"><span id="cn-notice-text" class="cn-text-container">We use cookies '
                 "to ensure that we give you the best experience on our website. If you continue to use this site we "
                 'will assume that you are happy with it.</span><span id="cn-notice-buttons" class="cn-buttons-container">'
                 '<a href="#" id="cn-accept-cookie" class="cn-set-cookie cn-button">Ok</a></span></div></div>')

NEWSLETTER = ('<div id="tie-newsletter-1" class="container-wrapper widget subscribe-widget"><div class="widget-inner-wrap">'
              '<span class="tie-icon-envelope newsletter-icon"></span><div class="subscribe-widget-content">'
              "<h4>Subscribe to our newsletter</h4><p>Get the day's most important stories from the region delivered to "
              'your inbox every morning.</p></div><form method="post" class="subscribe-form"><input class="subscribe-input '
              'required email" type="email" name="EMAIL" placeholder="Enter Your Email Address" /><input class="button" '
              'type="submit" value="Subscribe" /></form></div></div>')


def header(page: PageContext) -> str:
    """The theme header: logo and main menu with the sections (shared with listing pages)."""
    from outlet_server.corpus import SECTIONS

    menu = "".join(
        f'<li class="menu-item menu-item-type-taxonomy"><a href="{esc(page.url(f"/category/{s.slug}/"))}">{esc(s.name)}</a></li>'
        for s in SECTIONS.values() if s.slug in page.corpus.by_section
    )
    return (f'<header id="theme-header" class="theme-header header-layout-3 main-nav-dark main-nav-default-dark">'
            f'<div class="container header-container"><div class="tie-row logo-row"><div class="logo-wrapper">'
            f'<div id="logo" class="image-logo"><a title="{esc(page.site_name)}" href="{esc(page.url("/"))}">'
            f'<img src="{esc(page.url("/wp-content/uploads/logo.png"))}" alt="{esc(page.site_name)}" />'
            f'<h1 class="h1-off">{esc(page.site_name)}</h1></a></div></div></div></div>'
            f'<div class="main-nav-wrapper"><nav id="main-nav" class="main-nav header-nav" aria-label="Primary Navigation">'
            f'<ul id="menu-main-menu" class="menu"><li class="menu-item"><a href="{esc(page.url("/"))}">Home</a></li>'
            f"{menu}</ul></nav></div></header>")


def footer(page: PageContext, year: int) -> str:
    return FOOTER.format(year=year, about=esc(page.url("/about/")), contact=esc(page.url("/contact/")),
                         search=esc(page.url("/?s=aleppo")))


def _extra_links(page: PageContext) -> str:
    if not page.extra_links:
        return ""
    items = "".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>' for href, text in page.extra_links)
    return f'<div class="post-attachments"><h4>Documents and links</h4><ul>{items}</ul></div>'


def render(article: ArticleSpec, page: PageContext) -> str:
    """The full HTML of ``article`` as a Jannah site serves it."""
    rtl = ' dir="rtl"' if article.language == "ar" else ""
    cats = "".join(
        f'<a class="post-cat tie-cat-{i + 2}" href="{esc(page.url("/category/" + _slug(c) + "/"))}">{esc(c)}</a>'
        for i, c in enumerate(article.categories)
    )
    author = article.authors[0]
    modified = (f'<span class="meta-item last-updated">Last Updated: {article.modified:%d %B %Y}</span>'
                if article.modified else "")
    return f"""<!DOCTYPE html>
<html{rtl} lang="{page.html_lang(article.language)}" class="" data-skin="light">
<head>
<meta charset="UTF-8" />
<link rel="profile" href="https://gmpg.org/xfn/11" />
<meta http-equiv='x-dns-prefetch-control' content='on'>
<title>{esc(article.title)} | {esc(page.site_name)}</title>
<meta name="description" content="{esc(article.description)}" />
<link rel="canonical" href="{esc(page.url(article.path))}" />
{page.open_graph(article, times=True)}
<meta name="author" content="{esc(", ".join(article.authors))}" />
<link rel="alternate" type="application/rss+xml" title="{esc(page.site_name)} &raquo; Feed" href="{esc(page.url("/feed/"))}" />
<link rel="shortlink" href="{esc(page.url(f"/?p={article.post_id}"))}" />
<meta name="viewport" content="width=device-width, initial-scale=1.0" />
</head>
<body id="tie-body" class="post-template-default single single-post postid-{article.post_id} single-format-standard wrapper-has-shadow block-head-1 magazine1 is-desktop is-header-layout-3 sidebar-right has-sidebar post-layout-1 narrow-title-narrow-media has-mobile-share">
<div class="background-overlay"><div id="tie-container" class="site tie-container"><div id="tie-wrapper">
{header(page)}
<div id="content" class="site-content container"><div id="main-content-row" class="tie-row main-content-row">
<div class="main-content tie-col-md-8 tie-col-xs-12" role="main">
<article id="the-post" class="container-wrapper post-content tie-standard">
<header class="entry-header-outer">
<nav id="breadcrumb"><a href="{esc(page.url("/"))}"><span class="tie-icon-home" aria-hidden="true"></span> Home</a><em class="delimiter">/</em><a href="{esc(page.url("/category/" + article.section_slug + "/"))}">{esc(article.section)}</a><em class="delimiter">/</em><span class="current">{esc(article.title)}</span></nav>
<div class="entry-header">
<span class="post-cat-wrap">{cats}</span>
<h1 class="post-title entry-title">{esc(article.title)}</h1>
<div class="single-post-meta post-meta clearfix">{_byline(article, page)}<span class="date meta-item tie-icon">{article.published:%d %B %Y}</span>{modified}<div class="tie-alignright"><span class="meta-comment tie-icon meta-item fa-before">{article.comments}</span><span class="meta-views meta-item"><span class="tie-icon-fire" aria-hidden="true"></span> {article.post_id % 997 + 113} </span><span class="meta-reading-time meta-item"><span class="tie-icon-bookmark" aria-hidden="true"></span> {max(1, len(article.paragraphs) // 4)} minutes read</span></div></div>
</div></header>
<div class="featured-area"><div class="featured-area-inner"><figure class="single-featured-image"><img width="1200" height="675" src="{esc(page.url(article.image))}" class="attachment-jannah-image-post size-jannah-image-post wp-post-image" alt="" /></figure></div></div>
{_share(page, article, "top")}
<div class="entry-content entry clearfix">
{_body(article, page)}
</div><!-- .entry-content /-->
<div class="post-bottom-meta post-bottom-tags post-tags-modern"><div class="post-bottom-meta-title"><span class="tie-icon-tags" aria-hidden="true"></span> Tags</div><span class="tagcloud">{page.tag_links(article, '<a href="{href}" rel="tag">{name}</a>')}</span></div>
{_extra_links(page)}
{_schema(article, page)}
<div class="clearfix"></div>
{_share(page, article, "bottom")}
</article>
<div class="post-components">
<div class="about-author container-wrapper about-author-{article.post_id % 7}"><div class="author-avatar"><a href="{esc(page.author_url(author_slug(author)))}"><img alt="Photo of {esc(author)}" src="{esc(page.url("/wp-content/uploads/avatar.jpg"))}" class="avatar avatar-180 photo" height="180" width="180" /></a></div><div class="author-info"><h3 class="author-name"><a href="{esc(page.author_url(author_slug(author)))}">{esc(author)}</a></h3><div class="author-bio">{esc(author)} is a correspondent for {esc(page.site_name)} covering politics, security and reconstruction across the region.</div></div><div class="clearfix"></div></div>
{_related(article, page)}
<div id="comments" class="comments-area">{_comments(article)}
{RESPOND}
</div>
</div>
</div>
<aside class="sidebar tie-col-md-4 tie-col-xs-12 normal-side is-sticky" aria-label="Primary Sidebar"><div class="theiaStickySidebar">{NEWSLETTER}</div></aside>
</div></div>
{footer(page, article.published.year)}
</div></div></div>
{COOKIE_NOTICE}
</body>
</html>
"""


def _slug(category: str) -> str:
    from outlet_server.corpus import SECTIONS

    return SECTIONS[category].slug
