"""Word and phrase lists from which the demo outlet writes its news, in English, Arabic and Russian.

Everything here is data: sentence templates with ``{slots}`` and the lists that fill
them. :class:`Writer` turns a :class:`random.Random` into headlines, paragraphs and
subheadings; the same generator state always yields the same text.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

__all__ = ["LEXICONS", "Lexicon", "Writer", "slugify"]


@dataclass(frozen=True)
class Lexicon:
    """The phrase lists of one language."""

    language: str
    places: tuple[str, ...]
    subjects: tuple[str, ...]
    verbs: tuple[str, ...]
    clauses: tuple[str, ...]
    times: tuple[str, ...]
    sources: tuple[str, ...]
    quotes: tuple[str, ...]
    speakers: tuple[str, ...]
    sentences: tuple[str, ...]
    headlines: tuple[str, ...]
    subheadings: tuple[str, ...]
    #: Real paragraphs that start like boilerplate ("Related to ...", "Read ...", "reply", "share").
    lookalikes: tuple[str, ...]
    teaser_labels: tuple[str, ...]
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    comments: tuple[str, ...]


EN = Lexicon(
    language="en",
    places=("Aleppo", "Homs", "Hama", "Latakia", "Tartus", "Damascus", "Idlib", "Daraa", "Raqqa",
            "Deir ez-Zor", "Palmyra", "Beirut", "Amman", "Baghdad", "Mosul", "Qamishli", "Kobani"),
    subjects=("The defence ministry", "Local officials", "The opposition coalition", "The central bank",
              "Aid agencies", "The foreign ministry", "Municipal authorities", "The governor's office",
              "United Nations monitors", "The health ministry", "Engineers at the port authority",
              "The Red Crescent", "The electricity company", "Farmers' unions", "The education directorate"),
    verbs=("announced", "confirmed", "reported", "said", "warned", "denied", "disclosed", "estimated"),
    clauses=("that reconstruction of {n} schools in {place} would begin next month",
             "that the highway between {place} and {place2} would reopen to civilian traffic",
             "a new plan to restore water supplies to {n} districts of {place}",
             "that {n} families had returned to their homes in {place}",
             "that wheat deliveries to mills in {place} had risen by {n2} percent",
             "that power cuts in {place} would be shortened to {n2} hours a day",
             "that {n} people had been treated for injuries after shelling near {place}",
             "talks with tribal leaders from {place} on the return of displaced people",
             "that a humanitarian convoy of {n2} lorries had reached {place}",
             "that prices of bread and fuel in {place} would be frozen until spring",
             "that the airport in {place} would resume flights to {place2}",
             "that demining teams had cleared {n} hectares of farmland around {place}"),
    times=("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday",
           "on Sunday", "this week", "earlier this month", "late on Tuesday", "on Thursday evening"),
    sources=("a ministry spokesperson", "state media", "local residents", "the governor",
             "officials in {place}", "a military source", "the UN office in {place2}", "witnesses"),
    quotes=("We will not allow anyone to stand in the way of the reconstruction of {place}",
            "The situation is improving every day, but the needs remain enormous",
            "Our teams are working around the clock to restore electricity and water",
            "Every family that returns to {place} is a victory for all of us",
            "The numbers speak for themselves: {n} households now have running water again",
            "We expect the road to {place2} to be fully open before the winter"),
    speakers=("the governor of {place}", "Deputy Minister Samir Khalil", "Colonel Adnan Haddad",
              "aid coordinator Leila Mansour", "the mayor of {place}", "a senior official"),
    sentences=("{subject} {verb} {clause} {time}.",
               "According to {source}, {clause_bare}.",
               "{subject} {verb} {clause} {time}, adding that more details would follow.",
               "The announcement came {time}, {n2} days after {source} raised concerns about delays in {place}.",
               "“{quote},” {speaker} said.",
               "“{quote},” {speaker} told reporters in {place2}.",
               "Residents of {place} said the situation had changed little since the summer.",
               "Previous efforts to reach an agreement on {place} failed in {month}.",
               "The figures could not be independently verified.",
               "{subject} did not comment on the reports."),
    headlines=("{n} families return to {place} as reconstruction gathers pace",
               "Highway between {place} and {place2} reopens after {n2} years",
               "Officials in {place} promise water supplies for {n} districts",
               "Aid convoy of {n2} lorries reaches {place}",
               "{place} airport to resume flights to {place2}",
               "Demining teams clear {n} hectares around {place}",
               "Power cuts in {place} cut to {n2} hours a day",
               "Wheat deliveries to {place} mills rise {n2} percent",
               "Talks on displaced families of {place} open in {place2}",
               "Schools reopen in {place} after {n2} months of repairs",
               "Bread and fuel prices frozen in {place} until spring",
               "{n} injured after shelling near {place}, officials say"),
    subheadings=("Reconstruction plans", "What happens next", "Water and electricity", "Reaction in {place}",
                 "Aid deliveries", "A long road home", "Security situation", "Economic impact"),
    lookalikes=("Related to the case, prosecutors in {place} said they had questioned {n2} officials about the missing funds.",
                "Asked to reply to the allegations, the company's lawyers said they would share documents with the court next week.",
                "Share prices on the Damascus exchange fell {n2} percent after the announcement, traders said.",
                "“Read the report and you will see that the numbers do not add up,” {speaker} told reporters.",
                "Readers of the ministry's statement were left with more questions than answers, {source} said.",
                "Leave for public employees in {place} was extended by {n2} days, the cabinet decided."),
    teaser_labels=("ALSO READ", "READ ALSO", "Read also:", "READ MORE:", "See also:", "Related:", "Recommended:"),
    authors=("Sami Haddad", "Leila Mansour", "Omar Khatib", "Rana Aziz", "Yusuf Darwish", "Maya Saleh",
             "Karim Nassar", "Dina Frangieh", "Hadi Younes", "Nour Kassem"),
    tags=("Aleppo", "Homs", "Damascus", "reconstruction", "humanitarian aid", "electricity", "water",
          "refugees", "economy", "diplomacy", "security", "agriculture", "education", "transport"),
    comments=("Thank you for this report, it is good to read real news from the ground.",
              "I read the whole article twice. The numbers are shocking.",
              "Reply to the previous comment: my family returned last month and it is true.",
              "Please share more about the situation in the countryside."),
)

AR = Lexicon(
    language="ar",
    places=("حلب", "حمص", "حماة", "اللاذقية", "طرطوس", "دمشق", "إدلب", "درعا", "الرقة", "دير الزور", "تدمر"),
    subjects=("وزارة الدفاع", "السلطات المحلية", "وزارة الصحة", "المصرف المركزي", "منظمات الإغاثة",
              "محافظة المدينة", "الهلال الأحمر", "وزارة الكهرباء", "مديرية التربية"),
    verbs=("أعلنت", "أكدت", "ذكرت", "أوضحت", "نفت", "قالت"),
    clauses=("أن أعمال إعادة إعمار {n} مدرسة في {place} ستبدأ الشهر المقبل",
             "أن الطريق الدولي بين {place} و{place2} سيفتح أمام حركة المرور",
             "عن خطة جديدة لإعادة المياه إلى {n} حيا في {place}",
             "أن {n} عائلة عادت إلى منازلها في {place}",
             "أن قافلة مساعدات من {n2} شاحنة وصلت إلى {place}",
             "أن ساعات تقنين الكهرباء في {place} ستنخفض إلى {n2} ساعات يوميا",
             "أن فرق إزالة الألغام طهرت {n} هكتارا من الأراضي الزراعية حول {place}"),
    times=("يوم الاثنين", "يوم الثلاثاء", "يوم الأربعاء", "يوم الخميس", "يوم الجمعة", "هذا الأسبوع",
           "في وقت سابق من هذا الشهر", "مساء الخميس"),
    sources=("مصدر في الوزارة", "وسائل الإعلام الرسمية", "سكان محليون", "محافظ {place}", "مصدر عسكري"),
    quotes=("لن نسمح لأحد بعرقلة إعادة إعمار {place}",
            "الوضع يتحسن كل يوم لكن الاحتياجات لا تزال كبيرة",
            "فرقنا تعمل على مدار الساعة لإعادة الكهرباء والمياه",
            "كل عائلة تعود إلى {place} هي انتصار لنا جميعا"),
    speakers=("محافظ {place}", "نائب الوزير سمير خليل", "العقيد عدنان حداد", "منسقة الإغاثة ليلى منصور"),
    sentences=("{subject} {verb} {clause} {time}.",
               "وبحسب {source}، فإن الوضع في {place} لا يزال صعبا.",
               "«{quote}»، قال {speaker}.",
               "وقال سكان في {place} إن الأوضاع لم تتغير كثيرا منذ الصيف.",
               "ولم يتسن التحقق من هذه الأرقام بشكل مستقل.",
               "{subject} {verb} {clause}، مضيفة أن مزيدا من التفاصيل سيعلن لاحقا."),
    headlines=("عودة {n} عائلة إلى {place} مع تسارع إعادة الإعمار",
               "إعادة فتح الطريق بين {place} و{place2} بعد {n2} سنوات",
               "وصول قافلة مساعدات من {n2} شاحنة إلى {place}",
               "تخفيض ساعات تقنين الكهرباء في {place} إلى {n2} ساعات",
               "إعادة افتتاح المدارس في {place} بعد {n2} أشهر من الترميم",
               "فرق إزالة الألغام تطهر {n} هكتارا حول {place}"),
    subheadings=("خطط إعادة الإعمار", "ماذا بعد", "المياه والكهرباء", "ردود الفعل في {place}"),
    lookalikes=("وفي سياق متصل، قال مصدر في {place} إن التحقيق مع {n2} موظفين لا يزال مستمرا.",
                "ودعا المحافظ السكان إلى قراءة التعليمات بعناية ومشاركتها مع جيرانهم."),
    teaser_labels=("اقرأ أيضا", "اقرأ أيضاً:"),
    authors=("سامي حداد", "ليلى منصور", "عمر الخطيب", "رنا عزيز", "يوسف درويش"),
    tags=("حلب", "حمص", "دمشق", "إعادة الإعمار", "المساعدات الإنسانية", "الكهرباء"),
    comments=("شكرا على هذا التقرير", "نتمنى المزيد من الأخبار عن الريف"),
)

RU = Lexicon(
    language="ru",
    places=("Алеппо", "Хомс", "Хама", "Латакия", "Тартус", "Дамаск", "Идлиб", "Дераа", "Ракка", "Пальмира"),
    subjects=("Министерство обороны", "Местные власти", "Министерство здравоохранения", "Центральный банк",
              "Гуманитарные организации", "Администрация провинции", "Красный Полумесяц"),
    verbs=("сообщило", "подтвердило", "заявило", "уточнило", "опровергло"),
    clauses=("что восстановление {n} школ в {place} начнётся в следующем месяце",
             "что трасса между {place} и {place2} откроется для гражданского транспорта",
             "о новом плане восстановления водоснабжения в {n} районах {place}",
             "что {n} семей вернулись в свои дома в {place}",
             "что гуманитарный конвой из {n2} грузовиков прибыл в {place}",
             "что саперы разминировали {n} гектаров сельхозугодий вокруг {place}"),
    times=("в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "на этой неделе",
           "в начале месяца", "вечером в четверг"),
    sources=("представитель министерства", "государственные СМИ", "местные жители", "губернатор", "военный источник"),
    quotes=("Мы не позволим никому помешать восстановлению {place}",
            "Ситуация улучшается с каждым днём, но потребности остаются огромными",
            "Наши бригады работают круглосуточно, чтобы восстановить электричество и воду"),
    speakers=("губернатор провинции", "замминистра Самир Халиль", "полковник Аднан Хаддад"),
    sentences=("{subject} {verb} {time}, {clause}.",
               "По словам источника, {clause_bare}.",
               "«{quote}», — сказал {speaker}.",
               "Жители {place} говорят, что с лета ситуация почти не изменилась.",
               "Независимо проверить эти данные не удалось.",
               "{subject} {verb} {time}, {clause}, и пообещало новые подробности."),
    headlines=("{n} семей вернулись в {place} на фоне восстановления",
               "Трасса между {place} и {place2} открыта впервые за {n2} лет",
               "Гуманитарный конвой из {n2} грузовиков прибыл в {place}",
               "Школы в {place} вновь открылись после {n2} месяцев ремонта",
               "Саперы разминировали {n} гектаров вокруг {place}"),
    subheadings=("Планы восстановления", "Что дальше", "Вода и электричество", "Реакция в {place}"),
    lookalikes=("Напомним, что ранее власти {place} обещали ответить на жалобы {n2} жителей в течение недели.",
                "Прочитать полный текст доклада можно на сайте министерства, уточнили в ведомстве."),
    teaser_labels=("Читайте также", "Читайте также:"),
    authors=("Сами Хаддад", "Лейла Мансур", "Омар Хатиб", "Рана Азиз"),
    tags=("Алеппо", "Дамаск", "восстановление", "гуманитарная помощь", "экономика"),
    comments=("Спасибо за репортаж.", "Хотелось бы больше новостей из провинции."),
)

LEXICONS: dict[str, Lexicon] = {lex.language: lex for lex in (EN, AR, RU)}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_RU_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
                      "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


class _Slots(dict[str, str]):
    """Template slots; a slot the template names but the sentence did not draw is left empty."""

    def __missing__(self, key: str) -> str:
        return ""


def slugify(title: str, *, max_words: int = 9) -> str:
    """A WordPress-style slug: lower case, Cyrillic transliterated, Arabic kept (percent-encoded later)."""
    lowered = title.lower()
    if not lowered.isascii():
        lowered = "".join(_RU_LATIN.get(ch, ch) for ch in lowered)
    words = [w for w in _NON_WORD.split(lowered) if w and w != "_"]
    return "-".join(words[:max_words])


class Writer:
    """Writes headlines and article bodies from a lexicon and a random generator."""

    def __init__(self, lexicon: Lexicon, rng: random.Random) -> None:
        self.lex = lexicon
        self.rng = rng

    def _fill(self, template: str) -> str:
        rng, lex = self.rng, self.lex
        slots: dict[str, str] = {"place": rng.choice(lex.places)}
        if "{place2}" in template or "{clause" in template or "{source}" in template or "{speaker}" in template:
            place2 = rng.choice(lex.places[:8])
            slots["place2"] = place2 if place2 != slots["place"] else lex.places[8]
        slots["n"] = str(rng.randint(12, 950))
        slots["n2"] = str(rng.randint(2, 60))
        if "{month}" in template:
            slots["month"] = rng.choice(_MONTHS)
        if "{subject}" in template:
            slots["subject"] = rng.choice(lex.subjects)
            slots["verb"] = rng.choice(lex.verbs)
        if "{clause" in template:
            clause = rng.choice(lex.clauses).format(**slots)
            slots["clause"] = clause
            slots["clause_bare"] = clause.removeprefix("that ").removeprefix("что ")
        for key, options in (("time", lex.times), ("source", lex.sources), ("quote", lex.quotes),
                             ("speaker", lex.speakers)):
            if "{" + key + "}" in template:
                slots[key] = rng.choice(options).format_map(_Slots(slots))
        text = template.format_map(_Slots(slots))
        return text[0].upper() + text[1:]

    def headline(self) -> str:
        return self._fill(self.rng.choice(self.lex.headlines))

    def subheading(self) -> str:
        return self._fill(self.rng.choice(self.lex.subheadings))

    def paragraph(self) -> str:
        count = self.rng.choice((1, 2, 2, 3, 3, 4))
        return " ".join(self._fill(self.rng.choice(self.lex.sentences)) for _ in range(count))

    def lookalike(self) -> str:
        return self._fill(self.rng.choice(self.lex.lookalikes))

    def body(self, *, lookalike: bool) -> tuple[list[str], set[int]]:
        """Paragraphs of one article (subheadings included) and the indexes of the subheadings."""
        rng = self.rng
        paragraphs = [self.paragraph() for _ in range(rng.randint(4, 11))]
        if lookalike:
            paragraphs.insert(rng.randint(1, len(paragraphs) - 1), self.lookalike())
        subheadings: set[int] = set()
        if len(paragraphs) >= 6 and rng.random() < 0.5:
            positions = sorted(rng.sample(range(2, len(paragraphs) - 1), rng.choice((1, 2))))
            for shift, position in enumerate(positions):
                paragraphs.insert(position + shift, self.subheading())
                subheadings.add(position + shift)
        return paragraphs, subheadings
