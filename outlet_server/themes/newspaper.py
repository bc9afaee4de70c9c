"""WordPress with tagDiv's Newspaper theme.

The body is ``div.td-post-content``; around it: ``ul.td-category``, the byline with
"By", ``<time class="entry-date">``, share buttons, "- Advertisement -" slots inside
the body, "READ MORE:" / "Read also:" teaser paragraphs, ``td-post-source-tags``, the
author box, ``td_block_related_posts`` ("RELATED ARTICLES") and "LEAVE A REPLY".

Metadata varies like real Newspaper sites: pages that state their timezone carry
og:*, article:published_time and tagDiv's Article JSON-LD; the others only have
a ``<time datetime>`` in local wall time, so the outlet's timezone applies.
"""

from __future__ import annotations

from outlet_server.corpus import TEMPLATE_LINES, ArticleSpec, author_slug
from outlet_server.themes.base import PageContext, esc, iso, jsonld, related_articles, stable_number

__all__ = ["render"]

TEASER_MARKUP: tuple[str, ...] = (
    '<p><strong>{label}</strong> <a href="{href}">{headline}</a></p>',
    '<p><b>{label}</b> <a href="{href}" target="_blank">{headline}</a></p>',
)

AD_SLOT = ('<div class="td-a-rec td-a-rec-id-content_inline tdi_{n} td_block_template_1">'
           '<span class="td-adspot-title">- Advertisement -</span><div class="td-all-devices">'
           '<a href="#"><img src="{src}" alt="" /></a></div></div>')


def _body(article: ArticleSpec, page: PageContext) -> str:
    parts = [f'<div class="td-post-featured-image"><figure><img width="696" height="392" class="entry-thumb" '
             f'src="{esc(page.url(article.image))}" alt="" /></figure></div>']
    paragraphs, subheadings = article.body()
    for index, paragraph in enumerate(paragraphs):
        if article.teaser_headline and index == article.teaser_index:
            markup = TEASER_MARKUP[stable_number(article.path, len(TEASER_MARKUP))]
            label = article.teaser_label or "READ MORE:"
            parts.append(markup.format(label=esc(label), href=esc(page.link(article.teaser_path or "/")),
                                       headline=esc(article.teaser_headline)))
        if index == 2:
            parts.append(AD_SLOT.format(n=article.post_id % 90 + 10, src=esc(page.url("/wp-content/uploads/ad-300x250.jpg"))))
        parts.append(f"<h2>{esc(paragraph)}</h2>" if index in subheadings else f"<p>{esc(paragraph)}</p>")
    parts.append(f"<p>{esc(TEMPLATE_LINES[article.language])}</p>")
    return "\n".join(parts)


def _metadata(article: ArticleSpec, page: PageContext) -> str:
    if not article.states_timezone:
        return ""
    schema = jsonld({
        "@context": "https://schema.org", "@type": "Article",
        "mainEntityOfPage": {"@type": "WebPage", "@id": page.url(article.path)},
        "headline": article.title, "description": article.description,
        "image": {"@type": "ImageObject", "url": page.url(article.image)},
        "datePublished": iso(article.published), "dateModified": iso(article.modified or article.published),
        "author": page.person_list(article.authors),
        "publisher": {"@type": "Organization", "name": page.site_name},
        "articleSection": article.section,
    })
    return f"{page.open_graph(article, times=True)}\n{schema}"


def _related(article: ArticleSpec, page: PageContext) -> str:
    items = "".join(
        f'<div class="td-related-span4"><div class="td_module_related_posts td-animation-stack td_mod_related_posts">'
        f'<div class="td-module-image"><div class="td-module-thumb"><a href="{esc(page.link(a.path))}" rel="bookmark" '
        f'class="td-image-wrap" title="{esc(a.title)}"><img class="entry-thumb" src="{esc(page.url(a.image))}" alt="" />'
        f'</a></div></div><div class="item-details"><h3 class="entry-title td-module-title"><a href="{esc(page.link(a.path))}" '
        f'rel="bookmark" title="{esc(a.title)}">{esc(a.title)}</a></h3></div></div></div>'
        for a in related_articles(article, page.corpus)
    )
    return (f'<div class="td_block_wrap td_block_related_posts tdi_{article.post_id % 50} td_with_ajax_pagination '
            f'td-pb-border-top td_block_template_1" data-td-block-uid="tdi_{article.post_id % 50}">'
            f'<h4 class="td-related-title td-block-title"><a id="tdi_r1" class="td-related-left td-cur-simple-item" '
            f'href="#">RELATED ARTICLES</a><a id="tdi_r2" class="td-related-right" href="#">MORE FROM AUTHOR</a></h4>'
            f'<div id="tdi_r" class="td_block_inner"><div class="td-related-row">{items}</div></div></div>')


def _sharing(article: ArticleSpec, page: PageContext, where: str) -> str:
    url = esc(page.url(article.path))
    buttons = "".join(
        f'<a class="td-social-sharing-button td-social-sharing-button-js td-social-network td-social-{net}" href="{href}" '
        f'title="{name}"><div class="td-social-but-icon"><i class="td-icon-{net}"></i></div>'
        f'<div class="td-social-but-text">{name}</div></a>'
        for net, name, href in (("facebook", "Facebook", f"https://www.facebook.com/sharer.php?u={url}"),
                                ("twitter", "Twitter", f"https://twitter.com/intent/tweet?url={url}"),
                                ("telegram", "Telegram", f"https://telegram.me/share/url?url={url}"),
                                ("whatsapp", "WhatsApp", f"https://api.whatsapp.com/send?text={url}"))
    )
    return (f'<div class="td-post-sharing td-post-sharing-{where}"><div class="td-post-sharing-visible">'
            f'<a class="td-social-sharing-button td-social-sharing-button-js td-social-handler td-social-share-text" '
            f'href="#"><div class="td-social-but-icon"><i class="td-icon-share"></i></div><div class="td-social-but-text">'
            f"Share</div></a>{buttons}</div></div>")


def render(article: ArticleSpec, page: PageContext) -> str:
    """The full HTML of ``article`` as a Newspaper (tagDiv) site serves it."""
    rtl = ' dir="rtl"' if article.language == "ar" else ""
    cats = "".join(f'<li class="entry-category"><a href="{esc(page.url("/category/" + article.section_slug + "/"))}">'
                   f"{esc(c)}</a></li>" for c in article.categories)
    byline = "".join(f'<a href="{esc(page.author_url(author_slug(a)))}">{esc(a)}</a>' + (" and " if i < len(article.authors) - 1 else "")
                     for i, a in enumerate(article.authors))
    first = article.authors[0]
    extra = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in page.extra_links)
    return f"""<!doctype html >
<html{rtl} lang="{page.html_lang(article.language)}">
<head>
    <title>{esc(article.title)} | {esc(page.site_name)}</title>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <link rel="pingback" href="{esc(page.url("/xmlrpc.php"))}" />
    <link rel="canonical" href="{esc(page.url(article.path))}" />
{_metadata(article, page)}
    <link rel="alternate" type="application/rss+xml" title="{esc(page.site_name)} &raquo; Feed" href="{esc(page.url("/feed/"))}" />
</head>
<body class="post-template-default single single-post postid-{article.post_id} single-format-standard td-standard-pack global-block-template-1 td-full-layout" itemscope="itemscope" itemtype="https://schema.org/WebPage">
<div class="td-scroll-up" data-style="style1"><i class="td-icon-menu-up"></i></div>
<div id="td-outer-wrap" class="td-theme-wrap">
<div class="td-header-wrap td-header-style-1"><div class="td-header-menu-wrap-full td-container-wrap"><div class="td-header-menu-wrap td-header-gradient"><div class="td-container td-header-row td-header-main-menu"><div id="td-header-menu" role="navigation"><div class="td-main-menu-logo td-logo-in-header"><a class="td-main-logo" href="{esc(page.url("/"))}"><span class="td-visual-hidden">{esc(page.site_name)}</span></a></div><ul id="menu-main" class="sf-menu"><li class="menu-item"><a href="{esc(page.url("/"))}">Home</a></li><li class="menu-item"><a href="{esc(page.url("/category/" + article.section_slug + "/"))}">{esc(article.section)}</a></li></ul></div></div></div></div></div>
<div class="td-main-content-wrap td-container-wrap"><div class="td-container td-post-template-default">
<div class="td-crumb-container"><div class="entry-crumbs"><span><a title="" class="entry-crumb" href="{esc(page.url("/"))}">Home</a></span> <i class="td-icon-right td-bread-sep"></i> <span><a title="View all posts in {esc(article.section)}" class="entry-crumb" href="{esc(page.url("/category/" + article.section_slug + "/"))}">{esc(article.section)}</a></span> <i class="td-icon-right td-bread-sep td-bred-no-url-last"></i> <span class="td-bred-no-url-last">{esc(article.title)}</span></div></div>
<div class="td-pb-row"><div class="td-pb-span8 td-main-content" role="main"><div class="td-ss-main-content">
<article id="post-{article.post_id}" class="post-{article.post_id} post type-post status-publish format-standard has-post-thumbnail category-{article.section_slug}">
<div class="td-post-header">
<ul class="td-category">{cats}</ul>
<header class="td-post-title"><h1 class="entry-title">{esc(article.title)}</h1>
<div class="td-module-meta-info"><div class="td-post-author-name"><div class="td-author-by">By</div> {byline}<div class="td-author-line"> - </div></div><span class="td-post-date"><time class="entry-date updated td-module-date" datetime="{iso(article.published, with_offset=article.states_timezone)}">{article.published:%B %d, %Y}</time></span><div class="td-post-views"><i class="td-icon-views"></i><span class="td-nr-views-{article.post_id}">{article.post_id % 911 + 50}</span></div><div class="td-post-comments"><a href="#respond"><i class="td-icon-comments"></i>0</a></div></div>
</header></div>
{_sharing(article, page, "top")}
<div class="td-post-content tagdiv-type">
{_body(article, page)}
</div>
<footer>
<div class="td-post-source-tags"><ul class="td-tags td-post-small-box clearfix"><li><span>TAGS</span></li>{page.tag_links(article, '<li><a href="{href}">{name}</a></li>')}</ul></div>
{f'<ul class="td-post-links">{extra}</ul>' if extra else ""}
{_sharing(article, page, "bottom")}
<div class="td-author-name vcard author" style="display: none"><span class="fn"><a href="{esc(page.author_url(author_slug(first)))}">{esc(first)}</a></span></div>
<div class="author-box-wrap"><a href="{esc(page.author_url(author_slug(first)))}"><img alt="" src="{esc(page.url("/wp-content/uploads/avatar.jpg"))}" class="avatar avatar-96 photo" height="96" width="96" /></a><div class="desc"><div class="td-author-name vcard author"><span class="fn"><a href="{esc(page.author_url(author_slug(first)))}">{esc(first)}</a></span></div><div class="td-author-description">{esc(first)} writes about the economy and daily life in the region for {esc(page.site_name)}.</div><div class="td-author-social"></div><div class="clearfix"></div></div></div>
</footer>
</article>
{_related(article, page)}
<div class="comments" id="comments"><div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">LEAVE A REPLY <small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond" style="display:none;">Cancel reply</a></small></h3><form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form"><div class="clearfix"></div><div class="comment-form-input-wrap td-form-comment"><textarea placeholder="Comment:" id="comment" name="comment" cols="45" rows="8" aria-required="true"></textarea><div class="td-warning-comment">Please enter your comment!</div></div><div class="comment-form-input-wrap td-form-author"><input class="" id="author" name="author" placeholder="Name:*" type="text" value="" size="30" aria-required="true" /><div class="td-warning-author">Please enter your name here</div></div><div class="comment-form-input-wrap td-form-email"><input class="" id="email" name="email" placeholder="Email:*" type="text" value="" size="30" aria-required="true" /><div class="td-warning-email-error">You have entered an incorrect email address!</div><div class="td-warning-email">Please enter your email address here</div></div><p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment" /></p></form></div></div>
</div></div>
<div class="td-pb-span4 td-main-sidebar" role="complementary"><div class="td-ss-main-sidebar"><div class="td_block_wrap tdm_block_inline_newsletter"><h3 class="tdm-title">Subscribe to our newsletter</h3><p class="tdm-descr">Never miss a story: the morning briefing, in your inbox.</p><form><input type="email" placeholder="Your email address" /><button>Subscribe</button></form></div></div></div>
</div></div></div>
<div class="td-footer-wrapper td-container-wrap"><div class="td-container"><div class="td-pb-row"><div class="td-pb-span12"><div class="footer-text-wrap">{esc(page.site_name)} - news from the Levant. <a href="{esc(page.url("/about/"))}">About us</a> <a href="{esc(page.url("/contact/"))}">Contact us</a></div></div></div></div></div>
<div class="td-sub-footer-container td-container-wrap"><div class="td-container"><div class="td-pb-row"><div class="td-pb-span td-sub-footer-copy">&copy; {article.published.year} {esc(page.site_name)}. All rights reserved.</div></div></div></div>
</div>
</body>
</html>
"""
