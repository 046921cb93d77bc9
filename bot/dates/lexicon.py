"""The words of dates, per language: what each one means to the reader, folded at import.

Entries are (kind, value, "alternative|alternative|multi word phrase"). Words shared by every
language come first; abbreviations that collide with ordinary words of another language ("mon",
"we", "am", "had"…) are only read in the language they belong to.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.text import fold

COMMON: list[tuple[str, object, str]] = [
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

BY_LANGUAGE: dict[str, list[tuple[str, object, str]]] = {
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

# Ambiguous words and their two readings (kind, value, (other kind, other value)): read as a
# month only right next to a day number.
AMBIGUOUS: dict[str, dict[str, tuple[str, object, tuple[str, object]]]] = {
    "fr": {
        "mar": ("weekday?", 1, ("month", 3)),
        "sept": ("numword", 7, ("month", 9)),
        "jan": ("word", None, ("month", 1)),
    },
    "en": {"may": ("word", None, ("month", 5))},
    "ar": {},
}

# Ordinary words one edit away from a date word: never corrected towards it.
NEVER_CORRECTED = frozenset(
    {"remain", "domain", "marche", "mourning", "months", "sundae", "apres", "passer"}
)


def _folded(words: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(word) for word in words)


FILLERS = _folded(
    {"le", "la", "les", "l", "de", "du", "des", "d", "of", "the", "on", "en", "el", "au", "aux"}
    | {"for", "pour", "ca", "nhar", "يوم", "في", "ف", "على"}
)
RANGE_FROM = _folded({"du", "entre", "from", "between", "من", "بين", "mn", "bin", "depuis"})
RANGE_TO = _folded({"au", "a", "jusqu", "to", "until", "till", "et", "and", "إلى", "حتى", "و", "l"})
BEFORE = _folded({"avant", "before", "قبل", "9bel", "qbel"})
UNTIL = _folded({"jusqu", "jusque", "until", "till", "by", "حتى", "لغاية", "htal", "7ta", "d ici"})
WITHIN = _folded({"within", "خلال", "في غضون", "d ici"})
NEGATIONS = _folded({"pas", "not", "ليس", "لا", "machi", "mechi"})
PAST_MARKERS = frozenset(
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
