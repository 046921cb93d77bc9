"""Reading a message: the day range a booking asks for, or the expiry date of a title."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from bot.dates.clock import clock_shift, from_clock, time_and_part
from bot.dates.lexicon import BEFORE, NEGATIONS, PAST_MARKERS, UNAVAILABLE
from bot.dates.parts_of_day import PartOfDay
from bot.dates.reader import Mode, Reader
from bot.dates.relative import relative, vague
from bot.dates.spans import ASAP_DAYS, Found
from bot.dates.tokens import Tok, tokenise
from bot.i18n import SUPPORTED_LANGUAGES, normalise_language
from bot.locales import unspaced_scripts
from bot.text import clauses, joined_up
from bot.timezone import PARIS


@dataclass(frozen=True)
class DateRequest:
    """An inclusive range of days the person asked for, with an optional part of day or time."""

    start: date
    end: date
    part_of_day: PartOfDay | None = None
    time: time | None = None
    text: str = ""
    # False when only a time or a part of day was said ("ce matin", "vers 14h"): the day is
    # its next occurrence, which is weak evidence of a wish in a sentence about something else.
    names_a_day: bool = True

    @property
    def is_single_day(self) -> bool:
        return self.start == self.end

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _local(now: datetime) -> datetime:
    return now.astimezone(PARIS) if now.tzinfo is not None else now


def _text_of(tokens: Sequence[Tok], used: Iterable[int]) -> str:
    # Written as the person wrote it: no space inside Chinese ("下午3点").
    return joined_up(" ".join(tokens[i].text for i in sorted(set(used))), unspaced_scripts())


def _read(text: str, lang: str, now: datetime, mode: Mode) -> tuple[Found | None, Reader]:
    lang = normalise_language(lang)  # "en-GB", "AR", None…
    tokens = tokenise(text, lang)
    past = mode == "expiry" and _has_past_marker(tokens)
    reader = Reader(tokens, lang, _local(now).date(), mode, past)
    found = reader.between() or reader.absolute() or relative(reader) or vague(reader)
    return (reader.bounded(found) if found else None), reader


def _has_past_marker(tokens: Sequence[Tok]) -> bool:
    words = [t.text for t in tokens]
    for size in (1, 2):
        for i in range(len(words) - size + 1):
            if tuple(words[i : i + size]) in PAST_MARKERS:
                return True
    return any(t.kind in ("ago", "last") for t in tokens) or any(
        t.kind == "rel" and int(t.value) < 0
        for t in tokens  # type: ignore[arg-type]
    )


def sets_day_aside(text: str, lang: str) -> bool:
    """Whether a clause sets its day aside ("pas lundi", "Monday I work", "الاثنين خدام")."""
    return _excludes(tokenise(text, normalise_language(lang)))


def _excludes(tokens: Sequence[Tok]) -> bool:
    """A clause that sets its day aside: "pas lundi", "Monday I work", "الاثنين خدام"."""
    words = [t.text for t in tokens]
    # "pas avant le mois prochain" bounds the days (Reader.bounded), it sets none aside.
    negated = any(
        word in NEGATIONS and (i + 1 == len(words) or words[i + 1] not in BEFORE)
        for i, word in enumerate(words)
    )
    return negated or any(
        tuple(words[i : i + size]) in UNAVAILABLE
        for size in (1, 2)
        for i in range(len(words) - size + 1)
    )


def understand(text: str, lang: str, now: datetime) -> DateRequest | None:
    """The day range (and time or part of day) a message asks for, preferring the future; of
    several clauses that name a day, one that sets its day aside ("pas lundi", "Monday I work")
    gives way to one that does not (session 24: "Monday I work, Thursday is better" searched
    Monday). See _understand for the reading itself."""
    request = _understand(text, lang, now)
    parts = clauses(text)
    if request is None or len(parts) < 2:
        return request and _set_aside(request, text, lang)
    dated = [(c, r) for c in parts if (r := _understand(c, lang, now)) is not None]
    kept = [r for c, r in dated if not sets_day_aside(c, lang)]
    if kept and len(kept) < len(dated):
        return kept[0]
    # The one clause with a date decides what is set aside ("not in the afternoon, I work").
    return _set_aside(request, dated[0][0], lang) if len(dated) == 1 else request


def _set_aside(request: DateRequest, clause: str, lang: str) -> DateRequest:
    """What is left when the only day said is set aside: the days after it (« أريد تغيير
    الموعد، لا أستطيع يوم الخميس », I can't on Thursday, searched that Thursday again: session
    30, as a phone, moving an appointment). A part of the day set aside: the other part."""
    if (
        request.names_a_day
        and request.is_single_day
        and request.time is None
        and sets_day_aside(clause, lang)
    ):
        start = request.end + timedelta(days=1)
        return DateRequest(start, start + timedelta(days=ASAP_DAYS), text=request.text)
    return _other_part(request, clause, lang)


# The part of the day left when one is set aside; the evening leaves both, so it says nothing.
_OTHER_PART: dict[PartOfDay, PartOfDay] = {"morning": "afternoon", "afternoon": "morning"}


def _other_part(request: DateRequest, clause: str, lang: str) -> DateRequest:
    """ "pas l'après-midi", "I work in the afternoon", "الصباح لا، خدام" name no day and set
    their one part of the day aside: the other is asked for. They searched the part set aside
    (session 30, as a phone: "I work in the afternoon" got three 2 PM slots)."""
    if request.names_a_day or request.time is not None or request.part_of_day not in _OTHER_PART:
        return request
    tokens = tokenise(clause, normalise_language(lang))
    if sum(t.kind == "part" for t in tokens) != 1 or not _excludes(tokens):
        return request
    return replace(request, part_of_day=_OTHER_PART[request.part_of_day])


def _understand(text: str, lang: str, now: datetime) -> DateRequest | None:
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
    clock, part, clock_used = time_and_part(reader, skip)
    names_a_day = found is not None
    if found is None:
        found = clock_shift(reader, local_now) or from_clock(
            clock, part, local_now, reader.says_today()
        )
        if found is None:
            return None
    # Nothing can be booked in the past: "hier" or "3 mars 2020" is not an answer here.
    start = max(found.start, local_now.date())
    if start > found.end:
        return None
    used = set(found.used) | set(clock_used)
    return DateRequest(start, found.end, part, clock, _text_of(reader.tokens, used), names_a_day)


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


def warm_up() -> None:
    """Loads dateparser's French data and builds the lexicons so the first message is fast."""
    now = datetime(2026, 1, 5, 10, 0, tzinfo=PARIS)
    for lang in SUPPORTED_LANGUAGES:
        understand("le 3 mars à 9h", lang, now)
