"""Parts of the day an applicant can ask for ("plutôt le matin"), in the site's local time."""

from __future__ import annotations

from datetime import time

PARTS_OF_DAY: dict[str, tuple[time, time]] = {
    "morning": (time(0, 0), time(12, 0)),
    "afternoon": (time(12, 0), time(17, 0)),
    "evening": (time(17, 0), time(23, 59, 59)),
}


def in_part_of_day(local_start: time, part_of_day: str | None) -> bool:
    if not part_of_day:
        return True
    start, end = PARTS_OF_DAY[part_of_day]
    return start <= local_start < end
