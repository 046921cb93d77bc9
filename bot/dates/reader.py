"""The reader: finds the date expression in a message's tokens.

Positions (`k`) index the significant tokens, fillers left out; `used` gives back positions in
the token list, to quote what was understood. Absolute dates and ranges are read here; relative
expressions in bot.dates.relative, times of day in bot.dates.clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Literal, TypeVar

from bot.dates.dateparser_adapter import absolute_day
from bot.dates.lexicon import BEFORE, FILLERS, NEGATIONS, RANGE_FROM, RANGE_TO, UNTIL
from bot.dates.relative import relative_at
from bot.dates.solar import month_span, solar_year, to_gregorian
from bot.dates.spans import Found, add_months, month_part, week_of
from bot.dates.tokens import Tok

# Bookings look ahead; expiry dates may lie on either side of today.
Mode = Literal["future", "expiry"]
_T = TypeVar("_T")

# An expiry said without a past marker ("ma carte expire en août", "تنتهي في أغسطس") is the next
# one, unless the last one passed this recently: a card that lapsed weeks ago may still be said
# in the present by someone who has not noticed ("expire fin octobre" on 23 November); one that
# lapsed months ago is said "expired". (Was: the nearest, so "expires in August" said in
# January was last August, and the person was told they were late.)
LAPSED_UNNOTICED = timedelta(days=62)
# The furthest a wish from today ("d'ici", "until") reaches: a year.
FURTHEST_WISH = timedelta(days=366)


class Reader:
    """Finds the date expression in a token list. Positions index the token list."""

    def __init__(self, tokens: Sequence[Tok], lang: str, today: date, mode: Mode, past: bool):
        self.tokens = tokens
        self.lang = lang
        self.today = today
        self.mode = mode
        self.past = past
        # Fillers ("le", "de", "the") may sit inside an expression: "fin de mars", "the 3rd of".
        self.sig = [i for i, t in enumerate(tokens) if not (t.kind == "word" and t.text in FILLERS)]

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
        # "year": a number with its year counter (Chinese "2027年", bot.dates.tokens).
        if tok is not None and (tok.kind == "num" and len(tok.text) == 4 or tok.kind == "year"):
            value = int(tok.value)  # type: ignore[arg-type]
            return value if 1900 < value < 2200 else None
        return None

    def solar_month(self, k: int) -> int | None:
        tok = self.at(k)
        if tok is not None and tok.alt is not None and tok.alt[0] == "solar":
            return int(tok.alt[1])  # type: ignore[call-overload]
        return None

    def _is_month_unit(self, k: int) -> bool:
        tok = self.at(k)
        return tok is not None and tok.kind == "unit" and tok.value == ("month", None)

    def solar_year_number(self, k: int) -> int | None:
        tok = self.at(k)
        if tok is not None and tok.kind == "num" and len(tok.text) == 4:
            value = int(tok.value)  # type: ignore[arg-type]
            return value if 1300 < value < 1500 else None
        return None

    def _solar_occurrences(self, year: int | None) -> list[int]:
        if year is not None:
            return [year]
        current = solar_year(self.today)
        return [current - 1, current, current + 1]

    def solar_day(self, day: int, month: int, year: int | None) -> date | None:
        """« ۲۵ حوت »: the Gregorian day; without a year, the occurrence the mode wants."""
        found = [
            d
            for y in self._solar_occurrences(year)
            if (d := to_gregorian(y, month, day)) is not None
        ]
        if year is not None or not found:
            return found[0] if found else None
        if self.mode == "future":
            return next((d for d in found if d >= self.today), None)
        if self.past:
            return max((d for d in found if d <= self.today), default=found[0])
        return self._expiry_side(found, lambda d: d)

    def solar_month_days(self, month: int, year: int | None) -> tuple[date, date]:
        """« ماه حوت »: its Gregorian days; without a year, the occurrence the mode wants."""
        spans = [month_span(y, month) for y in self._solar_occurrences(year)]
        if year is not None:
            return spans[0]
        if self.mode == "future":
            start, end = next(s for s in spans if s[1] >= self.today)
            return max(start, self.today), end
        if self.past:
            return max((s for s in spans if s[0] <= self.today), default=spans[0])
        return self._expiry_side(spans, lambda s: s[0])

    def count(self, k: int) -> int | None:
        tok = self.at(k)
        if tok is not None and (tok.kind == "numword" or tok.kind == "num" and len(tok.text) <= 3):
            return int(tok.value)  # type: ignore[arg-type]
        return None

    def used(self, *ks: int) -> tuple[int, ...]:
        return tuple(self.sig[k] for k in ks)

    def day(self, day: int, month: int, year: int | None) -> date | None:
        if year is not None or self.mode == "future":
            return absolute_day(day, month, year, self.today, "future" if year is None else "past")
        ahead = absolute_day(day, month, None, self.today, "future")
        behind = absolute_day(day, month, None, self.today, "past")
        candidates = [d for d in (ahead, behind) if d is not None]
        if not candidates:
            return None
        if self.past:
            return behind or ahead
        return self._expiry_side(candidates, lambda d: d)

    def month_year(
        self, month: int, year: int | None, part: str | None
    ) -> tuple[date, date, date | None]:
        if year is not None:
            return month_part(year, month, part)
        if self.mode == "future":
            for candidate in (self.today.year, self.today.year + 1):
                start, end, point = month_part(candidate, month, part)
                if end >= self.today:
                    return max(start, self.today), end, point
        options = [
            month_part(y, month, part)
            for y in (self.today.year - 1, self.today.year, self.today.year + 1)
        ]
        if self.past:
            options = [o for o in options if o[0] <= self.today] or options
            return min(options, key=lambda o: abs(((o[2] or o[0]) - self.today).days))
        return self._expiry_side(options, lambda o: o[2] or o[0])

    def _expiry_side(self, options: Sequence[_T], day_of: Callable[[_T], date]) -> _T:
        """Of an expiry's occurrences (no past marker said), the nearest among those ahead
        and those passed within LAPSED_UNNOTICED."""
        likely = [o for o in options if day_of(o) >= self.today - LAPSED_UNNOTICED] or options
        return min(likely, key=lambda o: abs((day_of(o) - self.today).days))

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
    def absolute(self) -> Found | None:
        for k in range(len(self.sig)):
            found = self._absolute_at(k)
            if found is not None:
                before = self.at(k - 1)
                if before is not None and before.kind == "weekday":
                    # "vendredi 4 décembre": the day number decides, the weekday belongs to it.
                    found = found._replace(used=self.used(k - 1) + found.used)
                if before is not None and before.kind == "unit" and before.value == ("week", None):
                    # "la semaine du 7 décembre": the whole week of that day.
                    monday, sunday = week_of(found.start)
                    found = Found(monday, sunday, found.point, self.used(k - 1) + found.used)
                return found
        return None

    def _absolute_at(self, k: int) -> Found | None:
        tok = self.at(k)
        assert tok is not None
        if tok.kind == "numdate":
            d, m, y = tok.value  # type: ignore[misc]
            if self.mode == "expiry" and y is None and m > 12 >= d:
                # "03/27" on a title or a card is March 2027.
                start, end, point = self.month_year(d, 2000 + m, None)
                return Found(start, end, point, self.used(k))
            if m > 12 >= d:
                d, m = m, d  # "4/13" can only be month first: the one case we turn around
            day = self.day(d, m, y)
            return Found(day, day, day, self.used(k)) if day else None
        if tok.kind in ("start", "mid", "end") and self.year_number(k + 1) is not None:
            # "fin 2027": the last days of that year (its first days for "début").
            year = self.year_number(k + 1)
            month, part = {"start": (1, "start"), "mid": (6, "end"), "end": (12, "end")}[tok.kind]
            start, end, point = month_part(year, month, part)  # type: ignore[arg-type]
            return Found(start, end, point, self.used(k, k + 1))
        if tok.kind == "monthyear":
            m, y = tok.value  # type: ignore[misc]
            if not 1 <= m <= 12:
                return None
            modifier = self._month_modifier(k)
            start, end, point = self.month_year(m, y, modifier)
            return Found(start, end, point, self.used(k) + (self.used(k - 1) if modifier else ()))
        number = self.day_number(k)
        if number is not None and (solar := self.solar_month(k + 1)) is not None:
            # « ۲۵ اسفند », « ۱۵ حوت ۱۴۰۵ »: a Solar Hijri day (bot.dates.solar).
            year = self.solar_year_number(k + 2)
            day = self.solar_day(number, solar, year)
            used = self.used(k, k + 1, k + 2) if year else self.used(k, k + 1)
            return Found(day, day, day, used) if day else None
        solar = self.solar_month(k)
        if solar is not None:
            year = self.solar_year_number(k + 1)
            beside = next((j for j in (k - 1, k + 1) if self._is_month_unit(j)), None)
            if year is not None or beside is not None:
                # « ماه حوت » (the month of Hut), Pashto « د کب میاشت », « حوت ۱۴۰۵ »: its days.
                start, end = self.solar_month_days(solar, year)
                used = self.used(k) + (self.used(k + 1) if year else self.used(beside))
                return Found(start, end, None, used)
        if number is not None:
            month = self.is_month(k + 1, after_number=True)
            if month is not None:
                year = self.year_number(k + 2)
                day = self.day(number, month, year)
                used = self.used(k, k + 1, k + 2) if year else self.used(k, k + 1)
                return Found(day, day, day, used) if day else None
        month = self.is_month(k, after_number=False)
        if month is not None:
            number = self.day_number(k + 1)
            after = self.at(k + 2)
            if number is not None and not (after and after.kind in ("unit", "time", "clock")):
                year = self.year_number(k + 2)
                used = self.used(k, k + 1, k + 2) if year else self.used(k, k + 1)
                if year is None and (year := self._year_before(k)) is not None:
                    used = self.used(k - 1) + used  # "2027年3月15日": year, month, day
                day = self.day(number, month, year)
                return Found(day, day, day, used) if day else None
            before = self.at(k - 1)
            if before is not None and before.kind == "num" and len(before.text) <= 2:
                return None  # "32 mars" is a wrong date, not the month of March
            if tok.kind == "month":
                year = self.year_number(k + 1)
                used = self.used(k) + (self.used(k + 1) if year else ())
                if year is None and (year := self._year_before(k)) is not None:
                    used += self.used(k - 1)
                modifier, modifier_used = self._month_modifier_around(k)
                start, end, point = self.month_year(month, year, modifier)
                return Found(start, end, point, used + modifier_used)
        return self._day_of_month_at(k)

    def _year_before(self, k: int) -> int | None:
        # Only a year marked as one ("2027年"): a bare number before a month is its day.
        before = self.at(k - 1)
        return self.year_number(k - 1) if before is not None and before.kind == "year" else None

    def _month_modifier_around(self, k: int) -> tuple[str | None, tuple[int, ...]]:
        """ "fin mars", and "3月底" where the edge follows the month (Chinese)."""
        modifier = self._month_modifier(k)
        if modifier is not None:
            return modifier, self.used(k - 1)
        after = self.at(k + 1)
        if after is not None and after.kind in ("start", "mid", "end"):
            return after.kind, self.used(k + 1)
        return None, ()

    def _month_modifier(self, k: int) -> str | None:
        before = self.at(k - 1)
        if before is not None and before.kind in ("start", "mid", "end"):
            return before.kind
        return None

    def _day_of_month_at(self, k: int) -> Found | None:
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
        # A bare number before a part of day or a time is an hour ("3 après-midi"); an ordinal
        # stays a day ("15号下午3点": the 15th, at 3 in the afternoon).
        hour_like = ("part", "ampm", "time", "clock") if tok.kind != "ordinal" else ()
        if after is not None and after.kind in ("unit", "month", "numdate", *hour_like):
            return None
        if before is not None and before.kind in ("in", "ago", "at"):
            return None
        introduced = (
            tok.kind == "ordinal"
            or (before_raw is not None and before_raw.text in ("le", "the", "يوم", "nhar"))
            or (before is not None and before.kind == "weekday")
            # "la semaine du 15": absolute() widens it to that week.
            or (
                before is not None
                and before.value == ("week", None)
                and before_raw is not None
                and before_raw.text == "du"
            )
        )
        if not introduced:
            return None
        day = self.day_of_month(number)
        return Found(day, day, day, self.used(k)) if day else None

    # -- ranges -------------------------------------------------------------------------------
    def expression_at(self, k: int) -> Found | None:
        return self._absolute_at(k) or relative_at(self, k)

    def between(self) -> Found | None:
        """ "du 3 au 5 mars", "entre lundi et mercredi", "from monday to friday", "من ... إلى"."""
        position = {raw: k for k, raw in enumerate(self.sig)}
        tokens = self.tokens
        for f, tok in enumerate(tokens):
            if tok.text not in RANGE_FROM:
                continue
            t = next(
                (j for j in range(f + 2, min(f + 6, len(tokens))) if tokens[j].text in RANGE_TO),
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
            return Found(first.start, end, None, first.used + second.used + (f, t))
        return None

    def _day_before(self, k: int, second: Found) -> Found | None:
        # "du 3 au 5 mars": the first day borrows the month of the second.
        number = self.day_number(k)
        if number is None or second.start != second.end:
            return None
        month_start = second.start.replace(day=1)
        for first_of_month in (month_start, add_months(month_start, -1)):
            if number <= calendar.monthrange(first_of_month.year, first_of_month.month)[1]:
                day = first_of_month.replace(day=number)
                if day <= second.start:
                    return Found(day, day, day, self.used(k))
        return None

    def bounded(self, found: Found) -> Found:
        """ "avant vendredi" ends the day before; "jusqu'à vendredi", "d'ici vendredi" end that day."""
        if self.mode != "future":
            return found
        first = min(found.used)
        if self.tokens[first].text == "d ici":
            # "d'ici 2 semaines": any day from now on until then.
            return self._from_today(found.point or found.end, found)
        words = [t.text for t in self.tokens[:first] if t.text not in FILLERS][-3:]
        if words and words[-1] in BEFORE and found.start > self.today:
            if len(words) > 1 and words[-2] in NEGATIONS:
                return found  # "pas avant le 3": from the 3rd on
            return Found(self.today, found.start - timedelta(days=1), None, found.used)
        if any(word in UNTIL for word in words):
            return self._from_today(found.end, found)
        return found

    def _from_today(self, end: date, found: Found) -> Found:
        """Any day from today until `end`, a year at most: "d'ici fin 2027", said in November
        2026, asked 403 days (a property test found it); no one books that far ahead."""
        return Found(self.today, min(end, self.today + FURTHEST_WISH), None, found.used)

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
