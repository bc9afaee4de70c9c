"""Authors: each cleaning rule and each source-ranking rule of extract.authors on a small synthetic page."""

from __future__ import annotations

import json

import pytest
from lxml import html

from bench.realpages import name_keys
from extract.authors import clean_authors, page_authors
from extract.jsonld import JsonLd
from extract.metadata import _metas


def _authors(head: str = "", body: str = "", site: tuple[str, ...] = ("Valley Gazette",)) -> tuple[list[str], str | None]:
    tree = html.fromstring(f"<html><head>{head}</head><body>{body}<p>Some article text.</p></body></html>")
    return page_authors(tree, _metas(tree), JsonLd(tree), site)


def _ld(author: object) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Depot", "author": author}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (["Jos&eacute; P&eacute;rez"], ["José Pérez"]),  # HTML entities left inside JSON-LD strings
        (["Example Media GmbH"], []),  # legal form: an organisation
        (["Ministry of Roads, Rail and Ports"], []),  # an organisation's name with commas is one name
        (["TVT-Redaktion"], []),  # a desk, hyphenated
        (["Copyright Example Verlag, all rights reserved"], []),
        (["Jane Doe Alle Artikel"], ["Jane Doe"]),  # a profile link's label after the name
        (["Ana RuizHace 2 horas"], ["Ana Ruiz"]),  # a relative time glued to the name
        (["Jane Doe @janedoe"], ["Jane Doe"]),  # a social handle
        (["Jane Doe Jane Doe"], ["Jane Doe"]),  # avatar text and link, the same name twice
        (["happyface313"], ["happyface313"]),  # a login name keeps its digits
        (["example-news.at"], []),  # a domain names a site, not a person
        (["Super User"], []),
        (["publisher"], []),
        (["Jane Doe, PhD", "Tom Roe, Kolumnist"], ["Jane Doe", "Tom Roe"]),  # degrees and roles after a comma
        (["Von Max Muster Fr, 18. Oktober 2019"], ["Max Muster"]),  # a weekday abbreviation before the date
        (["By Jane Doe Friday, May 5, 2020"], ["Jane Doe"]),
        (["Stand: 20. April 2020, 14:57 Uhr"], []),  # an "as of" label, no name
        (["Von „"], []),  # a byline word alone
        (["example-news.at, Frankfurt, Germany"], []),  # a site and its address
        (["By Jane Doe, Springfield, Kenya"], ["Jane Doe"]),  # a dateline ending in a country
        (["Max Muster und Erika Beispiel, Kleinstadt, Deutschland"], ["Max Muster", "Erika Beispiel"]),
        (["Jane Doe, Tom Roe"], ["Jane Doe", "Tom Roe"]),  # two people, no place
        (["Von Max Muster, Kleinstadt"], ["Max Muster"]),  # one word after a full name: a place
        (["Jane Doe, Springfield, 5 May 2020"], ["Jane Doe"]),
    ],
)
def test_cleaning_rules(raw: list[str], clean: list[str]) -> None:
    assert clean_authors(raw) == clean


def test_jsonld_person_may_carry_the_site_name_a_plain_string_may_not() -> None:
    blog = ("Jane Doe",)
    person = _ld({"@type": "Person", "name": "Jane Doe"})
    assert _authors(person, site=blog) == (["Jane Doe"], "json-ld")
    assert _authors(_ld("Jane Doe"), site=blog) == ([], None)


def test_graph_reference_to_a_person_node() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Article", "headline": "Depot", "author": {"@id": "#p1"}},
            {"@type": "Person", "@id": "#p1", "name": "Jane Doe"},
        ],
    }
    assert _authors(f'<script type="application/ld+json">{json.dumps(graph)}</script>') == (["Jane Doe"], "json-ld")


def test_a_first_name_is_completed_by_a_later_source() -> None:
    byline = '<div class="byline"><span class="author-name">Jane Doe</span></div>'
    assert _authors(_ld({"@type": "Person", "name": "Jane"}), byline) == (["Jane Doe"], "byline")
    other = '<div class="byline"><span class="author-name">Tom Roe</span></div>'
    assert _authors(_ld({"@type": "Person", "name": "Jane"}), other) == (["Jane"], "json-ld")


def test_an_organisation_author_gives_way_to_a_person_named_in_markup() -> None:
    org = _ld({"@type": "Organization", "name": "VG"})
    assert _authors(org, '<a rel="author" href="/people/jane">Jane Doe</a>') == (["Jane Doe"], "rel-author")
    assert _authors(org) == (["VG"], "json-ld")


def test_byline_text_with_a_colon_and_only_the_first_line() -> None:
    assert _authors(body="<p>Von: Max Muster</p>") == (["Max Muster"], "byline-text")
    teasers = "<p>By Jane Doe</p><ul><li><a>Other story</a> <span>By Tom Roe</span></li></ul>"
    assert _authors(body=teasers) == (["Jane Doe"], "byline-text")


def test_cms_submitted_lines_name_the_author() -> None:
    assert _authors(body='<div class="meta">erstellt von <a href="/u/jd">Jane Doe</a></div>') == (
        ["Jane Doe"], "byline-text"
    )
    assert _authors(body="<div>Submitted by <span>Tom Roe</span> on 5 May 2020</div>") == (["Tom Roe"], "byline-text")


def test_the_sites_name_ends_a_byline_and_opens_an_address() -> None:
    assert clean_authors(["By Jane Doe, Valley Gazette, New York"], ["Valley Gazette"]) == ["Jane Doe"]
    assert clean_authors(["Valley Gazette, Springfield, USA"], ["Valley Gazette"]) == []


def test_a_dateline_on_the_bylines_next_line_is_not_a_name() -> None:
    body = "<p>Von <a>Max Muster</a> und <a>Erika Beispiel</a><br>Kleinstadt, Nordland</p>"
    assert _authors(body=body) == (["Max Muster", "Erika Beispiel"], "byline-text")


def test_a_full_name_element_is_a_byline() -> None:
    body = '<div class="person"><p class="full-name">Jane Doe</p></div>'
    assert _authors(body=body) == (["Jane Doe"], "byline")


def test_an_author_bio_completes_a_first_name_or_is_cut_to_the_name_it_opens_with() -> None:
    bio = '<p class="author-bio">Jane Doe is a reporter covering the valley since 2010.</p>'
    assert _authors('<meta name="author" content="Jane">', bio) == (["Jane Doe"], "author-bio")
    person = _ld({"@type": "Person", "name": "Jane", "description": "Jane Doe - engineer and rider."})
    assert _authors(person) == (["Jane Doe"], "author-bio")
    assert _authors('<meta name="author" content="Tom">', bio) == (["Tom"], "meta:author")

    long_byline = '<div class="byline">' + "Tom Roe writes about farming, rivers and the weather " * 2 + "</div>"
    assert _authors(body=long_byline) == (["Tom Roe"], "byline")  # a bio: the name it opens with
    headline = '<div class="byline">' + "Yellow Boats and I went sailing on the river " * 3 + "</div>"
    assert _authors(body=headline) == ([], None)  # "and" after it: no name
    bio = '<p class="author-bio">Floyd Das Internet ist mein Zuhause und die Welt meine Bühne.</p>'
    assert _authors('<meta name="author" content="Floyd">', bio) == (["Floyd"], "meta:author")


def test_a_personal_site_named_after_its_author_completes_the_first_name() -> None:
    assert _authors('<meta name="author" content="Jane">', site=("Jane Doe",)) == (["Jane Doe"], "site-name")
    assert _authors('<meta name="author" content="Jane">', site=("Tom Roe",)) == (["Jane"], "meta:author")


def test_scorer_compares_names_the_same_way_for_gold_and_extractors() -> None:
    assert name_keys("Gàbor Muniér") == name_keys(["Gabor Munier"])
    assert name_keys("dpa/AFP") == name_keys(["dpa", "AFP"]) == frozenset({"dpa", "afp"})
    assert name_keys("Jane Doe and Tom Roe") == name_keys(["Tom Roe", "Jane Doe"])
    assert name_keys("Jane Doe") != name_keys(["Jane"])


def test_a_byline_word_alone_in_its_element_takes_the_name_beside_it() -> None:
    body = '<div class="box"><strong>von</strong> <span>Max Muster</span></div>'
    assert _authors(body=body) == (["Max Muster"], "byline-text")
    assert _authors(body="<p><a><b>Von:</b><br><br>Max Muster</a></p>") == (["Max Muster"], "byline-text")


def test_a_multi_word_byline_word_may_take_a_colon() -> None:
    assert _authors(body='<p><em>Written by: <a href="/x">Jane Doe</a></em></p>') == (["Jane Doe"], "byline-text")
    assert _authors(body="<p>Ein Beitrag von Max Muster</p>") == (["Max Muster"], "byline-text")


def test_a_lower_case_byline_word_must_open_its_line() -> None:
    assert _authors(body="<p>par <span>Jean Dupont</span>, 21 juin 2018</p>") == (["Jean Dupont"], "byline-text")
    prose = "<p>Die Preise <a>der Hersteller</a> von Kaffee Und Tee stiegen.</p>"
    assert _authors(body=prose) == ([], None)


def test_a_byline_names_someone_right_after_its_byline_word() -> None:
    prose = "<p>von Anleihen der öffentlichen Hand (Programm, Start Sommer 2015).</p>"
    assert _authors(body=prose) == ([], None)


def test_weekdays_roles_and_underscored_desks_are_no_names() -> None:
    assert clean_authors(["Di Dienstag"]) == []  # "Di", Tuesday's abbreviation, then the day
    assert clean_authors(["Autoren & Herausgeber"]) == []
    assert clean_authors(["VG_Redaktion"]) == []


@pytest.mark.parametrize(
    "raw",
    ["Valley Zeitung", "Example Online", "Bund der Kleingärtner", "Example-Stiftung", "Feuerwehr Musterstadt",
     "Example Media", "Musterstadt News", "U.S. Customs and Border Protection", "Polizei Musterstadt",
     "Government of Nordland"],
)
def test_publications_and_institutions_are_no_authors(raw: str) -> None:
    assert clean_authors([raw]) == []
    assert clean_authors([f"Jane Doe, {raw}, Berlin"]) == ["Jane Doe"]  # an affiliation after the name


def _authors_at(url: str, head: str = "", body: str = "") -> tuple[list[str], str | None]:
    tree = html.fromstring(f"<html><head>{head}</head><body>{body}<p>Some article text.</p></body></html>")
    return page_authors(tree, _metas(tree), JsonLd(tree), (), url=url)


def test_the_sites_own_name_as_author_gives_way_to_a_person_named_later() -> None:
    head = '<meta name="author" content="Die Valleypost">'
    byline = '<p class="byline">By Jane Doe</p>'
    assert _authors_at("https://www.valleypost.example/a/1", head, byline) == (["Jane Doe"], "byline")
    assert _authors_at("https://www.valleypost.example/a/1", head) == (["Die Valleypost"], "meta:author")
    archived = "https://web.archive.org/web/2019/https://valleypost.example/a/1"
    assert _authors_at(archived, head, byline) == (["Jane Doe"], "byline")
    # a name unlike the domain keeps its rank
    assert _authors_at("https://other.example/a/1", head, byline) == (["Die Valleypost"], "meta:author")


def test_a_byline_label_element_names_the_person_after_it() -> None:
    body = '<div class="meta"><h5>Datum: </h5>5.5.2020 <br><h5>Autor: </h5>Max Muster</div>'
    assert _authors(body=body) == (["Max Muster"], "byline-text")
    body = '<div class="meta"><h4>Author</h4><p><a href="/p/jane">Jane Doe</a>, </p></div>'
    assert _authors(body=body) == (["Jane Doe"], "byline-text")


def test_the_sites_name_from_a_second_source_does_not_replace_the_first() -> None:
    head = _ld({"@type": "Person", "name": "Valleypost"}) + '<meta name="author" content="Die Valleypost">'
    byline = '<p class="byline">By Jane Doe</p>'
    assert _authors_at("https://valleypost.example/a/1", head, byline) == (["Jane Doe"], "byline")


def test_a_byline_after_a_separator_or_in_the_next_element() -> None:
    body = '<div class="meta">May 5 <span class="sr">| By </span> <span>Jane Doe</span> | 2020</div>'
    assert _authors(body=body) == (["Jane Doe"], "byline-text")
    body = "<div>5.5.2020 <span>-&nbsp;Redaktion: Max Muster (Pressesprecher des Vereins)</span></div>"
    assert _authors(body=body) == (["Max Muster"], "byline-text")  # a role in parentheses goes


def test_a_headline_opening_with_a_byline_word_is_no_byline() -> None:
    head = "<title>Von Fischen, Vögeln und «anderen Tieren» | Valley Gazette</title>"
    body = "<h1>Von Fischen, Vögeln und «anderen Tieren»</h1><p><span>Autor:</span> Max Muster<br>Quelle: VG</p>"
    assert _authors(head, body) == (["Max Muster"], "byline-text")


def test_a_line_of_a_date_and_a_name_is_a_byline() -> None:
    assert _authors(body='<p class="meta">11.12.2019 - Jane Doe</p>') == (["Jane Doe"], "dated-line")
    assert _authors(body="<small>04.02.2022 | 13:10 Uhr | Max Muster</small>") == (["Max Muster"], "dated-line")
    assert _authors(body="<span>11.12.2019 - Recht &amp; Gesetz</span>") == ([], None)  # two topics
    assert _authors(body="<span>11.12.2019 - Paid Content</span>") == ([], None)
    assert _authors(body="<span>11.12.2019 - Neue Regeln für alle</span>") == ([], None)


def test_reviewers_are_not_the_pages_author() -> None:
    review = (
        '<div itemprop="review" itemscope itemtype="https://schema.org/Review">'
        '<span itemprop="author">Georg Muster</span><p>Five stars.</p></div>'
    )
    assert _authors(body=review) == ([], None)
    assert clean_authors(["zvg"]) == []  # "zur Verfügung gestellt": a photo credit


def test_an_all_capitals_word_opening_with_a_byline_words_letters_keeps_them() -> None:
    assert clean_authors(["DIVA Verlagsservice"]) == ["DIVA Verlagsservice"]  # not "Di" + "VA ..."
    assert clean_authors(["AutorJane Doe"]) == ["Jane Doe"]  # the byline word glued to the name


def test_a_byline_line_naming_the_site_gives_way_to_the_next() -> None:
    body = "<div><span>By Valley Gazette</span></div><p><em>Written by: <a>Jane Doe</a></em></p>"
    assert _authors(body=body) == (["Jane Doe"], "byline-text")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<span itemprop="author">Jane Doe</span>', (["Jane Doe"], "itemprop")),
        ('<div itemprop="creator"><span itemprop="name">Jane Doe</span></div>', (["Jane Doe"], "itemprop")),
        ('<span itemprop="authorship">Jane Doe</span>', ([], None)),
        ('<div class="comment"><span itemprop="author">Joe Public</span></div>', ([], None)),
        ('<a rel="nofollow author" href="/jane">Jane Doe</a>', (["Jane Doe"], "rel-author")),
        ('<a rel="authors" href="/jane">Jane Doe</a>', ([], None)),
        ('<link rel="author" href="/jane">', ([], None)),
        ('<div id="comments"><a rel="author" href="/joe">Joe Public</a></div>', ([], None)),
    ],
)
def test_itemprop_and_rel_author_markup_outside_comments(body: str, expected: tuple[list[str], str | None]) -> None:
    assert _authors(body=body) == expected


def test_a_source_naming_more_people_than_a_byline_holds_is_a_list_not_the_authors() -> None:
    cited = [f"{initial}. {surname}," for initial in "ABCD" for surname in ("Roe", "Poe", "Moe")]  # twelve
    references = "".join(f'<meta name="author" content="{name}">' for name in cited)
    head = references + '<meta name="dc.creator" content="Jane Doe">'
    assert _authors(head) == (["Jane Doe"], "meta:dc.creator")
    three = "".join(f'<meta name="author" content="{name}">' for name in ("Jane Doe,", "Tom Roe,", "Ann Poe"))
    assert _authors(three) == (["Jane Doe", "Tom Roe", "Ann Poe"], "meta:author")


@pytest.mark.parametrize(
    "name", ["article:author_name", "dc:creator", "cxenseparse:author", "shareaholic:article_author_name"]
)
def test_author_metas_of_publishing_and_analytics_tools(name: str) -> None:
    assert _authors(f'<meta name="{name}" content="Jane Doe">') == (["Jane Doe"], f"meta:{name}")
    assert _authors(f'<meta property="{name}" content="https://valley.example/people/jane">') == ([], None)


def test_a_later_meta_naming_the_json_ld_author_and_more_adds_the_co_authors() -> None:
    head = _ld({"@type": "Person", "name": "Jane Doe"}) + '<meta name="author" content="Jane Doe,Tom Roe">'
    assert _authors(head) == (["Jane Doe", "Tom Roe"], "meta:author")
    other = _ld({"@type": "Person", "name": "Jane Doe"}) + '<meta name="author" content="Tom Roe, Ann Poe">'
    assert _authors(other) == (["Jane Doe"], "json-ld")  # not the same people: the more trusted source
    teasers = '<p class="byline">By Jane Doe and Tom Roe</p>'
    assert _authors(_ld({"@type": "Person", "name": "Jane Doe"}), teasers) == (["Jane Doe"], "json-ld")


def test_utf8_read_as_latin1_is_read_again_when_that_is_clean() -> None:
    assert _authors(_ld({"@type": "Person", "name": "JosÃ© PÃ©rez"})) == (["José Pérez"], "json-ld")
    assert clean_authors(["JÃ¼rgen GroÃ\x9f"]) == ["Jürgen Groß"]  # Latin-1: no Windows-1252 letter for 0x9F
    assert clean_authors(["Jürgen Groß", "Ãlvaro Ruiz"]) == ["Jürgen Groß", "Ãlvaro Ruiz"]  # nothing to repair


def test_words_of_a_sentence_are_no_name_even_in_structured_data() -> None:
    assert clean_authors(["unseren Reiseberatern"]) == []  # "our travel advisers", a lower-case first word
    assert clean_authors(["nur der Gärtner"]) == []
    assert clean_authors(["de Vries", "bell hooks", "Ana ruiz"]) == ["de Vries", "bell hooks", "Ana ruiz"]
    head = '<meta name="author" content="euren Lieblingsbloggern">'
    assert _authors(head, "<p>Autor: Max Muster</p>") == (["Max Muster"], "byline-text")


def test_one_credit_for_words_and_pictures_names_the_writer() -> None:
    assert _authors(body='<p class="byline">Text &amp; Fotos: Max Muster</p>') == (["Max Muster"], "byline")
    assert _authors(body="<p>Text und Bilder: Max Muster</p>") == (["Max Muster"], "byline-text")
    assert clean_authors(["Text: Max Muster, Fotos: Erika Beispiel"]) == ["Max Muster"]  # a photo credit
    assert clean_authors(["By Jane Doe | Photo: Tom Roe"]) == ["Jane Doe"]


def test_an_interview_names_both_speakers() -> None:
    assert clean_authors(["Max Muster im Gespräch mit Erika Beispiel"]) == ["Max Muster", "Erika Beispiel"]
    assert clean_authors(["Jane Doe in conversation with Tom Roe"]) == ["Jane Doe", "Tom Roe"]


def test_a_long_byline_element_opening_with_a_byline_word_names_several_people() -> None:
    names = "Jane Doe, Tom Roe, Ann Poe, Max Muster and Erika Beispiel"
    body = f'<span class="byline-author">Posted by {names} - Valley Gazette Road Safety team</span>'  # 100 characters
    assert _authors(body=body) == (["Jane Doe", "Tom Roe", "Ann Poe", "Max Muster", "Erika Beispiel"], "byline")


def test_a_byline_word_may_take_a_french_spaced_colon() -> None:
    assert _authors(body="<p>Auteur : Jean Dupont</p>") == (["Jean Dupont"], "byline-text")
    assert _authors(body="<p>Auteur\u00a0: Jean Dupont</p>") == (["Jean Dupont"], "byline-text")


def test_a_name_given_with_the_sites_own_domain_is_the_sites_and_gives_way_to_a_person() -> None:
    head = '<meta name="author" content="Nordland Welle (www.rn.example)">'
    byline = "<p>Auteur : Jean Dupont</p>"
    assert _authors_at("https://www.rn.example/fr/a-1", head, byline) == (["Jean Dupont"], "byline-text")
    assert _authors_at("https://www.rn.example/fr/a-1", head) == (["Nordland Welle"], "meta:author")
    assert _authors_at("https://other.example/fr/a-1", head, byline) == (["Nordland Welle"], "meta:author")


def test_links_to_author_pages_name_the_authors_when_nothing_else_does() -> None:
    body = '<div class="meta"><a href="/autoren/max-muster">Max Muster</a>, <a href="/autoren/erika">Erika Beispiel</a></div>'
    assert _authors(body=body) == (["Max Muster", "Erika Beispiel"], "author-link")
    assert _authors(body='<a href="/author/jane-doe/">Alles von Jane Doe</a>') == (["Jane Doe"], "author-link")
    assert _authors(body='<div class="comments"><a href="/author/joe/">Joe Public</a></div>') == ([], None)
    head = '<meta name="author" content="Tom Roe">'
    assert _authors(head, '<a href="/author/jane-doe/">Jane Doe</a>') == (["Tom Roe"], "meta:author")


def test_bylines_of_related_article_teasers_are_not_the_authors() -> None:
    teaser = ('<div class="related-article"><h3><span class="related-article__subheadline">Interview: Cory Booker'
              '</span> Making real the ideals</h3></div>')
    assert _authors(body=teaser) == ([], None)
    assert _authors(body='<aside id="relatedPosts"><p class="byline">By Joe Public</p></aside>') == ([], None)
    # a theme's class on <body> that merely holds the word is no teaser
    tree = html.fromstring('<html><body class="tweak-v1-related-products-image"><p class="byline">By Jane Doe</p>'
                           "<p>Some article text.</p></body></html>")
    assert page_authors(tree, _metas(tree), JsonLd(tree), ()) == (["Jane Doe"], "byline")
