"""Reading a whole message for what the assistant needs: routing facts, expiry date, place, day
wish, numéro étranger, and whether it is about an appointment already made. Pure core: no web,
no database, no Rasa. The words are data: `cues/<lang>.yml`."""

from bot.understanding.facts import Facts, consistent, read_facts
from bot.understanding.message import (
    Place,
    Understanding,
    Wants,
    read_numero_etranger,
    read_place,
    read_question,
    read_wants,
    speaks_of_expiry,
    understand_message,
    without_places,
)

__all__ = [
    "Facts",
    "Place",
    "Understanding",
    "Wants",
    "consistent",
    "read_facts",
    "read_numero_etranger",
    "read_place",
    "read_question",
    "read_wants",
    "speaks_of_expiry",
    "understand_message",
    "without_places",
]
