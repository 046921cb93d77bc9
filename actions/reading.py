"""What the person's latest message says, read as a whole sentence (bot.understanding), merged
with what Rasa extracted: the routing facts, an expiry date, a place, a numéro étranger, and
whether it is about an appointment already made.

Merging order for the routing facts: the slots kept from earlier messages, then what this
sentence says, then this message's own entities and button payloads (an explicit answer wins).
"""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.common import language, now
from bot.understanding import Understanding, understand_message
from bot.understanding.facts import narrows

FACT_SLOTS = ("procedure_kind", "title_type", "topic")


def understood(tracker: Tracker) -> Understanding:
    """The latest message read whole; nothing for a button payload (its entities say it all)."""
    text = (tracker.latest_message.get("text") or "").strip()
    if not text or text.startswith("/"):
        return Understanding()
    return understand_message(text, language(tracker), now())


def said_facts(tracker: Tracker) -> dict[str, str]:
    """The routing facts this very message brings: its sentence, then its entities."""
    facts = dict(understood(tracker).facts.as_slots())
    for found in tracker.latest_message.get("entities") or []:
        name, value = found.get("entity"), found.get("value")
        if name not in FACT_SLOTS or not value:
            continue
        # An entity wins, unless it only widens what the sentence said: the CRF may tag the
        # "کارت" (card) of "کارت مقیم ده ساله" as any permit where the cues read the 10-year one.
        if name in facts and narrows(name, facts[name], str(value)):
            continue
        facts[name] = str(value)
    return facts


def facts_of(tracker: Tracker) -> dict[str, str]:
    """Every routing fact known: the kept slots, overridden by what this message says."""
    kept = {name: tracker.get_slot(name) for name in FACT_SLOTS if tracker.get_slot(name)}
    return {**kept, **said_facts(tracker)}


def new_facts(tracker: Tracker) -> dict[str, str]:
    """What this message says that the slots did not hold yet (or held otherwise)."""
    return {
        name: value
        for name, value in said_facts(tracker).items()
        if tracker.get_slot(name) != value
    }
