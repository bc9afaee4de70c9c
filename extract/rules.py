"""Rules as data: every pattern, selector and article signal the extractor uses lives here.

Nothing in this module runs; the engines that apply these rules are :mod:`extract.dom`
(drop selectors, before trafilatura, through :mod:`extract.selectors`), :mod:`extract.metadata`
(bylines, dates, breadcrumbs, category and tag links) and :mod:`extract.paragraphs` (labels and
lines, after trafilatura). Outlets add their own rules through the registry
(``boilerplate.drop_selectors`` and ``boilerplate.drop_paragraphs``);
:func:`extract.dom.preclean` and :meth:`extract.paragraphs.ParagraphRules.for_patterns` merge
them with the built-in ones below.

Adding a rule is adding a line here, with a test in ``tests/extract/`` (``test_paragraphs.py``
for paragraph rules, ``test_metadata.py`` for metadata ones) showing a real paragraph or page
that must survive it.
"""

from __future__ import annotations

__all__ = [
    "ARTICLE_JSONLD_TYPES",
    "ARTICLE_OG_TYPES",
    "AUTHOR_BIO_CLASSES",
    "AUTHOR_BIO_CONJUNCTIONS",
    "AUTHOR_BIO_STOP_WORDS",
    "AUTHOR_BYLINE_WORDS",
    "AUTHOR_LINK_PATHS",
    "AUTHOR_META_NAMES",
    "AUTHOR_NOISE",
    "AUTHOR_NOISE_LAST_WORDS",
    "AUTHOR_ORGANISATION_WORDS",
    "AUTHOR_PHOTO_LABELS",
    "AUTHOR_PLACE_NAMES",
    "AUTHOR_PREFIXES",
    "AUTHOR_SELECTORS",
    "AUTHOR_TAIL_WORDS",
    "AUTHOR_TWITTER_LABELS",
    "AUTHOR_WEEKDAYS",
    "BLOCK_HEADINGS",
    "BOILERPLATE_LINES",
    "BREADCRUMB_SELECTORS",
    "BYLINE_LINES",
    "CATEGORY_LINK_SELECTORS",
    "DATE_LINES",
    "DATE_META_NAMES",
    "DROP_SELECTORS",
    "END_HEADINGS",
    "MIN_ARTICLE_TEXT_CHARS",
    "MODIFIED_META_NAMES",
    "MONTHS",
    "SHARE_BAR_WORDS",
    "TAG_LINK_SELECTORS",
    "TEASER_LABELS",
    "TEASER_LABEL_LANGUAGES_ANY_CASE",
    "THEME_SELECTORS",
    "TITLE_SEPARATORS",
]

#: schema.org ``@type`` names that mark a JSON-LD node as an article (compared case-insensitively).
#: The one list for both "is this an article" decisions: the fetchers' (:mod:`ingest.articles`) and
#: the extractor's (:class:`extract.jsonld.JsonLd`).
ARTICLE_JSONLD_TYPES: frozenset[str] = frozenset(
    {
        "Article", "NewsArticle", "BlogPosting", "LiveBlogPosting", "SocialMediaPosting", "Report",
        "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle", "BackgroundNewsArticle",
        "ReviewNewsArticle", "AskPublicNewsArticle", "ScholarlyArticle", "TechArticle", "SatiricalArticle",
    }
)
#: ``og:type`` values that mark a page as an article (compared lower-cased).
ARTICLE_OG_TYPES: frozenset[str] = frozenset({"article", "news", "newsarticle"})
#: A page whose only article signal is an ``<article>`` element needs at least this much text.
MIN_ARTICLE_TEXT_CHARS = 400

#: Inline teaser labels by language. A paragraph is a teaser when it *starts* with one of these
#: and the match is strict: the label written in capitals ("ALSO READ ..."), followed by a colon
#: or dash ("Read also: ..."), standing alone, or followed only by a link or a known headline.
#: Scripts without case (Arabic) use the colon/alone/short-headline forms.
TEASER_LABELS: dict[str, tuple[str, ...]] = {
    "en": (
        "also read",
        "read also",
        "read more",
        "see also",
        "related",
        "related article",
        "related articles",
        "related story",
        "related stories",
        "related coverage",
        "related content",
        "recommended",
        "recommended for you",
        "more on this",
        "more on this story",
        "you may also like",
        "you might also like",
        "must read",
        "don't miss",
        "also on",
        "watch",
        "suggested reading",
    ),
    "ar": (
        "اقرأ أيضا",
        "اقرأ أيضاً",
        "إقرأ أيضا",
        "إقرأ أيضاً",
        "اقرأ ايضا",
        "اقرأ ايضاً",
        "إقرأ ايضا",
        "اقرأ كذلك",
        "اقرأ المزيد",
        "شاهد أيضا",
        "شاهد أيضاً",
        "مواضيع ذات صلة",
        "أخبار ذات صلة",
    ),
    "ru": (
        "читайте также",
        "читайте еще",
        "читайте ещё",
        "читать также",
        "смотрите также",
        "см. также",
        "по теме",
        "рекомендуем",
        "также читайте",
    ),
    "de": ("lesen sie auch", "lesen sie mehr", "auch interessant", "mehr zum thema", "weiterlesen", "siehe auch",
           "das könnte sie auch interessieren", "das könnte dich auch interessieren",
           "das thema könnte dich auch interessieren", "das thema könnte sie auch interessieren"),
    "fr": ("à lire aussi", "a lire aussi", "lire aussi", "voir aussi", "à lire également", "sur le même sujet"),
    "es": ("lee también", "lea también", "leer más", "te puede interesar", "también te puede interesar"),
    "it": ("leggi anche", "potrebbe interessarti", "leggi di più"),
}

#: Languages whose teaser labels are imperative phrases that never open real prose: there the
#: label followed by a short headline is a teaser even without capitals or a colon.
TEASER_LABEL_LANGUAGES_ANY_CASE: frozenset[str] = frozenset({"ar", "ru"})

#: Whole-block headings and buttons that open or are page furniture, never article text. A block
#: that equals one of these (case-insensitive, trailing punctuation ignored) is dropped; when it
#: is an *end* heading (related, comments) the headline-like blocks that follow it go too.
BLOCK_HEADINGS: dict[str, tuple[str, ...]] = {
    "en": (
        "related articles",
        "related posts",
        "related stories",
        "related news",
        "more stories",
        "more from this section",
        "you may also like",
        "you might also like",
        "recommended for you",
        "most popular",
        "most read",
        "trending",
        "trending now",
        "latest news",
        "leave a reply",
        "leave a comment",
        "add comment",
        "post a comment",
        "comments",
        "reader comments",
        "join the conversation",
        "back to top button",
        "back to top",
        "share this",
        "share this article",
        "share this story",
        "share on facebook",
        "share on twitter",
        "like this",
        "post navigation",
        "previous article",
        "next article",
        "previous post",
        "next post",
        "subscribe to our newsletter",
        "sign up for our newsletter",
        "follow us",
        "tags",
        "filed under",
        "about the author",
        "advertisement",
        "skip to content",
    ),
    "ar": (
        "مقالات ذات صلة",
        "أخبار ذات صلة",
        "مواضيع ذات صلة",
        "اترك تعليقاً",
        "اترك تعليقا",
        "أضف تعليق",
        "التعليقات",
        "زر الذهاب إلى الأعلى",
        "شارك",
        "الوسوم",
        "الأكثر قراءة",
    ),
    "ru": (
        "похожие статьи",
        "похожие новости",
        "статьи по теме",
        "новости по теме",
        "оставьте ответ",
        "добавить комментарий",
        "комментарии",
        "кнопка «наверх»",
        "наверх",
        "поделиться",
        "метки",
        "самое читаемое",
    ),
    "de": ("ähnliche beiträge", "ähnliche artikel", "verwandte artikel", "weitere artikel", "mehr zum thema",
           "das könnte sie auch interessieren", "kommentare", "kommentar schreiben", "schreibe einen kommentar",
           "hinterlasse einen kommentar", "diesen artikel teilen", "beitrag teilen", "teilen", "nach oben",
           "zurück nach oben", "newsletter abonnieren", "schlagwörter", "auch interessant"),
    "fr": ("articles similaires", "articles liés", "à lire aussi", "sur le même sujet", "commentaires",
           "laisser un commentaire", "partager", "partager cet article", "retour en haut"),
    "es": ("artículos relacionados", "noticias relacionadas", "comentarios", "deja un comentario", "compartir",
           "volver arriba"),
    "it": ("articoli correlati", "commenti", "lascia un commento", "condividi", "torna su"),
}

#: Headings after which the rest of a run of headline-like blocks is a list of other articles.
END_HEADINGS: tuple[str, ...] = (
    "related articles",
    "related posts",
    "related stories",
    "related news",
    "more stories",
    "you may also like",
    "you might also like",
    "recommended for you",
    "most popular",
    "most read",
    "trending",
    "trending now",
    "latest news",
    "مقالات ذات صلة",
    "أخبار ذات صلة",
    "الأكثر قراءة",
    "похожие статьи",
    "похожие новости",
    "статьи по теме",
    "новости по теме",
    "самое читаемое",
    "ähnliche beiträge",
    "ähnliche artikel",
    "verwandte artikel",
    "weitere artikel",
    "articles similaires",
    "articles liés",
    "artículos relacionados",
    "noticias relacionadas",
    "articoli correlati",
)

#: Regexes (case-insensitive, matched against a whole block) for standard furniture sentences
#: that some themes put inside the article container.
BOILERPLATE_LINES: tuple[str, ...] = (
    r"your email address will not be published\.?.*",
    r"required fields are marked \*?",
    r"save my name, email, and website in this browser for the next time I comment\.?",
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}|all rights reserved).*",
    r"all rights reserved\.?",
    r"we use cookies.{0,200}",
    r"this (?:web)?site uses cookies.{0,200}",
    r"(?:sign|subscribe) (?:up )?(?:to|for) (?:our|the) (?:daily |weekly )?newsletters?.{0,120}",
    r"follow us on (?:twitter|facebook|telegram|instagram|google news|x)\b.{0,80}",
    r"click here to (?:read more|subscribe|comment).{0,80}",
    r"\d+\s+(?:minutes?|mins?) read",
    r"(?:posted|published|updated) (?:on|at)?\s*\w+ \d{1,2},? \d{4}.{0,40}",
    r"(?:zurück|back|retour|volver|torna) (?:to|zu|zum|zur|nach|à|a|al|alla|in) [\w ]{1,30}",
    r"(?:by|von|par|por|di|autor|author|auteur)\s*:",
    r"view (?:the )?(?:comments?|discussion thread)\.?",
    r"(?:kommentare|comments|commentaires) (?:insgesamt|total)?\s*:?\s*\d*",
    r"(?:letzte änderung|zuletzt (?:aktualisiert|geändert)|last (?:modified|updated)|dernière mise à jour)\b.{0,40}",
    r"(?:mit unserem|abonnieren sie (?:unseren|den)|melden sie sich (?:für|zu) unserem) newsletter.{0,200}",
    r"(?:crédits? photos?|photo credits?|bildquelle|beitragsbild|image credit)\s*:?.{0,100}",
    r"(?:pour lire la suite|pour accéder en illimité|to continue reading|subscribe to (?:continue|read)).{0,150}",
    r"لا يتم نشر عنوان بريدك الإلكتروني.*",
    r"ваш адрес email не будет опубликован.*",
)

#: Words of share and follow bars: a block made of nothing but these (one per line in the page:
#: "Share", "Reddit", "Pocket", "Flipboard", "Email") is the bar, not article text.
SHARE_BAR_WORDS: tuple[str, ...] = (
    "share", "share this", "shares", "teilen", "partager", "compartir", "condividi", "поделиться", "tweet", "email",
    "e-mail", "mail", "print", "drucken", "imprimer", "facebook", "twitter", "x", "linkedin", "reddit", "pocket",
    "flipboard", "whatsapp", "telegram", "pinterest", "xing", "tumblr", "vk", "copy link", "link kopieren",
    "copy", "messenger", "threads", "bluesky", "mastodon", "follow", "follow us", "folgen", "subscribe", "rss",
)

_NAME = r"[A-Z\u00c0-\u024f\u0400-\u042f][\w'’.-]+(?: [A-Z\u00c0-\u024f\u0400-\u042f][\w'’.-]+){0,3}"
_ROLE = r"(?:staff writer|staff reporter|reporter|correspondent|[A-Z][\w]+ (?:correspondent|editor|reporter))"

#: Byline paragraphs (case-sensitive, whole block): "By Jane Doe", "By Jane Doe and Tom Roe, Staff
#: Writer", "Par Jean Dupont", "Автор: Ирина Соколова", "Portside Weekly reporter". The names go to ``authors``; the line is not article text.
BYLINE_LINES: tuple[str, ...] = (
    rf"(?:By|BY|by|Par|PAR|Von|VON|Por|POR|Di|Door|Автор:|Автор|Auteur\s?:|Autor:) {_NAME}(?:(?:,| and| et| und| y| e| и| &) {_NAME})*(?:,? {_ROLE})?\.?",
    rf"{_NAME} {_ROLE}",
)

#: Month names for date lines ("Thursday, December 22 2016", "19 июля 2024, 12:40", "الخميس 5 أكتوبر 2023").
MONTHS: tuple[str, ...] = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября",
    "декабря", "يناير", "فبراير", "مارس", "أبريل", "إبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
    "نوفمبر", "ديسمبر", "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
    "تشرين الأول", "تشرين الثاني", "كانون الأول",
    "mai", "januar", "jänner", "februar", "märz", "juni", "juli", "oktober", "dezember", "janvier", "février", "mars",
    "avril", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre", "enero", "febrero", "marzo",
    "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre", "gennaio",
    "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre", "dicembre",
)
_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_CLOCK = r"(?:[,،|\s-]+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?"
_WEEKDAY = r"(?:[^\W\d]+[,،]?\s+)?"

#: A block that is nothing but a date (a dateline under the headline): dropped, case-insensitive.
DATE_LINES: tuple[str, ...] = (
    rf"{_WEEKDAY}\d{{1,2}}\s+{_MONTH}\s+\d{{4}}(?:\s*г\.?)?{_CLOCK}",
    rf"{_WEEKDAY}{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}{_CLOCK}",
    rf"\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}}{_CLOCK}",
    rf"\d{{4}}-\d{{2}}-\d{{2}}{_CLOCK}",
)

#: CSS selectors removed from every page before trafilatura runs: plugin and theme furniture that
#: sits inside article containers. Keep each one specific (ids, well-known class names).
DROP_SELECTORS: tuple[str, ...] = (
    # comments and respond forms
    "#comments", "#respond", ".comment-respond", ".comments-area", ".comment-list", "ol.commentlist",
    "#disqus_thread", ".fb-comments", "form.comment-form", "#commentform", "section.comment-wrapper",
    ".comment-wrapper", "article.comment", ".comments-wrapper", ".comment-section", "#jp-post-flair",
    # related posts blocks
    "#related-posts", ".related-posts", ".jp-relatedposts", ".yarpp-related", ".crp_related",
    ".related-articles", ".related_posts", ".rp4wp-related-posts", "aside.related",
    # share bars
    ".share-buttons", ".sharedaddy", ".sd-sharing-enabled", ".addtoany_share_save_container", ".a2a_kit",
    ".social-share", ".share-links", ".post-share", ".ssba", ".heateor_sss_sharing_container", ".shariff",
    ".share-bar", ".social-share-bar", ".entry-share", ".post-share-buttons", ".social-buttons", ".socialshare",
    # newsletter and cookie notices
    ".newsletter", ".newsletter-box", ".mc4wp-form", "#mc_embed_signup", ".subscribe-box", ".newsletter-signup",
    ".newsletter-form", "#newsletter",
    "#cookie-notice", ".cookie-notice", "#cookie-law-info-bar", ".cky-consent-container", "#onetrust-banner-sdk",
    ".cmplz-cookiebanner",
    # author boxes, breadcrumbs, category strips, tag lists, post navigation
    ".author-box", ".about-author", ".post-author-box", "#author-box", ".saboxplugin-wrap",
    "#breadcrumb", ".breadcrumb", ".breadcrumbs", "nav[aria-label=breadcrumb]", ".rank-math-breadcrumb",
    ".yoast-breadcrumbs", ".post-cat-wrap", ".cat-links", ".post-categories", ".tags-links", ".post-tags",
    ".post-navigation", ".nav-links", ".navigation.post-navigation",
    # back to top, inline related-post plugins, ads
    "#go-to-top", ".go-to-top-button", ".back-to-top", "#back-to-top", ".scroll-to-top",
    ".irp-wrap", "._irp_wrapper", ".inline-related-posts", ".wp-block-related-posts",
    ".adsbygoogle", ".advertisement", ".ad-container", ".stream-item",
    ".screen-reader-text", ".sr-only",
)

#: Per-theme selectors, applied on every page (they are specific enough not to collide) and
#: listed per theme so each can be tested and documented.
THEME_SELECTORS: dict[str, tuple[str, ...]] = {
    # WordPress Jannah (TieLabs)
    "jannah": (
        "#breadcrumb", ".post-cat-wrap", "#single-post-meta", ".post-meta", ".post-bottom-meta",
        "#post-extra-info", "#share-buttons-top", "#share-buttons-bottom", ".post-components",
        "#related-posts", "#read-next-block", "#check-also-box", ".post-footer-on-bottom",
        "#go-to-top", ".entry-header-outer .post-meta", ".meta-views", ".meta-reading-time",
        ".featured-area .caption", ".toggle-post-content",
    ),
    # WordPress tagDiv Newspaper
    "newspaper": (
        ".td-category", ".td-post-category", ".td-crumb-container", ".entry-crumbs", ".td-post-sharing",
        ".td-post-sharing-top", ".td-post-sharing-bottom", ".td-post-source-tags", ".td-post-next-prev",
        ".td-author-name", ".td-post-author-name", ".td-post-date", ".td-post-views", ".td-post-comments",
        ".author-box-wrap", ".td_block_related_posts", ".td-related-title", ".td-block-title-wrap",
        ".comments", ".td-comments-title", ".td-scroll-up", ".td-a-rec", ".td-g-rec", ".td-footer-wrapper",
        ".tdb_single_categories", ".tdb_breadcrumbs", ".tdb_single_tags", ".tdb_single_author_box",
        ".tdb_single_related", ".tdb_single_post_share",
    ),
    # Ghost (Casper and derivatives)
    "ghost": (
        ".article-byline", ".article-excerpt", ".gh-article-meta", ".gh-post-upgrade-cta", ".post-upgrade-cta",
        ".subscribe-form", ".gh-subscribe", ".footer-cta", ".read-more-wrap", ".read-next", ".gh-read-next",
        ".article-tag", ".post-card-tags", ".article-comments", ".gh-comments", ".gh-article-tags",
        ".kg-signup-card",
    ),
    # Drupal news sites
    "drupal": (
        ".field--name-field-tags", ".field--name-field-category", ".block-system-breadcrumb-block",
        ".node__links", ".links.inline", ".field--name-comment", "#block-related", ".block-views-blockrelated",
        ".node__meta", ".field--name-field-author",
    ),
}

#: Title separators between a headline and the site name ("Headline | Site", "Site - Headline").
TITLE_SEPARATORS: tuple[str, ...] = (" | ", " - ", " – ", " — ", " :: ", " « ", " » ", " · ", " / ")

#: Leading words of a byline that are not part of a name (case-insensitive, at the start; followed by
#: a space, a colon, or glued to a capital as in "AuthorJane Doe").
AUTHOR_PREFIXES: tuple[str, ...] = (
    "view all posts by", "all posts by", "more posts by", "alles von", "mehr von", "more from",
    "tous les articles de", "show all articles of", "more articles by",
    "articles by", "posts by", "written by", "words by", "reporting by", "posted by", "story by", "text by",
    "by", "écrit par", "publié par", "par", "eingestellt von", "erstellt von", "verfasst von", "geschrieben von", "veröffentlicht von", "text von",
    "text", "von", "escrito por", "publicado por", "por", "scritto da", "pubblicato da", "di", "door", "av",
    "authors", "author", "autoren", "autorin", "autor", "auteur", "автор", "от", "بقلم", "كتب", "interview:", "redaktion:",
    "blog beitrag von", "ein beitrag von", "beitrag von", "a post by", "an article by", "submitted by",
    "gespeichert von",
    # one credit for the words and the pictures ("Text & Fotos: Max Muster"): the writer
    "text & fotos", "text und fotos", "text & foto", "text und foto", "text & bilder", "text und bilder",
    "text & bild", "text und bild", "text and photos", "text & photos", "words and pictures", "texte et photos",
    "texto y fotos",
)

#: Byline words that open a line of page text naming the author ("By Jane Doe", "Par Jean Dupont",
#: "Von Max Muster", "Por Ana Ruiz", "Di Marco Rossi", "Автор: Иван Петров"), exactly as written.
AUTHOR_BYLINE_WORDS: tuple[str, ...] = (
    "By", "BY", "by", "Par", "PAR", "Von", "VON", "Por", "POR", "Di", "Door", "Autor:", "Auteur:", "Автор:",
    "Автор", "Text:", "Von:", "By:", "Par:", "Por:", "Redaktion:", "Interview:",
    # CMS "submitted" lines (Drupal, Plone, WordPress themes), opening a line or after a label
    "Submitted by", "submitted by", "Posted by", "posted by", "Written by", "written by", "Gespeichert von",
    "gespeichert von", "Erstellt von", "erstellt von", "Verfasst von", "verfasst von", "Geschrieben von",
    "geschrieben von", "Publié par", "publié par", "Escrito por", "escrito por",
    # lower case in a byline's own element ("von <em>Max Muster</em>", "par <span>Jean Dupont</span>")
    "von", "par", "por",
    # a line of the article naming its writers ("Ein Beitrag von Max Muster", "Autoren Max Muster und ...")
    "Beitrag von", "Ein Beitrag von", "Blog Beitrag von", "Autorin:", "Autoren:", "Autoren", "Autorin", "Autor", "Author", "Author:",
    # one credit for the words and the pictures
    "Text & Fotos:", "Text und Fotos:", "Text & Bilder:", "Text und Bilder:", "Texte et photos:", "Texto y fotos:",
)

#: Labels of a photo credit inside a byline ("Text: Max Muster, Fotos: Erika Beispiel"): the part
#: they open names a photographer, not an author (case-insensitive, before a colon).
AUTHOR_PHOTO_LABELS: frozenset[str] = frozenset({
    "foto", "fotos", "photo", "photos", "bild", "bilder", "fotografie", "photography", "pictures", "images",
})

#: Containers whose bylines are other people's: reader comments (commenters: a part of a class or id)
#: and related-article teasers ("More from ...": "Interview: <someone else>"; a class or id token
#: opening with the prefix: "related-article", not a theme's "tweak-v1-related-products" on <body>).
AUTHOR_ELSEWHERE_PARTS: tuple[str, ...] = ("comment",)
AUTHOR_ELSEWHERE_PREFIXES: tuple[str, ...] = ("related",)

#: Path segments of links to an author's page (WordPress ``/author/<login>/``, ``/autoren/<name>``):
#: the first such link and those beside it name the page's authors when nothing else does.
AUTHOR_LINK_PATHS: tuple[str, ...] = ("/author/", "/authors/", "/autor/", "/autoren/", "/auteur/", "/autore/")

#: Class names (substrings) of author bio boxes; a bio opening with a full name ("Jane Doe is a
#: reporter ...") completes a one-word author ("Jane").
AUTHOR_BIO_CLASSES: tuple[str, ...] = ("author-bio", "author_bio", "authorbio", "author-description", "biography")

#: Capitalised words that end the name a bio or a long byline opens with ("Floyd Das Internet ist
#: ..." names "Floyd"), and conjunctions after which it was no name ("Yellow Vests and I ...": a
#: headline). Compared case-sensitively.
AUTHOR_BIO_STOP_WORDS: frozenset[str] = frozenset({
    "The", "A", "An", "My", "I", "He", "She", "Das", "Der", "Die", "Den", "Dem", "Ein", "Eine", "Ich", "Mein",
    "Meine", "Er", "Sie", "Les", "Il", "Elle", "Je", "Mon", "Ma", "Los", "Las", "Un", "Una", "Yo", "Mi",
})
AUTHOR_BIO_CONJUNCTIONS: frozenset[str] = frozenset({"and", "und", "et", "y", "e", "&", "or", "oder", "ou", "o", "with", "mit"})

#: ``<meta>`` names/properties (lower case) naming the author, in order of trust. ``article:author``
#: often holds a profile URL: URLs are skipped. Then the names of publishing and analytics tools
#: (Dublin Core written with a colon, Cxense, Shareaholic, bepress, Sailthru's byline).
AUTHOR_META_NAMES: tuple[str, ...] = (
    "author", "byl", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
    "citation_author", "og:article:author", "article:author_name", "og:author", "dc:creator",
    "cxenseparse:author", "shareaholic:article_author_name", "bepress_citation_author", "sailthru.byline_name",
)

#: ``twitter:labelN`` values (case-folded) whose ``twitter:dataN`` names the author (Yoast, by language).
AUTHOR_TWITTER_LABELS: frozenset[str] = frozenset({
    "written by", "verfasst von", "geschrieben von", "écrit par", "escrito por", "scritto da", "geschreven door",
    "skrevet af", "skrivet av", "автор", "napisane przez",
})

#: Bylines (or byline parts) that name no person: desks, placeholders, widget labels. Matched
#: against a whole name, letters and digits only, case-insensitive.
AUTHOR_NOISE: tuple[str, ...] = (
    "staff", "staff writer", "staff writers", "staff reporter", "editorial staff", "editorial team", "editorial board",
    "news desk", "web desk", "newsroom", "editor", "editors", "admin", "administrator", "webmaster", "guest",
    "guest author", "contributor", "correspondent", "agencies", "username", "user", "follow author", "follow",
    "anonymous", "unknown", "author", "authors", "autor", "auteur", "view all posts", "all posts", "more articles",
    "contact", "email", "share", "no author", "redaktion", "die redaktion", "rédaction", "la rédaction", "redacción", "redazione",
    "redactie", "editorial", "press release", "pressemitteilung", "редакция", "корреспондент", "المحرر",
    "محرر الموقع", "publisher", "super user", "anonym", "anónimo", "anonimo", "anonyme", "date", "invitation",
    "unbekannt", "inconnu", "desconocido", "sconosciuto", "all rights reserved", "alle rechte vorbehalten",
    "stand", "as of", "herausgeber", "herausgeberin", "paid content", "sponsored", "sponsored content",
    "partner content", "anzeige", "werbung", "advertorial", "zvg",
)

#: Countries and regions (case-folded, in the languages of the bylines seen) that end a byline's
#: dateline ("Jane Doe, Nairobi, Kenya", "Max Muster, Berlin, Deutschland"): when the last comma
#: part of a byline is one of these, the byline ends at its first comma. Never a person's name.
AUTHOR_PLACE_NAMES: frozenset[str] = frozenset({
    "germany", "deutschland", "allemagne", "alemania", "austria", "österreich", "autriche", "switzerland",
    "schweiz", "suisse", "suiza", "france", "frankreich", "francia", "italy", "italien", "italie", "italia",
    "spain", "spanien", "espagne", "españa", "portugal", "netherlands", "niederlande", "belgium", "belgien",
    "belgique", "luxembourg", "luxemburg", "poland", "polen", "pologne", "polonia", "czech republic",
    "tschechien", "hungary", "ungarn", "greece", "griechenland", "grèce", "grecia", "sweden", "schweden",
    "norway", "norwegen", "denmark", "dänemark", "finland", "finnland", "ireland", "irland", "uk",
    "united kingdom", "england", "scotland", "schottland", "wales", "russia", "russland", "russie", "rusia",
    "ukraine", "ucrania", "turkey", "türkei", "turquie", "turquía", "israel", "lebanon", "libanon", "syria",
    "syrien", "syrie", "iraq", "irak", "iran", "egypt", "ägypten", "égypte", "egipto", "kenya", "kenia",
    "nigeria", "south africa", "südafrika", "ethiopia", "äthiopien", "india", "indien", "inde", "pakistan",
    "afghanistan", "china", "chine", "japan", "japon", "japón", "south korea", "südkorea", "korea",
    "australia", "australien", "australie", "new zealand", "neuseeland", "usa", "u.s.", "us",
    "united states", "vereinigte staaten", "états-unis", "estados unidos", "canada", "kanada", "mexico",
    "mexiko", "méxico", "brazil", "brasilien", "brasil", "brésil", "argentina", "argentinien", "chile",
    "colombia", "kolumbien", "peru", "perú", "bolivia", "bolivien", "venezuela", "cuba", "kuba",
})

#: Weekdays and their abbreviations (English, German, French, Spanish, Italian): before a date in a
#: byline ("Jane Doe Fr, 18. Oktober 2019", "Jane Doe Friday, May 5, 2020") they go with the date.
AUTHOR_WEEKDAYS: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun",
    "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonnabend", "Sonntag",
    "Mo", "Di", "Mi", "Do", "Fr", "Sa", "So",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo",
    "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica",
)

#: Words that make a byline part an organisation or a credit, not a person: legal forms ("Example
#: GmbH", "Example Inc."), copyright notices, desk words in first position ("Redaktion Example").
#: Matched case-insensitively against each word (punctuation stripped; hyphenated words by part).
AUTHOR_ORGANISATION_WORDS: frozenset[str] = frozenset({
    "gmbh", "ag", "kg", "ug", "ev", "inc", "ltd", "llc", "plc", "corp", "sarl", "sas", "srl", "spa", "bv", "nv",
    "copyright", "©", "redaktion", "redaction", "rédaction", "redacción", "redazione", "redactie", "редакция",
    "newsdesk", "verlag", "ministerium", "bundesministerium", "departement", "department", "ministry",
    # publications and institutions ("Example Zeitung", "Example Online", "Bund der ...", "Example-Stiftung")
    "zeitung", "magazin", "magazine", "illustrierte", "presse", "nachrichten", "news", "online", "media", "tv",
    "radio", "stiftung", "foundation", "verband", "bundesverband", "verein", "bund", "institut", "institute",
    "universität", "university", "gesellschaft", "feuerwehr", "partei", "sekretariat", "agentur", "werbeagentur",
    "agency",
    # authorities ("U.S. Customs and Border Protection", "Polizei Musterstadt")
    "customs", "police", "polizei", "government", "regierung",
})

#: Words that, following a name in a byline, start text that is not part of it ("Jane Doe Alle
#: Artikel", "Jane Doe Hace 2 horas"): the name ends before them (case-sensitive, whole words).
AUTHOR_TAIL_WORDS: tuple[str, ...] = (
    "Alle Artikel", "All articles", "All posts", "Mehr von", "More from", "More by", "View profile", "Profil",
    "Hace", "Il y a", "vor", "ago", "Follow", "Folgen", "Suivre", "Seguir",
)

#: A byline whose last word is one of these names a desk or a role, not a person ("Syria Truth
#: Staff", "Senior Political Correspondent"): after a comma, such a part is a role and goes.
AUTHOR_NOISE_LAST_WORDS: frozenset[str] = frozenset({
    "staff", "desk", "team", "newsroom", "reporters", "agencies", "reporter", "correspondent", "editor", "writer",
    "columnist", "contributor", "photographer", "redakteur", "redakteurin", "korrespondent", "korrespondentin",
    "journalist", "journalistin", "journaliste", "redaktion", "kolumnist", "kolumnistin", "chefredakteur",
    "chefredakteurin", "autorin", "phd", "md",
})

_CLASS = "contains(concat(' ',normalize-space(@class),' '),' {} ')"

#: XPath expressions for byline elements, tried in order when neither structured data nor
#: ``itemprop``/``rel`` author names one; the first that matches is read.
AUTHOR_SELECTORS: tuple[str, ...] = (
    "//*[contains(@class,'author-name') or contains(@class,'authorName') or contains(@class,'author_name') or "
    "contains(@class,'author__name') or contains(@class,'byline__name') or contains(@class,'byline-name') or "
    "contains(@class,'byline__author')]",
    "//*[" + " or ".join(_CLASS.format(token) for token in (
        "byline", "c-byline", "article-byline", "post-byline", "entry-byline", "meta-author", "post-author",
        "entry-author", "article-author", "article__author", "author", "autor", "field--name-field-byline",
    )) + "]",
    "//*[contains(concat(' ',normalize-space(@class),' '),' vcard ')]//*[contains(concat(' ',normalize-space(@class),' '),' fn ')]",
    "//*[contains(@class,'authorname') or contains(@class,'author-link') or contains(@id,'author')]",
    # a person's full name (staff pages, profile cards), not in an embedded post (tweets use it too)
    "//*[contains(@class,'full-name') or contains(@class,'fullname') or contains(@class,'full_name')]"
    "[not(ancestor::*[contains(@class,'tweet') or contains(@class,'twitter') or contains(@class,'embed')])]",
    "//*[contains(@class,'author') and not(contains(@class,'bio') or contains(@class,'box') or "
    "contains(@class,'avatar') or contains(@class,'description'))]",
)

#: ``<meta>`` names/properties (lower case) that carry the publication time, in order of trust.
DATE_META_NAMES: tuple[str, ...] = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
)

#: ``<meta>`` names/properties (lower case) that carry the last modification time.
MODIFIED_META_NAMES: tuple[str, ...] = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "lastmod",
    "dcterms.modified",
)

#: Breadcrumb trails (CSS, containers). When no ``article:section`` / JSON-LD ``articleSection``
#: names the section, it is the last link of the first trail that is neither the home page nor the
#: page itself ("Home / World / Middle East / <headline>" gives "Middle East").
BREADCRUMB_SELECTORS: tuple[str, ...] = (
    "#breadcrumb", "#breadcrumbs", ".breadcrumb", ".breadcrumbs", "nav[aria-label=breadcrumb]",
    "nav[aria-label=Breadcrumb]", ".rank-math-breadcrumb", ".yoast-breadcrumbs", ".entry-crumbs",
    ".tdb_breadcrumbs", ".block-system-breadcrumb-block",
)

#: The post's category links (CSS, the links themselves); the first is the section when neither
#: metadata nor a breadcrumb trail says it. Ghost's primary tag is its section.
CATEGORY_LINK_SELECTORS: tuple[str, ...] = (
    "a[rel~=category]", ".post-cat-wrap a", ".td-category a", ".tdb_single_categories a", ".cat-links a",
    ".post-categories a", ".post-card-primary-tag a", ".field--name-field-category a",
    ".field--name-field-section a",
)

#: The post's tag links (CSS, the links themselves), read when no ``article:tag``, JSON-LD
#: ``keywords`` or ``news_keywords`` lists the tags. (Not ``.tagcloud``: that is also the sidebar
#: widget of every tag on the site.)
TAG_LINK_SELECTORS: tuple[str, ...] = (
    "article a[rel~=tag]:not([rel~=category])", ".post-bottom-tags a", ".tags-links a", ".post-tags a",
    ".entry-tags a", ".article-tags a", ".article__tags a", ".td-tags a", ".tdb_single_tags a",
    ".gh-article-tags a", ".field--name-field-tags a", ".field--name-field-keywords a",
)
