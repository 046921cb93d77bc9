"""Relative dates: "demain", "mardi prochain", "la semaine prochaine", "dans 2 semaines",
"il y a 3 mois", and the vague "maintenant" and "le plus tôt possible"."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.dates.lexicon import REMAINING, SINCE, WITHIN
from bot.dates.spans import ASAP_DAYS, Found, add_months, month_end, month_part, week_of

if TYPE_CHECKING:
    from bot.dates.reader import Reader
    from bot.dates.tokens import Tok


def vague(reader: Reader) -> Found | None:
    """ "maintenant" is today; "le plus tôt possible" is any day within the booking horizon."""
    for k in range(len(reader.sig)):
        tok = reader.at(k)
        assert tok is not None
        if tok.kind == "now":
            return Found(reader.today, reader.today, reader.today, reader.used(k))
        if tok.kind == "asap":
            end = reader.today + timedelta(days=ASAP_DAYS)
            return Found(reader.today, end, None, reader.used(k))
    return None


def relative(reader: Reader) -> Found | None:
    for k in range(len(reader.sig)):
        found = relative_at(reader, k)
        if found is not None:
            return found
    return None


def _modifier_around(reader: Reader, k: int) -> tuple[str | None, tuple[int, ...]]:
    for j in (k + 1, k - 1):
        tok = reader.at(j)
        if tok is not None and tok.kind in ("next", "this", "last"):
            return tok.kind, reader.used(j)
    return None, ()


def relative_at(reader: Reader, k: int) -> Found | None:
    tok = reader.at(k)
    assert tok is not None
    today = reader.today
    if tok.kind == "rel":
        day = today + timedelta(days=int(tok.value))  # type: ignore[arg-type]
        return Found(day, day, day, reader.used(k))
    if tok.kind == "tonight":
        return Found(today, today, today, reader.used(k))
    if tok.kind == "weekday":
        modifier, used = _modifier_around(reader, k)
        day = reader.weekday(int(tok.value), modifier)  # type: ignore[arg-type]
        after = reader.at(k + 1)
        if after is not None and after.kind == "enhuit":
            day += timedelta(days=7)
            used += reader.used(k + 1)
        return Found(day, day, day, reader.used(k) + used)
    if tok.kind == "weekend":
        modifier, used = _modifier_around(reader, k)
        saturday = week_of(today)[0] + timedelta(days=5)
        if modifier == "next" and today.weekday() >= 5:
            saturday += timedelta(days=7)
        elif modifier == "last":
            saturday -= timedelta(days=7)
        start = saturday if modifier == "last" else max(saturday, today)
        return Found(start, saturday + timedelta(days=1), None, reader.used(k) + used)
    if tok.kind == "unit" and tok.value[1] is None:  # type: ignore[index]
        return _this_next_unit(reader, k, tok.value[0])  # type: ignore[index]
    if tok.kind == "in":
        return _shift(reader, k, +1)
    if tok.kind == "ago":
        return _shift(reader, k, -1)
    if (length := _length_said(reader, k)) is not None:
        return length
    if tok.kind in ("num", "numword"):
        # "3 days ago", and "三天后" (3 days later) where "in" follows too (Chinese); right after
        # a length of two or more, "next" is later too: « شش هفته دیگه » is in six weeks
        # (Persian), not next week (session 27, a dev conversation by SMS), while « یک روز
        # دیگه » is another day and "le 3 du mois pro" the 3rd of next month.
        after = reader.at(k + 2)
        adjacent = reader.sig[k + 2] - reader.sig[k] == 2 if after is not None else False
        later = ("ago", "in", "next") if _count(tok) >= 2 and adjacent else ("ago", "in")
        if after is not None and after.kind in later:
            unit = reader.at(k + 1)
            sign = -1 if after.kind == "ago" else +1
            return _shifted(reader, k, k + 1, k + 2, sign) if unit and unit.kind == "unit" else None
        if after is not None and after.kind in ("next", "this", "last"):
            return _day_of_a_month(reader, k)
    return None


def _day_of_a_month(reader: Reader, k: int) -> Found | None:
    """ "le 3 du mois prochain", "le 3 du mois pro": that day of the month named."""
    tok, unit = reader.at(k), reader.at(k + 1)
    if tok is None or tok.kind != "num" or unit is None or unit.kind != "unit":
        return None
    if unit.value[0] != "month" or unit.value[1] is not None:  # type: ignore[index]
        return None
    month = _this_next_unit(reader, k + 1, "month")
    day = _count(tok)
    if month is None or not 1 <= day <= month_end(month.end.year, month.end.month).day:
        return None
    found = date(month.end.year, month.end.month, day)
    return Found(found, found, found, reader.used(k) + month.used)


def _count(tok: Tok) -> int:
    return tok.value if isinstance(tok.value, int) else 0


def _length_said(reader: Reader, k: int) -> Found | None:
    """An expiry said as a length of time after a word of its own: "périmée depuis 2 semaines"
    (ago, only beside a past marker), "il me reste deux semaines", "2 weeks left" (from today)."""
    if reader.mode != "expiry":
        return None
    tok = reader.at(k)
    assert tok is not None
    if tok.kind in ("num", "numword"):
        unit_k = k + 1
        unit = reader.at(unit_k)
        if unit is None or unit.kind != "unit":
            return None
        count_k: int | None = k
    elif tok.kind == "unit" and tok.value[1] is not None:  # type: ignore[index]
        unit_k, count_k = k, None  # "أسبوعين": two weeks in one word
    else:
        return None
    first = reader.sig[k]
    before = reader.tokens[first - 1].text if first > 0 else ""
    last = reader.sig[unit_k]
    after = reader.tokens[last + 1].text if last + 1 < len(reader.tokens) else ""
    if before in SINCE and reader.past:
        return _shifted(reader, count_k, unit_k, unit_k, -1)
    # "باقي ليها شهر" (a month left to it): a pronoun may come between.
    before_that = reader.tokens[first - 2].text if first > 1 else ""
    if before in REMAINING or before_that in REMAINING or after in REMAINING:
        return _shifted(reader, count_k, unit_k, unit_k, +1)
    return None


def _this_next_unit(reader: Reader, k: int, unit: str) -> Found | None:
    modifier, used = _modifier_around(reader, k)
    edge_tok = reader.at(k - 1)
    edge = (
        edge_tok.kind if edge_tok is not None and edge_tok.kind in ("start", "mid", "end") else None
    )
    if edge is not None:
        used += reader.used(k - 1)
    if modifier is None and edge is None:
        # "dans la semaine" means this week; a bare "semaine" means nothing on its own.
        before = reader.at(k - 1)
        if unit == "week" and before is not None and before.kind == "in":
            modifier, used = "this", reader.used(k - 1)
        else:
            return None
    today = reader.today
    shift = {"next": 1, "last": -1}.get(modifier or "this", 0)
    if unit == "week":
        monday, sunday = week_of(today + timedelta(weeks=shift))
        if edge == "end":
            monday = monday + timedelta(days=3)
        elif edge == "start":
            sunday = monday + timedelta(days=2)
        start = max(monday, today) if shift == 0 else monday
        return Found(start, sunday, sunday if edge == "end" else None, reader.used(k) + used)
    if unit == "month":
        first = add_months(today.replace(day=1), shift)
        start, end, point = month_part(first.year, first.month, edge)
        if shift == 0:
            start = max(start, today)
            if end < today:
                return None
        return Found(start, end, point, reader.used(k) + used)
    if unit == "year" and modifier is not None:
        year = today.year + shift
        return Found(date(year, 1, 1), date(year, 12, 31), None, reader.used(k) + used)
    return None


def _shift(reader: Reader, k: int, sign: int) -> Found | None:
    marker = reader.at(k)
    assert marker is not None
    raw_next = reader.sig[k] + 1
    # "dans les 2 mois", "within 2 weeks", "خلال أسبوعين", "d'ici 15 jours": any day until then.
    within = sign > 0 and (
        marker.text in WITHIN
        or raw_next < len(reader.tokens)
        and reader.tokens[raw_next].text in ("les", "the")
    )
    first = k + 1
    nxt = reader.at(first)
    if within and nxt is not None and nxt.kind == "next":
        first, nxt = first + 1, reader.at(first + 1)  # "dans les prochains jours"
    found: Found | None = None
    if nxt is not None and nxt.kind == "unit":
        found = _shifted(reader, None, first, k, sign, within)
    elif nxt is not None and nxt.kind in ("num", "numword"):
        unit = reader.at(first + 1)
        if unit is not None and unit.kind == "unit":
            found = _shifted(reader, first, first + 1, k, sign, within)
    if found is not None and first > k + 1:
        found = found._replace(used=found.used + reader.used(k + 1))
    return found


def _shifted(
    reader: Reader, count_k: int | None, unit_k: int, marker_k: int, sign: int, within: bool = False
) -> Found | None:
    unit_tok = reader.at(unit_k)
    assert unit_tok is not None
    unit, fixed = unit_tok.value  # type: ignore[misc]
    count = fixed or (reader.count(count_k) if count_k is not None else None)
    if count is None:
        # "dans une semaine" says one; "dans les prochains jours" says a few: a week.
        count = 7 if within and unit == "day" else 1
    if count > 400:
        return None
    used = reader.used(*(x for x in (count_k, unit_k, marker_k) if x is not None))
    today = reader.today
    if within and unit in ("day", "week", "month", "year"):
        months = {"month": count, "year": 12 * count}.get(unit, 0)
        days = {"day": count, "week": 7 * count}.get(unit, 0)
        end = add_months(today, months) + timedelta(days=days)
        return Found(today, end, end, used)
    if unit == "day":
        day = today + timedelta(days=sign * count)
        return Found(day, day, day, used)
    if unit == "week":
        day = today + timedelta(weeks=sign * count)
        monday, sunday = week_of(day)
        return Found(monday, sunday, day, used)
    if unit == "month":
        day = add_months(today, sign * count)
        return Found(day.replace(day=1), month_end(day.year, day.month), day, used)
    if unit == "year":
        day = add_months(today, sign * 12 * count)
        return Found(day, day, day, used)
    if unit == "hour":
        return None  # resolved with the clock in _clock_shift
    return None
