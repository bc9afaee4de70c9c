"""extract.textdates: htmldate's dateparser asks fewer languages, and reads every string as before."""

from __future__ import annotations

import pytest
from dateparser.date import DateDataParser
from dateparser.languages.loader import default_loader
from dateparser.languages.locale import Locale
from htmldate import extractors, find_date
from lxml import html

from extract import textdates
from extract.published import htmldate_search
from extract.textdates import LanguageFilteredParser, LanguageWords, filtered_external_parser

# Hand-written strings of the kinds htmldate hands over: dates in several languages and scripts, with times,
# weekdays, "p.m.", a relative date, a time zone; and text around a year that no language reads.
STRINGS = [
    "Viernes, 22 de Abril de 2022",
    "Jueves 28 de Abril de 2022 5:03 PM",
    "15 августа 2016, 13:43",
    "Jan 04 09:34 2021",
    "January 16, 2023 at 4:30 p.m.",
    "3. Oktober 2018",
    "Samstag, 3. Dezember 2016",
    "12 mars 2019",
    "le 5 juin 2020 à 14h30",
    "2019年3月12日",
    "12 مارس 2019",
    "3 days ago 2021",
    "23 March 2000, 1:21 PM CET",
    "4. 2. 2022.",
    "Hire the top 3% of freelance talentCopyright 2010",
    "Copyright © 2001 - 2020 n2",
    "40-jähriges Jubiläum 2008",
    "Publicado: Jueves, 21 Abril 2022 04:45",
]


@pytest.mark.parametrize("text", STRINGS)
def test_the_filtered_parser_reads_every_string_as_htmldates_own(text: str) -> None:
    own = textdates._HTMLDATE_PARSER().get_date_data(text)
    filtered = filtered_external_parser().get_date_data(text)
    assert (filtered["date_obj"], filtered["locale"]) == (own["date_obj"], own["locale"])


def test_a_string_no_language_reads_asks_dateparser_about_almost_none(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    own_test = DateDataParser._is_applicable_locale

    def counted(parser: DateDataParser, locale: Locale, *args: object, **kwargs: object) -> bool:
        asked.append(locale.shortname)  # dateparser's own test, which compiles the language's words
        return bool(own_test(parser, locale, *args, **kwargs))

    monkeypatch.setattr(DateDataParser, "_is_applicable_locale", counted)
    settings = textdates._HTMLDATE_PARSER()._settings
    unreadable = "Hire the top 3% of freelance talentCopyright 2010"
    assert DateDataParser(settings=settings).get_date_data(unreadable)["date_obj"] is None
    assert len(asked) > 200, "the unfiltered parser asks every language"
    asked.clear()
    assert LanguageFilteredParser(settings=settings).get_date_data(unreadable)["date_obj"] is None
    assert len(asked) <= 3


def test_a_languages_words_rule_it_out_only_when_it_cannot_make_the_string() -> None:
    settings = textdates._HTMLDATE_PARSER()._settings
    spanish, german = (next(default_loader.get_locales(languages=[code])) for code in ("es", "de"))
    words = LanguageWords(spanish, settings)
    assert words.may_apply("Viernes, 22 de Abril de 2022")
    assert not words.may_apply("Samstag, 3. Dezember 2016")
    assert LanguageWords(german, settings).may_apply("Samstag, 3. Dezember 2016")


def test_htmldates_extensive_search_uses_the_filtered_parser_and_finds_the_date() -> None:
    page = html.fromstring(
        "<html><body><p>Viernes, 22 de Abril de 2022</p><p>Texto del artículo sobre la asamblea.</p></body></html>"
    )
    found = htmldate_search(page, "https://news.example/asamblea", None)
    assert extractors.get_external_parser is filtered_external_parser
    assert found is not None and found.date().isoformat() == "2022-04-22"
    assert find_date("<html><body><p>Jueves 28 de Abril de 2022 5:03 PM</p></body></html>") == "2022-04-28"
