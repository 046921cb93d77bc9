"""Times of day: "9h", "14h30", "3pm", "à 3h", "le matin", "ce soir", "dans 3 heures"."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.dates.parts_of_day import PART_ENDS, PartOfDay, part_of
from bot.dates.spans import ASAP_DAYS, Found

if TYPE_CHECKING:
    from bot.dates.reader import Reader


def time_and_part(
    reader: Reader, skip: set[int]
) -> tuple[time | None, PartOfDay | None, tuple[int, ...]]:
    part: PartOfDay | None = None
    part_used: tuple[int, ...] = ()
    for k in range(len(reader.sig)):
        tok = reader.at(k)
        assert tok is not None
        if tok.kind == "part" and reader.sig[k] not in skip:
            part, part_used = tok.value, reader.used(k)  # type: ignore[assignment]
            break
        if tok.kind == "tonight":
            part, part_used = "evening", ()
            break
    for k in range(len(reader.sig)):
        if reader.sig[k] in skip:
            continue
        found = _clock_at(reader, k)
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
            return time(hour, minute), part or part_of(time(hour, minute)), used + part_used
    return None, part, part_used


def _clock_at(reader: Reader, k: int) -> tuple[int, int, bool, tuple[int, ...]] | None:
    tok = reader.at(k)
    assert tok is not None
    if tok.kind in ("time", "clock"):
        hour, minute = tok.value  # type: ignore[misc]
        explicit = tok.kind == "clock"  # "3pm" says which half of the day
        after = reader.at(k + 1)
        if after is not None and after.kind == "ampm":
            hour, explicit = hour % 12 + (12 if after.value == "pm" else 0), True
        return hour, minute, explicit, reader.used(k)
    if tok.kind not in ("num", "numword") or tok.kind == "num" and len(tok.text) > 2:
        return None
    hour = int(tok.value)  # type: ignore[arg-type]
    before = reader.at(k - 1)
    after = reader.at(k + 1)
    if after is not None and after.kind == "ampm":
        return hour % 12 + (12 if after.value == "pm" else 0), 0, True, reader.used(k, k + 1)
    if after is not None and after.kind == "unit" and after.value[0] == "hour":  # type: ignore[index]
        if before is None or before.kind not in ("in", "ago"):
            return hour, 0, False, reader.used(k, k + 1)
        return None
    if before is not None and before.kind == "at":
        if after is not None and after.kind in ("unit", "month"):
            return None  # "elle a 3 ans", "à 3 mois": not a time
        return hour, 0, False, reader.used(k - 1, k)
    if after is not None and after.kind == "part" and hour <= 12:
        return hour, 0, False, reader.used(k)
    return None


def clock_shift(reader: Reader, now: datetime) -> Found | None:
    # "dans 3 heures": the day it lands on.
    for k in range(len(reader.sig)):
        tok = reader.at(k)
        unit = reader.at(k + 2)
        is_in = tok is not None and tok.kind == "in"
        if is_in and unit is not None and unit.kind == "unit" and unit.value[0] == "hour":  # type: ignore[index]
            count = reader.count(k + 1)
            if count is not None and count <= 72:
                day = (now + timedelta(hours=count)).date()
                return Found(day, day, day, reader.used(k, k + 1, k + 2))
    return None


def from_clock(
    clock: time | None, part: PartOfDay | None, now: datetime, today_only: bool
) -> Found | None:
    """A time alone is its next occurrence; "ce matin" is today; "le matin" is any morning."""
    if clock is None and part is None:
        return None
    limit = clock if clock is not None else PART_ENDS[part]  # type: ignore[index]
    day = now.date() if now.time() < limit else now.date() + timedelta(days=1)
    if clock is None and not today_only:
        return Found(day, now.date() + timedelta(days=ASAP_DAYS), None, ())
    return Found(day, day, day, ())
