"""Quiet hours: nothing between 21h and 8h, Paris time, unless waiting makes a message useless.
Pure."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.timezone import PARIS

QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)
# An offer sent at 8h that expires at 8h05 helps nobody: it goes out at night instead.
MIN_TIME_TO_ANSWER = timedelta(hours=1)


def is_quiet(moment: datetime) -> bool:
    local = moment.astimezone(PARIS).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def end_of_quiet(moment: datetime) -> datetime:
    """The first morning 8h (Paris) at or after `moment`, in UTC."""
    local = moment.astimezone(PARIS)
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=PARIS).astimezone(moment.tzinfo)


def may_send(now: datetime, latest: datetime | None) -> bool:
    """Outside quiet hours; inside them only if the morning would leave too little time."""
    if not is_quiet(now):
        return True
    return latest is not None and end_of_quiet(now) + MIN_TIME_TO_ANSWER > latest
