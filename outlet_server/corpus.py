"""The demo outlet's articles: a deterministic corpus built from a seed, with gold text and metadata.

:func:`build_corpus` lays out every article's metadata eagerly (cheap: 10,000
articles in well under a second) and writes bodies lazily: an article's
paragraphs are regenerated from its own seed each time they are asked for, so
serving a large outlet costs no memory per article. The seed article of the
project (:mod:`outlet_server.seed`) is always one of the pages, in Jannah markup,
next to the real article its "ALSO READ" teaser names.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import quote, urljoin
from zoneinfo import ZoneInfo

from outlet_server.lexicon import LEXICONS, Writer, slugify
from outlet_server.seed import SEED_AUTHOR, SEED_CATEGORIES, SEED_SECTION, SEED_TAGS, load_seed

__all__ = ["SECTIONS", "SITE_NAME", "TEMPLATE_LINES", "ArticleSpec", "Author", "Corpus", "Section", "build_corpus"]

SITE_NAME = "Levant Dispatch"
DEFAULT_TIMEZONE = "Asia/Damascus"
THEMES = ("jannah", "newspaper", "ghost")


@dataclass(frozen=True)
class Section:
    name: str
    slug: str


@dataclass(frozen=True)
class Author:
    name: str
    slug: str


SECTIONS: dict[str, Section] = {
    s.name: s
    for s in (
        Section("Middle East", "middle-east"), Section("World News", "world-news"), Section("Politics", "politics"),
        Section("Economy", "economy"), Section("Latest developments", "latest-developments"),
        Section("Syria Truths Exclusive", "syria-truths-exclusive"), Section("Multimedia", "multimedia"),
        Section("Others", "others"), Section("Photos", "photos"),
        Section("عربي", "arabic"), Section("Русский", "russian"),
    )
}
_EN_SECTIONS = ("Middle East", "World News", "Politics", "Economy", "Latest developments", "Syria Truths Exclusive")
_LANGUAGE_SECTION = {"ar": "عربي", "ru": "Русский"}

#: Lines the outlet's template puts inside the body of many articles: boilerplate that looks like content.
#: They are never part of the gold text; an extractor learns them from many pages of the outlet.
TEMPLATE_LINES: dict[str, str] = {
    "en": f"Follow {SITE_NAME} on Telegram for breaking news and exclusive reports from the region.",
    "ar": "تابعونا على تلغرام للاطلاع على آخر الأخبار.",
    "ru": "Подписывайтесь на наш канал в Telegram, чтобы первыми узнавать новости.",
}


@dataclass
class ArticleSpec:
    """One article of the outlet: what is rendered, and the gold an extractor must recover."""

    post_id: int
    slug: str
    path: str
    title: str
    authors: list[str]
    published: datetime
    modified: datetime | None
    section: str
    categories: list[str]
    tags: list[str]
    language: str
    theme: str
    image: str
    body_seed: str
    teaser_headline: str | None = None
    teaser_path: str | None = None
    teaser_label: str | None = None
    teaser_index: int = 2
    lookalike: bool = False
    comments: int = 0
    is_seed: bool = False
    #: False when the page states its times without an offset (the outlet's timezone applies).
    states_timezone: bool = True
    #: Set for the seed article; otherwise the description is the lead sentence of the body.
    summary: str | None = None
    _fixed_body: tuple[tuple[str, ...], frozenset[int]] | None = field(default=None, repr=False)

    def body(self) -> tuple[list[str], set[int]]:
        """The paragraphs (subheadings included) and the indexes of the subheadings (fresh copies)."""
        paragraphs, subheadings = self._fixed_body or _written_body(self.language, self.body_seed, self.lookalike)
        return list(paragraphs), set(subheadings)

    @property
    def paragraphs(self) -> list[str]:
        """Body paragraphs in order, subheadings included as their own paragraphs (regenerated on access)."""
        return self.body()[0]

    @property
    def subheadings(self) -> set[int]:
        return self.body()[1]

    @cached_property
    def description(self) -> str:
        """The meta description: like Yoast's default, the first sentence of the body."""
        if self.summary is not None:
            return self.summary
        lead = self.paragraphs[0]
        cut = min((i for i in (lead.find(". "), lead.find("، ")) if i > 0), default=len(lead) - 1)
        return lead[: cut + 1]

    @property
    def stated_modified(self) -> datetime | None:
        """The modification time the page states: schema.org dateModified falls back to the publication time;
        a page that states no timezone states no modification time either."""
        if not self.states_timezone:
            return None
        return self.modified or self.published

    @property
    def gold_text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def section_slug(self) -> str:
        return SECTIONS[self.section].slug

    @property
    def author_slugs(self) -> list[str]:
        return [author_slug(a) for a in self.authors]

    @property
    def month(self) -> str:
        return f"{self.published:%Y-%m}"

    @property
    def lastmod(self) -> datetime:
        return self.modified or self.published

    def gold(self, base_url: str = "") -> dict[str, Any]:
        """Gold metadata and text, as a clean extraction of the page must give them."""
        return {
            "title": self.title,
            "authors": list(self.authors),
            "published": self.published,
            "modified": self.stated_modified,
            "language": self.language,
            "section": self.section,
            "tags": list(self.tags),
            "canonical_url": urljoin(base_url, self.path) if base_url else self.path,
            "description": self.description,
            "text": self.gold_text,
            "theme": self.theme,
        }


@lru_cache(maxsize=512)
def _written_body(language: str, body_seed: str, lookalike: bool) -> tuple[tuple[str, ...], frozenset[int]]:
    """An article body written from its own seed (cached for the pages being served right now)."""
    paragraphs, subheadings = Writer(LEXICONS[language], random.Random(body_seed)).body(lookalike=lookalike)
    return tuple(paragraphs), frozenset(subheadings)


def author_slug(name: str) -> str:
    return quote(slugify(name)) if name else "staff"


@dataclass
class Corpus:
    """All articles of the outlet (sorted by publication time) and the indexes the site serves from."""

    seed: int
    start: date
    end: date
    articles: list[ArticleSpec]
    timezone: str = DEFAULT_TIMEZONE
    site_name: str = SITE_NAME

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def by_path(self) -> dict[str, ArticleSpec]:
        return {a.path: a for a in self.articles}

    @cached_property
    def by_title(self) -> dict[str, ArticleSpec]:
        return {a.title: a for a in self.articles}

    @cached_property
    def newest_first(self) -> list[ArticleSpec]:
        return sorted(self.articles, key=lambda a: (a.published, a.post_id), reverse=True)

    @cached_property
    def by_section(self) -> dict[str, list[ArticleSpec]]:
        return _group(self.newest_first, lambda a: [SECTIONS[c].slug for c in a.categories])

    @cached_property
    def section_position(self) -> dict[tuple[str, int], int]:
        """(section slug, post id) -> index of the article in ``by_section[slug]`` (newest first)."""
        return {(slug, a.post_id): i for slug, articles in self.by_section.items() for i, a in enumerate(articles)}

    @cached_property
    def by_tag(self) -> dict[str, list[ArticleSpec]]:
        return _group(self.newest_first, lambda a: [tag_slug(t) for t in a.tags])

    @cached_property
    def by_author(self) -> dict[str, list[ArticleSpec]]:
        return _group(self.newest_first, lambda a: a.author_slugs)

    @cached_property
    def by_month(self) -> dict[str, list[ArticleSpec]]:
        return _group(self.articles, lambda a: [a.month])

    @cached_property
    def author_names(self) -> dict[str, str]:
        return {author_slug(n): n for a in self.articles for n in a.authors}

    @property
    def seed_article(self) -> ArticleSpec:
        return next(a for a in self.articles if a.is_seed)

    def article(self, title_or_path: str) -> ArticleSpec:
        """The article with this headline or path (KeyError if none)."""
        found = self.by_path.get(title_or_path) or self.by_title.get(title_or_path)
        if found is None:
            raise KeyError(title_or_path)
        return found

    def headlines(self) -> set[str]:
        return set(self.by_title)

    def gold(self, base_url: str = "") -> dict[str, dict[str, Any]]:
        """Gold of every article, keyed by path (or absolute URL when ``base_url`` is given)."""
        return {urljoin(base_url, a.path) if base_url else a.path: a.gold(base_url) for a in self.articles}

    def non_article_paths(self) -> list[str]:
        """Paths of pages that are not articles (all answer 200): they must never be archived."""
        first = self.articles[0]
        largest = max(self.by_section, key=lambda slug: len(self.by_section[slug]))
        paths = [
            "/", "/about/", "/contact/", f"/author/{first.author_slugs[0]}/", f"/tag/{tag_slug(first.tags[0])}/",
            f"/category/{first.section_slug}/", f"/category/{largest}/", "/?s=aleppo", f"/calendar/{self.end:%Y/%m}/",
        ]
        if len(self.articles) > 10:
            paths.append("/page/2/")
        return paths


def tag_slug(tag: str) -> str:
    return quote(slugify(tag))


def _group(articles: Iterable[ArticleSpec], keys: Any) -> dict[str, list[ArticleSpec]]:
    groups: dict[str, list[ArticleSpec]] = {}
    for article in articles:
        for key in keys(article):
            groups.setdefault(key, []).append(article)
    return groups


def _language(index: int) -> str:
    return {3: "ar", 7: "ru"}.get(index % 10, "en")


class _CorpusBuilder:
    """Lays out the articles of one corpus; all randomness comes from ``random.Random(seed)``."""

    def __init__(self, seed: int, start: date, end: date, tz: ZoneInfo) -> None:
        self.seed, self.start, self.end, self.tz = seed, start, end, tz
        self.rng = random.Random(seed)
        self.titles: set[str] = set()
        self.paths: set[str] = set()

    def moment(self, day: date, hour_min: int = 6, hour_max: int = 22) -> datetime:
        clock = time(self.rng.randint(hour_min, hour_max), self.rng.randint(0, 59), self.rng.randint(0, 59))
        return datetime.combine(day, clock, tzinfo=self.tz)

    def unique_title(self, writer: Writer) -> str:
        for _ in range(50):
            title = writer.headline()
            if title not in self.titles:
                return title
        return f"{title} ({len(self.titles)})"

    def path_for(self, published: datetime, slug: str) -> str:
        path = f"/{published:%Y/%m/%d}/{quote(slug)}/"
        while path in self.paths:
            slug += "-2"
            path = f"/{published:%Y/%m/%d}/{quote(slug)}/"
        self.paths.add(path)
        return path

    def article(self, index: int, published: datetime, *, title: str | None = None, language: str | None = None,
                theme: str | None = None) -> ArticleSpec:
        rng = self.rng
        language = language or _language(index)
        lex = LEXICONS[language]
        writer = Writer(lex, rng)
        title = title or self.unique_title(writer)
        self.titles.add(title)
        slug = slugify(title) or f"post-{index}"
        section = _LANGUAGE_SECTION.get(language) or rng.choice(_EN_SECTIONS)
        categories = sorted({section, *([rng.choice(_EN_SECTIONS)] if language == "en" and rng.random() < 0.3 else [])})
        theme = theme or THEMES[index % len(THEMES)]
        modified = published + timedelta(hours=rng.randint(1, 40)) if rng.random() < 0.4 else None
        authors = [rng.choice(lex.authors)]
        if rng.random() < 0.15:
            authors.append(rng.choice([a for a in lex.authors if a != authors[0]]))
        return ArticleSpec(
            post_id=1000 + index, slug=slug, path=self.path_for(published, slug), title=title, authors=authors,
            published=published, modified=modified, section=section, categories=categories,
            tags=rng.sample(lex.tags, rng.randint(1, 3)), language=language, theme=theme,
            image=f"/wp-content/uploads/{published:%Y/%m}/{slug[:40] or index}-1200x675.jpg",
            body_seed=f"{self.seed}:{index}", lookalike=index % 4 == 1, comments=rng.choice((0, 0, 0, 2, 3)),
            states_timezone=not (theme == "newspaper" and index % 2 == 0),
        )

    def seed_pair(self) -> tuple[ArticleSpec, ArticleSpec]:
        """The seed article and the real article its ALSO READ teaser names."""
        seed = load_seed()
        day = self.start + (self.end - self.start) * 3 // 5
        companion = self.article(1, self.moment(day - timedelta(days=1)), title=seed.teaser_headline,
                                 language="en", theme="jannah")
        companion.section, companion.categories = "World News", ["Latest developments", "World News"]
        published = datetime.combine(day, time(16, 3, 12), tzinfo=self.tz)
        article = self.article(0, published, title=seed.title, language="en", theme="jannah")
        article.authors, article.section, article.categories = [SEED_AUTHOR], SEED_SECTION, list(SEED_CATEGORIES)
        article.tags, article.modified, article.comments, article.lookalike = list(SEED_TAGS), None, 0, False
        article.summary = seed.paragraphs[0].split(",")[0] + "."
        article.is_seed = True
        article._fixed_body = (seed.paragraphs, seed.subheadings)
        article.teaser_headline, article.teaser_path = companion.title, companion.path
        article.teaser_label, article.teaser_index = "ALSO READ", seed.teaser_index
        return article, companion

    def link_teasers(self, articles: list[ArticleSpec]) -> None:
        """Give about half of the articles an inline teaser naming an earlier article of the same language."""
        previous: dict[str, ArticleSpec] = {}
        for article in articles:
            earlier = previous.get(article.language)
            previous[article.language] = article
            if article.is_seed or earlier is None or self.rng.random() < 0.5:
                continue
            labels = LEXICONS[article.language].teaser_labels
            article.teaser_headline, article.teaser_path = earlier.title, earlier.path
            article.teaser_label = labels[article.post_id % len(labels)]
            article.teaser_index = self.rng.randint(1, 3)


def build_corpus(seed: int = 7, n_articles: int = 60, start: date = date(2026, 9, 1), end: date = date(2026, 11, 20),
                 *, timezone: str = DEFAULT_TIMEZONE) -> Corpus:
    """A deterministic corpus of ``n_articles`` (at least 2: the seed article and its teaser's target)."""
    if n_articles < 2:
        raise ValueError("n_articles must be at least 2 (the seed article and the article its teaser names)")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    builder = _CorpusBuilder(seed, start, end, ZoneInfo(timezone))
    articles = list(builder.seed_pair())
    span = (end - start).days + 1
    for index in range(2, n_articles):
        day = start + timedelta(days=builder.rng.randrange(span))
        articles.append(builder.article(index, builder.moment(day)))
    articles.sort(key=lambda a: (a.published, a.post_id))
    builder.link_teasers(articles)
    return Corpus(seed=seed, start=start, end=end, articles=articles, timezone=timezone)
