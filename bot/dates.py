"""Date understanding: what people text ("mardi pro", "demain 9h", "غدا", "ghda") → a date range.

dateparser alone misreads SMS text: "je" becomes jeudi, "demain 9h" becomes 19:00, "vendredi 18h"
a past 18th, and "mardi prochain", "بعد غد" or "lundi pro" are not understood at all. So this
module tokenises and normalises the text itself (accents, SMS spellings, Arabizi, Arabic clitics
and Arabic-Indic digits, typos within one edit), reads relative expressions (weekdays, demain,
semaine prochaine, dans 2 semaines…) with its own small grammar, and hands dateparser only what
it is good at: resolving a canonical absolute date ("3 mars", "29 fevrier 2028") with a preferred
direction in time (future for bookings, nearest or past for expiry dates).

Pure core: no web framework, no database. Dates are computed in Europe/Paris.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from bot.i18n import normalise_language

PARIS = ZoneInfo("Europe/Paris")
LANGUAGES: tuple[str, ...] = ("fr", "en", "ar")

PartOfDay = Literal["morning", "afternoon", "evening"]
# "As soon as possible" searches this far: bookings open two months ahead
# (000_e60855a9c543fb9c.txt, Préfecture de la Dordogne); callers clamp to the démarche's horizon.
ASAP_DAYS = 62
_Mode = Literal["future", "expiry"]


@dataclass(frozen=True)
class DateRequest:
    """An inclusive range of days the person asked for, with an optional part of day or time."""

    start: date
    end: date
    part_of_day: PartOfDay | None = None
    time: time | None = None
    text: str = ""

    @property
    def is_single_day(self) -> bool:
        return self.start == self.end

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


# --------------------------------------------------------------------------------------------
# Normalisation and tokens
# --------------------------------------------------------------------------------------------

_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}
# Harakat are removed by NFKD below; these letters have spelling variants people mix freely.
_ARABIC_VARIANTS = {ord("ى"): "ي", ord("ة"): "ه", ord("ـ"): None, ord("’"): "'", ord("`"): "'"}


def fold(text: str) -> str:
    """Lower-cases and strips accents, harakat, hamza seats and Arabic-Indic digits."""
    text = text.translate(_DIGITS).translate(_ARABIC_VARIANTS).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_TOKEN_RE = re.compile(
    r"""
    (?P<numdate>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?|\d{1,2}[/.\-]\d{4})(?![/.\-]?\d)
    |(?P<ampm>\d{1,2}(?:[:h.]\d{2})?\s?[ap]\.?m\b\.?)
    |(?P<time>\d{1,2}\s?(?:h|:)\s?\d{2}(?!\d)|\d{1,2}\s?h(?![^\W\d_]))
    |(?P<ordinal>\d{1,2}(?:er|ere|eme|e|st|nd|rd|th)(?![^\W\d_]))
    |(?P<mixed>[^\W_]*(?:\d[^\W\d_]|[^\W\d_]\d)[^\W_]*)
    |(?P<num>\d+)
    |(?P<word>[^\W\d_]+)
    """,
    re.VERBOSE,
)
_SPLIT_MIXED_RE = re.compile(r"\d+|[^\W\d_]+")


class Tok(NamedTuple):
    kind: str
    value: object
    text: str
    # A second reading for ambiguous words ("mar" is mardi, or mars after a day number).
    alt: tuple[str, object] | None = None


def _raw_tokens(folded: str) -> list[tuple[str, str]]:
    """Splits folded text into (regex group, text) pairs."""
    out: list[tuple[str, str]] = []
    for match in _TOKEN_RE.finditer(folded):
        group = match.lastgroup or "word"
        out.append((group, match.group()))
    return out


# --------------------------------------------------------------------------------------------
# Lexicon: (kind, value, "alternative|alternative|multi word phrase"), folded at import.
# Words shared by every language come first; abbreviations that collide with ordinary words of
# another language ("mon", "we", "am", "had"…) are only read in the language they belong to.
# --------------------------------------------------------------------------------------------

_COMMON: list[tuple[str, object, str]] = [
    (
        "rel",
        0,
        "aujourd hui|aujourdhui|aujourdui|aujourd|auj|ajd|aujd|ojd|today|tdy|2day|اليوم|"
        "lyoum|lyom|lyouma|lyoma|el youm|lyum|ليوم",
    ),
    (
        "rel",
        1,
        "demain|dmain|2main|demin|deman|tomorrow|tmrw|tmr|tomoro|tomorow|tommorow|2moro|"
        "2morrow|غدا|غد|بكره|بكرا|غدوه|ghda|ghdda|ghedda|ghedwa|ghdwa|ghodwa|ghadan|ghadda|bokra|bukra",
    ),
    (
        "rel",
        2,
        "apres demain|apres dmain|apres 2main|apresdemain|apredemain|aprs demain|apr demain|"
        "day after tomorrow|the day after tomorrow|after tomorrow|بعد غد|بعد غدا|بعد الغد|بعد بكره|"
        "بعد بكرا|بعد غدوه|b3d ghda|ba3d ghda|b3d ghdwa|ba3d ghedwa|b3d ghedwa|b3d bokra|ba3d bokra",
    ),
    ("rel", -1, "hier|yesterday|امس|البارحه|lbare7|lbar7|lbarah"),
    (
        "rel",
        -2,
        "avant hier|avant hiers|day before yesterday|the day before yesterday|اول امس|اول البارحه",
    ),
    ("tonight", 0, "tonight|tonite|2nite|الليله|هذه الليله|hadi lila|had lila|lyoum f lil"),
    ("weekday", 0, "lundi|monday|الاثنين|الاتنين|tnin|ltnin|letnin|itnin|lithnin"),
    ("weekday", 1, "mardi|tuesday|الثلاثاء|ثلاثاء|الثلاثا|ttlat|ttlata|ltlat|tlat"),
    ("weekday", 2, "mercredi|wednesday|الاربعاء|اربعاء|الاربع|larb3a|larba|arb3a|l arb3a|larbe3"),
    ("weekday", 3, "jeudi|thursday|الخميس|خميس|lkhmis|khmis|lekhmis|l5mis|5mis|lkhamis"),
    (
        "weekday",
        4,
        "vendredi|friday|الجمعه|جمعه|jem3a|ljem3a|jom3a|ljom3a|jm3a|ljm3a|jum3a|joumou3a",
    ),
    ("weekday", 5, "samedi|saturday|السبت|سبت|sebt|ssebt|sabt|ssbt|ssabt"),
    ("weekday", 6, "dimanche|sunday|الاحد|l7ed|l7ad|7ad|lhed|lahad"),
    ("month", 1, "janvier|january|janv|يناير|جانفي|كانون الثاني|yanayir"),
    ("month", 2, "fevrier|fevier|fervier|february|feb|fev|fevr|فبراير|فيفري|شباط"),
    ("month", 3, "mars|march|مارس|اذار"),
    ("month", 4, "avril|april|apr|avr|ابريل|افريل|نيسان|abril"),
    ("month", 5, "mai|مايو|ماي|ايار"),
    ("month", 6, "juin|june|jun|يونيو|يونيه|جوان|حزيران"),
    ("month", 7, "juillet|july|jul|juil|يوليو|يوليوز|جويليه|تموز"),
    ("month", 8, "aout|august|aug|اغسطس|غشت|اوت|غشت"),
    ("month", 9, "septembre|september|sep|سبتمبر|شتنبر|ايلول"),
    ("month", 10, "octobre|october|oct|اكتوبر|تشرين الاول"),
    ("month", 11, "novembre|november|nov|نوفمبر|نونبر|تشرين الثاني"),
    ("month", 12, "decembre|december|dec|ديسمبر|دجنبر|كانون الاول"),
    (
        "part",
        "morning",
        "matin|matinee|mat1|morning|mrng|صباحا|الصباح|صباح|في الصباح|sbah|sba7|"
        "fsbah|f sbah|sbe7|f sba7",
    ),
    (
        "part",
        "afternoon",
        "apres midi|apresmidi|apres-midi|aprem|aprm|apm|"
        "aprs midi|apr midi|afternoon|aftn|arvo|بعد الظهر|بعد الظهيره|بعد الزوال|الظهر|العصر|عصرا|"
        "العشيه|عشيه|l3chiya|3chiya|l3chia|3chia|l3achiya|l3chiwa|ba3d dohr|b3d dohr|b3d zwal|"
        "ba3d zwal|f l3chiya",
    ),
    (
        "part",
        "evening",
        "soir|soire|soiree|evening|eve|night|مساء|مساءا|المساء|الليل|lil|fllil|"
        "f lil|flil|l3cha|felil",
    ),
    ("time", (12, 0), "midi|noon|midday|الظهيره|tnach"),
    (
        "next",
        None,
        "prochain|prochaine|prochains|prochaines|prochin|prochen|proch|prochainement|"
        "suivant|suivante|next|coming|following|القادم|القادمه|الجاي|الجايه|المقبل|المقبله|التالي|"
        "jay|jaya|ljay|ljaya|jaaya|jaya|lijay|li jay|lli jay|lli jaya",
    ),
    ("this", None, "ce|cet|cette|this|هذا|هذه|hadi|hada|hadak"),
    (
        "last",
        None,
        "dernier|derniere|passe|passee|last|past|previous|الماضي|الماضيه|الفائت|"
        "الفايت|السابق|lli fat|lfayt|li fat|lli daz|li daz",
    ),
    ("end", None, "fin|end|late|اخر|نهايه|lekher|lakher|akhir"),
    ("start", None, "debut|start|beginning|early|بدايه|اوائل|lowel|lwel"),
    ("mid", None, "mi|mid|middle|milieu|منتصف|وسط|nos|ns"),
    ("weekend", None, "week end|weekend|wkend|wknd|عطله نهايه الاسبوع|الويكند|wikand|weekand"),
    ("enhuit", None, "en huit"),
    ("in", None, "dans|ds|d ici|in|within|بعد|خلال|في غضون|خلال|b3d|ba3d|mn daba|men daba"),
    ("ago", None, "il y a|ilya|y a|ago|منذ|قبل|hadu"),
    (
        "at",
        None,
        "vers|at|around|about|aux alentours de|الساعه|على الساعه|حوالي|sa3a|ssa3a|m3a|"
        "m3a sa3a|f sa3a",
    ),
    ("unit", ("day", None), "jour|jours|jr|jrs|day|days|يوم|ايام|nhar|iyam|yam|ayam|nhar"),
    ("unit", ("day", 2), "يومين|yumayn|youmayn|yomin|joj iyam|jouj iyam"),
    (
        "unit",
        ("week", None),
        "semaine|semaines|sem|smn|semain|week|weeks|wk|wks|اسبوع|اسابيع|"
        "سيمانه|السيمانه|السمانه|simana|ssimana|semana|smana|l'usbu3|osbou3|usbu3",
    ),
    ("unit", ("week", 2), "اسبوعين|سيمانتين|jouj simanat|joj simanat|simantin"),
    ("unit", ("week", 2), "quinze jours|15 jours|quinzaine|fortnight|a fortnight"),
    (
        "unit",
        ("month", None),
        "mois|month|months|mnth|شهر|اشهر|شهور|chhar|shhar|chher|chhor|chhour|shahr",
    ),
    ("unit", ("month", 2), "شهرين|chahrayn|chhrin|jouj chhor|joj chhor"),
    (
        "unit",
        ("year", None),
        "an|ans|annee|annees|year|years|yr|yrs|سنه|سنوات|عام|اعوام|3am|l3am|sna|sana",
    ),
    ("unit", ("year", 2), "سنتين|عامين|3amayn"),
    ("unit", ("hour", None), "heure|heures|hour|hours|hr|hrs|ساعه|ساعات"),
    ("numword", 1, "un|une|one|واحد|واحده|wahed|wa7ed|wahd"),
    ("numword", 2, "deux|two|اثنين|اثنان|زوج|jouj|joj|zouj"),
    ("numword", 3, "trois|three|ثلاثه|ثلاث|tlata|tlt"),
    ("numword", 4, "quatre|four|اربعه|اربع|reb3a|rb3a|arba3a"),
    ("numword", 5, "cinq|five|خمسه|خمس|khamsa|5msa"),
    ("numword", 6, "six|سته|ست|setta"),
    ("numword", 7, "seven|سبعه|سبع|sab3a|seb3a"),
    ("numword", 8, "huit|eight|ثمانيه|ثماني|tmenya"),
    ("numword", 9, "neuf|nine|تسعه|تسع|tes3od"),
    ("numword", 10, "dix|ten|عشره|عشر|3achra|3chra"),
    ("numword", 15, "quinze|fifteen"),
    # Arabic says the hour as an ordinal: "الساعة العاشرة" is ten o'clock.
    ("numword", 1, "الواحده"),
    ("numword", 2, "الثانيه"),
    ("numword", 3, "الثالثه"),
    ("numword", 4, "الرابعه"),
    ("numword", 5, "الخامسه"),
    ("numword", 6, "السادسه"),
    ("numword", 7, "السابعه"),
    ("numword", 8, "الثامنه"),
    ("numword", 9, "التاسعه"),
    ("numword", 10, "العاشره"),
    ("numword", 11, "الحاديه عشره|الحادية عشر"),
    ("numword", 12, "الثانيه عشره|الثانية عشر"),
    # Vague answers: read only when nothing more precise is in the message.
    ("now", None, "maintenant|mnt|now|right now|daba|دابا|الان|حالا|تو"),
    (
        "asap",
        None,
        "n importe quand|nimporte quand|quand vous voulez|peu importe|au plus vite|"
        "au plus tot|le plus tot possible|des que possible|le plus vite possible|asap|"
        "as soon as possible|any day|anytime|any time|whenever|في اقرب وقت|في أقرب وقت ممكن|"
        "اي وقت|اي يوم|fay wa9t|ay nhar|f a9rab wa9t",
    ),
    ("ampm", "am", "a.m|a m"),
    ("ampm", "pm", "p.m|p m"),
]

_BY_LANGUAGE: dict[str, list[tuple[str, object, str]]] = {
    "fr": [
        ("weekday", 0, "lndi|lund"),
        ("weekday", 2, "mercr|merc|mrcrdi|mercredie|mecredi"),
        ("weekday", 3, "jdi|jeud"),
        ("weekday", 4, "vend|vdi|vendr|vendrdi|vendredie"),
        ("weekday", 5, "smdi"),
        ("weekday", 6, "dimanch"),
        # Also ordinary words (la mer, un jeu, Sam): a weekday only beside a time, a day number,
        # a part of day or "prochain", or as the whole answer.
        ("weekday?", 0, "lun"),
        ("weekday?", 2, "mer"),
        ("weekday?", 3, "jeu"),
        ("weekday?", 4, "ven"),
        ("weekday?", 5, "sam"),
        ("weekday?", 6, "dim"),
        ("part", "afternoon", "am|a m"),
        ("part", "morning", "mat"),
        ("next", None, "pro|prochaine|proch"),
        ("at", None, "a|vers"),
        ("weekend", None, "we|w e|ce we"),
    ],
    "en": [
        ("weekday?", 0, "mon"),
        ("weekday", 1, "tue|tues"),
        ("weekday", 2, "wed|weds"),
        ("weekday", 3, "thu|thur|thurs"),
        ("weekday", 4, "fri"),
        ("weekday?", 5, "sat"),
        ("weekday?", 6, "sun"),
        ("part", "morning", "am"),
        ("part", "afternoon", "pm"),
        ("numword", 1, "a|an"),
        ("month", 1, "jan"),
        ("month", 3, "mar"),
        ("month", 10, "oct"),
    ],
    "ar": [
        ("this", None, "had"),
        ("weekday", 0, "tnine|ttnin"),
    ],
}

# Ambiguous words and their two readings: read as a month only right next to a day number.
_AMBIGUOUS: dict[str, dict[str, Tok]] = {
    "fr": {
        "mar": Tok("weekday?", 1, "mar", ("month", 3)),
        "sept": Tok("numword", 7, "sept", ("month", 9)),
        "jan": Tok("word", None, "jan", ("month", 1)),
    },
    "en": {"may": Tok("word", None, "may", ("month", 5)), "march": Tok("month", 3, "march")},
    "ar": {},
}

# Typos within one edit are corrected towards words of six letters or more only: shorter ones
# have ordinary neighbours ("merci"~"mercr", "might"~"night", "marche"~"march"), so their usual
# SMS spellings are listed instead. "je" is therefore never jeudi.
_FUZZY_MIN_LENGTH = 5
_FUZZY_TARGET_LENGTH = 6
_FUZZY_KINDS = frozenset({"rel", "weekday", "month", "part", "next", "unit"})
_NEVER_CORRECTED = frozenset(
    {"remain", "domain", "marche", "mourning", "months", "sundae", "apres", "passer"}
)


def _folded(words: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(word) for word in words)


_FILLERS = _folded(
    {"le", "la", "les", "l", "de", "du", "des", "d", "of", "the", "on", "en", "el", "au", "aux"}
    | {"for", "pour", "ca", "nhar", "يوم", "في", "ف", "على"}
)
_RANGE_FROM = _folded({"du", "entre", "from", "between", "من", "بين", "mn", "bin", "depuis"})
_RANGE_TO = _folded(
    {"au", "a", "jusqu", "to", "until", "till", "et", "and", "إلى", "حتى", "و", "l"}
)
_BEFORE = _folded({"avant", "before", "قبل", "9bel", "qbel"})
_UNTIL = _folded({"jusqu", "jusque", "until", "till", "by", "حتى", "لغاية", "htal", "7ta", "d ici"})
_WITHIN = _folded({"within", "خلال", "في غضون", "d ici"})
_NEGATIONS = _folded({"pas", "not", "ليس", "لا", "machi", "mechi"})
_PAST_MARKERS = frozenset(
    tuple(fold(word) for word in marker.split())
    for marker in (
        "a expire",
        "est expire",
        "est expiree",
        "expiree",
        "perime",
        "perimee",
        "etait",
        "a fini",
        "expired",
        "was",
        "ran out",
        "انتهت",
        "انتهى",
        "كانت",
        "salat",
        "tsalat",
        "fatet",
        "dazet",
    )
)


def _phrase_key(text: str) -> tuple[str, ...]:
    return tuple(t for _, t in _raw_tokens(fold(text)))


@dataclass(frozen=True)
class _Lexicon:
    words: dict[str, Tok]
    phrases: dict[tuple[str, ...], Tok]
    longest_phrase: int
    fuzzy_deletes: dict[str, set[str]]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i, j = diffs[0], diffs[-1]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@cache
def _lexicon(lang: str) -> _Lexicon:
    words: dict[str, Tok] = {}
    phrases: dict[tuple[str, ...], Tok] = {}
    for kind, value, alternatives in _COMMON + _BY_LANGUAGE.get(lang, []):
        for alternative in alternatives.split("|"):
            key = _phrase_key(alternative)
            if not key:
                continue
            tok = Tok(kind, value, " ".join(key))
            if len(key) == 1:
                words[key[0]] = tok
            else:
                phrases[key] = tok
    for word, tok in _AMBIGUOUS.get(lang, {}).items():
        words[word] = tok
    fuzzy: dict[str, set[str]] = {}
    for word, tok in words.items():
        if (
            tok.kind in _FUZZY_KINDS
            and len(word) >= _FUZZY_TARGET_LENGTH
            and word.isascii()
            and word.isalpha()
        ):
            fuzzy.setdefault(word, set()).add(word)
            for deleted in _deletes(word):
                fuzzy.setdefault(deleted, set()).add(word)
    longest = max((len(k) for k in phrases), default=1)
    return _Lexicon(words, phrases, longest, fuzzy)


_ARABIC_CLITICS = ("و", "ف", "ب", "ل")


def _lookup_word(word: str, lex: _Lexicon) -> Tok | None:
    tok = lex.words.get(word)
    if tok is not None:
        return tok
    # Arabic glues "and/in/at/for" to the next word: "والثلاثاء", "بالصباح".
    if len(word) > 3 and word[0] in _ARABIC_CLITICS:
        tok = lex.words.get(word[1:])
        if tok is not None:
            return tok._replace(text=word)
        if word[1:3] == "ال":
            tok = lex.words.get(word[3:])
            if tok is not None:
                return tok._replace(text=word)
    if len(word) > 4 and word.startswith("ال"):
        tok = lex.words.get(word[2:])
        if tok is not None:
            return tok._replace(text=word)
    if len(word) >= _FUZZY_MIN_LENGTH and word.isascii() and word.isalpha():
        return None if word in _NEVER_CORRECTED else _fuzzy(word, lex)
    return None


def _fuzzy(word: str, lex: _Lexicon) -> Tok | None:
    candidates = set(lex.fuzzy_deletes.get(word, ()))
    for deleted in _deletes(word):
        candidates |= lex.fuzzy_deletes.get(deleted, set())
    matches = {c for c in candidates if _edit_distance_at_most_one(word, c)}
    readings = {(lex.words[c].kind, lex.words[c].value) for c in matches}
    if len(readings) != 1:
        return None
    kind, value = readings.pop()
    return Tok(kind, value, word)


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _numeric_token(group: str, text: str) -> Tok:
    if group == "numdate":
        parts = re.split(r"[/.\-]", text)
        if len(parts[0]) == 4:
            return Tok("numdate", (int(parts[2]), int(parts[1]), int(parts[0])), text)
        if len(parts) == 2 and len(parts[1]) == 4:
            return Tok("monthyear", (int(parts[0]), int(parts[1])), text)
        year = _year(parts[2]) if len(parts) == 3 else None
        return Tok("numdate", (int(parts[0]), int(parts[1]), year), text)
    if group == "ampm":
        digits = re.findall(r"\d+", text)
        hour, minute = int(digits[0]), int(digits[1]) if len(digits) > 1 else 0
        pm = "p" in text
        hour = hour % 12 + (12 if pm else 0)
        return Tok("clock", (hour, minute), text)
    if group == "time":
        digits = re.findall(r"\d+", text)
        return Tok("time", (int(digits[0]), int(digits[1]) if len(digits) > 1 else 0), text)
    if group == "ordinal":
        return Tok("ordinal", int(re.match(r"\d+", text).group()), text)  # type: ignore[union-attr]
    return Tok("num", int(text), text)


def tokenise(text: str, lang: str) -> list[Tok]:
    """Turns a message into date tokens; unknown words stay as `word` tokens (they separate)."""
    lex = _lexicon(lang if lang in LANGUAGES else "fr")
    raw = _raw_tokens(fold(text))
    expanded: list[tuple[str, str]] = []
    for group, piece in raw:
        if group == "mixed" and piece not in lex.words:
            # "3mars", "le3", "9h30mardi": glued by a phone keyboard, read apart.
            for part in _SPLIT_MIXED_RE.findall(piece):
                sub = _raw_tokens(part)
                expanded.extend(sub if len(sub) == 1 else [("word", part)])
        else:
            expanded.append((group, piece))
    tokens: list[Tok] = []
    i = 0
    while i < len(expanded):
        for size in range(min(lex.longest_phrase, len(expanded) - i), 1, -1):
            key = tuple(p for _, p in expanded[i : i + size])
            phrase = lex.phrases.get(key)
            if phrase is not None:
                tokens.append(phrase)
                i += size
                break
        else:
            group, piece = expanded[i]
            if group in ("word", "mixed"):
                tokens.append(_lookup_word(piece, lex) or Tok("word", None, piece))
            else:
                tokens.append(_numeric_token(group, piece))
            i += 1
    return [
        _settle_weak_weekday(tokens, i) if t.kind == "weekday?" else t for i, t in enumerate(tokens)
    ]


_WEEKDAY_CONTEXT = frozenset({"time", "clock", "num", "ordinal", "part", "next", "this", "enhuit"})


def _settle_weak_weekday(tokens: Sequence[Tok], i: int) -> Tok:
    def neighbour(step: int) -> Tok | None:
        j = i + step
        while 0 <= j < len(tokens):
            tok = tokens[j]
            if tok.kind != "at" and not (tok.kind == "word" and tok.text in _FILLERS):
                return tok
            j += step
        return None

    before, after = neighbour(-1), neighbour(+1)
    alone = before is None and after is None
    if alone or any(t is not None and t.kind in _WEEKDAY_CONTEXT for t in (before, after)):
        return tokens[i]._replace(kind="weekday")
    return tokens[i]._replace(kind="word", value=None)


# --------------------------------------------------------------------------------------------
# dateparser, for canonical absolute dates only
# --------------------------------------------------------------------------------------------

_FR_MONTHS = (
    "",
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
)


@lru_cache(maxsize=256)
def _dateparser(prefer: str, base: date) -> DateDataParser:
    # One language, settings built once per (direction, day): the parser stays warm (~0.4 ms).
    return DateDataParser(
        languages=["fr"],
        settings={
            "PREFER_DATES_FROM": prefer,
            "RELATIVE_BASE": datetime.combine(base, time()),
            "DATE_ORDER": "DMY",
            "RETURN_AS_TIMEZONE_AWARE": False,
            # Only ever given a canonical absolute date: skipping the relative, timestamp and
            # no-space parsers makes a parse 3-5 times cheaper.
            "PARSERS": ["absolute-time"],
        },
    )


def _absolute_day(day: int, month: int, year: int | None, today: date, prefer: str) -> date | None:
    """Resolves day+month(+year) through dateparser; "future" includes today."""
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    # Measured cheapest canonical forms: "3 mars" without a year, "3/3/2027" with one.
    text = f"{day}/{month}/{year}" if year else f"{day} {_FR_MONTHS[month]}"
    base = today - timedelta(days=1) if prefer == "future" else today
    found = _dateparser(prefer, base).get_date_data(text).date_obj
    if found is None or found.day != day or found.month != month:
        return None
    return found.date()


def warm_up() -> None:
    """Loads dateparser's French data and builds the lexicons so the first message is fast."""
    now = datetime(2026, 1, 5, 10, 0, tzinfo=PARIS)
    for lang in LANGUAGES:
        understand("le 3 mars à 9h", lang, now)


# --------------------------------------------------------------------------------------------
# Grammar
# --------------------------------------------------------------------------------------------


class _Found(NamedTuple):
    start: date
    end: date
    # The precise day a relative phrase points at ("dans 2 semaines" → today + 14): used for expiry.
    point: date | None
    used: tuple[int, ...]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _month_part(year: int, month: int, part: str | None) -> tuple[date, date, date | None]:
    last = _month_end(year, month)
    if part == "start":
        return date(year, month, 1), date(year, month, 10), date(year, month, 1)
    if part == "mid":
        return date(year, month, 11), date(year, month, 20), date(year, month, 15)
    if part == "end":
        return date(year, month, 21), last, last
    return date(year, month, 1), last, None


class _Reader:
    """Finds the date expression in a token list. Positions index the token list."""

    def __init__(self, tokens: Sequence[Tok], lang: str, today: date, mode: _Mode, past: bool):
        self.tokens = tokens
        self.lang = lang
        self.today = today
        self.mode = mode
        self.past = past
        # Fillers ("le", "de", "the") may sit inside an expression: "fin de mars", "the 3rd of".
        self.sig = [
            i for i, t in enumerate(tokens) if not (t.kind == "word" and t.text in _FILLERS)
        ]

    # -- helpers ------------------------------------------------------------------------------
    def at(self, k: int) -> Tok | None:
        return self.tokens[self.sig[k]] if 0 <= k < len(self.sig) else None

    def is_month(self, k: int, after_number: bool) -> int | None:
        tok = self.at(k)
        if tok is None:
            return None
        if tok.kind == "month":
            return int(tok.value)  # type: ignore[arg-type]
        if tok.alt and tok.alt[0] == "month" and (after_number or self.lang != "fr"):
            return int(tok.alt[1])  # type: ignore[arg-type]
        return None

    def day_number(self, k: int) -> int | None:
        tok = self.at(k)
        if tok is not None and tok.kind in ("num", "ordinal") and len(tok.text) <= 4:
            value = int(tok.value)  # type: ignore[arg-type]
            return value if 1 <= value <= 31 else None
        return None

    def year_number(self, k: int) -> int | None:
        tok = self.at(k)
        if tok is not None and tok.kind == "num" and len(tok.text) == 4:
            value = int(tok.value)  # type: ignore[arg-type]
            return value if 1900 < value < 2200 else None
        return None

    def count(self, k: int) -> int | None:
        tok = self.at(k)
        if tok is not None and (tok.kind == "numword" or tok.kind == "num" and len(tok.text) <= 3):
            return int(tok.value)  # type: ignore[arg-type]
        return None

    def used(self, *ks: int) -> tuple[int, ...]:
        return tuple(self.sig[k] for k in ks)

    def day(self, day: int, month: int, year: int | None) -> date | None:
        if year is not None or self.mode == "future":
            return _absolute_day(day, month, year, self.today, "future" if year is None else "past")
        ahead = _absolute_day(day, month, None, self.today, "future")
        behind = _absolute_day(day, month, None, self.today, "past")
        candidates = [d for d in (ahead, behind) if d is not None]
        if not candidates:
            return None
        if self.past:
            return behind or ahead
        return min(candidates, key=lambda d: abs((d - self.today).days))

    def month_year(
        self, month: int, year: int | None, part: str | None
    ) -> tuple[date, date, date | None]:
        if year is not None:
            return _month_part(year, month, part)
        if self.mode == "future":
            for candidate in (self.today.year, self.today.year + 1):
                start, end, point = _month_part(candidate, month, part)
                if end >= self.today:
                    return max(start, self.today), end, point
        options = [
            _month_part(y, month, part)
            for y in (self.today.year - 1, self.today.year, self.today.year + 1)
        ]
        if self.past:
            options = [o for o in options if o[0] <= self.today] or options
        return min(options, key=lambda o: abs(((o[2] or o[0]) - self.today).days))

    def day_of_month(self, day: int) -> date | None:
        # The next calendar day with that number (today included), skipping short months.
        year, month = self.today.year, self.today.month
        for _ in range(13):
            if day <= calendar.monthrange(year, month)[1]:
                candidate = date(year, month, day)
                if candidate >= self.today or self.mode == "expiry" and self.past:
                    return candidate
            month += 1
            if month == 13:
                year, month = year + 1, 1
        return None

    def weekday(self, weekday: int, modifier: str | None) -> date:
        if modifier == "last":
            return self.today - timedelta(days=(self.today.weekday() - weekday - 1) % 7 + 1)
        if modifier == "this":
            return self.today + timedelta(days=(weekday - self.today.weekday()) % 7)
        # A bare weekday and "<weekday> prochain" both mean the next one, never today.
        return self.today + timedelta(days=(weekday - self.today.weekday() - 1) % 7 + 1)

    # -- absolute dates -------------------------------------------------------------------------
    def absolute(self) -> _Found | None:
        for k in range(len(self.sig)):
            found = self._absolute_at(k)
            if found is not None:
                before = self.at(k - 1)
                if before is not None and before.kind == "weekday":
                    # "vendredi 4 décembre": the day number decides, the weekday belongs to it.
                    found = found._replace(used=self.used(k - 1) + found.used)
                if before is not None and before.kind == "unit" and before.value == ("week", None):
                    # "la semaine du 7 décembre": the whole week of that day.
                    monday, sunday = _week_of(found.start)
                    found = _Found(monday, sunday, found.point, self.used(k - 1) + found.used)
                return found
        return None

    def _absolute_at(self, k: int) -> _Found | None:
        tok = self.at(k)
        assert tok is not None
        if tok.kind == "numdate":
            d, m, y = tok.value  # type: ignore[misc]
            if self.mode == "expiry" and y is None and m > 12 >= d:
                # "03/27" on a title or a card is March 2027.
                start, end, point = self.month_year(d, 2000 + m, None)
                return _Found(start, end, point, self.used(k))
            if m > 12 >= d:
                d, m = m, d  # "4/13" can only be month first: the one case we turn around
            day = self.day(d, m, y)
            return _Found(day, day, day, self.used(k)) if day else None
        if tok.kind in ("start", "mid", "end") and self.year_number(k + 1) is not None:
            # "fin 2027": the last days of that year (its first days for "début").
            year = self.year_number(k + 1)
            month, part = {"start": (1, "start"), "mid": (6, "end"), "end": (12, "end")}[tok.kind]
            start, end, point = _month_part(year, month, part)  # type: ignore[arg-type]
            return _Found(start, end, point, self.used(k, k + 1))
        if tok.kind == "monthyear":
            m, y = tok.value  # type: ignore[misc]
            if not 1 <= m <= 12:
                return None
            modifier = self._month_modifier(k)
            start, end, point = self.month_year(m, y, modifier)
            return _Found(start, end, point, self.used(k) + (self.used(k - 1) if modifier else ()))
        number = self.day_number(k)
        if number is not None:
            month = self.is_month(k + 1, after_number=True)
            if month is not None:
                year = self.year_number(k + 2)
                day = self.day(number, month, year)
                used = self.used(k, k + 1, k + 2) if year else self.used(k, k + 1)
                return _Found(day, day, day, used) if day else None
        month = self.is_month(k, after_number=False)
        if month is not None:
            number = self.day_number(k + 1)
            after = self.at(k + 2)
            if number is not None and not (after and after.kind in ("unit", "time", "clock")):
                year = self.year_number(k + 2)
                day = self.day(number, month, year)
                used = self.used(k, k + 1, k + 2) if year else self.used(k, k + 1)
                return _Found(day, day, day, used) if day else None
            before = self.at(k - 1)
            if before is not None and before.kind == "num" and len(before.text) <= 2:
                return None  # "32 mars" is a wrong date, not the month of March
            if tok.kind == "month":
                year = self.year_number(k + 1)
                modifier = self._month_modifier(k)
                start, end, point = self.month_year(month, year, modifier)
                used = self.used(k) + (self.used(k + 1) if year else ())
                return _Found(start, end, point, used + (self.used(k - 1) if modifier else ()))
        return self._day_of_month_at(k)

    def _month_modifier(self, k: int) -> str | None:
        before = self.at(k - 1)
        if before is not None and before.kind in ("start", "mid", "end"):
            return before.kind
        return None

    def _day_of_month_at(self, k: int) -> _Found | None:
        # "le 3", "the 3rd", "1er", "mardi 3": a day number with nothing else of a date around.
        tok = self.at(k)
        assert tok is not None
        number = self.day_number(k)
        if number is None:
            return None
        before_index = self.sig[k] - 1
        before_raw = self.tokens[before_index] if before_index >= 0 else None
        before = self.at(k - 1)
        after = self.at(k + 1)
        if after is not None and after.kind in (
            "unit",
            "part",
            "ampm",
            "month",
            "time",
            "clock",
            "numdate",
        ):
            return None
        if before is not None and before.kind in ("in", "ago", "at"):
            return None
        introduced = (
            tok.kind == "ordinal"
            or (before_raw is not None and before_raw.text in ("le", "the", "يوم", "nhar"))
            or (before is not None and before.kind == "weekday")
        )
        if not introduced:
            return None
        day = self.day_of_month(number)
        return _Found(day, day, day, self.used(k)) if day else None

    # -- ranges -------------------------------------------------------------------------------
    def expression_at(self, k: int) -> _Found | None:
        return self._absolute_at(k) or self._relative_at(k)

    def between(self) -> _Found | None:
        """ "du 3 au 5 mars", "entre lundi et mercredi", "from monday to friday", "من ... إلى"."""
        position = {raw: k for k, raw in enumerate(self.sig)}
        tokens = self.tokens
        for f, tok in enumerate(tokens):
            if tok.text not in _RANGE_FROM:
                continue
            t = next(
                (j for j in range(f + 2, min(f + 6, len(tokens))) if tokens[j].text in _RANGE_TO),
                None,
            )
            if t is None:
                continue
            a = next((position[i] for i in range(f + 1, t) if i in position), None)
            b = next((position[i] for i in range(t + 1, len(tokens)) if i in position), None)
            second = self.expression_at(b) if b is not None else None
            if a is None or second is None:
                continue
            first = self.expression_at(a)
            if first is None:
                first = self._day_before(a, second)
            if first is None:
                continue
            end = second.end
            if end < first.start and (first.start - end).days < 7 and second.start == second.end:
                end += timedelta(days=7)  # "entre jeudi et lundi": the Monday after
            if end < first.start:
                continue
            return _Found(first.start, end, None, first.used + second.used + (f, t))
        return None

    def _day_before(self, k: int, second: _Found) -> _Found | None:
        # "du 3 au 5 mars": the first day borrows the month of the second.
        number = self.day_number(k)
        if number is None or second.start != second.end:
            return None
        month_start = second.start.replace(day=1)
        for first_of_month in (month_start, _add_months(month_start, -1)):
            if number <= calendar.monthrange(first_of_month.year, first_of_month.month)[1]:
                day = first_of_month.replace(day=number)
                if day <= second.start:
                    return _Found(day, day, day, self.used(k))
        return None

    def bounded(self, found: _Found) -> _Found:
        """ "avant vendredi" ends the day before; "jusqu'à vendredi", "d'ici vendredi" end that day."""
        if self.mode != "future":
            return found
        first = min(found.used)
        if self.tokens[first].text == "d ici":
            # "d'ici 2 semaines": any day from now on until then.
            return _Found(self.today, found.point or found.end, None, found.used)
        words = [t.text for t in self.tokens[:first] if t.text not in _FILLERS][-3:]
        if words and words[-1] in _BEFORE and found.start > self.today:
            if len(words) > 1 and words[-2] in _NEGATIONS:
                return found  # "pas avant le 3": from the 3rd on
            return _Found(self.today, found.start - timedelta(days=1), None, found.used)
        if any(word in _UNTIL for word in words):
            return _Found(self.today, found.end, None, found.used)
        return found

    def says_today(self) -> bool:
        """ "ce soir", "this morning", "tonight": a part of day that means today."""
        for k in range(len(self.sig)):
            tok = self.at(k)
            before = self.at(k - 1)
            if tok is not None and (
                tok.kind == "tonight"
                or tok.kind == "part"
                and before is not None
                and before.kind == "this"
            ):
                return True
        return False

    def vague(self) -> _Found | None:
        """ "maintenant" is today; "le plus tôt possible" is any day within the booking horizon."""
        for k in range(len(self.sig)):
            tok = self.at(k)
            assert tok is not None
            if tok.kind == "now":
                return _Found(self.today, self.today, self.today, self.used(k))
            if tok.kind == "asap":
                end = self.today + timedelta(days=ASAP_DAYS)
                return _Found(self.today, end, None, self.used(k))
        return None

    # -- relative dates -------------------------------------------------------------------------
    def relative(self) -> _Found | None:
        for k in range(len(self.sig)):
            found = self._relative_at(k)
            if found is not None:
                return found
        return None

    def _modifier_around(self, k: int) -> tuple[str | None, tuple[int, ...]]:
        for j in (k + 1, k - 1):
            tok = self.at(j)
            if tok is not None and tok.kind in ("next", "this", "last"):
                return tok.kind, self.used(j)
        return None, ()

    def _relative_at(self, k: int) -> _Found | None:
        tok = self.at(k)
        assert tok is not None
        today = self.today
        if tok.kind == "rel":
            day = today + timedelta(days=int(tok.value))  # type: ignore[arg-type]
            return _Found(day, day, day, self.used(k))
        if tok.kind == "tonight":
            return _Found(today, today, today, self.used(k))
        if tok.kind == "weekday":
            modifier, used = self._modifier_around(k)
            day = self.weekday(int(tok.value), modifier)  # type: ignore[arg-type]
            after = self.at(k + 1)
            if after is not None and after.kind == "enhuit":
                day += timedelta(days=7)
                used += self.used(k + 1)
            return _Found(day, day, day, self.used(k) + used)
        if tok.kind == "weekend":
            modifier, used = self._modifier_around(k)
            saturday = _week_of(today)[0] + timedelta(days=5)
            if modifier == "next" and today.weekday() >= 5:
                saturday += timedelta(days=7)
            elif modifier == "last":
                saturday -= timedelta(days=7)
            start = saturday if modifier == "last" else max(saturday, today)
            return _Found(start, saturday + timedelta(days=1), None, self.used(k) + used)
        if tok.kind == "unit" and tok.value[1] is None:  # type: ignore[index]
            return self._this_next_unit(k, tok.value[0])  # type: ignore[index]
        if tok.kind == "in":
            return self._shift(k, +1)
        if tok.kind == "ago":
            return self._shift(k, -1)
        if tok.kind in ("num", "numword"):
            after = self.at(k + 2)
            if after is not None and after.kind == "ago":
                unit = self.at(k + 1)
                return self._shifted(k, k + 1, k + 2, -1) if unit and unit.kind == "unit" else None
        return None

    def _this_next_unit(self, k: int, unit: str) -> _Found | None:
        modifier, used = self._modifier_around(k)
        edge_tok = self.at(k - 1)
        edge = (
            edge_tok.kind
            if edge_tok is not None and edge_tok.kind in ("start", "mid", "end")
            else None
        )
        if edge is not None:
            used += self.used(k - 1)
        if modifier is None and edge is None:
            # "dans la semaine" means this week; a bare "semaine" means nothing on its own.
            before = self.at(k - 1)
            if unit == "week" and before is not None and before.kind == "in":
                modifier, used = "this", self.used(k - 1)
            else:
                return None
        today = self.today
        shift = {"next": 1, "last": -1}.get(modifier or "this", 0)
        if unit == "week":
            monday, sunday = _week_of(today + timedelta(weeks=shift))
            if edge == "end":
                monday = monday + timedelta(days=3)
            elif edge == "start":
                sunday = monday + timedelta(days=2)
            start = max(monday, today) if shift == 0 else monday
            return _Found(start, sunday, sunday if edge == "end" else None, self.used(k) + used)
        if unit == "month":
            first = _add_months(today.replace(day=1), shift)
            start, end, point = _month_part(first.year, first.month, edge)
            if shift == 0:
                start = max(start, today)
                if end < today:
                    return None
            return _Found(start, end, point, self.used(k) + used)
        if unit == "year" and modifier is not None:
            year = today.year + shift
            return _Found(date(year, 1, 1), date(year, 12, 31), None, self.used(k) + used)
        return None

    def _shift(self, k: int, sign: int) -> _Found | None:
        marker = self.at(k)
        assert marker is not None
        raw_next = self.sig[k] + 1
        # "dans les 2 mois", "within 2 weeks", "خلال أسبوعين", "d'ici 15 jours": any day until then.
        within = sign > 0 and (
            marker.text in _WITHIN
            or raw_next < len(self.tokens)
            and self.tokens[raw_next].text in ("les", "the")
        )
        first = k + 1
        nxt = self.at(first)
        if within and nxt is not None and nxt.kind == "next":
            first, nxt = first + 1, self.at(first + 1)  # "dans les prochains jours"
        found: _Found | None = None
        if nxt is not None and nxt.kind == "unit":
            found = self._shifted(None, first, k, sign, within)
        elif nxt is not None and nxt.kind in ("num", "numword"):
            unit = self.at(first + 1)
            if unit is not None and unit.kind == "unit":
                found = self._shifted(first, first + 1, k, sign, within)
        if found is not None and first > k + 1:
            found = found._replace(used=found.used + self.used(k + 1))
        return found

    def _shifted(
        self, count_k: int | None, unit_k: int, marker_k: int, sign: int, within: bool = False
    ) -> _Found | None:
        unit_tok = self.at(unit_k)
        assert unit_tok is not None
        unit, fixed = unit_tok.value  # type: ignore[misc]
        count = fixed or (self.count(count_k) if count_k is not None else None)
        if count is None:
            # "dans une semaine" says one; "dans les prochains jours" says a few: a week.
            count = 7 if within and unit == "day" else 1
        if count > 400:
            return None
        used = self.used(*(x for x in (count_k, unit_k, marker_k) if x is not None))
        today = self.today
        if within and unit in ("day", "week", "month", "year"):
            months = {"month": count, "year": 12 * count}.get(unit, 0)
            days = {"day": count, "week": 7 * count}.get(unit, 0)
            end = _add_months(today, months) + timedelta(days=days)
            return _Found(today, end, end, used)
        if unit == "day":
            day = today + timedelta(days=sign * count)
            return _Found(day, day, day, used)
        if unit == "week":
            day = today + timedelta(weeks=sign * count)
            monday, sunday = _week_of(day)
            return _Found(monday, sunday, day, used)
        if unit == "month":
            day = _add_months(today, sign * count)
            return _Found(day.replace(day=1), _month_end(day.year, day.month), day, used)
        if unit == "year":
            day = _add_months(today, sign * 12 * count)
            return _Found(day, day, day, used)
        if unit == "hour":
            return None  # resolved with the clock in _clock_shift
        return None

    # -- time of day ----------------------------------------------------------------------------
    def time_and_part(
        self, skip: set[int]
    ) -> tuple[time | None, PartOfDay | None, tuple[int, ...]]:
        part: PartOfDay | None = None
        part_used: tuple[int, ...] = ()
        for k in range(len(self.sig)):
            tok = self.at(k)
            assert tok is not None
            if tok.kind == "part" and self.sig[k] not in skip:
                part, part_used = tok.value, self.used(k)  # type: ignore[assignment]
                break
            if tok.kind == "tonight":
                part, part_used = "evening", ()
                break
        for k in range(len(self.sig)):
            if self.sig[k] in skip:
                continue
            found = self._clock_at(k)
            if found is not None:
                hour, minute, explicit, used = found
                if not explicit:
                    if part in ("afternoon", "evening") and hour < 12:
                        hour += 12
                    elif part is None and 1 <= hour <= 7:
                        # Nobody books a préfecture at 3 in the night: "à 3h" is 15:00.
                        hour += 12
                if hour > 23 or minute > 59:
                    continue
                return time(hour, minute), part or _part_of(hour), used + part_used
        return None, part, part_used

    def _clock_at(self, k: int) -> tuple[int, int, bool, tuple[int, ...]] | None:
        tok = self.at(k)
        assert tok is not None
        if tok.kind in ("time", "clock"):
            hour, minute = tok.value  # type: ignore[misc]
            explicit = tok.kind == "clock"  # "3pm" says which half of the day
            after = self.at(k + 1)
            if after is not None and after.kind == "ampm":
                hour, explicit = hour % 12 + (12 if after.value == "pm" else 0), True
            return hour, minute, explicit, self.used(k)
        if tok.kind not in ("num", "numword") or tok.kind == "num" and len(tok.text) > 2:
            return None
        hour = int(tok.value)  # type: ignore[arg-type]
        before = self.at(k - 1)
        after = self.at(k + 1)
        if after is not None and after.kind == "ampm":
            return hour % 12 + (12 if after.value == "pm" else 0), 0, True, self.used(k, k + 1)
        if after is not None and after.kind == "unit" and after.value[0] == "hour":  # type: ignore[index]
            if before is None or before.kind not in ("in", "ago"):
                return hour, 0, False, self.used(k, k + 1)
            return None
        if before is not None and before.kind == "at":
            if after is not None and after.kind in ("unit", "month"):
                return None  # "elle a 3 ans", "à 3 mois": not a time
            return hour, 0, False, self.used(k - 1, k)
        if after is not None and after.kind == "part" and hour <= 12:
            return hour, 0, False, self.used(k)
        return None


def _part_of(hour: int) -> PartOfDay:
    if hour < 12:
        return "morning"
    return "afternoon" if hour < 18 else "evening"


_PART_ENDS: dict[str, time] = {"morning": time(12), "afternoon": time(18), "evening": time(23)}


def _local(now: datetime) -> datetime:
    return now.astimezone(PARIS) if now.tzinfo is not None else now


def _text_of(tokens: Sequence[Tok], used: Iterable[int]) -> str:
    return " ".join(tokens[i].text for i in sorted(set(used)))


def _read(text: str, lang: str, now: datetime, mode: _Mode) -> tuple[_Found | None, _Reader]:
    lang = normalise_language(lang)  # "en-GB", "AR", None…
    tokens = tokenise(text, lang)
    past = mode == "expiry" and _has_past_marker(tokens)
    reader = _Reader(tokens, lang, _local(now).date(), mode, past)
    found = reader.between() or reader.absolute() or reader.relative() or reader.vague()
    return (reader.bounded(found) if found else None), reader


def _has_past_marker(tokens: Sequence[Tok]) -> bool:
    words = [t.text for t in tokens]
    for size in (1, 2):
        for i in range(len(words) - size + 1):
            if tuple(words[i : i + size]) in _PAST_MARKERS:
                return True
    return any(t.kind in ("ago", "last") for t in tokens) or any(
        t.kind == "rel" and int(t.value) < 0
        for t in tokens  # type: ignore[arg-type]
    )


def understand(text: str, lang: str, now: datetime) -> DateRequest | None:
    """The day range (and time or part of day) a message asks for, preferring the future.

    `now` is the message's time (aware, or naive Europe/Paris). A bare weekday is the next one,
    never today; a time or part of day alone is its next occurrence. Returns None when the text
    holds no date, or only a past one (parse_expiry reads past dates).
    """
    if not text or not text.strip():
        return None
    local_now = _local(now)
    found, reader = _read(text, lang, local_now, "future")
    skip = set(found.used) if found else set()
    clock, part, clock_used = reader.time_and_part(skip)
    if found is None:
        found = _clock_shift(reader, local_now) or _from_clock(
            clock, part, local_now, reader.says_today()
        )
        if found is None:
            return None
    # Nothing can be booked in the past: "hier" or "3 mars 2020" is not an answer here.
    start = max(found.start, local_now.date())
    if start > found.end:
        return None
    used = set(found.used) | set(clock_used)
    return DateRequest(start, found.end, part, clock, _text_of(reader.tokens, used))


def _clock_shift(reader: _Reader, now: datetime) -> _Found | None:
    # "dans 3 heures": the day it lands on.
    for k in range(len(reader.sig)):
        tok = reader.at(k)
        unit = reader.at(k + 2)
        is_in = tok is not None and tok.kind == "in"
        if is_in and unit is not None and unit.kind == "unit" and unit.value[0] == "hour":  # type: ignore[index]
            count = reader.count(k + 1)
            if count is not None and count <= 72:
                day = (now + timedelta(hours=count)).date()
                return _Found(day, day, day, reader.used(k, k + 1, k + 2))
    return None


def _from_clock(
    clock: time | None, part: PartOfDay | None, now: datetime, today_only: bool
) -> _Found | None:
    """A time alone is its next occurrence; "ce matin" is today; "le matin" is any morning."""
    if clock is None and part is None:
        return None
    limit = clock if clock is not None else _PART_ENDS[part]  # type: ignore[index]
    day = now.date() if now.time() < limit else now.date() + timedelta(days=1)
    if clock is None and not today_only:
        return _Found(day, now.date() + timedelta(days=ASAP_DAYS), None, ())
    return _Found(day, day, day, ())


def parse_expiry(text: str, lang: str, now: datetime) -> date | None:
    """The expiry date of a title in a message ("expire le 3 mars 2027", "03/2027", "fin mars").

    Past dates are allowed. Without a year the nearest occurrence wins, or the last past one when
    the message says it has expired. A month alone gives its first day (a deadline computed from
    it can only come early); "fin mars" gives the last day.
    """
    if not text or not text.strip():
        return None
    found, _ = _read(text, lang, _local(now), "expiry")
    if found is None:
        return None
    return found.point or found.start
