"""Parts of the day a person can ask for ("plutôt le matin", "vers 17h"), in local time.

One table for the reader (which part a time belongs to; until when "ce soir" still means
today) and for the booking engine (which slots a part of day keeps).
"""

from __future__ import annotations

from datetime import time
from typing import Literal

PartOfDay = Literal["morning", "afternoon", "evening"]

# When each part ends, in order. Nothing is booked after 23:00: "ce soir" asked later means
# tomorrow evening, and a later time still counts as evening.
PART_ENDS: dict[PartOfDay, time] = {
    "morning": time(12),
    "afternoon": time(18),
    "evening": time(23),
}


def part_of(moment: time) -> PartOfDay:
    """The part of the day a time falls in."""
    for part, end in PART_ENDS.items():
        if moment < end:
            return part
    return "evening"


def in_part_of_day(moment: time, part_of_day: str | None) -> bool:
    """Whether a slot starting at this local time suits the part of day asked (None: any)."""
    return not part_of_day or part_of(moment) == part_of_day
