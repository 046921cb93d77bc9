"""Everything one message says that the assistant can use, at any step of the conversation:
routing facts, the title's expiry date, a place, a wished day, a numéro étranger, and whether it
is about an appointment already made (cancel, move, check) or a new booking.

"salam عندي موعد f prefecture بغيت نلغيه" is a cancellation, not a booking; "it expires on 15
March" is an expiry date, not the wished day; "دوردوني", "٢٤" and "7501 234 568" are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.catalogue import departement_of_postal_code, get_catalogue, place_names
from bot.catalogue.places import place_key
from bot.dates import DateRequest, parse_expiry, sets_day_aside, tokenise, understand
from bot.locales import unspaced_scripts
from bot.text import ascii_digits, joined_up
from bot.understanding.cuebook import CueBook, Reading, books_for, one_edit, words
from bot.understanding.facts import NOTHING, Facts, read_facts, strongest

# 10 digits, not starting with 0 (French phones do), grouped as people type them.
_NUMERO = re.compile(r"(?<![\d+])([1-9](?:[ .\-]?\d){9})(?![ .\-]?\d)")
# A numéro étranger starts with the code of the département that issued it, so 06… (Alpes-
# Maritimes) or 03… (Allier) are numéros too: one starting with 0 counts when the person says it
# is their foreigner's number ("mon numéro étranger est le 06…", "رقمي الأجنبي ٠٦…"); alone, it
# is taken for the phone number it looks like.
_NUMERO_SAID = re.compile(
    r"(?:[ée]tranger|[еэ]транже\w*|agdref|foreigner|foreign|الأجنبي|الاجنبي|أجنبي|اجنبي|иностранца|іноземця|外国人号码|اترانژ\w*)"
    r"\W{0,3}(?:\w+\W+){0,2}?(0(?:[ .\-]?\d){9})(?![ .\-]?\d)",
    re.IGNORECASE,
)
_POSTAL = re.compile(r"(?<![\d ])(\d{2}) ?(\d{3})(?![\d])")
# Where one clause ends: "ma carte expire le 3 mars, je veux un rdv mardi".
# A dot between digits is a date's ("02.09.2026", as Ukrainians, Russians and many French write
# it), not the end of a clause.
# Arabic glues its "and" to the next word: "… تنتهي يوم 5/11 وأريد موعدا يوم خميس" is two clauses
# when the "and" opens a wish.
_CLAUSE = re.compile(
    r"(?:[,;!?\n،؛؟，。；！？]|(?<!\d)\.|\.(?!\d))+|\s(?:et|mais|and|but|w|ou)\s"
    r"|\s(?=و(?:أريد|اريد|أود|اود|نريد|أحتاج|احتاج|بغيت|نبغي|حاب|نحب|أرغب|ارغب)(?!\w))"
)
_DEPARTEMENT_CODE = re.compile(r"^(?:0?[1-9]|[1-8]\d|9[0-5]|2a|2b|97[1-6])$")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# The `wants` of the cue files that is no wish alone: "another one" (see read_wants).
ANOTHER = "another"
HELD = "held"
_DATE_KINDS = frozenset({"month", "unit", "weekday", "rel", "part"})
# Articles that may stand between a number marker and the number ("dans LE 38").
_ARTICLES = frozenset({"le", "la", "l", "the", "al"})
_SHORT_MESSAGE = 3  # words: a message this short naming a place is the place
# Arabic-script names one letter off are read from this length: shorter ones are a letter from
# everyday words ("كانت", was, and نانت, Nantes; "ليوم", today, and ليون, Lyon).
_ARABIC_FUZZY_MIN = 5


class Wants:
    BOOK = "book"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    CHECK = "check"


@dataclass(frozen=True)
class Place:
    text: str  # the words as the person wrote them (folded)
    departements: tuple[str, ...]  # codes, most specific reading first
    sites: tuple[str, ...]  # demo préfecture site ids there


@dataclass(frozen=True)
class Understanding:
    facts: Facts = field(default_factory=Facts)
    wants: str | None = None  # Wants.*: None when the message does not say
    expiry: date | None = None
    expiry_text: str | None = None
    day_wish: DateRequest | None = None
    place: Place | None = None
    numero_etranger: str | None = None
    # The person says they have an appointment ("j'ai un rdv", "3andi rdv", "موعدي"): "changer"
    # then moves it, where alone it may mean another card.
    holds_appointment: bool = False


def understand_message(text: str, lang: str | None, now: datetime) -> Understanding:
    """What `text` says, read with the cues of `lang` (None: every language) at time `now`."""
    if not text or not text.strip():
        return Understanding()
    plain = ascii_digits(text)
    numero = read_numero_etranger(plain)
    rest = plain.replace(numero_span(plain) or "\0", " ")
    expiry, expiry_text, day_wish = _read_dates(rest, lang, now)
    return Understanding(
        facts=read_facts(text, lang),
        wants=read_wants(text, lang),
        expiry=expiry,
        expiry_text=expiry_text,
        day_wish=day_wish,
        place=read_place(rest, lang),
        numero_etranger=numero,
        holds_appointment=holds_an_appointment(text, lang),
    )


# -- numéro étranger ---------------------------------------------------------------------


def numero_span(text: str) -> str | None:
    plain = ascii_digits(text)
    found = _NUMERO.search(plain) or _NUMERO_SAID.search(plain)
    return found.group(1) if found else None


def read_numero_etranger(text: str) -> str | None:
    """The 10 digits of a numéro étranger, whatever the spacing or digits ("٧٥٠١ ٢٣٤ ٥٦٨")."""
    span = numero_span(text)
    return re.sub(r"\D", "", span) if span else None


# -- what the message is about -----------------------------------------------------------


def read_wants(text: str, lang: str | None) -> str | None:
    """cancel / reschedule / check an existing appointment, book a new one, or None.

    Each wish is looked for in the whole message (after the phrases that only look like one):
    a longer cue of a weaker wish may not hide a stronger one by taking its words ("changer la
    date de mon rdv" holds "date de mon rdv", a check, and is a move).

    A cancel beside the cue file's `another` ("annulez-le et donnez-m'en un autre", "cancel it
    and give me another one", "ألغيه وأعطني موعدا آخر") is a move: the person wants to keep an
    appointment, on another day. `another` alone says nothing ("j'ai perdu ma carte, il m'en
    faut une autre" is no move). So is a cancel beside a move ("I can't come on Monday, can we
    move it?", "j'ai un empêchement, on peut avancer ?"): not coming is why it moves."""
    tokens = words(text)
    used: frozenset[int] = frozenset()
    booking = False
    for book in books_for(lang):
        not_wishes = tuple((v, c) for v, c in book.wants if v == NOTHING)
        taken = used.union(*(r.positions for r in book.read({"-": not_wishes}, tokens, used)))
        found: list[Reading] = []
        for rank, (value, cues) in enumerate(book.wants):
            if value not in (NOTHING, ANOTHER, HELD):
                found += [
                    replace(r, rank=rank)
                    for r in book.read({"wants": ((value, cues),)}, tokens, taken)
                ]
        said = strongest(found).get("wants")
        if said == Wants.CANCEL:
            again = tuple((v, c) for v, c in book.wants if v == ANOTHER)
            moved = any(r.value == Wants.RESCHEDULE for r in found)
            if moved or book.read({"wants": again}, tokens, taken):
                return Wants.RESCHEDULE
        if said and said != Wants.BOOK:
            return said
        if said:
            # The appointment named is not yet a booking: the words around it may be another
            # language's verb of managing it, as mixed messages borrow them ("supprimer rdv
            # dyali", "wach rdv dyali confirmé?"). Its words stay free for those cues.
            booking = True
            used = taken
        else:
            used = taken.union(*(r.positions for r in found))
    return Wants.BOOK if booking else None


def holds_an_appointment(text: str, lang: str | None) -> bool:
    """Whether the message says the person has an appointment (the cue files' `held`)."""
    tokens = words(text)
    return any(
        book.read({"wants": tuple((v, c) for v, c in book.wants if v == HELD)}, tokens)
        for book in books_for(lang)
    )


def read_question(text: str, lang: str | None) -> str | None:
    """The question asked beside the form's ("fee": what the démarche costs), or None."""
    tokens = words(text)
    for book in books_for(lang):
        said = strongest(book.read({"questions": book.questions}, tokens)).get("questions")
        if said:
            return said
    return None


def speaks_of_expiry(text: str, lang: str | None) -> bool:
    """Whether the message has words of a title's end ("expire", "تنتهي", "закінчується"…): a date
    without them is not taken for an expiry date where a day may be meant."""
    tokens = words(text)
    return any(book.says_expiry(tokens) for book in books_for(lang))


# -- dates -------------------------------------------------------------------------------


def _read_dates(
    text: str, lang: str | None, now: datetime
) -> tuple[date | None, str | None, DateRequest | None]:
    """Clause by clause: one that speaks of expiry gives the expiry date, another the wish."""
    date_lang = lang or "fr"
    books = books_for(lang)
    expiry: date | None = None
    expiry_text: str | None = None
    wish: DateRequest | None = None
    undated = False  # the last clause spoke of expiry without a date
    wish_set_aside = False  # the wish found so far was said as a day that does not suit
    for clause in _CLAUSE.split(text):
        if not clause.strip():
            continue
        tokens = words(clause)
        if any(book.says_expiry(tokens) for book in books):
            if expiry is None or _only_now(expiry, expiry_text, now):
                # "Сейчас закончил мастер…, а мой титр заканчивается 30 июня 2027": "now"
                # beside "finished" was taken for the expiry, and the real one never read.
                found = parse_expiry(clause, date_lang, now)
                if found is not None:
                    expiry, expiry_text = found, clause.strip()
                undated = found is None
            continue
        if undated and expiry is None and _YEAR.search(clause):
            # "Скоро закінчується мій документ, 10 квітня 2026": the date in a clause of its
            # own, after the words of expiry. With its year it is no day wished.
            expiry = parse_expiry(clause, date_lang, now)
            if expiry is not None:
                expiry_text = clause.strip()
                continue
        undated = False
        if wish is None or wish_set_aside:
            # "الاثنين عندي الخدمة، الخميس احسن": a later day wins over one set aside.
            found = understand(clause, date_lang, now)
            if found is not None:
                wish, wish_set_aside = found, sets_day_aside(clause, date_lang)
    return expiry, expiry_text, wish


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def _only_now(expiry: date, said: str | None, now: datetime) -> bool:
    """An expiry read as today from a word like "now", with no number said."""
    return expiry == now.date() and not any(c.isdigit() for c in ascii_digits(said or ""))


# -- place -------------------------------------------------------------------------------


def read_place(text: str, lang: str | None) -> Place | None:
    """The town or département named in the message, with the demo sites there."""
    tokens = place_key(ascii_digits(text)).split()
    if not tokens:
        return None
    books = books_for(lang)
    markers = frozenset().union(*(b.place_markers for b in books))
    ambiguous = frozenset().union(*(b.ambiguous_places for b in books))
    short = len(tokens) <= _SHORT_MESSAGE
    number_markers = frozenset().union(*(b.number_markers for b in books))
    codes = _named_place(tokens, books, markers, ambiguous, short, lang) or _numbered_place(
        tokens, number_markers, lang, short
    )
    if codes is None:
        return None
    found_text, departements = codes
    catalogue = get_catalogue()
    sites = tuple(
        site_id
        for code in departements
        for site_id, site in catalogue.sites.items()
        if site.departement == code
    )
    return Place(found_text, departements, sites)


def without_places(text: str, lang: str | None) -> str:
    """The message without the words that only name a place: a town names no language (« سین
    سن دنی، بوبینی », Seine-Saint-Denis, Bobigny, in a Pashto conversation read as Persian)."""
    tokens = text.split()
    kept: list[str] = []
    i = 0
    while i < len(tokens):
        size = next(
            (
                n
                for n in (3, 2, 1)
                if i + n <= len(tokens) and _only_a_place(tokens[i : i + n], lang)
            ),
            0,
        )
        if not size:
            kept.append(tokens[i])
        i += size or 1
    return " ".join(kept)


def _only_a_place(window: list[str], lang: str | None) -> bool:
    said = " ".join(place_key(ascii_digits(" ".join(window))).split())
    if not said or said.isdigit():
        return False  # a number names no language anyway
    place = read_place(said, lang)
    return place is not None and place.text.replace(" ", "") == said.replace(" ", "")


def _named_place(
    tokens: list[str],
    books: tuple[CueBook, ...],
    markers: frozenset[str],
    ambiguous: frozenset[str],
    short: bool,
    lang: str | None,
) -> tuple[str, tuple[str, ...]] | None:
    names = place_names()
    longest = max((len(n.split()) for n in names), default=1)
    for size in range(min(longest, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            window = tokens[start : start + size]
            for key in _keys(window, books):
                codes = names.get(key) or (
                    None if _is_date_word(key, lang) else _close_arabic_name(key, names)
                )
                if not codes:
                    continue
                before = tokens[start - 1] if start else ""
                if key in ambiguous and not short and not _marked(before, markers):
                    continue
                # Quoted as written: no spaces inside a Chinese name (bot.text.joined_up).
                return joined_up(" ".join(window), unspaced_scripts()), tuple(sorted(codes))
    return None


def _keys(window: list[str], books: tuple[CueBook, ...]) -> list[str]:
    """The window, and the window without a clitic on its first word ("بدوردوني", "fgrenoble")."""
    first, rest = window[0], window[1:]
    keys = [" ".join(window)]
    for book in books:
        for form in book.forms(first)[1:]:
            if _ARABIC.search(form):
                keys.append(" ".join([form, *rest]))
    return keys


def _close_arabic_name(key: str, names: dict[str, frozenset[str]]) -> frozenset[str] | None:
    """Arabic spellings of French names vary by a letter ("دوردوني" for "دوردون"); a date word
    one letter from a name is the date ("مارس", March, is not "مارسی", Marseille)."""
    if not _ARABIC.search(key) or len(key) < _ARABIC_FUZZY_MIN:
        return None
    for name, codes in names.items():
        if _ARABIC.search(name) and len(name) >= _ARABIC_FUZZY_MIN and one_edit(key, name):
            return codes
    return None


def _marked(word: str, markers: frozenset[str]) -> bool:
    """Whether `word` is a marker; "департамент*" marks every case of the word ("я в
    департаменті 74"): Russian and Ukrainian decline it, and a star was read as a letter."""
    return word in markers or any(
        m.endswith("*") and word.startswith(m[:-1]) for m in markers if len(m) > 2
    )


def _numbered_place(
    tokens: list[str], markers: frozenset[str], lang: str | None, short: bool
) -> tuple[str, tuple[str, ...]] | None:
    catalogue = get_catalogue()
    joined = " ".join(tokens)
    postal = _POSTAL.search(joined)
    if postal:
        found = departement_of_postal_code(postal.group(1) + postal.group(2), catalogue)
        if found:
            return postal.group(0), (found.code,)
    for k, token in enumerate(tokens):
        if not _DEPARTEMENT_CODE.match(token):
            continue
        before = tokens[k - 1] if k else ""
        if before in _ARTICLES and k >= 2:
            before = tokens[k - 2]
        after = tokens[k + 1] if k + 1 < len(tokens) else ""
        if after.isdigit() or (after and _is_date_word(after, lang)):
            continue  # a date ("12 05 2027", "24 mars") or a phone number
        if k >= 2 and _marked(before, markers) and _is_date_word(tokens[k - 2], lang):
            continue  # "la semaine du 15", "lundi du 12": the marker belongs to a day
        if not _marked(before, markers) and (not short or len(token) == 1):
            # A lone digit is a choice from a list, sent by habit ("1" after a convocation read
            # as the Ain): a département alone is written with two digits, or named.
            continue
        code = token.upper()
        code = code.zfill(2) if code.isdigit() else code
        if code in catalogue.departements:
            return token, (code,)
    return None


def _is_date_word(word: str, lang: str | None) -> bool:
    # Arabic-script month names are shared by Arabic and Persian writers whatever the reply.
    langs = {lang or "fr", "ar", "fa"} if _ARABIC.search(word) else {lang or "fr"}
    return any(t.kind in _DATE_KINDS for code in langs for t in tokenise(word, code))
